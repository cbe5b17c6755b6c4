use super::form::render;
use super::specs::*;
use crate::i18n::{Lang, Tr};
use crate::kit::errors::error_key;
use adal_domain::FieldError;
use std::collections::HashMap;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

/// The schema of a property, following a `$ref` into `$defs` and an
/// `anyOf` with `null` (how schemars writes an optional member).
fn resolve<'a>(root: &'a serde_json::Value, s: &'a serde_json::Value) -> &'a serde_json::Value {
    if let Some(r) = s.get("$ref").and_then(|r| r.as_str()) {
        let name = r.rsplit('/').next().unwrap();
        return resolve(root, &root["$defs"][name]);
    }
    if let Some(any) = s.get("anyOf").and_then(|a| a.as_array())
        && let Some(t) = any.iter().find(|x| x.get("type") != Some(&"null".into()))
    {
        return resolve(root, t);
    }
    s
}

/// The values a closed list allows: `enum`, or `oneOf` of `const`s.
fn allowed(s: &serde_json::Value) -> Option<Vec<String>> {
    let strs = |a: &Vec<serde_json::Value>| -> Vec<String> {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    };
    if let Some(e) = s.get("enum").and_then(|e| e.as_array()) {
        return Some(strs(e));
    }
    s.get("oneOf").and_then(|o| o.as_array()).map(|o| {
        o.iter()
            .flat_map(|x| {
                x.get("const")
                    .and_then(|c| c.as_str())
                    .map(|c| vec![c.to_owned()])
                    .or_else(|| x.get("enum").and_then(|e| e.as_array()).map(strs))
                    .unwrap_or_default()
            })
            .collect()
    })
}

/// The member of the record an input fills, as a path of properties
/// (`*` is an array's item): the disclosure form has one party, whose
/// inputs are `party_<member>`.
fn member_path(kind: adal_domain::Kind, name: &str) -> Vec<String> {
    match (kind, name.strip_prefix("party_")) {
        (adal_domain::Kind::ConflictOfInterest, Some(m)) => {
            vec!["parties".into(), "*".into(), m.into()]
        }
        _ => vec![name.to_owned()],
    }
}

