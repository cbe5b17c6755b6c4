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

/// A library rule with one parameter of each type the form draws.
fn typed_lib() -> Library {
    let spec = |ty, default: Value, unit: Option<&str>, min: Option<Value>, max: Option<Value>| {
        ParamSpec {
            ty,
            default,
            unit: unit.map(str::to_owned),
            description: None,
            min,
            max,
        }
    };
    let declared: BTreeMap<String, ParamSpec> = BTreeMap::from([
        (
            "days".into(),
            spec(
                ParamType::Integer,
                json!(365),
                Some("days"),
                Some(json!(1)),
                Some(json!(3660)),
            ),
        ),
        (
            "count".into(),
            spec(ParamType::Integer, json!(2), None, Some(json!(1)), None),
        ),
        (
            "cap".into(),
            spec(
                ParamType::Money,
                json!("150000.00"),
                Some("KZT"),
                None,
                None,
            ),
        ),
        (
            "private".into(),
            spec(ParamType::Bool, json!(false), None, None, None),
        ),
        (
            "methods".into(),
            spec(ParamType::String, json!("open|selective"), None, None, None),
        ),
        (
            "fence".into(),
            spec(ParamType::OptionalDecimal, json!(""), None, None, None),
        ),
        (
            "per_method".into(),
            spec(ParamType::IntegerMap, json!({}), Some("days"), None, None),
        ),
    ]);
    let mut l = lib();
    let r = &mut l.rules[0];
    r.id = "gift-over-mci-limit".into();
    r.params = declared
        .iter()
        .map(|(k, s)| (k.clone(), s.default.clone()))
        .collect();
    r.declared = declared;
    l
}

/// The form's values as posted: the fields drawn from `values`, after
/// the officer's `edits` (an unchecked box sends nothing).
fn posted(values: &Fields, edits: &[(&str, Option<&str>)]) -> Fields {
    let mut v = values.clone();
    for (k, x) in edits {
        match x {
            Some(x) => v.insert((*k).to_owned(), (*x).to_owned()),
            None => v.remove(*k),
        };
    }
    v
}

#[test]
fn each_type_goes_to_the_form_and_back_unchanged() {
    use super::inputs::{fields_of, value_of};
    for (ty, v) in [
        (ParamType::Integer, json!(5)),
        (ParamType::Money, json!("150000.00")),
        (ParamType::Decimal, json!("0.02")),
        (ParamType::OptionalDecimal, json!("")),
        (ParamType::OptionalDecimal, json!("1.5")),
        (ParamType::Bool, json!(true)),
        (ParamType::Bool, json!(false)),
        (ParamType::String, json!("open|selective")),
        (ParamType::String, json!("")),
        (ParamType::String, json!("one value")),
        (ParamType::IntegerMap, json!({})),
        (
            ParamType::IntegerMap,
            json!({"open": 10, "request for quotations": 5}),
        ),
    ] {
        let fields: Fields = fields_of(ty, "p.r.x", &v).into_iter().collect();
        assert_eq!(
            value_of(ty, "p.r.x", &fields),
            Some(v.clone()),
            "{ty:?} {v}"
        );
    }
    // A parameter without an input is not in the form.
    assert_eq!(value_of(ParamType::Integer, "p.r.x", &Fields::new()), None);
}

#[test]
fn what_is_typed_becomes_the_parameter_json() {
    use super::inputs::value_of;
    let one = |ty, text: &str| {
        value_of(ty, "f", &Fields::from([("f".to_owned(), text.to_owned())])).unwrap()
    };
    assert_eq!(one(ParamType::Integer, " 5 "), json!(5));
    // Not an integer: sent as typed, for the API to refuse in its words.
    assert_eq!(one(ParamType::Integer, "five"), json!("five"));
    assert_eq!(one(ParamType::Money, "150 000.00"), json!("150000.00"));
    assert_eq!(one(ParamType::Money, "150\u{a0}000,50"), json!("150000.50"));
    assert_eq!(one(ParamType::Decimal, "0,02"), json!("0.02"));
    assert_eq!(one(ParamType::OptionalDecimal, "  "), json!(""));
    // One value per line, by commas or by bars: the pipe form.
    assert_eq!(
        one(ParamType::String, "open\r\n selective \n\n"),
        json!("open|selective")
    );
    assert_eq!(
        one(ParamType::String, "open, limited"),
        json!("open|limited")
    );
    assert_eq!(
        one(ParamType::String, "open|selective"),
        json!("open|selective")
    );
    // The switch: the hidden field alone is off, with the box it is on.
    assert_eq!(one(ParamType::Bool, "false"), json!(false));
    let on = Fields::from([
        ("f".to_owned(), "false".to_owned()),
        ("f.on".to_owned(), "true".to_owned()),
    ]);
    assert_eq!(value_of(ParamType::Bool, "f", &on), Some(json!(true)));
    // The table: rows with a name, empty rows dropped, a bad number kept
    // as typed for the API's message.
    let map = Fields::from([
        ("f".to_owned(), "1".to_owned()),
        ("f.k0".to_owned(), " open ".to_owned()),
        ("f.v0".to_owned(), "10".to_owned()),
        ("f.k1".to_owned(), "limited".to_owned()),
        ("f.v1".to_owned(), "ten".to_owned()),
        ("f.k2".to_owned(), String::new()),
        ("f.v2".to_owned(), String::new()),
    ]);
    assert_eq!(
        value_of(ParamType::IntegerMap, "f", &map),
        Some(json!({"open": 10, "limited": "ten"}))
    );
}

