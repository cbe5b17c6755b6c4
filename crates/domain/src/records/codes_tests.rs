//! Every bad input of every record kind comes out with its own stable
//! code, whichever step refused it (serde through a domain type, or a
//! kind's `check`), and none with the generic `invalid`.

use super::{Kind, parse};
use crate::ident::with_check_digit;
use crate::{ConvictedPerson, ConvictedPersonFields, FieldError};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn iin() -> String {
    with_check_digit("90010130001").unwrap()
}

fn bin() -> String {
    with_check_digit("12044000123").unwrap()
}

/// `good` with its last digit changed: a wrong check digit.
fn wrong_check_digit(good: &str) -> String {
    let mut bad = good.to_owned();
    bad.replace_range(11.., if good.ends_with('0') { "1" } else { "0" });
    bad
}

fn base(kind: Kind) -> Value {
    let (iin, bin) = (iin(), bin());
    match kind {
        Kind::Gift => json!({"direction": "received", "giver_name": "Jetisu Build LLP",
            "giver_bin": bin, "description": "Watch", "value_kzt": "250000.00",
            "date": "2026-05-20", "occasion": "Contract signing"}),
        Kind::ConflictOfInterest => json!({"situation": "shareholding",
            "description": "I hold shares in a bidder",
            "parties": [{"name": "Jetisu Build LLP", "bin": bin}],
            "arose_on": "2026-05-01", "proposed_resolution": "recusal"}),
        Kind::AssetDeclaration => json!({"year": 2025, "person_iin": iin,
            "real_estate": [{"kind": "apartment", "address": "Astana, Mangilik El 1",
                "value_kzt": "45000000.00", "ownership_share": "50", "acquired_on": "2020-01-01"}],
            "accounts": [{"bank_name": "Halyk", "currency": "USD", "balance_kzt": "500000.50"}],
            "liabilities": [{"kind": "mortgage", "creditor_name": "Otbasy", "amount_kzt": "20000000"}]}),
        Kind::HrAction => json!({"action": "hiring",
            "person": {"iin": iin, "full_name": "Dana Aliyeva"},
            "position_id": "0190a0a0-0000-7000-8000-000000000001",
            "effective_on": "2026-07-01", "decided_on": "2026-05-20",
            "decision_makers": [{"full_name": "Marat Ospanov", "role": "head of department"}]}),
        Kind::Procurement => json!({"ocid": "ocds-1", "parties": [
            {"id": "p1", "identifier": {"scheme": "KZ-BIN", "id": bin}, "roles": ["tenderer"]}],
            "tender": {"value": {"amount": 5}, "committee": [{"name": "Aigerim", "iin": iin}]}}),
        Kind::Person => {
            json!({"iin": iin, "full_name": "Serik Abdiuly", "started_on": "2020-01-15",
            "relatives": [{"relation": "parent", "full_name": "Abdi Serikuly",
                "iin": with_check_digit("60010130001").unwrap()}],
            "interests": [{"company_bin": bin, "company_name": "Jetisu Build",
                "role": "shareholder", "share_percent": "25"}]})
        }
        Kind::Training => json!({"person_iin": iin, "full_name": "Nurlan", "course": "Basics",
            "topic": "anti_corruption", "completed_on": "2026-03-01", "hours": 8}),
        Kind::FeedbackReport => json!({"receipt_code": "A-1", "channel": "hotline",
            "category": "complaint", "received_on": "2026-03-10", "summary": "x"}),
        Kind::Governance => json!({"event": "policy_adopted", "on": "2026-03-01",
            "document": "Order 1"}),
    }
}

/// `v` with the member at `pointer` set to `x` (added if absent, removed
/// if `x` is null).
fn with(mut v: Value, pointer: &str, x: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match v.pointer_mut(parent).unwrap() {
        Value::Object(o) if x.is_null() => {
            o.remove(key);
        }
        Value::Object(o) => {
            o.insert(key.to_owned(), x);
        }
        Value::Array(a) => a[key.parse::<usize>().unwrap()] = x,
        other => panic!("{parent} is {other}"),
    }
    v
}