/// The schema of the member at `path` and whether its object requires it.
fn member<'a>(
    root: &'a serde_json::Value,
    path: &[String],
) -> Option<(&'a serde_json::Value, bool)> {
    let mut at = root;
    let mut required = false;
    for seg in path {
        let obj = resolve(root, at);
        if seg == "*" {
            at = obj.get("items")?;
            continue;
        }
        required = obj["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(seg)));
        at = obj.get("properties")?.get(seg)?;
    }
    Some((resolve(root, at), required))
}

/// The filing forms are kept in step with the kinds' JSON Schemas (the
/// ones `GET /schemas/{kind}` serves): every input is a member of the
/// record, a member the record requires is an input (or filled by the
/// server), an input is required exactly when the schema requires it,
/// and a choice offers exactly the values the schema allows. A member
/// added to a record without its input, or an option added to a closed
/// list, fails here.
#[test]
fn forms_are_kept_in_step_with_the_json_schemas() {
    use adal_domain::Kind;
    for spec_kind in [
        (&GIFT, Kind::Gift),
        (&CONFLICT, Kind::ConflictOfInterest),
        (&TRAINING, Kind::Training),
        (&FEEDBACK, Kind::FeedbackReport),
        (&GOVERNANCE, Kind::Governance),
    ] {
        let (spec, kind) = spec_kind;
        let root = kind.json_schema();
        let k = kind.as_str();
        let paths: Vec<Vec<String>> = spec
            .fields
            .iter()
            .map(|f| member_path(kind, f.name))
            .collect();
        for (f, path) in spec.fields.iter().zip(&paths) {
            let found = member(&root, path);
            assert!(
                found.is_some(),
                "{k}: input {} is not a member of the record",
                f.name
            );
            let (schema, required) = found.unwrap();
            assert_eq!(f.required, required, "{k}: is {} required?", f.name);
            if let Input::Choice(options) = f.input {
                let allowed = allowed(schema);
                assert!(
                    allowed.is_some(),
                    "{k}: {} is a choice, not a closed list: {schema}",
                    f.name
                );
                let mut allowed = allowed.unwrap();
                let mut offered: Vec<String> = options.iter().map(|o| (*o).to_owned()).collect();
                allowed.sort();
                offered.sort();
                assert_eq!(offered, allowed, "{k}: the options of {}", f.name);
            }
        }
        for r in root["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
        {
            assert!(
                paths.iter().any(|p| p[0] == r),
                "{k}: the record requires {r}, which the form does not ask for"
            );
        }
    }
}

#[test]
fn every_domain_error_of_a_bad_gift_has_its_own_key() {
    let bad: HashMap<String, String> = [
        ("direction", "sideways"),
        ("giver_name", ""),
        ("giver_bin", "123"),
        ("description", &"x".repeat(2001)),
        ("value_kzt", "12.345"),
        ("date", "2030-01-01"),
        ("occasion", " "),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let errors = validate_gift(&bad, today()).unwrap_err();
    let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
    for f in GIFT.fields {
        assert!(
            pointers.contains(&format!("/{}", f.name).as_str()),
            "{pointers:?}"
        );
    }
    for e in &errors {
        assert!(error_key(e).is_some(), "no key for {e:?}");
    }
    let mut bad_date = bad.clone();
    bad_date.insert("date".into(), "01.01.2026".into());
    let errs = validate_gift(&bad_date, today()).unwrap_err();
    assert!(errs.iter().any(|e| error_key(e) == Some("err-date")));
}

#[test]
fn errors_are_rendered_beside_their_fields_and_values_kept() {
    let tr = Tr::new(Lang::En);
    let mut values = HashMap::new();
    values.insert("giver_name".to_owned(), "<b>ACME</b>".to_owned());
    let errors = vec![FieldError::new(
        "/value_kzt",
        "must have at most two decimals",
    )];
    let html = render(&tr, &GIFT, "/x", "tok", &values, &errors).into_string();
    assert!(html.contains(r#"name="csrf" value="tok""#));
    assert!(html.contains(r#"id="f-value_kzt-error" data-pointer="/value_kzt" data-codes=""#));
    assert!(html.contains(r#"aria-describedby="f-value_kzt-hint f-value_kzt-error""#));
    // Values are escaped, never markup.
    assert!(html.contains("&lt;b&gt;ACME&lt;/b&gt;"));
    // Every field has a label.
    for f in GIFT.fields {
        assert!(
            html.contains(&format!(r#"for="f-{}"#, f.name)),
            "no label for {}",
            f.name
        );
    }
}

#[test]
fn a_disclosure_form_maps_errors_to_its_fields() {
    let form = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let bad = form(&[
        ("situation", "relative_in_procurement"),
        ("description", "My brother directs a bidder"),
        ("party_name", "Aidos"),
        ("arose_on", "2026-05-01"),
        ("proposed_resolution", "recusal"),
    ]);
    let errors = validate_conflict(&bad, today()).unwrap_err();
    let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(pointers, ["/party_name", "/procurement_ocid"]);
    assert!(errors.iter().all(|e| error_key(e).is_some()), "{errors:?}");
    let mut ok = bad.clone();
    ok.insert("party_relation".into(), "sibling".into());
    ok.insert("procurement_ocid".into(), "ocds-1".into());
    let d = validate_conflict(&ok, today()).unwrap();
    assert_eq!(d.parties.len(), 1);
    let mut bad_iin = ok.clone();
    bad_iin.insert("party_iin".into(), "123456789012".into());
    let errors = validate_conflict(&bad_iin, today()).unwrap_err();
    assert_eq!(errors[0].pointer, "/party_iin");
    assert_eq!(error_key(&errors[0]), Some("err-iin"));
}

#[test]
fn a_valid_gift_passes_with_grouped_money() {
    let ok: HashMap<String, String> = [
        ("direction", "received"),
        ("giver_name", "ACME"),
        ("giver_bin", ""),
        ("description", "Watch"),
        ("value_kzt", "180 000.00"),
        ("date", "2026-05-01"),
        ("occasion", "Visit"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let g = validate_gift(&ok, today()).unwrap();
    assert!(g.giver_bin.is_none());
}
