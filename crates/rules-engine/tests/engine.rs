//! The engine's limits and semantics, through the library API.
#![allow(clippy::expect_used, clippy::panic)]
// The helpers expect and panic; clippy.toml covers only #[test] functions.

use adal_rules_engine::{RuleEngine, RuleRun};
use adal_sandbox_protocol::{
    Position, RuleErrorKind, RuleOutcome, RuleSource, Severity, SubmissionInput,
};
use serde_json::json;

fn rule(id: &str, script: &str) -> RuleSource {
    RuleSource {
        id: id.into(),
        kinds: vec![],
        script: script.into(),
        severity: Severity::Medium,
        likelihood: 3,
        impact: 2,
        params: Default::default(),
    }
}

fn gift() -> SubmissionInput {
    SubmissionInput {
        id: "s1".into(),
        kind: "gift".into(),
        payload: json!({"direction": "received", "value_kzt": "150000.00", "date": "2026-03-01"}),
        context: json!({"mci": {"2026": "4325"}}),
    }
}

/// Evaluates `rules` on a gift and returns what each did, in rule order.
fn run(engine: &RuleEngine, rules: &[RuleSource]) -> Vec<RuleRun> {
    let compiled = engine.compile_all(rules).expect("compiles");
    engine.runs(&compiled, &gift())
}

fn one(engine: &RuleEngine, script: &str) -> RuleRun {
    run(engine, &[rule("r", script)]).remove(0)
}

