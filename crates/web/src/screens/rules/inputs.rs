//! One input per parameter type, for compliance officers rather than
//! developers: numbers with their bounds and unit, a switch for yes/no, a
//! list with one value per line, a table of names and numbers. Each type
//! has the two conversions the form needs: a parameter's JSON value into
//! the form's fields ([`fields_of`]) and the posted fields back into the
//! JSON value the API checks ([`value_of`]).
//!
//! The API stays the judge of every value: what does not fit the type is
//! sent as a string, so the API refuses it with its own message beside
//! the input.

use super::drafts::shown;
use crate::i18n::Tr;
use crate::kit::Fields;
use adal_sandbox_protocol::params::{ParamSpec, ParamType};
use maud::{Markup, html};
use serde_json::{Map, Value};

/// Blank rows a table of names offers for adding names.
const SPARE_ROWS: usize = 2;
/// The most rows read back from a posted table: a bound on the work a
/// crafted form can cause.
const MAX_ROWS: usize = 200;

/// The checkbox of a yes/no parameter. Its field (`field`) is a hidden
/// `false` that is always sent, since an unchecked box sends nothing.
fn on_name(field: &str) -> String {
    format!("{field}.on")
}

fn key_name(field: &str, row: usize) -> String {
    format!("{field}.k{row}")
}

fn number_name(field: &str, row: usize) -> String {
    format!("{field}.v{row}")
}