/// A bad payload and the codes (with their pointers) it must be refused
/// with, in order.
struct Case {
    kind: Kind,
    payload: Value,
    expected: Vec<(&'static str, &'static str)>,
}

fn case(kind: Kind, edits: &[(&str, Value)], expected: &[(&'static str, &'static str)]) -> Case {
    let payload = edits
        .iter()
        .fold(base(kind), |v, (p, x)| with(v, p, x.clone()));
    Case {
        kind,
        payload,
        expected: expected.to_vec(),
    }
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    use Kind::*;
    let (iin, bin) = (iin(), bin());
    let long = "x".repeat(301);
    let many = |n: usize, x: Value| Value::Array(vec![x; n]);
    vec![
        // Values refused by the domain's types while serde parses.
        case(
            Gift,
            &[("/value_kzt", json!("-5"))],
            &[("/value_kzt", "money.negative")],
        ),
        case(
            Gift,
            &[("/value_kzt", json!("1.005"))],
            &[("/value_kzt", "money.scale")],
        ),
        case(
            Gift,
            &[("/value_kzt", json!("abc"))],
            &[("/value_kzt", "money.format")],
        ),
        case(
            Gift,
            &[("/giver_bin", json!(wrong_check_digit(&bin)))],
            &[("/giver_bin", "bin.check_digit")],
        ),
        case(
            Gift,
            &[("/giver_bin", json!("12345"))],
            &[("/giver_bin", "bin.format")],
        ),
        case(
            Gift,
            &[(
                "/giver_bin",
                json!(with_check_digit("12041000123").unwrap()),
            )],
            &[("/giver_bin", "bin.entity_kind")],
        ),
        case(
            Gift,
            &[(
                "/giver_bin",
                json!(with_check_digit("12044900123").unwrap()),
            )],
            &[("/giver_bin", "bin.entity_unit")],
        ),
        case(
            Gift,
            &[("/date", json!("2026-13-01"))],
            &[("/date", "date.format")],
        ),
        case(
            Gift,
            &[("/giver_name", json!("   "))],
            &[("/giver_name", "text.empty")],
        ),
        case(
            Gift,
            &[("/giver_name", json!(long))],
            &[("/giver_name", "text.too_long")],
        ),
        case(
            Gift,
            &[("/giver_name", json!("a\u{0}b"))],
            &[("/giver_name", "text.control")],
        ),
        case(
            Gift,
            &[("/direction", json!("sideways"))],
            &[("/direction", "choice.unknown")],
        ),
        case(
            Gift,
            &[("/giver_iin", json!(wrong_check_digit(&iin)))],
            &[("/giver_iin", "iin.check_digit")],
        ),
        case(
            Gift,
            &[("/giver_iin", json!("900101700010"))],
            &[("/giver_iin", "iin.century_digit")],
        ),
        case(
            Gift,
            &[("/giver_iin", json!("901301300010"))],
            &[("/giver_iin", "iin.birth_date")],
        ),
        case(
            Gift,
            &[("/giver_iin", json!("9001013000a1"))],
            &[("/giver_iin", "iin.format")],
        ),
        case(
            AssetDeclaration,
            &[("/real_estate/0/ownership_share", json!("0"))],
            &[("/real_estate/0/ownership_share", "percent.range")],
        ),
        case(
            AssetDeclaration,
            &[("/real_estate/0/ownership_share", json!("1.234"))],
            &[("/real_estate/0/ownership_share", "percent.scale")],
        ),
        case(
            AssetDeclaration,
            &[("/real_estate/0/ownership_share", json!("half"))],
            &[("/real_estate/0/ownership_share", "percent.format")],
        ),
        // The shape of the document.
        case(
            Gift,
            &[("/colour", json!("red"))],
            &[("/colour", "shape.unknown_field")],
        ),
        case(
            Gift,
            &[("/occasion", Value::Null)],
            &[("/occasion", "shape.missing_field")],
        ),
        case(
            Gift,
            &[("/value_kzt", json!(5))],
            &[("/value_kzt", "shape.invalid_type")],
        ),
        // Each kind's checks.
        case(
            Gift,
            &[("/date", json!("2026-06-02"))],
            &[("/date", "date.in_future")],
        ),
        // Issue 12, problem 9: year 0 used to be accepted.
        case(
            Gift,
            &[("/date", json!("0000-01-01"))],
            &[("/date", "date.range")],
        ),
        case(
            AssetDeclaration,
            &[("/real_estate/0/acquired_on", json!("1899-12-31"))],
            &[("/real_estate/0/acquired_on", "date.range")],
        ),
        case(
            Gift,
            &[("/giver_iin", json!(iin))],
            &[("/giver_iin", "party.iin_and_bin")],
        ),
        case(
            Gift,
            &[("/direction", json!("given"))],
            &[("/receiver_name", "field.required")],
        ),
        case(
            ConflictOfInterest,
            &[("/parties", json!([]))],
            &[("/parties", "party.required")],
        ),
        case(
            ConflictOfInterest,
            &[("/parties", many(21, json!({"name": "A"})))],
            &[("/parties", "list.too_long")],
        ),
        case(
            ConflictOfInterest,
            &[("/ends_on", json!("2026-04-01"))],
            &[("/ends_on", "date.order")],
        ),
        case(
            ConflictOfInterest,
            &[("/situation", json!("relative_in_procurement"))],
            &[
                ("/parties", "relative.required"),
                ("/procurement_ocid", "field.required"),
            ],
        ),
        case(
            ConflictOfInterest,
            &[("/parties/0/iin", json!(iin))],
            &[("/parties/0/bin", "party.iin_and_bin")],
        ),
        case(
            AssetDeclaration,
            &[("/year", json!(2026))],
            &[("/year", "range.year")],
        ),
        case(
            AssetDeclaration,
            &[("/accounts/0/currency", json!("dollars"))],
            &[("/accounts/0/currency", "currency.format")],
        ),
        case(
            AssetDeclaration,
            &[
                ("/liabilities/0/creditor_iin", json!(iin)),
                ("/liabilities/0/creditor_bin", json!(bin)),
            ],
            &[("/liabilities/0/creditor_iin", "party.iin_and_bin")],
        ),
        case(
            AssetDeclaration,
            &[("/real_estate/0/acquired_on", json!("2026-07-01"))],
            &[("/real_estate/0/acquired_on", "date.in_future")],
        ),
        case(
            HrAction,
            &[("/decision_makers", json!([]))],
            &[("/decision_makers", "decision_maker.required")],
        ),
        case(
            HrAction,
            &[("/decision_makers/0/iin", json!(iin))],
            &[("/decision_makers/0/iin", "decision_maker.self")],
        ),
        case(
            HrAction,
            &[(
                "/decision_makers",
                many(11, json!({"full_name": "M", "role": "r"})),
            )],
            &[("/decision_makers", "list.too_long")],
        ),
        case(
            HrAction,
            &[("/action", json!("promotion"))],
            &[("/previous_position_id", "field.required")],
        ),
        case(
            HrAction,
            &[("/action", json!("dismissal"))],
            &[("/reason", "field.required")],
        ),
        case(
            HrAction,
            &[(
                "/previous_position_id",
                json!("0190a0a0-0000-7000-8000-000000000001"),
            )],
            &[("/position_id", "position.unchanged")],
        ),
        case(
            HrAction,
            &[("/effective_on", json!("2026-05-01"))],
            &[("/effective_on", "date.order")],
        ),
        case(
            HrAction,
            &[
                ("/decided_on", json!("2026-06-02")),
                ("/effective_on", json!("2026-06-02")),
            ],
            &[("/decided_on", "date.in_future")],
        ),
        case(
            HrAction,
            &[(
                "/screening",
                json!({"completed_on": "2026-05-01", "checks": [], "result": "clear"}),
            )],
            &[("/screening/checks", "screening.checks_required")],
        ),
        case(
            Person,
            &[("/relatives/0/iin", json!(iin))],
            &[("/relatives/0/iin", "relative.self")],
        ),
        case(
            Person,
            &[("/interests/0/role", json!("director"))],
            &[("/interests/0/share_percent", "interest.share_not_held")],
        ),
        case(
            Person,
            &[("/ended_on", json!("2019-01-01"))],
            &[("/ended_on", "date.order")],
        ),
        case(
            Person,
            &[(
                "/relatives",
                many(51, json!({"relation": "parent", "full_name": "A"})),
            )],
            &[("/relatives", "list.too_long")],
        ),
        case(
            Training,
            &[("/hours", json!(0))],
            &[("/hours", "range.hours")],
        ),
        case(
            Training,
            &[("/topic", json!("cooking"))],
            &[("/topic", "choice.unknown")],
        ),
        case(
            FeedbackReport,
            &[("/answer_summary", json!("done"))],
            &[("/answered_on", "field.required")],
        ),
        case(
            FeedbackReport,
            &[("/answered_on", json!("2026-03-01"))],
            &[("/answered_on", "date.order")],
        ),
        case(
            Governance,
            &[("/on", json!("2026-06-02"))],
            &[("/on", "date.in_future")],
        ),
        case(
            Procurement,
            &[("/parties/0/identifier/id", json!(wrong_check_digit(&bin)))],
            &[("/parties/0/identifier/id", "bin.check_digit")],
        ),
        case(
            Procurement,
            &[(
                "/parties/0/identifier",
                json!({"scheme": "KZ-IIN", "id": "1"}),
            )],
            &[("/parties/0/identifier/id", "iin.format")],
        ),
        case(
            Procurement,
            &[("/parties/0/identifier", json!({"scheme": "KZ-BIN"}))],
            &[("/parties/0/identifier/id", "field.required")],
        ),
        case(
            Procurement,
            &[("/parties/0/id", Value::Null)],
            &[("/parties/0/id", "field.required")],
        ),
        case(
            Procurement,
            &[("/parties", json!({}))],
            &[("/parties", "ocds.type")],
        ),
        case(
            Procurement,
            &[("/parties", json!([1]))],
            &[("/parties/0", "ocds.type")],
        ),
        case(
            Procurement,
            &[("/tender/value/amount", json!(-1))],
            &[("/tender/value/amount", "ocds.amount")],
        ),
        case(
            Procurement,
            &[("/tender/committee/0/name", Value::Null)],
            &[("/tender/committee/0/name", "field.required")],
        ),
        case(
            Procurement,
            &[("/tender/committee/0/iin", json!(wrong_check_digit(&iin)))],
            &[("/tender/committee/0/iin", "iin.check_digit")],
        ),
        case(
            Procurement,
            &[("/tender/committee/0/iin", json!(1))],
            &[("/tender/committee/0/iin", "ocds.type")],
        ),
    ]
}

fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
    errors
        .iter()
        .map(|e| (e.pointer.as_str(), e.code.as_ref()))
        .collect()
}

/// The errors of a payload parsed from bytes, as the API's bodies are.
fn parsed_from_bytes(kind: Kind, payload: &Value) -> Vec<FieldError> {
    use super::{coi, culture, declaration, hr, ocds, person};
    fn go<R: super::Record>(v: &Value) -> Vec<FieldError> {
        parse::<R>(v.to_string().as_bytes(), today())
            .err()
            .unwrap_or_default()
    }
    match kind {
        Kind::Gift => go::<crate::GiftDeclaration>(payload),
        Kind::ConflictOfInterest => go::<coi::Disclosure>(payload),
        Kind::AssetDeclaration => go::<declaration::AssetDeclaration>(payload),
        Kind::HrAction => go::<hr::HrAction>(payload),
        Kind::Procurement => go::<ocds::CompiledRelease>(payload),
        Kind::Person => go::<person::Person>(payload),
        Kind::Training => go::<culture::Training>(payload),
        Kind::FeedbackReport => go::<culture::FeedbackReport>(payload),
        Kind::Governance => go::<culture::GovernanceRecord>(payload),
    }
}

#[test]
fn the_base_payloads_are_valid() {
    for &kind in Kind::ALL {
        assert!(kind.normalise(&base(kind), today()).is_ok(), "{kind}");
    }
}

