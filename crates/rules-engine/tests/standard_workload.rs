//! The "whole standard" benchmark workload (benches/standard/workload.rs)
//! measures real evaluation: every library rule compiles with its defaults,
//! no rule errors on any generated submission, every kind of the mix is
//! looked at by some rule, and every rule for those kinds both finds and
//! clears something.
#![allow(clippy::panic)]
// The generator included from benches/ panics; clippy.toml covers only
// #[test] functions.

#[path = "../benches/standard/workload.rs"]
mod workload;

use adal_rules_engine::RuleEngine;
use adal_sandbox_protocol::RuleOutcome;
use std::collections::BTreeMap;

#[test]
fn the_mix_exercises_every_rule_for_its_kinds_without_errors() {
    let rules = workload::library_rules();
    let engine = RuleEngine::default();
    let compiled = engine.compile_all(&rules).unwrap();
    let subs = workload::mixed(2000, 1);
    // rule id -> (findings, clears)
    let mut counts: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut kinds_seen: BTreeMap<&str, u32> = BTreeMap::new();
    for s in &subs {
        let result = engine.evaluate(&compiled, s);
        let id_of = |rule_id: &str| {
            rules
                .iter()
                .find(|r| r.id == rule_id)
                .map(|r| r.id.as_str())
                .unwrap()
        };
        for c in &result.clear {
            counts.entry(id_of(c)).or_default().1 += 1;
        }
        for o in &result.outcomes {
            match o {
                RuleOutcome::Finding { rule_id, .. } => {
                    counts.entry(id_of(rule_id)).or_default().0 += 1
                }
                RuleOutcome::Error { .. } => panic!("{}: {o:?}", s.id),
            }
        }
        let ran = result.clear.len() + result.outcomes.len();
        assert!(ran > 0, "no rule looks at {}", s.kind);
        *kinds_seen
            .entry(workload::MIX.iter().find(|(k, _)| *k == s.kind).unwrap().0)
            .or_default() += 1;
    }
    assert_eq!(kinds_seen.len(), workload::MIX.len(), "{kinds_seen:?}");
    for r in &rules {
        let for_the_mix = r
            .kinds
            .iter()
            .any(|k| workload::MIX.iter().any(|(m, _)| m == k));
        if !for_the_mix {
            continue;
        }
        let (found, cleared) = counts.get(r.id.as_str()).copied().unwrap_or_default();
        assert!(
            found > 0 && cleared > 0,
            "{}: {found} found, {cleared} clear",
            r.id
        );
    }
}

/// The same submissions with the tenant context sent once as the shared
/// context give the same results as with it copied into each.
#[test]
fn the_shared_context_gives_the_same_results_as_copies() {
    let engine = RuleEngine::default();
    let compiled = engine.compile_all(&workload::library_rules()).unwrap();
    let (shared, lean) = workload::mixed_shared(300, 7);
    let shared = adal_rules_engine::convert::shared_map(shared.as_object().unwrap());
    let full = workload::mixed(300, 7);
    assert!(
        serde_json::to_string(&lean).unwrap().len() * 3
            < serde_json::to_string(&full).unwrap().len() * 2,
        "the shared context should be a good part of each submission"
    );
    for (lean, full) in lean.iter().zip(&full) {
        assert_eq!(
            engine.evaluate_shared(&compiled, lean, &shared).unwrap(),
            engine.evaluate(&compiled, full)
        );
    }
}
