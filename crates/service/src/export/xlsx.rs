//! A [`Table`] as an Excel workbook (rust_xlsxwriter): one sheet named
//! after the list, the header bold and frozen with a filter on it, columns
//! as wide as their text (within bounds). Every cell is written as a
//! string or a number, never as a formula, so `=HYPERLINK(...)` in a name
//! stays text: unlike CSV, the file says what each cell is, and no
//! leading apostrophe is needed.

use super::Table;
use crate::{ServiceError, ServiceResult};
use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, Worksheet, XlsxError};

/// The most rows a sheet holds (Excel's limit), header included.
const MAX_ROWS: usize = 1_048_576;
/// The most UTF-16 units a cell holds (Excel's limit).
const MAX_CELL: usize = 32_767;
/// What ends a cell cut to [`MAX_CELL`]: the JSON export has the rest.
const CUT: &str = " […]";
/// Column widths, in characters of the default font.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;
/// Widths are measured on this many rows: enough to be representative,
/// and a long list does not pay for measuring every cell.
const MEASURED_ROWS: usize = 1_000;
/// Significant digits an `f64` keeps exactly; a number with more (a huge
/// amount with tiyn) stays text rather than be rounded.
const EXACT_DIGITS: usize = 15;

impl Table {
    /// The workbook's bytes. A list longer than a sheet holds is a bad
    /// request that says to use CSV or JSON, never a cut file.
    pub fn xlsx(&self, sheet: &str) -> ServiceResult<Vec<u8>> {
        if self.rows.len() >= MAX_ROWS {
            return Err(ServiceError::bad_request(format!(
                "the list has {} rows, more than a spreadsheet holds ({}); export it as CSV or JSON",
                self.rows.len(),
                MAX_ROWS - 1
            )));
        }
        self.workbook(sheet).map_err(ServiceError::internal)
    }

