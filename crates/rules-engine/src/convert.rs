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

/// A submission's context when the request has no shared one: as it is,
/// and an empty map for null (rules read `context.x`, which would be an
/// error on `()`).
pub fn own_context(context: &Value) -> Dynamic {
    match context {
        Value::Null => Dynamic::from_map(Map::new()),
        c => json_to_dynamic(c),
    }
}

/// A request's shared context as a Rhai map: converted once per request,
/// then copied for each submission by [`merge_context`].
pub fn shared_map(shared: &serde_json::Map<String, Value>) -> Map {
    shared
        .iter()
        .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
        .collect()
}

/// The context one submission's rules see: a copy of the shared map with
/// the submission's own keys over it, at the top level only (a submission
/// key replaces the shared value whole). `None` when `own` is neither null
/// nor an object, which cannot be merged.
///
/// The whole shared map is cloned and then overwritten, rather than
/// filtered: a submission's keys rarely repeat the shared ones, and a
/// B-tree's clone copies its nodes as they are, without sorting again.
pub fn merge_context(shared: &Map, own: &Value) -> Option<Dynamic> {
    match own {
        Value::Null => Some(Dynamic::from_map(shared.clone())),
        Value::Object(o) => {
            let mut merged = shared.clone();
            for (k, v) in o {
                merged.insert(k.as_str().into(), json_to_dynamic(v));
            }
            Some(Dynamic::from_map(merged))
        }
        _ => None,
    }
}
