//! Reading a bulk import of registry entries (CSV): columns named by the
//! header, every row checked as a single entry is, every failure at its
//! line and column.

use crate::error::{ApiError, ApiResult};
use adal_domain::{ConvictedPerson, ConvictedPersonFields, FieldError};

/// Most rows one import may hold.
pub const MAX_ROWS: usize = 10_000;

/// The columns an import may have; the first four are required.
pub const COLUMNS: [&str; 15] = [
    "full_name",
    "offence_article",
    "convicted_on",
    "court",
    "iin",
    "date_of_birth",
    "applies_until",
    "workplace",
    "position_held",
    "offence_description",
    "case_number",
    "ruling_in_force_on",
    "punishment",
    "punishment_term",
    "source",
];

/// One data row: its line in the file, and the entry or its failures.
#[derive(Debug)]
pub struct Row {
    pub line: u64,
    pub entry: Option<ConvictedPerson>,
    pub errors: Vec<FieldError>,
}

/// Reads `csv`; `source` fills the `source` of rows without one. A file
/// that is not such a CSV at all (no header, an unknown or missing column,
/// too many rows, a malformed line) is a `400` naming the problem.
pub fn parse(csv: &str, source: Option<&str>) -> ApiResult<Vec<Row>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| ApiError::bad_request(format!("the header row: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    for h in &header {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown column {h:?}; the columns are: {}",
                COLUMNS.join(", ")
            )));
        }
    }
    for required in &COLUMNS[..4] {
        if !header.iter().any(|h| h == required) {
            return Err(ApiError::bad_request(format!(
                "the column {required:?} is required"
            )));
        }
    }
    let today = adal_domain::kazakhstan_today();
    let mut rows = Vec::new();
    for record in r.records() {
        let record = record.map_err(|e| ApiError::bad_request(format!("CSV: {e}")))?;
        if rows.len() == MAX_ROWS {
            return Err(ApiError::bad_request(format!(
                "at most {MAX_ROWS} rows per import"
            )));
        }
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |name: &str| -> Option<&str> {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
        };
        let fields = ConvictedPersonFields {
            full_name: cell("full_name").unwrap_or(""),
            iin: cell("iin"),
            date_of_birth: cell("date_of_birth"),
            offence_article: cell("offence_article").unwrap_or(""),
            convicted_on: cell("convicted_on").unwrap_or(""),
            court: cell("court").unwrap_or(""),
            applies_until: cell("applies_until"),
            workplace: cell("workplace"),
            position_held: cell("position_held"),
            offence_description: cell("offence_description"),
            case_number: cell("case_number"),
            ruling_in_force_on: cell("ruling_in_force_on"),
            punishment: cell("punishment"),
            punishment_term: cell("punishment_term"),
            source: cell("source").or(source),
        };
        rows.push(match ConvictedPerson::parse(fields, today) {
            Ok(e) => Row {
                line,
                entry: Some(e),
                errors: Vec::new(),
            },
            Err(errors) => Row {
                line,
                entry: None,
                errors,
            },
        });
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn good_rows_parse_and_bad_ones_name_line_and_column() {
        let csv = "full_name,offence_article,convicted_on,court,punishment,source\n\
                   Оспанов Марат,366 part 2,2024-03-01,Astana court,imprisonment,\n\
                   ,366,2024-03-01,Astana court,flogging,Own list\n";
        let rows = parse(csv, Some("Agency list 2026")).unwrap();
        assert_eq!(rows.len(), 2);
        let first = rows[0].entry.as_ref().unwrap();
        assert_eq!(
            first
                .details
                .source
                .as_ref()
                .map(ToString::to_string)
                .as_deref(),
            Some("Agency list 2026")
        );
        assert_eq!(rows[1].line, 3);
        let pointers: Vec<&str> = rows[1].errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/full_name", "/punishment"]);
    }

    #[test]
    fn a_file_that_is_not_the_format_is_refused_whole() {
        for bad in [
            "name,offence_article,convicted_on,court\nA,366,2024-01-01,C\n",
            "full_name,convicted_on,court\nA,2024-01-01,C\n",
            "full_name,offence_article,convicted_on,court\nA,366\n",
        ] {
            assert!(parse(bad, None).is_err(), "{bad}");
        }
    }
}
