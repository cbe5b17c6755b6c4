//! JSON in, typed records out, with every failure located by a JSON
//! pointer. serde stops at the first malformed value; the record kinds'
//! `check` methods then report every cross-field problem at once.

use crate::FieldError;
use serde::de::DeserializeOwned;
use std::cell::RefCell;

thread_local! {
    /// The code and message of the last value a domain type refused while
    /// being deserialised on this thread (see [`refused`]).
    static REFUSED: RefCell<Option<(&'static str, String)>> = const { RefCell::new(None) };
}

/// Called by the domain's value types when serde hands them a value they
/// refuse: notes the error's code beside its message, which is all serde
/// keeps of it, so that [`located`] can give the field error that code.
/// serde turns the error into text on this same thread before anything
/// else runs, and `located` takes the note only if its message is the
/// one serde reports, so a note left by an error that was recovered from
/// (an untagged enum trying its variants) is never misattributed.
pub(crate) fn refused<E: std::fmt::Display>(code: &'static str, e: E) -> E {
    REFUSED.with(|r| *r.borrow_mut() = Some((code, e.to_string())));
    e
}

/// The code noted for `message` by [`refused`], clearing the note.
fn refused_code(message: &str) -> Option<&'static str> {
    REFUSED
        .with(|r| r.borrow_mut().take())
        .and_then(|(code, m)| (m == message).then_some(code))
}

fn forget_refused() {
    REFUSED.with(|r| r.borrow_mut().take());
}

/// The code of a failure serde reported with `message`: the shape of the
/// document for its own errors, else the code the refusing type noted.
fn code_of(inner: &serde_json::Error, message: &str) -> &'static str {
    if inner.is_syntax() || inner.is_eof() {
        "shape.malformed_json"
    } else if message.starts_with("unknown field") {
        "shape.unknown_field"
    } else if message.starts_with("missing field") {
        "shape.missing_field"
    } else if message.starts_with("invalid type") {
        "shape.invalid_type"
    } else if message.starts_with("invalid length") {
        "shape.invalid_length"
    } else if message.starts_with("unknown variant") {
        // A plain enum serde derives: a value, like the closed enums'.
        "choice.unknown"
    } else {
        refused_code(message).unwrap_or("invalid")
    }
}

/// serde reports a missing field at the enclosing object (an unknown one
/// already at its own path); the field's name is in the message between
/// backticks.
fn field_in_message(msg: &str) -> Option<&str> {
    if !msg.starts_with("missing field") {
        return None;
    }
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

/// RFC 6901: `~` and `/` inside a key are escaped.
pub fn escape_pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut p = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => p.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                p.push('/');
                p.push_str(&escape_pointer_token(key));
            }
            Segment::Enum { variant } => {
                p.push('/');
                p.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    p
}

fn located(e: serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let mut pointer = pointer_of(e.path());
    let inner = e.inner();
    let raw = inner.to_string();
    // serde_json appends " at line L column C"; keep it for syntax errors
    // (it locates them), drop it elsewhere (the pointer does).
    let message = if inner.is_syntax() || inner.is_eof() {
        format!("malformed JSON: {raw}")
    } else {
        raw.rsplit_once(" at line ")
            .map_or(raw.clone(), |(m, _)| m.to_owned())
    };
    if let Some(field) = field_in_message(&message) {
        pointer.push('/');
        pointer.push_str(field);
    }
    // The shape of the document is wrong (400 at the API) for `shape.*`;
    // anything else is a value a type refused (422).
    let code = code_of(inner, &message);
    FieldError::coded(pointer, code, message)
}

/// Parses a JSON document into `T`.
pub fn from_json_slice<T: DeserializeOwned>(data: &[u8]) -> Result<T, FieldError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(FieldError::coded(
            "",
            "body.empty",
            "a JSON body is required",
        ));
    }
    forget_refused();
    let de = &mut serde_json::Deserializer::from_slice(data);
    let parsed = serde_path_to_error::deserialize(de).map_err(located);
    forget_refused();
    parsed
}

