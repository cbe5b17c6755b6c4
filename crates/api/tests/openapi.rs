//! The committed OpenAPI document must match the code, byte for byte, and
//! declare every path once. When the API changes on purpose, regenerate
//! it: `cargo run -p adal-app --bin adal -- openapi > docs/openapi.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;

/// A JSON document read only to find an object that names a key twice:
/// parsers keep one of the two silently (Swagger UI lost an operation so).
struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("the key {key:?} appears twice")));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

fn duplicate_key(json: &str) -> Option<String> {
    serde_json::from_str::<NoDuplicateKeys>(json)
        .err()
        .map(|e| e.to_string())
}

#[test]
fn committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let committed = std::fs::read_to_string(&path).expect("docs/openapi.json is committed");
    let generated = adal_api::openapi_json();
    // The raw text, not parsed values: a parser would hide a key that
    // appears twice.
    assert!(
        committed.trim_end() == generated.trim_end(),
        "docs/openapi.json is out of date; regenerate it with \
         `cargo run -p adal-app --bin adal -- openapi > docs/openapi.json`"
    );
}

#[test]
fn every_path_and_key_is_declared_once() {
    assert_eq!(duplicate_key(&adal_api::openapi_json()), None);
}

#[test]
fn the_duplicate_key_check_sees_a_duplicate() {
    let e = duplicate_key(r#"{"paths": {"/a": {"get": {}}, "/a": {"post": {}}}}"#);
    assert!(e.is_some_and(|e| e.contains("\"/a\" appears twice")));
    assert_eq!(duplicate_key(r#"{"a": [{"b": 1}, {"b": 2}]}"#), None);
}

#[test]
fn every_operation_documents_its_errors() {
    let spec: serde_json::Value = serde_json::from_str(&adal_api::openapi_json()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{} paths", paths.len());
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("400"), "{method} {path} lacks 400");
            assert!(
                op["operationId"].is_string(),
                "{method} {path} lacks an operationId"
            );
        }
    }
}

#[test]
fn error_details_carry_a_machine_code() {
    let spec: serde_json::Value = serde_json::from_str(&adal_api::openapi_json()).unwrap();
    let detail = &spec["components"]["schemas"]["ErrorDetail"];
    assert!(
        detail["required"]
            .as_array()
            .unwrap()
            .contains(&"code".into()),
        "{detail}"
    );
}
