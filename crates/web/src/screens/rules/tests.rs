use super::drafts::*;
use super::view::*;
use crate::i18n::Tr;
use crate::kit::Fields;
use crate::kit::errors::{ALREADY_LEFT_OUT, NO_LIBRARY, NOT_LEFT_OUT};
use adal_domain::FieldError;
use adal_sandbox_protocol::params::{ParamSpec, ParamType};
use adal_store::rules::{self, Adoption, Library, RuleDefinition, RuleSetVersion};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

use adal_sandbox_protocol::Severity;
use serde_json::json;

fn lib() -> Library {
    let spec = |ty, default: Value| ParamSpec {
        ty,
        default,
        unit: None,
        description: None,
        min: None,
        max: None,
    };
    Library {
        version: "1".into(),
        rules: vec![RuleDefinition {
            id: "gift-over-limit".into(),
            title: "Gift over the limit".into(),
            area: "gifts".into(),
            guideline_section: Some("Conflict of interest: gifts".into()),
            kinds: vec!["gift".into()],
            severity: Severity::High,
            likelihood: 3,
            impact: 3,
            params: BTreeMap::from([("mci".into(), json!(2)), ("cap".into(), json!("100.00"))]),
            script: String::new(),
            declared: BTreeMap::from([
                ("mci".into(), spec(ParamType::Integer, json!(2))),
                ("cap".into(), spec(ParamType::Money, json!("100.00"))),
            ]),
            fixtures: Vec::new(),
        }],
    }
}

/// A version adopted from [`lib`] with `adoption`.
fn active(adoption: &Adoption, library_version: Option<&str>) -> RuleSetVersion {
    let enabled: Vec<_> = lib()
        .rules
        .into_iter()
        .filter(|r| !adoption.disabled.contains_key(&r.id))
        .collect();
    RuleSetVersion {
        id: Uuid::nil(),
        tenant_id: Uuid::nil(),
        version: 3,
        status: rules::ACTIVE.into(),
        content_hash: String::new(),
        rules: serde_json::to_string(&enabled).unwrap(),
        created_by: Uuid::nil(),
        created_at: chrono::Utc::now(),
        activated_at: None,
        library_version: library_version.map(str::to_owned),
        adoption: Some(serde_json::to_string(adoption).unwrap()),
    }
}

#[test]
fn leaving_out_and_enabling_again_change_only_the_disabled_rules() {
    let overridden = Adoption {
        overrides: BTreeMap::from([(
            "gift-over-limit".into(),
            BTreeMap::from([("mci".into(), json!(4))]),
        )]),
        ..Adoption::default()
    };
    let v = active(&overridden, Some("1"));
    let r = disable_request(&v, "gift-over-limit", "no gifts")
        .unwrap()
        .unwrap();
    assert_eq!(r.library_version.as_deref(), Some("1"));
    assert_eq!(r.disabled["gift-over-limit"], "no gifts");
    // Its overrides go with it: the API refuses overrides of a
    // disabled rule.
    assert!(r.overrides.is_empty());
    // Left out already, none chosen, or no library adopted: refused
    // with the form's own messages.
    let left_out = Adoption {
        disabled: BTreeMap::from([("gift-over-limit".into(), "no gifts".into())]),
        ..Adoption::default()
    };
    let v = active(&left_out, Some("1"));
    let e = disable_request(&v, "gift-over-limit", "again")
        .unwrap()
        .unwrap_err();
    assert_eq!(e.message, ALREADY_LEFT_OUT);
    assert_eq!(choice_field_of(&e).as_deref(), Some("rule"));
    let e = disable_request(&v, "", "r").unwrap().unwrap_err();
    assert_eq!(choice_field_of(&e).as_deref(), Some("rule"));
    let whole = active(&Adoption::default(), None);
    let e = disable_request(&whole, "gift-over-limit", "r")
        .unwrap()
        .unwrap_err();
    assert_eq!(e.message, NO_LIBRARY);
    // Enabling again drops only the rule from the disabled ones.
    let r = enable_request(&v, "gift-over-limit").unwrap().unwrap();
    assert!(r.disabled.is_empty());
    assert_eq!(r.library_version.as_deref(), Some("1"));
    let e = enable_request(&v, "not-left-out").unwrap().unwrap_err();
    assert_eq!(e.message, NOT_LEFT_OUT);
    for e in [
        e,
        FieldError::new("/disabled/x", "no rule \"x\" in library version 1"),
        FieldError::new(
            "/disabled/x",
            "a reason is required to disable a rule of the standard",
        ),
        FieldError::new("/disabled", "a version needs at least one enabled rule"),
    ] {
        assert!(
            crate::kit::errors::error_key(&e).is_some(),
            "no key for {e:?}"
        );
    }
}

#[test]
fn the_api_refusals_of_a_rule_left_out_land_on_their_inputs() {
    let field = |p: &str, m: &str| choice_field_of(&FieldError::new(p, m));
    assert_eq!(
        field("/disabled/x", "no rule \"x\" in library version 1").as_deref(),
        Some("rule")
    );
    assert_eq!(
        field(
            "/disabled/x",
            "a reason is required to disable a rule of the standard"
        )
        .as_deref(),
        Some("reason")
    );
    assert_eq!(
        field("/disabled", "a version needs at least one enabled rule").as_deref(),
        Some("rule")
    );
    assert_eq!(field("/library_version", "this service ships …"), None);
}