#[test]
fn infinite_loop_hits_the_operations_limit_and_the_engine_keeps_working() {
    let engine = RuleEngine::default();
    match one(&engine, "loop {}") {
        RuleRun::Reported(RuleOutcome::Error { kind, message, .. }) => {
            assert_eq!(kind, RuleErrorKind::Limit);
            assert!(message.contains("operations"), "{message}");
            assert!(message.contains("1000000"), "{message}");
        }
        other => panic!("expected a limit error, got {other:?}"),
    }
    // Each run has its own budget: a rule using most of it still completes.
    let busy = "let n = 0; while n < 100000 { n += 1; } n == 100000";
    assert!(matches!(
        one(&engine, busy),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
    assert!(matches!(
        one(&engine, busy),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
}

#[test]
fn string_doubling_is_stopped() {
    let engine = RuleEngine::default();
    match one(&engine, r#"let s = "x"; loop { s += s; }"#) {
        RuleRun::Reported(RuleOutcome::Error { kind, message, .. }) => {
            assert_eq!(kind, RuleErrorKind::Limit);
            assert!(message.contains("string size"), "{message}");
        }
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn array_growth_recursion_and_variables_are_limited() {
    let engine = RuleEngine::default();
    for (script, needle) in [
        ("let a = []; loop { a.push(1); }", "array size"),
        ("fn f(n) { f(n + 1) } f(0)", "call depth"),
    ] {
        match one(&engine, script) {
            RuleRun::Reported(RuleOutcome::Error { kind, message, .. }) => {
                assert_eq!(kind, RuleErrorKind::Limit, "{script}");
                assert!(message.contains(needle), "{script}: {message}");
            }
            other => panic!("{script}: expected a limit error, got {other:?}"),
        }
    }
    let many_vars: String = (0..300).map(|i| format!("let v{i} = {i};\n")).collect();
    match one(&engine, &many_vars) {
        RuleRun::Reported(RuleOutcome::Error { kind, message, .. }) => {
            assert_eq!(kind, RuleErrorKind::Limit);
            assert!(message.contains("variables"), "{message}");
        }
        other => panic!("expected a variables limit error, got {other:?}"),
    }
}

#[test]
fn integers_are_64_bit_and_exact() {
    let engine = RuleEngine::default();
    assert!(matches!(
        one(
            &engine,
            "3000000000 + 1 == 3000000001 && type_of(3000000000) == \"i64\""
        ),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
    // Overflow is an error, not a wrap-around.
    assert!(matches!(
        one(&engine, "9223372036854775807 + 1"),
        RuleRun::Reported(RuleOutcome::Error {
            kind: RuleErrorKind::Runtime,
            ..
        })
    ));
}

#[test]
fn functions_and_decimals_work() {
    let engine = RuleEngine::default();
    let script = r#"
        fn over(v, limit) { v > limit }
        over(money(submission.value_kzt), mci(context, submission.date) * 2)
    "#;
    assert!(matches!(
        one(&engine, script),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
    // Decimal arithmetic is exact where a float would not be.
    assert!(matches!(
        one(&engine, r#"money("0.1") + money("0.2") == money("0.3")"#),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
}

#[test]
fn a_throwing_rule_does_not_stop_the_others() {
    let engine = RuleEngine::default();
    let outcomes = run(
        &engine,
        &[
            rule("boom", "\nthrow \"no such thing\";"),
            rule("finds", "\"found it\""),
        ],
    );
    match &outcomes[0] {
        RuleRun::Reported(RuleOutcome::Error {
            rule_id,
            kind,
            message,
            position,
        }) => {
            assert_eq!(rule_id, "boom");
            assert_eq!(*kind, RuleErrorKind::Runtime);
            assert_eq!(message, "no such thing");
            assert_eq!(position.map(|p| p.line), Some(2));
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert_eq!(
        outcomes[1],
        RuleRun::Reported(RuleOutcome::Finding {
            rule_id: "finds".into(),
            severity: Severity::Medium,
            likelihood: 3,
            impact: 2,
            explanation: "found it".into(),
            facts: Default::default(),
        })
    );
}

#[test]
fn results_are_interpreted_and_validated() {
    let engine = RuleEngine::default();
    assert!(matches!(one(&engine, "()"), RuleRun::Clear));
    assert!(matches!(one(&engine, "false"), RuleRun::Clear));
    match one(&engine, "true") {
        RuleRun::Reported(RuleOutcome::Finding {
            explanation,
            severity,
            ..
        }) => {
            assert_eq!(explanation, "r");
            assert_eq!(severity, Severity::Medium);
        }
        other => panic!("{other:?}"),
    }
    match one(
        &engine,
        r#"#{explanation: "big", severity: "critical", likelihood: 5}"#,
    ) {
        RuleRun::Reported(RuleOutcome::Finding {
            explanation,
            severity,
            likelihood,
            impact,
            ..
        }) => {
            assert_eq!(
                (explanation.as_str(), severity, likelihood, impact),
                ("big", Severity::Critical, 5, 2)
            );
        }
        other => panic!("{other:?}"),
    }
    for bad in [
        "42",
        r#"#{explanation: "x", severity: "huge"}"#,
        r#"#{explanation: "x", impact: 6}"#,
        r#"#{severity: "low"}"#,
        r#"#{explanation: "x", severty: "low"}"#,
    ] {
        assert!(
            matches!(
                one(&engine, bad),
                RuleRun::Reported(RuleOutcome::Error {
                    kind: RuleErrorKind::BadResult,
                    ..
                })
            ),
            "{bad}"
        );
    }
}

#[test]
fn compile_errors_have_line_and_column() {
    let engine = RuleEngine::default();
    let err = engine
        .compile(&rule("broken", "let a = 1;\nlet b = ;\n"))
        .expect_err("does not compile");
    assert_eq!(err.rule_id, "broken");
    assert_eq!(err.position, Some(Position { line: 2, column: 9 }));
    assert!(!err.message.is_empty());
}

#[test]
fn eval_print_and_import_are_unavailable() {
    let engine = RuleEngine::default();
    assert!(engine.compile(&rule("e", r#"eval("1")"#)).is_err());
    // print goes nowhere (stdout is the protocol channel) and is harmless.
    assert!(matches!(
        one(&engine, r#"print("hi"); debug("x"); ()"#),
        RuleRun::Clear
    ));
    assert!(!matches!(
        one(&engine, r#"import "std" as s; true"#),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
}

#[test]
fn rules_for_other_kinds_are_skipped() {
    let engine = RuleEngine::default();
    let mut r = rule("decl-only", "true");
    r.kinds = vec!["declaration".into()];
    assert!(matches!(run(&engine, &[r]).remove(0), RuleRun::Skipped));
}

#[test]
fn deep_nesting_is_a_compile_error_not_a_crash() {
    let engine = RuleEngine::default();
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let err = engine.compile(&rule("deep", &deep)).expect_err("too deep");
    assert!(
        err.message.to_lowercase().contains("complex")
            || err.message.to_lowercase().contains("deep"),
        "{}",
        err.message
    );
    let fns: String = (0..100).map(|i| format!("fn f{i}() {{ {i} }}\n")).collect();
    assert!(
        engine.compile(&rule("many-fns", &fns)).is_err(),
        "max_functions"
    );
}

/// Each rule sees the submission, context and parameters as they came,
/// whatever an earlier rule did to its copies or declared in its scope:
/// assignments, mutating methods, shadowing, constants, closures capturing
/// them. The checking rules run between and after the meddling ones, so
/// both the copied values and the ones handed to the last rule are covered.
#[test]
fn no_rule_sees_what_another_did_to_its_variables() {
    let engine = RuleEngine::default();
    let check = r#"
        if submission.value_kzt != "150000.00" || submission.extra != () { return "submission changed"; }
        if context.mci["2026"] != "4325" || context.extra != () { return "context changed"; }
        if params.limit != 2 || params.extra != () { return "params changed"; }
        if type_of(submission) != "map" { return "submission replaced"; }
        ()
    "#;
    let meddlers = [
        "submission.value_kzt = \"1\"; submission.extra = 1; context.mci[\"2026\"] = \"0\"; \
         context.extra = [1]; params.limit = 99; params.extra = true; ()",
        "context.mci.clear(); submission.clear(); params.clear(); ()",
        "let submission = 5; const context = 6; let params = (); ()",
        "const extra = 1; let f = || submission.value_kzt; submission.extra = f.call(); ()",
        "let f = |x| { context.extra = x; }; f.call(1); submission = (); ()",
    ];
    let mut rules = Vec::new();
    for (i, m) in meddlers.iter().enumerate() {
        rules.push(rule(&format!("meddle{i}"), m));
        rules.push(rule(&format!("check{i}"), check));
    }
    for r in &mut rules {
        r.params.insert("limit".into(), json!(2));
    }
    let outcomes = run(&engine, &rules);
    assert_eq!(outcomes.len(), rules.len());
    // Every rule, the meddling ones included, ran to its end.
    for o in &outcomes {
        assert!(matches!(o, RuleRun::Clear), "{o:?}");
    }
    // The order reversed: the meddling rule is the last to run.
    rules.reverse();
    for (r, o) in rules.iter().zip(run(&engine, &rules)) {
        if r.id.starts_with("check") {
            assert!(matches!(o, RuleRun::Clear), "{}: {o:?}", r.id);
        }
    }
}

/// Asserts that `outcome` is rule `rule_id`'s limit error naming `needle`
/// (the limit and its value) at `line`.
fn assert_limit(outcome: &RuleRun, rule_id: &str, needle: &str, line: u32) {
    match outcome {
        RuleRun::Reported(RuleOutcome::Error {
            rule_id: id,
            kind: RuleErrorKind::Limit,
            message,
            position,
        }) => {
            assert_eq!(id, rule_id);
            assert!(message.contains(needle), "{rule_id}: {message}");
            assert_eq!(position.map(|p| p.line), Some(line), "{rule_id}: {message}");
        }
        other => panic!("{rule_id}: expected a limit error naming {needle:?}, got {other:?}"),
    }
}

/// The variables limit holds in the rule's body and in every function and
/// closure it calls, each call counting its own scope (so a recursion can
/// hold up to the call-depth limit times as many). Rhai reports an error
/// raised inside a function or closure at the call in the rule's body.
#[test]
fn the_variables_limit_holds_in_bodies_functions_and_closures() {
    let engine = RuleEngine::default();
    let lets = |n: usize| -> String { (0..n).map(|i| format!("let v{i} = {i};\n")).collect() };
    let cases = [
        // 3 variables are the rule's own (submission, context, params):
        // the 254th `let` is one too many.
        ("body", lets(300), 254),
        (
            "function",
            format!("fn f() {{\n{}1 }}\nf()", lets(300)),
            303,
        ),
        (
            "closure",
            format!("let f = || {{\n{}1 }};\nf.call()", lets(300)),
            303,
        ),
    ];
    for (id, script, line) in cases {
        let outcome = run(&engine, &[rule(id, &script)]).remove(0);
        assert_limit(&outcome, id, "variables limit (256) exceeded", line);
    }
    // Under the limit, functions and closures declare what they like.
    let fine = format!("fn f() {{\n{}true }}\nf()", lets(200));
    assert!(matches!(
        one(&engine, &fine),
        RuleRun::Reported(RuleOutcome::Finding { .. })
    ));
}

/// Every way a script can grow a string, array or map fails at the growing
/// statement (in a function or closure: at its call in the rule's body),
/// never at a later use or not at all. Each script ends with a `throw`
/// that it would reach if the growth were not stopped where it happens.
#[test]
fn size_limits_stop_growth_at_the_growing_operation() {
    let engine = RuleEngine::default();
    let unreached = "throw \"grew past the limit unchecked\";";
    let in_loop =
        |grow: &str| format!("let i = 0;\nwhile i < 20000 {{\n{grow}\ni += 1;\n}}\n{unreached}");
    let in_fn = |init: &str, grow: &str| {
        format!(
            "fn f() {{\n{init}\nlet i = 0;\nwhile i < 20000 {{\n{grow}\ni += 1;\n}}\nx\n}}\nlet y = f();\n{unreached}"
        )
    };
    let in_closure = |init: &str, grow: &str| {
        format!(
            "let g = || {{\n{init}\nlet i = 0;\nwhile i < 20000 {{\n{grow}\ni += 1;\n}}\nx\n}};\nlet y = g.call();\n{unreached}"
        )
    };
    let string = "string size limit (65536 bytes) exceeded";
    let array = "array size limit (10000) exceeded";
    let map = "map size limit (10000) exceeded";
    let cases = [
        // In the rule's body, the loop's statement is line 3.
        (
            "string +=",
            format!("let x = \"\";\n{}", in_loop("x += \"xxxxxxxxxx\";")),
            string,
            4,
        ),
        (
            "string append",
            format!("let x = \"\";\n{}", in_loop("x.append(\"xxxxxxxxxx\");")),
            string,
            4,
        ),
        (
            "string in a map by index",
            format!(
                "let x = #{{s: \"\"}};\n{}",
                in_loop("x[\"s\"] += \"xxxxxxxxxx\";")
            ),
            string,
            4,
        ),
        (
            "array push",
            format!("let x = [];\n{}", in_loop("x.push(i);")),
            array,
            4,
        ),
        (
            "array +=",
            format!("let x = [];\n{}", in_loop("x += i;")),
            array,
            4,
        ),
        (
            "array in an array by index",
            format!("let x = [[]];\n{}", in_loop("x[0] += i;")),
            array,
            4,
        ),
        (
            "map by index",
            format!("let x = #{{}};\n{}", in_loop("x[`k${i}`] = i;")),
            map,
            4,
        ),
        // In a function or closure: Rhai reports the call (line 10).
        (
            "string in a function",
            in_fn("let x = \"\";", "x += \"xxxxxxxxxx\";"),
            string,
            10,
        ),
        (
            "array in a function",
            in_fn("let x = [];", "x.push(i);"),
            array,
            10,
        ),
        (
            "map by index in a function",
            in_fn("let x = #{};", "x[`k${i}`] = i;"),
            map,
            10,
        ),
        (
            "string in a closure",
            in_closure("let x = \"\";", "x += \"xxxxxxxxxx\";"),
            string,
            10,
        ),
        (
            "array in a closure",
            in_closure("let x = [];", "x += [i];"),
            array,
            10,
        ),
        (
            "map by index in a closure",
            in_closure("let x = #{};", "x[`k${i}`] = i;"),
            map,
            10,
        ),
        // A closure growing a map of the rule's body that it captured.
        (
            "captured map by index",
            format!(
                "let x = #{{}};\nlet add = |k| {{ x[k] = 1; }};\n{}",
                in_loop("add.call(`k${i}`);")
            ),
            map,
            5,
        ),
    ];
    for (id, script, needle, line) in &cases {
        let outcome = run(&engine, &[rule(id, script), rule("next", "true")]);
        assert_limit(&outcome[0], id, needle, *line);
        // The rule after it still runs.
        assert!(
            matches!(outcome[1], RuleRun::Reported(RuleOutcome::Finding { .. })),
            "{id}: {outcome:?}"
        );
    }
}

/// A rule that stays within its operations but not its time is stopped
/// with a limit error naming the time limit; the other rules run, and the
/// deadline is the stopped rule's alone.
#[test]
fn a_rule_past_its_time_limit_is_stopped_and_the_others_run() {
    use adal_rules_engine::Limits;
    use std::time::{Duration, Instant};
    let engine = RuleEngine::new(Limits {
        max_rule_time: Duration::from_millis(100),
        ..Limits::default()
    });
    // Each `contains` scans 10,000 elements in one operation: the
    // operations limit would take minutes to reach.
    let slow = "let a = [];\na.pad(10000, 0);\nloop { a.contains(-1); }";
    let busy = "let n = 0; while n < 2000 { n += 1; } n == 2000";
    let started = Instant::now();
    let outcomes = run(
        &engine,
        &[
            rule("slow", slow),
            rule("busy", busy),
            rule("finds", "\"found it\""),
        ],
    );
    let took = started.elapsed();
    assert_limit(&outcomes[0], "slow", "time limit (100 ms) exceeded", 3);
    assert!(
        matches!(outcomes[1], RuleRun::Reported(RuleOutcome::Finding { .. })),
        "{:?}",
        outcomes[1]
    );
    assert!(
        matches!(outcomes[2], RuleRun::Reported(RuleOutcome::Finding { .. })),
        "{:?}",
        outcomes[2]
    );
    assert!(
        took < Duration::from_secs(10),
        "not stopped in time: {took:?}"
    );
}

/// The wire's result: clear rules by id, findings and errors as outcomes,
/// skipped rules nowhere, each list in rule order.
#[test]
fn results_list_clear_rules_and_leave_skipped_ones_out() {
    let engine = RuleEngine::default();
    let mut decl = rule("decl-only", "true");
    decl.kinds = vec!["declaration".into()];
    let rules = [
        rule("clear-1", "()"),
        decl,
        rule("finds", "\"found\""),
        rule("throws", "throw \"boom\""),
        rule("clear-2", "false"),
    ];
    let compiled = engine.compile_all(&rules).expect("compiles");
    let result = engine.evaluate(&compiled, &gift());
    assert_eq!(result.id, "s1");
    assert_eq!(result.clear, ["clear-1", "clear-2"]);
    let reported: Vec<&str> = result.outcomes.iter().map(RuleOutcome::rule_id).collect();
    assert_eq!(reported, ["finds", "throws"]);
}

/// The shared context is merged under each submission's own, key by key
/// at the top level; what one submission's rules do to it is not seen by
/// the next submission's.
#[test]
fn shared_context_is_merged_under_the_submissions_own() {
    let engine = RuleEngine::default();
    let rules = [
        // Spoils its copy of the context; must not reach the next submission.
        rule("spoil", "context.mci = (); context.extra = 1; ()"),
        rule(
            "sees",
            r#"`${context.mci["2026"]}/${context.today}/${"extra" in context}`"#,
        ),
    ];
    let compiled = engine.compile_all(&rules).expect("compiles");
    let shared = adal_rules_engine::convert::shared_map(
        json!({"mci": {"2026": "4325"}, "today": "2026-11-24"})
            .as_object()
            .expect("an object"),
    );
    let explanation = |context: serde_json::Value| {
        let sub = SubmissionInput { context, ..gift() };
        let result = engine
            .evaluate_shared(&compiled, &sub, &shared)
            .expect("merges");
        match &result.outcomes[..] {
            [RuleOutcome::Finding { explanation, .. }] => explanation.clone(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(explanation(json!(null)), "4325/2026-11-24/false");
    assert_eq!(explanation(json!({})), "4325/2026-11-24/false");
    // The submission's key replaces the shared one whole (no deep merge).
    assert_eq!(
        explanation(json!({"mci": {"2027": "4500"}, "today": "2027-01-01"})),
        "/2027-01-01/false"
    );
    assert_eq!(explanation(json!(null)), "4325/2026-11-24/false");
    let err = engine
        .evaluate_shared(
            &compiled,
            &SubmissionInput {
                context: json!([1]),
                ..gift()
            },
            &shared,
        )
        .expect_err("an array cannot be merged");
    assert_eq!(err.submission_id, "s1");
}

/// A result map's `facts` reach the finding as text (amounts keep their
/// decimals, `()` is left out); anything else is the author's mistake,
/// named, and never a finding with half its facts.
#[test]
fn facts_of_a_finding_are_kept_as_text_and_bad_ones_are_named() {
    let engine = RuleEngine::default();
    let script = r#"#{ explanation: "over", facts: #{ value_kzt: money(submission.value_kzt), count: 3, giver: "Alpha", missing: (), kept: true } }"#;
    match one(&engine, script) {
        RuleRun::Reported(RuleOutcome::Finding { facts, .. }) => {
            let got: Vec<(&str, &str)> = facts
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            assert_eq!(
                got,
                [
                    ("count", "3"),
                    ("giver", "Alpha"),
                    ("kept", "true"),
                    ("value_kzt", "150000.00")
                ]
            );
        }
        other => panic!("expected a finding, got {other:?}"),
    }
    for (script, says) in [
        (r#"#{ explanation: "x", facts: "no" }"#, "must be a map"),
        (
            r#"#{ explanation: "x", facts: #{ "Giver": "a" } }"#,
            "snake_case",
        ),
        (
            r#"#{ explanation: "x", facts: #{ list: [1, 2] } }"#,
            "array",
        ),
        (
            r#"let f = #{}; for i in 0..30 { f["f" + i] = i; } #{ explanation: "x", facts: f }"#,
            "at most 24",
        ),
        (
            r#"let s = ""; s.pad(501, 'a'); #{ explanation: "x", facts: #{ long: s } }"#,
            "longer than 500",
        ),
    ] {
        match one(&engine, script) {
            RuleRun::Reported(RuleOutcome::Error { kind, message, .. }) => {
                assert_eq!(kind, RuleErrorKind::BadResult, "{script}");
                assert!(message.contains(says), "{script}: {message}");
            }
            other => panic!("{script}: expected a bad result, got {other:?}"),
        }
    }
}
