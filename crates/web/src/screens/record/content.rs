//! What a record says, in the reader's words: every member of every kind
//! of record has a label (`rec-<member>`), every closed value the words
//! its filing form uses, dates, amounts and shares formatted for the
//! locale, and positions by their title, never a raw id or code.
//!
//! One table, [`FIELDS`], covers the members of all kinds (a member's
//! name means the same wherever it appears); its order is the order
//! members are shown in. A test walks each kind's JSON Schema and fails
//! on a member or a value the table or a catalogue lacks.

use crate::i18n::Tr;
use maud::{Markup, html};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How a member's value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Show {
    Text,
    Date,
    /// Tenge, formatted for the locale.
    Money,
    Percent,
    /// One of a closed list, in the words `<prefix>-<value>`.
    Choice(&'static str),
    /// One of the tenant's positions, by its title.
    Position,
    /// An object, or a list of objects.
    Group,
}

use Show::*;

/// Every member of every kind of record with the way it is shown, in the
/// order records show them.
pub(super) const FIELDS: &[(&str, Show)] = &[
    // Who and what, first.
    ("action", Choice("hr-action")),
    ("event", Choice("governance-event")),
    ("situation", Choice("conflict-situation")),
    ("direction", Choice("gift-direction")),
    ("year", Text),
    ("person", Group),
    ("person_iin", Text),
    ("full_name", Text),
    ("name", Text),
    ("iin", Text),
    ("bin", Text),
    ("relation", Choice("conflict-party-relation")),
    ("role", Text),
    ("relation_to_subject", Choice("conflict-party-relation")),
    ("parties", Group),
    ("giver_name", Text),
    ("giver_iin", Text),
    ("giver_bin", Text),
    ("receiver_name", Text),
    ("receiver_bin", Text),
    ("position_id", Position),
    ("previous_position_id", Position),
    ("course", Text),
    ("topic", Choice("training-topic")),
    ("provider", Text),
    ("hours", Text),
    ("receipt_code", Text),
    ("channel", Choice("feedback-channel")),
    ("category", Choice("feedback-category")),
    // What it says.
    ("description", Text),
    ("summary", Text),
    ("value_kzt", Money),
    ("occasion", Text),
    ("decision", Choice("rec-gift-decision")),
    ("document", Text),
    ("procurement_ocid", Text),
    ("proposed_resolution", Choice("conflict-resolution")),
    ("proposed_resolution_note", Text),
    ("reason", Text),
    // When.
    ("date", Date),
    ("on", Date),
    ("arose_on", Date),
    ("ends_on", Date),
    ("decided_on", Date),
    ("effective_on", Date),
    ("received_on", Date),
    ("answered_on", Date),
    ("answer_summary", Text),
    ("completed_on", Date),
    ("decision_makers", Group),
    ("screening", Group),
    ("checks", Choice("screening-check")),
    ("result", Choice("screening")),
    ("note", Text),
    // A declaration's sections and the members of their rows.
    ("real_estate", Group),
    ("vehicles", Group),
    ("securities", Group),
    ("accounts", Group),
    ("liabilities", Group),
    ("income", Group),
    ("kind", Choice("decl-opt")),
    ("source", Choice("decl-opt")),
    ("address", Text),
    ("make_model", Text),
    ("registration", Text),
    ("issuer_name", Text),
    ("issuer_bin", Text),
    ("bank_name", Text),
    ("bank_bin", Text),
    ("creditor_name", Text),
    ("creditor_bin", Text),
    ("creditor_iin", Text),
    ("payer_name", Text),
    ("payer_bin", Text),
    ("payer_iin", Text),
    ("ownership_share", Percent),
    ("acquired_on", Date),
    ("currency", Text),
    ("balance_kzt", Money),
    ("amount_kzt", Money),
];

fn place(key: &str) -> usize {
    FIELDS
        .iter()
        .position(|(k, _)| *k == key)
        .unwrap_or(FIELDS.len())
}

fn show_of(key: &str) -> Show {
    FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(Text, |(_, s)| *s)
}

