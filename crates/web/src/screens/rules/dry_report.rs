//! The dry run's answer for a compliance officer: the counts per rule,
//! then per rule (by its title in the reader's language) the findings
//! that would appear, disappear or change, each with the filing it is
//! about, its severity and its explanation.

use crate::i18n::Tr;
use crate::kit::{head, label};
use adal_service::{DryRunFinding, DryRunReport, DryRunRule};
use adal_store::rules::{Library, RuleDefinition};
use maud::{Markup, html};
use std::collections::HashMap;
use uuid::Uuid;

/// The findings drawn per rule; the rest are counted in a line, so that a
/// rule that would flag hundreds of filings keeps the page readable.
pub const ROWS_PER_RULE: usize = 50;

/// What the report knows of the submissions besides their ids: their
/// kind and time (from the report) and whom they concern (read by the
/// caller, as the findings list reads it).
pub struct Names<'a> {
    pub lib: &'a Library,
    /// The version's rules: a tenant's own rule has no library title.
    pub defs: &'a [RuleDefinition],
    pub concerns: &'a HashMap<Uuid, String>,
}

fn title_of(tr: &Tr, names: &Names<'_>, rule_id: &str) -> String {
    let own = names
        .defs
        .iter()
        .find(|d| d.id == rule_id)
        .map(|d| d.title.as_str())
        .or_else(|| names.lib.rule(rule_id).map(|r| r.title.as_str()))
        .unwrap_or(rule_id);
    tr.rule_title(rule_id, own)
}

/// One finding row's cells after the first: the filing, the severity and
/// the explanation.
fn finding_cells(
    tr: &Tr,
    r: &DryRunReport,
    names: &Names<'_>,
    rule_id: &str,
    f: &DryRunFinding,
    before: Option<&DryRunFinding>,
) -> Markup {
    let sub = r
        .evaluated
        .iter()
        .find(|s| s.submission_id == f.submission_id);
    let severity = |x: &DryRunFinding| {
        html! { span class={ "sev sev-" (x.severity) } { (label(tr, "severity", &x.severity)) } }
    };
    html! {
        td class="filing" data-submission=(f.submission_id) {
            @match sub {
                Some(s) => { (label(tr, "kind", &s.kind)) ", " (tr.datetime(s.received_at)) },
                None => code { (f.submission_id) },
            }
            @if let Some(who) = names.concerns.get(&f.submission_id) { br; small { (who) } }
        }
        td {
            @if let Some(b) = before.filter(|b| b.severity != f.severity) { (severity(b)) " → " }
            (severity(f))
        }
        td class="explanation" {
            @if let Some(b) = before.filter(|b| b.explanation != f.explanation) {
                del { (tr.explanation(rule_id, None, &b.explanation)) } br;
            }
            (tr.explanation(rule_id, None, &f.explanation))
        }
    }
}

fn effect_label(tr: &Tr, effect: &str) -> String {
    match effect {
        "appear" => tr.t("rules-dry-appear"),
        "disappear" => tr.t("rules-dry-disappear"),
        _ => tr.t("rules-dry-change"),
    }
}

/// The findings of one rule, at most [`ROWS_PER_RULE`] of them.
fn rule_findings(tr: &Tr, r: &DryRunReport, names: &Names<'_>, x: &DryRunRule) -> Markup {
    let id = x.rule_id.as_str();
    let rows = x
        .appear
        .iter()
        .map(|f| ("appear", f, None))
        .chain(x.disappear.iter().map(|f| ("disappear", f, None)))
        .chain(
            x.change
                .iter()
                .map(|c| ("change", &c.after, Some(&c.before))),
        );
    let total = x.appear.len() + x.disappear.len() + x.change.len();
    html! {
        details class="dry-rule" data-rule=(id) {
            summary {
                (title_of(tr, names, id)) " "
                small { (tr.t_args("rules-dry-run-counts", &[
                    ("appear", x.appear.len().into()),
                    ("disappear", x.disappear.len().into()),
                    ("change", x.change.len().into()),
                ])) }
            }
            @if total > 0 {
                div class="scroll" {
                    table class="dry-findings" {
                        (head(tr, &[("col-dry-effect", false), ("col-filing", false), ("col-severity", false), ("col-explanation", false)]))
                        tbody {
                            @for (effect, f, before) in rows.take(ROWS_PER_RULE) {
                                tr data-effect=(effect) {
                                    td class={ "dry-" (effect) } { (effect_label(tr, effect)) }
                                    (finding_cells(tr, r, names, id, f, before))
                                }
                            }
                        }
                    }
                }
                @if total > ROWS_PER_RULE {
                    p class="hint dry-more" { (tr.t_args("rules-dry-run-more", &[("n", (total - ROWS_PER_RULE).into())])) }
                }
            }
            @if !x.errors.is_empty() {
                h4 { (tr.t("rules-errors-of")) }
                ul class="rule-errors" {
                    @for e in &x.errors {
                        li {
                            (e.kind) ": " (e.message)
                            @if let (Some(l), Some(c)) = (e.line, e.column) {
                                " (" (tr.t_args("rules-at", &[("line", l.into()), ("column", c.into())])) ")"
                            }
                            " — " code { (e.submission_id) }
                        }
                    }
                }
            }
        }
    }
}

/// The dry run's answer: per rule, the findings that would appear,
/// disappear or change, and the rule's errors.
pub fn dry_run_report(tr: &Tr, r: &DryRunReport, names: &Names<'_>) -> Markup {
    let changed: Vec<_> = r
        .rules
        .iter()
        .filter(|x| {
            !(x.appear.is_empty()
                && x.disappear.is_empty()
                && x.change.is_empty()
                && x.errors.is_empty())
        })
        .collect();
    html! {
        section id="dry-run" {
            h2 { (tr.t("rules-dry-run-result")) }
            p id="dry-run-summary" data-submissions=(r.submissions) {
                (tr.t_args("rules-dry-run-summary", &[("n", r.submissions.into())]))
            }
            @if changed.is_empty() {
                p id="dry-run-nothing" { (tr.t("rules-dry-run-nothing")) }
            } @else {
                div class="scroll" {
                    table id="dry-run-table" {
                        (head(tr, &[("col-rule", false), ("col-appear", true), ("col-disappear", true), ("col-change", true), ("col-unchanged", true), ("col-errors", true)]))
                        tbody {
                            @for x in &changed {
                                tr data-rule=(x.rule_id) {
                                    td { (title_of(tr, names, &x.rule_id)) br; small { code { (x.rule_id) } } }
                                    td class="num" data-appear=(x.appear.len()) { (x.appear.len()) }
                                    td class="num" data-disappear=(x.disappear.len()) { (x.disappear.len()) }
                                    td class="num" data-change=(x.change.len()) { (x.change.len()) }
                                    td class="num" { (x.unchanged) }
                                    td class="num" { (x.errors.len()) }
                                }
                            }
                        }
                    }
                }
                section id="dry-run-findings" {
                    h3 { (tr.t("rules-dry-run-findings")) }
                    @for x in &changed { (rule_findings(tr, r, names, x)) }
                }
            }
            @if !r.failures.is_empty() {
                h3 { (tr.t("rules-dry-run-failures")) }
                ul { @for f in &r.failures { li { code { (f.submission_id) } ": " (f.message) } } }
            }
        }
    }
}