#[test]
fn the_switch_the_list_and_the_table_become_overrides() {
    let l = typed_lib();
    let values = values_of(&l.rules);
    assert!(overrides_of(&l, &BTreeMap::new(), &values).is_empty());
    // The form as drawn and sent untouched: still no override, although
    // the switch sends its hidden field and no box.
    let untouched = posted(&values, &[]);
    assert!(overrides_of(&l, &BTreeMap::new(), &untouched).is_empty());
    let edited = posted(
        &values,
        &[
            ("p.gift-over-mci-limit.private.on", Some("true")),
            ("p.gift-over-mci-limit.methods", Some("open\nlimited")),
            ("p.gift-over-mci-limit.per_method", Some("0")),
            ("p.gift-over-mci-limit.per_method.k0", Some("open")),
            ("p.gift-over-mci-limit.per_method.v0", Some("20")),
            ("p.gift-over-mci-limit.fence", Some("0,5")),
        ],
    );
    let o = overrides_of(&l, &BTreeMap::new(), &edited);
    assert_eq!(
        o["gift-over-mci-limit"],
        BTreeMap::from([
            ("private".into(), json!(true)),
            ("methods".into(), json!("open|limited")),
            ("per_method".into(), json!({"open": 20})),
            ("fence".into(), json!("0.5")),
        ])
    );
    // Back to off: the hidden field alone.
    let mut on = values_of(&l.rules);
    on.insert("p.gift-over-mci-limit.private".into(), "true".into());
    let off = posted(&on, &[("p.gift-over-mci-limit.private", Some("false"))]);
    assert!(overrides_of(&l, &BTreeMap::new(), &off).is_empty());
}

#[test]
fn ranges_and_defaults_are_said_in_words() {
    use super::inputs::{default_words, range_words};
    let l = typed_lib();
    let d = &l.rules[0].declared;
    let en = Tr::new(crate::Lang::En);
    assert_eq!(
        range_words(&en, &d["days"]).as_deref(),
        Some("From 1 to 3660")
    );
    assert_eq!(range_words(&en, &d["count"]).as_deref(), Some("At least 1"));
    let mut most = d["count"].clone();
    (most.min, most.max) = (None, Some(json!(9)));
    assert_eq!(range_words(&en, &most).as_deref(), Some("At most 9"));
    assert_eq!(range_words(&en, &d["methods"]), None);
    let ru = Tr::new(crate::Lang::Ru);
    assert_eq!(
        range_words(&ru, &d["days"]).as_deref(),
        Some("От 1 до 3660")
    );
    let kk = Tr::new(crate::Lang::Kk);
    assert_eq!(
        range_words(&kk, &d["days"]).as_deref(),
        Some("Кемінде 1, көп дегенде 3660")
    );
    assert_eq!(default_words(&en, &d["private"]), "Off");
    assert_eq!(default_words(&en, &d["methods"]), "open, selective");
    assert_eq!(default_words(&en, &d["fence"]), "not set");
    assert_eq!(default_words(&en, &d["per_method"]), "none");
    assert_eq!(default_words(&en, &d["cap"]), "150,000.00\u{a0}₸");
}

