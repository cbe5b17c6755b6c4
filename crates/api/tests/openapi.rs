//! The committed OpenAPI document must match the code. When the API
//! changes on purpose, regenerate it:
//! `cargo run -p adal-app --bin adal -- openapi > docs/openapi.json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let committed = std::fs::read_to_string(&path).expect("docs/openapi.json is committed");
    let generated = adal_api::openapi_json();
    let committed: serde_json::Value = serde_json::from_str(&committed).expect("valid JSON");
    let generated: serde_json::Value = serde_json::from_str(&generated).expect("valid JSON");
    assert!(
        committed == generated,
        "docs/openapi.json is out of date; regenerate it with \
         `cargo run -p adal-app --bin adal -- openapi > docs/openapi.json`"
    );
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