/// A member's label; a member the table does not know (a newer schema
/// than this page) by its name rather than a missing-text marker.
fn label_of(tr: &Tr, key: &str) -> String {
    if FIELDS.iter().any(|(k, _)| *k == key) {
        tr.t(&format!("rec-{key}"))
    } else {
        key.replace('_', " ")
    }
}

/// The tenant's positions by id, for [`Show::Position`].
pub(super) type Positions = HashMap<String, String>;

/// One value that is not an object or a list of objects.
fn scalar(tr: &Tr, show: Show, v: &Value, positions: &Positions) -> String {
    match v {
        Value::Null => "—".to_owned(),
        Value::Bool(b) => tr.t(if *b { "rec-yes" } else { "rec-no" }),
        Value::Number(n) => match show {
            Percent => format!("{n} %"),
            _ => n.to_string(),
        },
        Value::String(s) => match show {
            Date => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_or_else(|_| s.clone(), |d| tr.date(d)),
            Money => tr.money(s),
            Percent => format!("{s} %"),
            Choice(prefix) => crate::kit::label(tr, prefix, s),
            Position => positions.get(s).cloned().unwrap_or_else(|| s.clone()),
            Text | Group => s.clone(),
        },
        Value::Array(items) => items
            .iter()
            .map(|i| scalar(tr, show, i, positions))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(o) => ordered(o)
            .into_iter()
            .map(|(k, v)| {
                format!(
                    "{}: {}",
                    label_of(tr, k),
                    scalar(tr, show_of(k), v, positions)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// An object's members in the order of [`FIELDS`].
fn ordered(o: &Map<String, Value>) -> Vec<(&str, &Value)> {
    let mut members: Vec<(&str, &Value)> = o.iter().map(|(k, v)| (k.as_str(), v)).collect();
    members.sort_by_key(|(k, _)| place(k));
    members
}

fn is_rows(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
}

/// A list of objects as a table: one column per member any row has.
fn rows(tr: &Tr, key: &str, items: &[Value], positions: &Positions) -> Markup {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        if let Some(o) = item.as_object() {
            for k in o.keys() {
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
    }
    columns.sort_by_key(|k| place(k));
    html! {
        div class="scroll" {
            table class="record-rows" data-member=(key) {
                thead { tr { @for c in &columns { th scope="col" { (label_of(tr, c)) } } } }
                tbody {
                    @for item in items {
                        tr {
                            @for c in &columns {
                                td { (item.get(*c).map_or_else(String::new, |v| scalar(tr, show_of(c), v, positions))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The record's members as a list of label and value; objects nested
/// inside as lists of their own, lists of objects as tables.
pub(super) fn render(tr: &Tr, payload: &Value, positions: &Positions) -> Markup {
    let Some(o) = payload.as_object() else {
        return html! { p { (scalar(tr, Text, payload, positions)) } };
    };
    html! {
        dl class="facts record" id="record-content" {
            @for (k, v) in ordered(o) {
                dt { (label_of(tr, k)) }
                dd data-member=(k) {
                    @if is_rows(v) {
                        (rows(tr, k, v.as_array().map_or(&[][..], Vec::as_slice), positions))
                    } @else if v.is_object() {
                        (render(tr, v, positions))
                    } @else {
                        (scalar(tr, show_of(k), v, positions))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, MISSING};
    use adal_domain::Kind;
    use serde_json::json;

    /// Every property name of a JSON Schema, with the values it allows when
    /// it is a closed list (references followed, each definition once).
    fn members(schema: &Value) -> Vec<(String, Vec<String>)> {
        fn values(s: &Value, defs: &Value, seen: &mut Vec<String>, out: &mut Vec<String>) {
            if let Some(e) = s.get("enum").and_then(Value::as_array) {
                out.extend(e.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            if let Some(c) = s.get("const").and_then(Value::as_str) {
                out.push(c.to_owned());
            }
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or_default().to_owned();
                if !seen.contains(&name) {
                    seen.push(name.clone());
                    values(&defs[&name], defs, seen, out);
                    seen.pop();
                }
            }
            for k in ["anyOf", "oneOf", "allOf"] {
                for x in s.get(k).and_then(Value::as_array).into_iter().flatten() {
                    values(x, defs, seen, out);
                }
            }
            if let Some(i) = s.get("items") {
                values(i, defs, seen, out);
            }
        }
        fn walk(
            s: &Value,
            defs: &Value,
            seen: &mut Vec<String>,
            out: &mut Vec<(String, Vec<String>)>,
        ) {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                let name = r.rsplit('/').next().unwrap_or_default().to_owned();
                if !seen.contains(&name) {
                    seen.push(name.clone());
                    walk(&defs[&name], defs, seen, out);
                }
            }
            if let Some(p) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in p {
                    let mut vs = Vec::new();
                    values(v, defs, &mut Vec::new(), &mut vs);
                    out.push((k.clone(), vs));
                    walk(v, defs, seen, out);
                }
            }
            for k in ["anyOf", "oneOf", "allOf"] {
                for x in s.get(k).and_then(Value::as_array).into_iter().flatten() {
                    walk(x, defs, seen, out);
                }
            }
            if let Some(i) = s.get("items") {
                walk(i, defs, seen, out);
            }
        }
        let mut out = Vec::new();
        walk(schema, &schema["$defs"], &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn every_member_of_every_kind_has_a_label_and_every_value_its_words() {
        let mut checked = 0;
        for kind in Kind::ALL
            .iter()
            .filter(|k| !matches!(k, Kind::Procurement | Kind::Person))
        {
            for (member, values) in members(&kind.json_schema()) {
                let show = FIELDS.iter().find(|(k, _)| *k == member).map(|(_, s)| *s);
                assert!(show.is_some(), "{kind}: `{member}` is not in FIELDS");
                for lang in [Lang::En, Lang::Ru, Lang::Kk] {
                    let tr = Tr::new(lang);
                    assert!(
                        !tr.t(&format!("rec-{member}")).starts_with(MISSING),
                        "{lang:?}: rec-{member}"
                    );
                    for v in &values {
                        let Some(Choice(prefix)) = show else {
                            panic!(
                                "{kind}: `{member}` takes a closed list ({v}) but is not shown as a choice"
                            );
                        };
                        let key = format!("{prefix}-{v}");
                        assert!(!tr.t(&key).starts_with(MISSING), "{lang:?}: {key}");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 60, "the schemas were walked: {checked} members");
    }

    #[test]
    fn a_record_reads_in_the_readers_words_in_a_sensible_order() {
        let tr = Tr::new(Lang::En);
        let positions: Positions = [("p1".to_owned(), "Chief accountant".to_owned())].into();
        let payload = json!({
            "value_kzt": "150000.00",
            "direction": "received",
            "date": "2026-03-02",
            "position_id": "p1",
            "decision_makers": [{"full_name": "Marat Ospanov", "role": "director", "relation_to_subject": "parent"}],
            "screening": {"checks": ["convicted_registry", "references"], "result": "clear"},
            "future_member": "kept"
        });
        let html = render(&tr, &payload, &positions).into_string();
        let at = |s: &str| {
            html.find(s)
                .unwrap_or_else(|| panic!("{s} missing in {html}"))
        };
        // Direction first, amounts formatted, closed values in words.
        assert!(at(&tr.t("rec-direction")) < at(&tr.t("rec-value_kzt")));
        assert!(html.contains(&tr.money("150000.00")));
        assert!(html.contains("Chief accountant") && !html.contains(">p1<"));
        assert!(html.contains(&tr.t("conflict-party-relation-parent")));
        assert!(html.contains(&tr.t("screening-check-convicted_registry")));
        // Never a raw code: in Russian every closed value is in Russian.
        let ru = render(&Tr::new(Lang::Ru), &payload, &positions).into_string();
        assert!(
            !ru.contains(">received<") && !ru.contains("clear") && !ru.contains("parent"),
            "{ru}"
        );
        // A list of people is a table; an unknown member is still shown.
        assert!(html.contains(r#"table class="record-rows" data-member="decision_makers""#));
        assert!(html.contains("future member") && html.contains("kept"));
        assert!(!html.contains(MISSING));
    }
}