    fn workbook(&self, sheet: &str) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name(sheet)?;
        let bold = Format::new().set_bold();
        let numeric: Vec<bool> = self
            .header
            .iter()
            .map(|h| self.numeric.contains(h))
            .collect();
        for (c, h) in self.header.iter().enumerate() {
            ws.write_string_with_format(0, col(c)?, *h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = RowNum::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, text) in row.iter().enumerate() {
                let number = numeric.get(c).copied().unwrap_or(false);
                write_cell(ws, r, col(c)?, text, number)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if let Some(last) = self.header.len().checked_sub(1) {
            let last_row =
                RowNum::try_from(self.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.autofilter(0, 0, last_row, col(last)?)?;
        }
        for (c, width) in self.widths().into_iter().enumerate() {
            ws.set_column_width(col(c)?, width as f64)?;
        }
        book.save_to_buffer()
    }

    /// Each column's width: its longest text among the header and the
    /// first [`MEASURED_ROWS`] rows (the first line of a multi-line
    /// cell), plus a margin, within [`MIN_WIDTH`]..=[`MAX_WIDTH`].
    fn widths(&self) -> Vec<u32> {
        self.header
            .iter()
            .enumerate()
            .map(|(c, h)| {
                let longest = self
                    .rows
                    .iter()
                    .take(MEASURED_ROWS)
                    .filter_map(|r| r.get(c))
                    .map(|t| t.lines().next().unwrap_or("").chars().count())
                    .chain(std::iter::once(h.chars().count()))
                    .max()
                    .unwrap_or(0);
                u32::try_from((longest + 2).clamp(MIN_WIDTH, MAX_WIDTH)).unwrap_or(10)
            })
            .collect()
    }
}

fn col(c: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// One cell: a number where the column holds numbers and the text is one
/// an `f64` keeps exactly, otherwise the text as a string (cut to what a
/// cell holds). An empty cell is left blank.
fn write_cell(
    ws: &mut Worksheet,
    r: RowNum,
    c: ColNum,
    text: &str,
    numeric: bool,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        return Ok(());
    }
    if numeric && let Some(n) = exact_number(text) {
        ws.write_number(r, c, n)?;
    } else {
        ws.write_string(r, c, fit(text).as_ref())?;
    }
    Ok(())
}

/// `text` as a number if it is a plain decimal (digits, one point, a
/// leading minus) of at most [`EXACT_DIGITS`] significant digits.
fn exact_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    let significant = format!("{int}{frac}").trim_start_matches('0').len();
    if !plain || significant > EXACT_DIGITS {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `text` cut to what a cell holds, marked as cut.
fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    if text.encode_utf16().count() <= MAX_CELL {
        return std::borrow::Cow::Borrowed(text);
    }
    let room = MAX_CELL - CUT.encode_utf16().count();
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, ch)| {
            used += ch.len_utf16();
            used > room
        })
        .map_or(text.len(), |(i, _)| i);
    std::borrow::Cow::Owned(format!("{}{CUT}", &text[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    fn sample() -> Table {
        Table::new(
            vec!["full_name", "iin", "likelihood", "value_amount", "note"],
            vec![
                vec![
                    "=HYPERLINK(\"http://evil.example\",\"open\")".into(),
                    "000101500123".into(),
                    "4".into(),
                    "180000.50".into(),
                    "+1+1".into(),
                ],
                vec![
                    "Серік Әбдіұлы".into(),
                    "850101300123".into(),
                    "".into(),
                    "12345678901234567.89".into(),
                    "@SUM(A1)".into(),
                ],
            ],
        )
        .numeric(&["likelihood", "value_amount"])
    }

    #[test]
    fn cells_read_back_as_written_and_formulas_stay_text() {
        let bytes = sample().xlsx("people").unwrap();
        let mut book = open(bytes);
        assert_eq!(book.sheet_names(), vec!["people".to_owned()]);
        let range = book.worksheet_range("people").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned();
        assert_eq!(cell(0, 0), Some(Data::String("full_name".into())));
        assert_eq!(cell(0, 4), Some(Data::String("note".into())));
        assert_eq!(
            cell(1, 0),
            Some(Data::String(
                "=HYPERLINK(\"http://evil.example\",\"open\")".into()
            ))
        );
        // An IIN keeps its leading zeros: it is text, not a number.
        assert_eq!(cell(1, 1), Some(Data::String("000101500123".into())));
        assert_eq!(cell(1, 2), Some(Data::Float(4.0)));
        assert_eq!(cell(1, 3), Some(Data::Float(180000.5)));
        assert_eq!(cell(1, 4), Some(Data::String("+1+1".into())));
        assert_eq!(cell(2, 0), Some(Data::String("Серік Әбдіұлы".into())));
        // Empty stays empty; a number an f64 would round stays text.
        assert!(matches!(cell(2, 2), None | Some(Data::Empty)));
        assert_eq!(
            cell(2, 3),
            Some(Data::String("12345678901234567.89".into()))
        );
        // No cell holds a formula.
        let formulas = book.worksheet_formula("people").unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{formulas:?}"
        );
    }

    #[test]
    fn the_header_is_bold_and_frozen() {
        let bytes = sample().xlsx("people").unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(sheet.contains(r#"state="frozen""#), "{sheet}");
        assert!(sheet.contains(r#"ySplit="1""#), "{sheet}");
        assert!(sheet.contains("<autoFilter"), "{sheet}");
        assert!(!sheet.contains("<f>"), "no formula: {sheet}");
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("<b/>"), "{styles}");
    }

    #[test]
    fn columns_are_sized_by_their_text_within_bounds() {
        let t = Table::new(
            vec!["id", "explanation"],
            vec![vec!["1".into(), "x".repeat(500)]],
        );
        assert_eq!(t.widths(), vec![MIN_WIDTH as u32, MAX_WIDTH as u32]);
        let t = Table::new(vec!["full_name"], vec![vec!["Asel Nurlanovna".into()]]);
        assert_eq!(t.widths(), vec![17]);
    }

    #[test]
    fn a_cell_longer_than_excel_holds_is_cut_and_says_so() {
        let long = "ә".repeat(MAX_CELL + 10);
        let t = Table::new(vec!["payload"], vec![vec![long]]);
        let mut book = open(t.xlsx("submissions").unwrap());
        let range = book.worksheet_range("submissions").unwrap();
        let Some(Data::String(s)) = range.get_value((1, 0)) else {
            panic!("not a string: {:?}", range.get_value((1, 0)));
        };
        assert!(s.ends_with(CUT));
        assert_eq!(s.encode_utf16().count(), MAX_CELL);
    }

    #[test]
    fn an_empty_list_is_a_header_alone() {
        let t = Table::new(vec!["id", "name"], Vec::new());
        let mut book = open(t.xlsx("departments").unwrap());
        let range = book.worksheet_range("departments").unwrap();
        assert_eq!(range.height(), 1);
        assert_eq!(range.get_value((0, 1)), Some(&Data::String("name".into())));
    }

    #[test]
    fn only_plain_decimals_become_numbers() {
        assert_eq!(exact_number("4"), Some(4.0));
        assert_eq!(exact_number("-2.50"), Some(-2.5));
        assert_eq!(exact_number("0.000001"), Some(0.000001));
        for text in [
            "",
            "1e5",
            "NaN",
            "inf",
            "1.2.3",
            " 4",
            "+4",
            "0x10",
            "1234567890123456",
        ] {
            assert_eq!(exact_number(text), None, "{text}");
        }
    }
}
