//! JSON in, typed records out, with every failure located by a JSON
//! pointer. serde stops at the first malformed value; the record kinds'
//! `check` methods then report every cross-field problem at once.

use crate::FieldError;
use serde::de::DeserializeOwned;

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
    // The shape of the document is wrong (400 at the API) for these;
    // anything else is a value a type refused (422).
    let code = if inner.is_syntax() || inner.is_eof() {
        "shape.malformed_json"
    } else if message.starts_with("unknown field") {
        "shape.unknown_field"
    } else if message.starts_with("missing field") {
        "shape.missing_field"
    } else if message.starts_with("invalid type") {
        "shape.invalid_type"
    } else if message.starts_with("invalid length") {
        "shape.invalid_length"
    } else {
        "invalid"
    };
    FieldError::coded(pointer, code, message)
}

/// Parses a JSON document into `T`.
pub fn from_json_slice<T: DeserializeOwned>(data: &[u8]) -> Result<T, FieldError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(FieldError::new("", "a JSON body is required"));
    }
    let de = &mut serde_json::Deserializer::from_slice(data);
    serde_path_to_error::deserialize(de).map_err(located)
}

/// Parses an already decoded JSON value into `T`.
pub fn from_json_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = pointer_of(e.path());
        let message = e.inner().to_string();
        if let Some(field) = field_in_message(&message) {
            pointer.push('/');
            pointer.push_str(field);
        }
        FieldError::new(pointer, message)
    })
}