#[test]
fn the_disable_form_keeps_what_was_typed_and_lists_only_enabled_rules() {
    let tr = Tr::new(crate::Lang::En);
    let l = lib();
    let values = Fields::from([
        ("rule".to_owned(), "gift-over-limit".to_owned()),
        ("reason".to_owned(), "<b>ours</b>".to_owned()),
    ]);
    let errors = vec![(
        Some("reason".to_owned()),
        FieldError::new(
            "/disabled/gift-over-limit",
            "a reason is required to disable a rule of the standard",
        ),
    )];
    let html = disable_form(&tr, "/a", "c", &l, &BTreeMap::new(), &values, &errors).into_string();
    assert!(
        html.contains(r#"<option value="gift-over-limit" selected>"#),
        "{html}"
    );
    assert!(html.contains("&lt;b&gt;ours&lt;/b&gt;</textarea>"));
    assert!(html.contains(r#"id="d-reason-error""#));
    assert!(html.contains(&tr.t("err-reason-required")));
    assert!(!html.contains(crate::MISSING));
    let disabled = BTreeMap::from([("gift-over-limit".to_owned(), "r".to_owned())]);
    let html = disable_form(&tr, "/a", "c", &l, &disabled, &Fields::new(), &[]).into_string();
    assert!(!html.contains(r#"value="gift-over-limit""#));
    // The left-out table cites the guideline section from the library.
    let adoption = Adoption {
        disabled,
        ..Adoption::default()
    };
    let forms = EnableForms {
        action: "/e".into(),
        csrf: "c",
        error: None,
    };
    let html = left_out(&tr, &l, Some(&adoption), Some(&forms)).into_string();
    assert!(
        html.contains(r#"<td class="guideline">Conflict of interest: gifts</td>"#),
        "{html}"
    );
    assert!(html.contains(r#"id="enable-gift-over-limit""#));
    let html = left_out(&tr, &l, Some(&adoption), None).into_string();
    assert!(!html.contains("<form"));
}

#[test]
fn pointers_map_to_their_inputs() {
    assert_eq!(
        field_of("/overrides/gift-over-limit/mci").as_deref(),
        Some("p.gift-over-limit.mci")
    );
    // Escaped segments come back whole.
    assert_eq!(
        field_of("/overrides/a~1b/c~0d").as_deref(),
        Some("p.a/b.c~d")
    );
    // A pointer at a whole rule, or elsewhere, has no input.
    assert_eq!(field_of("/overrides/gift-over-limit"), None);
    assert_eq!(field_of("/library_version"), None);
    assert_eq!(field_of("/overrides/r/p/extra"), None);
}

#[test]
fn typed_values_follow_the_parameter_type() {
    assert_eq!(typed(ParamType::Integer, " 5 "), json!(5));
    assert_eq!(typed(ParamType::Integer, "five"), json!("five"));
    assert_eq!(typed(ParamType::Money, "150 000.00"), json!("150000.00"));
    assert_eq!(typed(ParamType::Bool, "true"), json!(true));
    assert_eq!(typed(ParamType::Bool, "yes"), json!("yes"));
    assert_eq!(typed(ParamType::IntegerMap, r#"{"a": 1}"#), json!({"a": 1}));
    assert_eq!(typed(ParamType::IntegerMap, "[1]"), json!("[1]"));
}

#[test]
fn only_changed_values_become_overrides() {
    let l = lib();
    let mut values = values_of(&l.rules);
    assert!(overrides_of(&l, &BTreeMap::new(), &values).is_empty());
    values.insert("p.gift-over-limit.mci".into(), "4".into());
    let o = overrides_of(&l, &BTreeMap::new(), &values);
    assert_eq!(
        o["gift-over-limit"],
        BTreeMap::from([("mci".into(), json!(4))])
    );
    // A disabled rule's values are not sent: the API would refuse them.
    let disabled = BTreeMap::from([("gift-over-limit".into(), "not ours".into())]);
    assert!(overrides_of(&l, &disabled, &values).is_empty());
}

#[test]
fn errors_render_beside_their_input() {
    let tr = Tr::new(crate::Lang::En);
    let l = lib();
    let values = Fields::from([("p.gift-over-limit.mci".to_owned(), "x".to_owned())]);
    let errors = vec![(
        field_of("/overrides/gift-over-limit/mci"),
        FieldError::new("/overrides/gift-over-limit/mci", "\"x\" is not an integer"),
    )];
    let html =
        parameters_form(&tr, "/a", "c", &l, &BTreeMap::new(), &values, &errors).into_string();
    let input = html.find(r#"name="p.gift-over-limit.mci""#).unwrap();
    let error = html.find(r#"id="f-gift-over-limit-mci-error""#).unwrap();
    let next = html.find(r#"id="parameters-submit""#).unwrap();
    assert!(input < error && error < next, "{html}");
    assert!(html.contains(r#"value="x""#));
    assert!(!html.contains(crate::MISSING));
}
