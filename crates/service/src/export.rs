//! Exports: every list a tenant keeps, whole, as CSV, JSON or XLSX
//! ([`lists`] reads them within what the caller may read, [`Table`] writes
//! them), and what all exports share: cells that a spreadsheet will not
//! run.

mod lists;
mod xlsx;

pub use lists::{ExportList, FindingNarrowing, Narrowing, may_read, table};

use crate::{ServiceError, ServiceResult};
use std::borrow::Cow;

/// The shapes an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Csv, Format::Json, Format::Xlsx];

    /// The format named `name` (`csv`, `json`, `xlsx`), or `NotFound`
    /// naming it and the formats there are.
    pub fn parse(name: &str) -> ServiceResult<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == name)
            .ok_or_else(|| {
                ServiceError::not_found(&format!(
                    "export format {name:?} (the formats are: csv, json, xlsx)"
                ))
            })
    }

    /// The name in paths, and the file name's extension.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Xlsx => XLSX_CONTENT_TYPE,
        }
    }
}

/// The media type of an Office Open XML workbook.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `Content-Disposition` of an export of `list` as `format`: a file to
/// save, named after the list (`findings.xlsx`). List names are ASCII
/// words, so the plain `filename` parameter is enough.
pub fn disposition(list: ExportList, format: Format) -> String {
    format!(
        "attachment; filename=\"{}.{}\"",
        list.as_str(),
        format.as_str()
    )
}

/// A list as rows: the header and each row's cells as text. `numeric`
/// names the columns that hold numbers, which an XLSX writes as numbers
/// so that a spreadsheet can add them up; CSV and JSON keep every cell as
/// the text it is (programs read them and expect exactly that).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<&'static str>,
    pub numeric: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: Vec<&'static str>, rows: Vec<Vec<String>>) -> Self {
        Self {
            header,
            numeric: Vec::new(),
            rows,
        }
    }

    /// The same table with `columns` written as numbers in XLSX.
    pub fn numeric(mut self, columns: &[&'static str]) -> Self {
        self.numeric.extend_from_slice(columns);
        self
    }

    /// CSV with a header row and LF line ends (as the API has always
    /// answered), every cell through [`spreadsheet_cell`].
    pub fn csv(&self) -> ServiceResult<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header)
            .map_err(ServiceError::internal)?;
        for r in &self.rows {
            w.write_record(r.iter().map(|c| spreadsheet_cell(c).into_owned()))
                .map_err(ServiceError::internal)?;
        }
        let bytes = w.into_inner().map_err(ServiceError::internal)?;
        String::from_utf8(bytes).map_err(ServiceError::internal)
    }

    /// A JSON array of objects keyed by the header, every value the
    /// cell's text untouched.
    pub fn json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    serde_json::Value::Object(
                        self.header
                            .iter()
                            .zip(r)
                            .map(|(h, v)| ((*h).to_owned(), serde_json::Value::String(v.clone())))
                            .collect(),
                    )
                })
                .collect(),
        )
    }

    /// The workbook of [`Table::xlsx`], written off the async executor:
    /// a long list takes a while to compress.
    pub async fn xlsx_async(self, sheet: &'static str) -> ServiceResult<Vec<u8>> {
        tokio::task::spawn_blocking(move || self.xlsx(sheet))
            .await
            .map_err(ServiceError::internal)?
    }
}

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