#[test]
fn the_form_draws_an_input_of_each_type() {
    let l = typed_lib();
    for lang in [crate::Lang::En, crate::Lang::Ru, crate::Lang::Kk] {
        let tr = Tr::new(lang);
        let html = parameters_form(
            &tr,
            "/a",
            "c",
            &l,
            &BTreeMap::new(),
            &values_of(&l.rules),
            &[],
        )
        .into_string();
        assert!(!html.contains(crate::MISSING), "{html}");
        assert!(!html.contains("– —") && !html.contains("allowed"), "{html}");
        assert!(
            html.contains(r#"type="number" step="1" id="f-gift-over-mci-limit-days" name="p.gift-over-mci-limit.days" value="365" min="1" max="3660""#),
            "{html}"
        );
        assert!(html.contains(&format!(r#"<span class="unit">{}</span>"#, tr.unit("days"))));
        assert!(html.contains(r#"inputmode="decimal" id="f-gift-over-mci-limit-cap" name="p.gift-over-mci-limit.cap" value="150000.00""#));
        assert!(html.contains(r#"<span class="unit">₸</span>"#));
        assert!(html.contains(
            r#"<input type="hidden" name="p.gift-over-mci-limit.private" value="false">"#
        ));
        assert!(html.contains(r#"type="checkbox" role="switch" id="f-gift-over-mci-limit-private" name="p.gift-over-mci-limit.private.on" value="true" aria-describedby"#));
        assert!(html.contains("<li>open</li><li>selective</li>"), "{html}");
        assert!(html.contains(">open\nselective</textarea>"));
        let optional = maud::html! { (tr.t("rules-optional-hint")) }.into_string();
        assert!(html.contains(&optional), "{html}");
        assert!(html.contains(r#"name="p.gift-over-mci-limit.per_method.k0""#));
        assert!(html.contains(r#"aria-labelledby="f-gift-over-mci-limit-per_method-label""#));
        // The library's plain-language help, not the declaration's.
        assert!(html.contains(&tr.rule_text("gift-over-mci-limit", "title").unwrap()));
    }
}

#[test]
fn a_refused_value_keeps_what_was_typed_beside_its_error() {
    let tr = Tr::new(crate::Lang::En);
    let l = typed_lib();
    let values = posted(
        &values_of(&l.rules),
        &[
            ("p.gift-over-mci-limit.private.on", Some("true")),
            ("p.gift-over-mci-limit.per_method", Some("0")),
            ("p.gift-over-mci-limit.per_method.k0", Some("open")),
            ("p.gift-over-mci-limit.per_method.v0", Some("ten")),
            ("p.gift-over-mci-limit.methods", Some("open\nlimited")),
        ],
    );
    let errors = vec![(
        field_of("/overrides/gift-over-mci-limit/per_method"),
        FieldError::new(
            "/overrides/gift-over-mci-limit/per_method",
            "\"open\" = \"ten\" is not an integer",
        ),
    )];
    let html =
        parameters_form(&tr, "/a", "c", &l, &BTreeMap::new(), &values, &errors).into_string();
    let table = html
        .find(r#"id="f-gift-over-mci-limit-per_method""#)
        .unwrap();
    let error = html
        .find(r#"id="f-gift-over-mci-limit-per_method-error""#)
        .unwrap();
    assert!(table < error, "{html}");
    assert!(html.contains(r#"value="ten""#));
    assert!(html.contains(r#"value="true" checked"#), "{html}");
    assert!(html.contains("<li>open</li><li>limited</li>"));
}

fn finding(sub: Uuid, severity: &str, explanation: &str) -> adal_service::DryRunFinding {
    adal_service::DryRunFinding {
        submission_id: sub,
        severity: severity.into(),
        likelihood: 3,
        impact: 3,
        explanation: explanation.into(),
    }
}

#[test]
fn the_dry_run_lists_findings_by_rule_title() {
    use super::dry_report::{Names, ROWS_PER_RULE, dry_run_report};
    let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let many: Vec<_> = (0..ROWS_PER_RULE as u128 + 7)
        .map(|i| finding(Uuid::from_u128(100 + i), "low", "many"))
        .collect();
    let report = adal_service::DryRunReport {
        version: 4,
        submissions: 2,
        evaluated: vec![adal_service::DryRunSubmission {
            submission_id: a,
            kind: "gift".into(),
            received_at: chrono::Utc::now(),
        }],
        without_recorded_evaluation: 0,
        rules: vec![
            adal_service::DryRunRule {
                rule_id: "gift-over-mci-limit".into(),
                appear: vec![finding(a, "high", "Gift of <b>5</b> MCI")],
                disappear: vec![finding(b, "medium", "gone")],
                change: vec![adal_service::DryRunChange {
                    submission_id: a,
                    before: finding(a, "low", "before"),
                    after: finding(a, "high", "after"),
                }],
                unchanged: 1,
                errors: Vec::new(),
            },
            adal_service::DryRunRule {
                rule_id: "own-rule".into(),
                appear: many,
                disappear: Vec::new(),
                change: Vec::new(),
                unchanged: 0,
                errors: Vec::new(),
            },
        ],
        failures: Vec::new(),
    };
    let mut own = lib().rules[0].clone();
    own.id = "own-rule".into();
    own.title = "Our own rule".into();
    let concerns = std::collections::HashMap::from([(a, "Aida Nurlanova".to_owned())]);
    let l = lib();
    let names = Names {
        lib: &l,
        defs: std::slice::from_ref(&own),
        concerns: &concerns,
    };
    for lang in [crate::Lang::En, crate::Lang::Ru, crate::Lang::Kk] {
        let tr = Tr::new(lang);
        let html = dry_run_report(&tr, &report, &names).into_string();
        assert!(!html.contains(crate::MISSING), "{html}");
        let title = tr.rule_text("gift-over-mci-limit", "title").unwrap();
        assert!(html.contains(&format!(
            r#"<details class="dry-rule" data-rule="gift-over-mci-limit"><summary>{title} "#
        )));
        assert!(
            html.contains(
                r#"<details class="dry-rule" data-rule="own-rule"><summary>Our own rule "#
            )
        );
        // Each finding: what happens, the filing and whom it concerns,
        // the severity, the explanation (escaped).
        assert!(html.contains(r#"<tr data-effect="appear">"#));
        assert!(html.contains(r#"<tr data-effect="disappear">"#));
        assert!(html.contains(&crate::kit::label(&tr, "kind", "gift")));
        assert!(html.contains("Aida Nurlanova"));
        assert!(html.contains(&format!(r#"<code>{b}</code>"#)));
        assert!(html.contains(&tr.t("severity-high")));
        assert!(html.contains("Gift of &lt;b&gt;5&lt;/b&gt; MCI"));
        assert!(html.contains("<del>before</del><br>after"));
        // A long list is cut, with the rest counted.
        assert_eq!(html.matches(">many</td>").count(), ROWS_PER_RULE);
        assert!(html.contains(&tr.t_args("rules-dry-run-more", &[("n", 7.into())])));
    }
}

#[test]
fn activation_asks_first() {
    use super::confirm::{Changes, Question, changes, confirm_section, confirmed};
    // Only the answer to the question activates.
    assert!(!confirmed(&Fields::from([(
        "csrf".to_owned(),
        "c".to_owned()
    )])));
    assert!(!confirmed(&Fields::from([(
        "confirm".to_owned(),
        "yes".to_owned()
    )])));
    assert!(confirmed(&Fields::from([(
        "confirm".to_owned(),
        "1".to_owned()
    )])));
    let before = typed_lib().rules;
    let mut after = before.clone();
    after[0].params.insert("days".into(), json!(30));
    after[0].params.insert("private".into(), json!(true));
    let mut own = lib().rules[0].clone();
    own.id = "own-rule".into();
    after.push(own);
    let c = changes(&before, &after);
    assert_eq!(
        c,
        Changes {
            added: 1,
            removed: 0,
            changed: 1,
            params: 2
        }
    );
    for lang in [crate::Lang::En, crate::Lang::Ru, crate::Lang::Kk] {
        let tr = Tr::new(lang);
        let html = confirm_section(
            &tr,
            &Question {
                here: "/t/x/rules/v/5",
                csrf: "tok",
                version: 5,
                replaces: Some(4),
                changes: changes(&before, &after),
            },
        )
        .into_string();
        assert!(!html.contains(crate::MISSING), "{html}");
        assert!(html.contains(&tr.t_args(
            "rules-confirm-replaces",
            &[("version", 5.into()), ("old", 4.into())]
        )));
        assert!(html.contains(r#"data-rules="2" data-params="2""#));
        assert!(html.contains(r#"<form method="post" action="/t/x/rules/v/5/activate""#));
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="tok"><input type="hidden" name="confirm" value="1">"#));
        assert!(html.contains(&tr.t_args("rules-confirm-submit", &[("version", 5.into())])));
        assert!(html.contains(r#"<a href="/t/x/rules/v/5" id="activate-cancel">"#));
    }
}
