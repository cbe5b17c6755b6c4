//! What exports share: cells that a spreadsheet will not run.

use std::borrow::Cow;

/// A cell for a CSV file a person will open in a spreadsheet. A cell that
/// begins with `=`, `+`, `-` or `@` (or with a tab or carriage return,
/// which spreadsheets skip before looking) is read as a formula, so a
/// planted `=HYPERLINK(...)` in a name would run when the compliance unit
/// opens the export. Such cells get a leading apostrophe, which makes
/// spreadsheets show the text as it is; every other cell is unchanged.
/// JSON exports keep the text untouched: nothing evaluates it.
pub fn spreadsheet_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A CSV table (RFC 4180, CRLF lines) a person will open in a spreadsheet:
/// every cell through [`spreadsheet_cell`], quoted by the `csv` writer
/// where it must be.
pub fn csv_table<I: IntoIterator<Item = Vec<String>>>(header: &[&str], rows: I) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| spreadsheet_cell(c).into_owned()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_cell;

    #[test]
    fn formula_starts_are_neutralised_and_nothing_else_changes() {
        for planted in [
            "=HYPERLINK(\"http://evil.example\",\"open\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
        ] {
            assert_eq!(spreadsheet_cell(planted), format!("'{planted}"));
        }
        for plain in [
            "Serik Abdiuly",
            "2026-02-10",
            "180000.50",
            "",
            "a=b",
            "'quoted",
        ] {
            assert_eq!(spreadsheet_cell(plain), plain);
        }
    }
}
