//! JSON ↔ Rhai values.

use rhai::{Array, Dynamic, FLOAT, ImmutableString, Map};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// Converts a JSON value for use in a script. Integers become `i64`; other
/// numbers become `Decimal` when they fit (money must never be a float), and
/// floats only when they do not (e.g. `1e300`). Objects become maps.
pub fn json_to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Dynamic::from_int(i)
            } else if let Ok(d) = Decimal::from_str(&n.to_string()) {
                Dynamic::from_decimal(d)
            } else {
                Dynamic::from_float(n.as_f64().unwrap_or(FLOAT::NAN))
            }
        }
        // Straight from the borrowed text: no intermediate `String` copy.
        Value::String(s) => Dynamic::from(ImmutableString::from(s.as_str())),
        Value::Array(a) => Dynamic::from_array(a.iter().map(json_to_dynamic).collect::<Array>()),
        Value::Object(o) => Dynamic::from_map(
            o.iter()
                .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
                .collect::<Map>(),
        ),
    }
}
