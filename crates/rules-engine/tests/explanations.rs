//! Every library rule's findings read in Kazakh, Russian and English: each
//! fixture that produces a finding gives facts, and the rule's template
//! `rule-<id>-explanation` in each of `rules/locales/{kk,ru,en}.ftl` is
//! filled by them without a missing fact. The services render the same
//! templates (crate `adal-texts`), so a fact a template needs that a rule
//! does not give would show the English fallback instead.
#![allow(clippy::expect_used, clippy::panic)]

use adal_rules_engine::{Limits, RuleEngine, RuleRun, library};
use adal_sandbox_protocol::RuleOutcome;
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};
use std::path::Path;

fn bundle(lang: &str) -> FluentBundle<FluentResource> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/locales");
    let src = std::fs::read_to_string(root.join(format!("{lang}.ftl"))).expect("catalogue");
    let res = FluentResource::try_new(src).expect("catalogue parses");
    let mut b = FluentBundle::new(vec![lang.parse().expect("language tag")]);
    b.set_use_isolating(false);
    b.add_resource(res).expect("no duplicate keys");
    b
}

#[test]
fn every_library_finding_has_facts_that_fill_its_explanation_in_every_language() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let rules = library::load_dir(&dir).expect("the library loads");
    let engine = RuleEngine::new(Limits::default());
    let bundles: Vec<(&str, FluentBundle<FluentResource>)> = ["kk", "ru", "en"]
        .into_iter()
        .map(|l| (l, bundle(l)))
        .collect();
    let mut problems = Vec::new();
    let mut rendered = 0;
    for rule in &rules {
        let id = &rule.meta.id;
        let mut findings = 0;
        for (fixture, run) in library::fixture_runs(&engine, rule) {
            let Some(RuleRun::Reported(RuleOutcome::Finding { facts, .. })) = run else {
                continue;
            };
            findings += 1;
            if facts.is_empty() {
                problems.push(format!("{id} / {fixture}: the finding has no facts"));
                continue;
            }
            let mut args = FluentArgs::new();
            for (k, v) in &facts {
                args.set(k.as_str(), v.as_str());
            }
            for (lang, b) in &bundles {
                let key = format!("rule-{id}-explanation");
                let Some(pattern) = b.get_message(&key).and_then(|m| m.value()) else {
                    problems.push(format!("{id}: {lang}.ftl has no {key}"));
                    continue;
                };
                let mut errors = Vec::new();
                let text = b.format_pattern(pattern, Some(&args), &mut errors);
                if errors.is_empty() {
                    rendered += 1;
                } else {
                    problems.push(format!(
                        "{id} / {fixture}: {lang}.ftl's explanation: {errors:?} (facts {:?})",
                        facts.keys().collect::<Vec<_>>()
                    ));
                }
                assert!(!text.trim().is_empty());
            }
        }
        if findings == 0 {
            problems.push(format!("{id}: no fixture produces a finding"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        rendered >= 3 * rules.len(),
        "{rendered} explanations rendered"
    );
}