/// Parses an already decoded JSON value into `T`.
pub fn from_json_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, FieldError> {
    forget_refused();
    let parsed = serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = pointer_of(e.path());
        let message = e.inner().to_string();
        if let Some(field) = field_in_message(&message) {
            pointer.push('/');
            pointer.push_str(field);
        }
        let code = code_of(e.inner(), &message);
        FieldError::coded(pointer, code, message)
    });
    forget_refused();
    parsed
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Bin, Date, Iin, Kzt, Name, Percent, Region, with_check_digit};
    use serde_json::json;

    /// The code a value gets through both entry points, which must agree.
    fn code<T: DeserializeOwned + std::fmt::Debug>(v: serde_json::Value) -> String {
        let a = from_json_value::<T>(&v).unwrap_err();
        let b = from_json_slice::<T>(v.to_string().as_bytes()).unwrap_err();
        assert_eq!(a, b);
        a.code.into_owned()
    }

    #[test]
    fn a_refused_value_gets_the_code_of_its_type_and_error() {
        let iin = with_check_digit("90010130001").unwrap();
        let bin = with_check_digit("12044000123").unwrap();
        let mut bad_iin = iin.clone();
        bad_iin.replace_range(11.., if iin.ends_with('0') { "1" } else { "0" });
        let mut bad_bin = bin.clone();
        bad_bin.replace_range(11.., if bin.ends_with('0') { "1" } else { "0" });
        // The same IdentError is an IIN's or a BIN's by the type refusing it.
        assert_eq!(code::<Iin>(json!(bad_iin)), "iin.check_digit");
        assert_eq!(code::<Bin>(json!(bad_bin)), "bin.check_digit");
        assert_eq!(code::<Iin>(json!("1")), "iin.format");
        assert_eq!(code::<Bin>(json!("1")), "bin.format");
        // The same English message is money's or a percentage's.
        assert_eq!(code::<Kzt>(json!("1.001")), "money.scale");
        assert_eq!(code::<Percent>(json!("1.001")), "percent.scale");
        assert_eq!(code::<Kzt>(json!("-1")), "money.negative");
        assert_eq!(code::<Date>(json!("2026-02-30")), "date.format");
        assert_eq!(code::<Name>(json!("")), "text.empty");
        assert_eq!(code::<Region>(json!("mars")), "choice.unknown");
        assert_eq!(code::<Vec<Kzt>>(json!(["1", "x"])), "money.format");
        assert_eq!(code::<Kzt>(json!(1)), "shape.invalid_type");
        assert_eq!(code::<Vec<Kzt>>(json!("1")), "shape.invalid_type");
    }

    #[test]
    fn every_error_code_is_the_one_its_type_declares() {
        let e = Kzt::parse("-1").unwrap_err();
        assert_eq!(code::<Kzt>(json!("-1")), e.code());
        let e = Iin::parse("900101700010").unwrap_err();
        assert_eq!(code::<Iin>(json!("900101700010")), e.iin_code());
        let e = Percent::parse("0").unwrap_err();
        assert_eq!(code::<Percent>(json!("0")), e.code());
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(try_from = "String")]
    struct Refuses;

    impl TryFrom<String> for Refuses {
        type Error = String;
        fn try_from(s: String) -> Result<Self, String> {
            Err(format!("refused {s}"))
        }
    }

    #[test]
    fn a_stale_note_is_never_taken_for_another_error() {
        // A note left outside a parse, or by a value whose error serde
        // did not report, does not code a different failure.
        let _ = Iin::try_from("1".to_owned());
        assert_eq!(code::<Refuses>(json!("x")), "invalid");
        let _ = refused("iin.format", "refused x");
        let e = from_json_value::<Refuses>(&json!("y")).unwrap_err();
        assert_eq!(e.code, "invalid");
        // The note does not outlive the parse that made it.
        let _ = from_json_value::<Iin>(&json!("1"));
        assert!(REFUSED.with(|r| r.borrow().is_none()));
    }

    #[test]
    fn an_empty_body_is_coded() {
        let e = from_json_slice::<Iin>(b"  \n").unwrap_err();
        assert_eq!(e.code, "body.empty");
        let e = from_json_slice::<Iin>(b"\"9001").unwrap_err();
        assert_eq!(e.code, "shape.malformed_json");
    }
}