#[test]
fn every_bad_input_has_its_exact_codes() {
    for c in cases() {
        let from_value = c.kind.normalise(&c.payload, today()).unwrap_err();
        assert_eq!(codes(&from_value), c.expected, "{}: {}", c.kind, c.payload);
        let from_bytes = parsed_from_bytes(c.kind, &c.payload);
        assert_eq!(
            codes(&from_bytes),
            c.expected,
            "{} (bytes): {}",
            c.kind,
            c.payload
        );
    }
}

#[test]
fn every_kind_has_bad_inputs_among_the_cases() {
    let cases = cases();
    for &kind in Kind::ALL {
        assert!(cases.iter().any(|c| c.kind == kind), "{kind}");
    }
}

#[test]
fn no_bad_input_is_refused_with_the_generic_code() {
    let mut errors: Vec<FieldError> = Vec::new();
    for c in cases() {
        errors.extend(c.kind.normalise(&c.payload, today()).unwrap_err());
        errors.extend(parsed_from_bytes(c.kind, &c.payload));
    }
    errors.extend(convicted_errors());
    errors.extend(upload_errors());
    assert!(!errors.is_empty());
    let generic: Vec<_> = errors.iter().filter(|e| e.code == "invalid").collect();
    assert!(generic.is_empty(), "{generic:?}");
}

