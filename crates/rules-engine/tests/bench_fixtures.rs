//! The benchmark fixtures (benches/fixtures, shared with the sandbox pool's
//! benchmark) are a realistic workload: every rule compiles, no rule errors
//! on any submission, and every rule both finds and clears something.

use adal_rules_engine::RuleEngine;
use adal_sandbox_protocol::{RuleOutcome, RuleSource, SubmissionInput};
use std::collections::BTreeMap;

const RULES: &str = include_str!("../benches/fixtures/rules20.json");
const GIFTS: &str = include_str!("../benches/fixtures/gifts1000.jsonl");

#[test]
fn twenty_rules_find_and_clear_without_errors() {
    let rules: Vec<RuleSource> = serde_json::from_str(RULES).unwrap();
    assert_eq!(rules.len(), 20);
    let gifts: Vec<SubmissionInput> = GIFTS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(gifts.len(), 1000);
    let engine = RuleEngine::default();
    let compiled = engine.compile_all(&rules).unwrap();
    // rule id -> (findings, clears)
    let mut counts: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for g in &gifts {
        let result = engine.evaluate(&compiled, g);
        for id in result.clear {
            counts.entry(id).or_default().1 += 1;
        }
        for o in result.outcomes {
            match o {
                RuleOutcome::Finding { rule_id, .. } => counts.entry(rule_id).or_default().0 += 1,
                other => panic!("{}: {other:?}", g.id),
            }
        }
    }
    for (id, (found, cleared)) in &counts {
        assert!(
            *found > 0 && *cleared > 0,
            "{id}: {found} found, {cleared} clear"
        );
    }
}
