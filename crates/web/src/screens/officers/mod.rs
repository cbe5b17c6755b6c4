//! The HR and procurement officers' screens: the HR actions on file, the
//! procurements by OCID with their tenderers and suppliers, and imports
//! (upload a CSV of people, relatives or interests, or an OCDS file; see
//! its progress and the rows it rejected). Each screen asks for the same
//! permission as its API endpoint; an import is stored by the store
//! function `POST /imports/{kind}` uses, and the worker applies it.

//!
//! [`hr`] (with [`hr_form`], the form that records one), [`procurements`]
//! and [`imports`] are the three screens; this
//! module holds what the two filtered lists share.

pub(crate) mod hr;
pub(crate) mod hr_form;
pub(crate) mod imports;
pub(crate) mod procurements;

use crate::i18n::Tr;
use poem::http::StatusCode;
use serde_json::Value;

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn date(tr: &Tr, iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| tr.date(d))
}

fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map_or("", str::trim)
}

fn error_of<'a>(errors: &[(&str, &'a str)], field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, e)| *e)
}

/// 422 when the filters had errors, as the API answers bad input.
fn status_of(errors: &[(&str, &str)]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}
