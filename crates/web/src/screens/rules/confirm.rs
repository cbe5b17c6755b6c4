//! The question before a version is activated: which version it
//! replaces and how much changes, with the button that activates it and
//! the way back. Activation changes every later evaluation of the
//! tenant's filings, so one click on the draft's page only asks.

use crate::i18n::Tr;
use adal_store::rules::RuleDefinition;
use maud::{Markup, html};
use std::collections::BTreeMap;

/// The posted field that says the question was answered.
pub const CONFIRM: &str = "confirm";

/// Whether the activate form carries the answer to the question.
pub fn confirmed(values: &crate::kit::Fields) -> bool {
    values.get(CONFIRM).map(|s| s.trim()) == Some("1")
}

/// How a version differs from the one in force.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Rules only the new version has.
    pub added: usize,
    /// Rules only the version in force has.
    pub removed: usize,
    /// Rules both have, defined differently (script, severity,
    /// parameters...).
    pub changed: usize,
    /// Parameter values that differ among the rules both have.
    pub params: usize,
}

impl Changes {
    /// Rules that change in any way.
    pub fn rules(&self) -> usize {
        self.added + self.removed + self.changed
    }
}

/// What activating `draft` in place of `active` changes.
pub fn changes(active: &[RuleDefinition], draft: &[RuleDefinition]) -> Changes {
    let before: BTreeMap<&str, &RuleDefinition> =
        active.iter().map(|d| (d.id.as_str(), d)).collect();
    let after: BTreeMap<&str, &RuleDefinition> = draft.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut c = Changes {
        added: after.keys().filter(|k| !before.contains_key(*k)).count(),
        removed: before.keys().filter(|k| !after.contains_key(*k)).count(),
        ..Changes::default()
    };
    for (id, b) in &before {
        let Some(a) = after.get(id) else { continue };
        if a != b {
            c.changed += 1;
        }
        let names: std::collections::BTreeSet<&String> =
            a.params.keys().chain(b.params.keys()).collect();
        c.params += names
            .into_iter()
            .filter(|n| a.params.get(*n) != b.params.get(*n))
            .count();
    }
    c
}

/// What the confirmation shows and where its forms go.
pub struct Question<'a> {
    /// The version's page, whose `/activate` the button posts to.
    pub here: &'a str,
    pub csrf: &'a str,
    pub version: i32,
    /// The version in force, if any.
    pub replaces: Option<i32>,
    pub changes: Changes,
}

/// The question: which version replaces which, how many rules and
/// parameters change, "Activate version N" and "Cancel".
pub fn confirm_section(tr: &Tr, q: &Question<'_>) -> Markup {
    let c = &q.changes;
    html! {
        section class="confirm" id="activate-confirm" role="alertdialog" aria-labelledby="activate-confirm-title" aria-describedby="activate-confirm-what" {
            h2 id="activate-confirm-title" { (tr.t("rules-confirm-title")) }
            p id="activate-confirm-what" data-version=(q.version) data-replaces=[q.replaces] {
                @match q.replaces {
                    Some(old) => (tr.t_args("rules-confirm-replaces", &[("version", q.version.into()), ("old", old.into())])),
                    None => (tr.t_args("rules-confirm-first", &[("version", q.version.into())])),
                }
            }
            ul id="activate-confirm-changes" data-rules=(c.rules()) data-params=(c.params) {
                li { (tr.t_args("rules-confirm-rules", &[("n", c.rules().into()), ("added", c.added.into()), ("removed", c.removed.into()), ("changed", c.changed.into())])) }
                li { (tr.t_args("rules-confirm-params", &[("n", c.params.into())])) }
            }
            p { (tr.t("rules-confirm-note")) }
            div class="actions" {
                form method="post" action={ (q.here) "/activate" } class="inline-form" id="activate-confirm-form" {
                    input type="hidden" name="csrf" value=(q.csrf);
                    input type="hidden" name=(CONFIRM) value="1";
                    button type="submit" id="activate-confirm-submit" {
                        (tr.t_args("rules-confirm-submit", &[("version", q.version.into())]))
                    }
                }
                a href=(q.here) id="activate-cancel" { (tr.t("rules-confirm-cancel")) }
            }
        }
    }
}
