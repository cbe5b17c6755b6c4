//! How a [`FormSpec`] is drawn: the submitted values kept and each error
//! beside its field.

use super::specs::{FormSpec, Input, MAX_RADIOS};
use crate::i18n::Tr;
use crate::kit::{error_summary, error_text};
use adal_domain::FieldError;
use maud::{Markup, html};
use std::collections::HashMap;

/// The form, with the submitted values kept and each error beside its field.
pub fn render(
    tr: &Tr,
    spec: &FormSpec,
    action: &str,
    csrf: &str,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Markup {
    let errs_for = |name: &str| -> Vec<String> {
        let p = format!("/{name}");
        errors
            .iter()
            .filter(|e| e.pointer == p)
            .map(|e| error_text(tr, e))
            .collect()
    };
    // The machine codes beside the texts, for scripts and tests that must
    // not depend on the language shown.
    let codes_for = |name: &str| -> String {
        let p = format!("/{name}");
        errors
            .iter()
            .filter(|e| e.pointer == p)
            .map(|e| e.code.as_ref())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Errors that name no field of this form still have to be seen.
    let orphans: Vec<String> = errors
        .iter()
        .filter(|e| {
            !spec
                .fields
                .iter()
                .any(|f| e.pointer == format!("/{}", f.name))
        })
        .map(|e| error_text(tr, e))
        .collect();
    html! {
        (error_summary(tr, !errors.is_empty(), &orphans))
        form method="post" action=(action) class="filing" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            @for f in spec.fields {
                @let id = format!("f-{}", f.name);
                @let errs = errs_for(f.name);
                @let err_id = format!("{id}-error");
                @let hint_id = format!("{id}-hint");
                @let describedby = [
                    f.hint.map(|_| hint_id.clone()),
                    (!errs.is_empty()).then(|| err_id.clone()),
                ].into_iter().flatten().collect::<Vec<_>>().join(" ");
                @let value = values.get(f.name).cloned().unwrap_or_default();
                div class={ "field" @if !errs.is_empty() { " invalid" } } {
                    @match f.input {
                        Input::Choice(options) if options.len() <= MAX_RADIOS => {
                            fieldset aria-describedby=[(!describedby.is_empty()).then_some(&describedby)] {
                                legend { (tr.t(f.label)) @if f.required { " " abbr title=(tr.t("required")) { "*" } } }
                                @for o in options {
                                    @let oid = format!("{id}-{o}");
                                    label for=(oid) class="choice" {
                                        input type="radio" id=(oid) name=(f.name) value=(o) checked[value == *o] required[f.required];
                                        " " (tr.t(&format!("{}-{o}", f.label)))
                                    }
                                }
                            }
                        }
                        _ => {
                            label for=(id) { (tr.t(f.label)) @if f.required { " " abbr title=(tr.t("required")) { "*" } } }
                            @match f.input {
                                Input::TextArea => {
                                    textarea id=(id) name=(f.name) rows="3" maxlength="2000" required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)] { (value) }
                                }
                                Input::Date => {
                                    input type="date" id=(id) name=(f.name) value=(value) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Money => {
                                    input type="text" inputmode="decimal" id=(id) name=(f.name) value=(value) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Integer => {
                                    input type="text" inputmode="numeric" id=(id) name=(f.name) value=(value) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Text { max } => {
                                    input type="text" id=(id) name=(f.name) value=(value) maxlength=(max) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Choice(options) => {
                                    select id=(id) name=(f.name) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)] {
                                        // Nothing is chosen for the person: a required
                                        // list starts on "choose", an optional one on "none".
                                        option value="" selected[value.is_empty()] {
                                            (tr.t(if f.required { "form-choose" } else { "admin-none" }))
                                        }
                                        @for o in options {
                                            option value=(o) selected[value == *o] { (tr.t(&format!("{}-{o}", f.label))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(h) = f.hint { p class="hint" id=(hint_id) { (tr.t(h)) } }
                    @if !errs.is_empty() {
                        p class="field-error" id=(err_id) data-pointer={ "/" (f.name) } data-codes=(codes_for(f.name)) {
                            @for e in &errs { (e) " " }
                        }
                    }
                }
            }
            button type="submit" { (tr.t(spec.submit)) }
        }
    }
}