fn convicted(f: ConvictedPersonFields<'_>) -> Vec<FieldError> {
    ConvictedPerson::parse(f, today()).err().unwrap_or_default()
}

fn convicted_errors() -> Vec<FieldError> {
    let iin = iin();
    let good = ConvictedPersonFields {
        full_name: "Aidos Serikov",
        iin: Some(&iin),
        date_of_birth: Some("1990-01-01"),
        offence_article: "366 part 2",
        convicted_on: "2020-01-01",
        court: "Astana city court",
        applies_until: None,
        ..Default::default()
    };
    let mut all = Vec::new();
    for f in [
        ConvictedPersonFields {
            full_name: " ",
            iin: Some("1"),
            date_of_birth: Some("01.01.1990"),
            ..good
        },
        ConvictedPersonFields {
            date_of_birth: Some("1990-01-02"),
            applies_until: Some("2019-01-01"),
            ..good
        },
        ConvictedPersonFields {
            convicted_on: "2026-06-02",
            ..good
        },
    ] {
        all.extend(convicted(f));
    }
    all
}

#[test]
fn convicted_person_fields_have_their_codes() {
    let e = convicted_errors();
    assert_eq!(
        codes(&e),
        [
            ("/full_name", "text.empty"),
            ("/iin", "iin.format"),
            ("/date_of_birth", "date.format"),
            ("/applies_until", "date.order"),
            ("/date_of_birth", "date.iin_mismatch"),
            ("/convicted_on", "date.in_future"),
        ]
    );
}

fn upload_errors() -> Vec<FieldError> {
    use super::ocds::read_upload;
    let mut all = Vec::new();
    for bad in [
        &b"\xff\xfe"[..],
        br#"{"releases": 5}"#,
        br#"{"records": {}}"#,
        br#"{"title": "not OCDS"}"#,
    ] {
        all.push(read_upload(bad).err().unwrap());
    }
    for items in [
        read_upload(br#"{"records": [{"ocid": "ocds-1"}]}"#).unwrap(),
        read_upload(br#"{"releases": [{"id": "1"}]}"#).unwrap(),
        read_upload(b"{oops\n").unwrap(),
    ] {
        all.extend(items.into_iter().filter_map(|i| i.release.err()));
    }
    all
}

#[test]
fn uploads_have_their_codes() {
    assert_eq!(
        codes(&upload_errors()),
        [
            ("", "body.not_utf8"),
            ("/releases", "shape.invalid_type"),
            ("/records", "shape.invalid_type"),
            ("", "ocds.package"),
            ("/records/0", "ocds.record"),
            ("/releases/0/ocid", "field.required"),
            ("", "shape.malformed_json"),
        ]
    );
}