/// The values of a list parameter. Lists of names are pipe-separated
/// strings (`"open|selective"`); the form also takes one value per line
/// or comma-separated values, so every string parameter is shown as a
/// list: a string without a separator is a list of one.
pub fn list_items(text: &str) -> Vec<String> {
    text.split(['\n', '\r', ',', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A decimal as typed: group separators (spaces, as Russian and Kazakh
/// write them) dropped, and a lone decimal comma read as a point.
fn decimal_text(text: &str) -> String {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if !t.contains('.') && t.matches(',').count() == 1 {
        t.replace(',', ".")
    } else {
        t
    }
}

/// The form's fields for a parameter's value (`v` as the version holds
/// it): what [`value_of`] reads back into the same value.
pub fn fields_of(ty: ParamType, field: &str, v: &Value) -> Vec<(String, String)> {
    match ty {
        ParamType::Bool => vec![(field.to_owned(), (v.as_bool() == Some(true)).to_string())],
        ParamType::String => vec![(
            field.to_owned(),
            list_items(v.as_str().unwrap_or_default()).join("\n"),
        )],
        ParamType::IntegerMap => {
            let map = v.as_object().cloned().unwrap_or_default();
            let mut out = vec![(field.to_owned(), map.len().to_string())];
            for (row, (k, n)) in map.iter().enumerate() {
                out.push((key_name(field, row), k.clone()));
                out.push((number_name(field, row), shown(n)));
            }
            out
        }
        _ => vec![(field.to_owned(), shown(v))],
    }
}

/// The parameter's value as the form has it, as the JSON the API's
/// parameter check expects; `None` when the form has no input for it.
pub fn value_of(ty: ParamType, field: &str, values: &Fields) -> Option<Value> {
    let text = values.get(field)?;
    let t = text.trim();
    Some(match ty {
        ParamType::Bool => {
            if values.get(&on_name(field)).map(String::as_str) == Some("true") {
                Value::Bool(true)
            } else {
                match t {
                    "true" => Value::Bool(true),
                    "false" | "" => Value::Bool(false),
                    _ => Value::String(t.to_owned()),
                }
            }
        }
        ParamType::String => Value::String(list_items(text).join("|")),
        ParamType::IntegerMap => {
            let rows = t.parse::<usize>().unwrap_or(0).min(MAX_ROWS);
            let mut map = Map::new();
            for row in 0..rows + SPARE_ROWS {
                let cell = |name: String| values.get(&name).map_or("", |s| s.trim());
                let (k, n) = (cell(key_name(field, row)), cell(number_name(field, row)));
                if k.is_empty() && n.is_empty() {
                    continue;
                }
                let n = decimal_text(n);
                map.insert(
                    k.to_owned(),
                    n.parse::<i64>().map_or(Value::String(n), Value::from),
                );
            }
            Value::Object(map)
        }
        ParamType::Integer => {
            let n = decimal_text(t);
            n.parse::<i64>().map_or(Value::String(n), Value::from)
        }
        ParamType::Money | ParamType::Decimal | ParamType::OptionalDecimal => {
            Value::String(decimal_text(t))
        }
    })
}

/// A bound or default in the reader's words: money in tenge as the
/// locale writes it, everything else as written.
fn amount(tr: &Tr, spec: &ParamSpec, v: &Value) -> String {
    match spec.ty {
        ParamType::Money => tr.money(&shown(v)),
        _ => shown(v),
    }
}

/// The allowed range in words ("from 1 to 3660", "at least 1"), or
/// nothing for a parameter without bounds. The unit is beside the input.
pub fn range_words(tr: &Tr, spec: &ParamSpec) -> Option<String> {
    let b = |v: &Option<Value>| v.as_ref().map(|v| amount(tr, spec, v));
    match (b(&spec.min), b(&spec.max)) {
        (Some(min), Some(max)) => Some(tr.t_args(
            "rules-range-between",
            &[("min", min.into()), ("max", max.into())],
        )),
        (Some(min), None) => Some(tr.t_args("rules-range-min", &[("min", min.into())])),
        (None, Some(max)) => Some(tr.t_args("rules-range-max", &[("max", max.into())])),
        (None, None) => None,
    }
}

/// The default value in words: "on"/"off", the list's values, "not set".
pub fn default_words(tr: &Tr, spec: &ParamSpec) -> String {
    let d = &spec.default;
    match spec.ty {
        ParamType::Bool if d.as_bool() == Some(true) => tr.t("rules-on"),
        ParamType::Bool => tr.t("rules-off"),
        ParamType::String => {
            let items = list_items(d.as_str().unwrap_or_default());
            if items.is_empty() {
                tr.t("rules-list-empty")
            } else {
                items.join(", ")
            }
        }
        ParamType::OptionalDecimal if shown(d).trim().is_empty() => tr.t("rules-not-set"),
        ParamType::IntegerMap => match d.as_object() {
            Some(m) if !m.is_empty() => m
                .iter()
                .map(|(k, n)| format!("{k}: {}", shown(n)))
                .collect::<Vec<_>>()
                .join(", "),
            _ => tr.t("rules-list-empty"),
        },
        _ => amount(tr, spec, d),
    }
}

/// The sentence under the input that is the same for every parameter of
/// the type: how to write a list, a table, an unset value.
pub fn type_hint(tr: &Tr, ty: ParamType) -> Option<String> {
    match ty {
        ParamType::String => Some(tr.t("rules-list-hint")),
        ParamType::IntegerMap => Some(tr.t("rules-map-hint")),
        ParamType::OptionalDecimal => Some(tr.t("rules-optional-hint")),
        _ => None,
    }
}

/// What one input needs besides the parameter: its id, the form's field,
/// whether it has errors and which hints describe it.
pub struct Input<'a> {
    pub id: &'a str,
    pub field: &'a str,
    pub invalid: bool,
    pub described_by: String,
}

/// The input of one parameter, with its unit beside it; what was typed
/// is shown again as typed.
pub fn param_input(tr: &Tr, spec: &ParamSpec, values: &Fields, input: &Input<'_>) -> Markup {
    let Input {
        id,
        field,
        invalid,
        ref described_by,
    } = *input;
    let invalid = invalid.then_some("true");
    let typed = values.get(field).cloned();
    let unit = spec.unit.as_deref().map(|u| tr.unit(u));
    match spec.ty {
        ParamType::Bool => {
            let on = matches!(value_of(spec.ty, field, values), Some(Value::Bool(true)))
                || (typed.is_none() && spec.default.as_bool() == Some(true));
            html! {
                input type="hidden" name=(field) value="false";
                // Not a second label: the parameter's label names it.
                span class="switch" {
                    input type="checkbox" role="switch" id=(id) name=(on_name(field)) value="true" checked[on]
                        aria-invalid=[invalid] aria-describedby=(described_by);
                    span class="track" aria-hidden="true" {}
                    span class="state-on" { (tr.t("rules-on")) }
                    span class="state-off" { (tr.t("rules-off")) }
                }
            }
        }
        ParamType::String => {
            let text = typed.unwrap_or_else(|| {
                list_items(spec.default.as_str().unwrap_or_default()).join("\n")
            });
            let items = list_items(&text);
            html! {
                ul class="chips" id={ (id) "-chips" } data-chips-for=(id) aria-hidden="true" {
                    @for i in &items { li { (i) } }
                }
                textarea id=(id) name=(field) rows=((items.len() + 1).clamp(2, 8)) data-list="1"
                    aria-invalid=[invalid] aria-describedby=(described_by) { (text) }
            }
        }
        ParamType::IntegerMap => {
            let rows: Vec<(String, String)> = match typed {
                Some(_) => {
                    let n = values
                        .get(field)
                        .and_then(|t| t.trim().parse::<usize>().ok())
                        .unwrap_or(0)
                        .min(MAX_ROWS);
                    (0..n + SPARE_ROWS)
                        .map(|row| {
                            let cell =
                                |name: String| values.get(&name).cloned().unwrap_or_default();
                            (cell(key_name(field, row)), cell(number_name(field, row)))
                        })
                        .filter(|(k, n)| !k.trim().is_empty() || !n.trim().is_empty())
                        .collect()
                }
                None => spec
                    .default
                    .as_object()
                    .map(|m| m.iter().map(|(k, n)| (k.clone(), shown(n))).collect())
                    .unwrap_or_default(),
            };
            html! {
                input type="hidden" name=(field) value=(rows.len());
                table class="param-map" id=(id) aria-labelledby={ (id) "-label" } aria-describedby=(described_by) {
                    thead { tr {
                        th scope="col" { (tr.t("rules-map-key")) }
                        th scope="col" { (tr.t("rules-map-value")) @if let Some(u) = &unit { " (" (u) ")" } }
                    } }
                    tbody {
                        @for row in 0..rows.len() + SPARE_ROWS {
                            @let (k, n) = rows.get(row).cloned().unwrap_or_default();
                            @let label = |key: &str| tr.t_args(key, &[("row", (row + 1).into())]);
                            tr {
                                td { input type="text" name=(key_name(field, row)) value=(k) aria-label=(label("rules-map-key-of")) aria-invalid=[invalid]; }
                                td { input type="text" inputmode="numeric" name=(number_name(field, row)) value=(n) aria-label=(label("rules-map-value-of")) aria-invalid=[invalid]; }
                            }
                        }
                    }
                }
            }
        }
        ParamType::Integer => {
            let text = typed.unwrap_or_else(|| shown(&spec.default));
            html! {
                span class="with-unit" {
                    input type="number" step="1" id=(id) name=(field) value=(text)
                        min=[spec.min.as_ref().map(shown)] max=[spec.max.as_ref().map(shown)]
                        aria-invalid=[invalid] aria-describedby=(described_by);
                    @if let Some(u) = &unit { span class="unit" { (u) } }
                }
            }
        }
        // Amounts and fractions are text with a decimal keyboard: a number
        // input would round 150000.00 or refuse a decimal comma.
        ParamType::Money | ParamType::Decimal | ParamType::OptionalDecimal => {
            let text = typed.unwrap_or_else(|| shown(&spec.default));
            let unit = if spec.ty == ParamType::Money {
                Some("₸".to_owned())
            } else {
                unit
            };
            html! {
                span class="with-unit" {
                    input type="text" inputmode="decimal" id=(id) name=(field) value=(text)
                        aria-invalid=[invalid] aria-describedby=(described_by);
                    @if let Some(u) = &unit { span class="unit" { (u) } }
                }
            }
        }
    }
}
