//! The Rhai engine with every limit on, rule compilation and evaluation.

use crate::convert::json_to_dynamic;
use crate::functions;
use adal_sandbox_protocol::{
    CompileError, Position, RuleErrorKind, RuleOutcome, RuleSource, Severity, SubmissionInput,
    SubmissionResult,
};
use rhai::{AST, Dynamic, Engine, EvalAltResult, Map, Scope};
use std::collections::HashSet;

/// Limits applied to every rule run. Each rule evaluation is one
/// `eval_ast_with_scope` call, so each gets a fresh operations budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_operations: u64,
    pub max_call_levels: usize,
    pub max_expr_depth: usize,
    pub max_function_expr_depth: usize,
    pub max_string_size: usize,
    pub max_array_size: usize,
    pub max_map_size: usize,
    pub max_variables: usize,
    pub max_functions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_levels: 32,
            max_expr_depth: 64,
            max_function_expr_depth: 32,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_variables: 256,
            max_functions: 64,
        }
    }
}

/// A rule compiled and ready to run.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub source: RuleSource,
    ast: AST,
    params: Map,
}

/// The engine rules run in. Immutable once built, so one instance serves
/// every request and (with rhai's `sync` feature) every thread.
pub struct RuleEngine {
    engine: Engine,
    limits: Limits,
}

impl Default for RuleEngine {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl RuleEngine {
    pub fn new(limits: Limits) -> Self {
        let mut engine = Engine::new();
        engine
            .set_max_operations(limits.max_operations)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            .set_max_variables(limits.max_variables)
            .set_max_functions(limits.max_functions)
            // Rules are self-contained: no `import`, and no file access
            // through the default file module resolver.
            .set_max_modules(0)
            .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new())
            // Stdout is the protocol channel; a rule printing to it would
            // corrupt the stream. Output from rules goes nowhere.
            .on_print(|_| {})
            .on_debug(|_, _, _| {});
        // `eval` would compile code at run time, outside `check`/`load`.
        engine.disable_symbol("eval");
        functions::register(&mut engine);
        RuleEngine { engine, limits }
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Compiles one rule, validating its metadata too.
    pub fn compile(&self, rule: &RuleSource) -> Result<CompiledRule, CompileError> {
        let meta_error = |message: String| CompileError {
            rule_id: rule.id.clone(),
            message,
            position: None,
        };
        for (name, v) in [("likelihood", rule.likelihood), ("impact", rule.impact)] {
            if !(1..=5).contains(&v) {
                return Err(meta_error(format!("{name} must be 1..=5, got {v}")));
            }
        }
        let ast = self
            .engine
            .compile(&rule.script)
            .map_err(|e| CompileError {
                rule_id: rule.id.clone(),
                message: e.err_type().to_string(),
                position: to_position(e.position()),
            })?;
        let params = rule
            .params
            .iter()
            .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
            .collect();
        Ok(CompiledRule {
            source: rule.clone(),
            ast,
            params,
        })
    }

    /// Compiles every rule; returns all compile errors, not just the first,
    /// so an author sees every problem at once.
    pub fn compile_all(
        &self,
        rules: &[RuleSource],
    ) -> Result<Vec<CompiledRule>, Vec<CompileError>> {
        let mut seen = HashSet::new();
        let mut compiled = Vec::with_capacity(rules.len());
        let mut errors = Vec::new();
        for rule in rules {
            if !seen.insert(rule.id.as_str()) {
                errors.push(CompileError {
                    rule_id: rule.id.clone(),
                    message: "duplicate rule id in rule set".into(),
                    position: None,
                });
                continue;
            }
            match self.compile(rule) {
                Ok(c) => compiled.push(c),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(compiled)
        } else {
            Err(errors)
        }
    }

    /// Evaluates one submission against every rule; one rule's failure is
    /// recorded as its outcome and never stops the others.
    pub fn evaluate(&self, rules: &[CompiledRule], sub: &SubmissionInput) -> SubmissionResult {
        let payload = json_to_dynamic(&sub.payload);
        let context = match &sub.context {
            // Rules read `context.x`; a missing context is an empty map, not ().
            serde_json::Value::Null => Dynamic::from_map(Map::new()),
            c => json_to_dynamic(c),
        };
        let mut outcomes = Vec::with_capacity(rules.len());
        self.evaluate_inputs(rules, &sub.kind, Inputs::Owned(payload, context), |o| {
            outcomes.push(o)
        });
        SubmissionResult {
            id: sub.id.clone(),
            outcomes,
        }
    }

    /// [`evaluate`](Self::evaluate) on a payload and context already
    /// converted for Rhai, handing each rule's outcome to `out` in rule
    /// order. For callers that build the submission natively (the red-flag
    /// pass evaluates its rules on 100,000s of them): no JSON in between,
    /// and one scope reused across the rules. Each rule still gets its own
    /// copy of the payload, context and parameters, so nothing a rule does
    /// to them is seen by the next.
    pub fn evaluate_dynamic(
        &self,
        rules: &[CompiledRule],
        kind: &str,
        payload: &Dynamic,
        context: &Dynamic,
        out: impl FnMut(RuleOutcome),
    ) {
        self.evaluate_inputs(rules, kind, Inputs::Borrowed(payload, context), out);
    }

    fn evaluate_inputs(
        &self,
        rules: &[CompiledRule],
        kind: &str,
        mut inputs: Inputs<'_>,
        mut out: impl FnMut(RuleOutcome),
    ) {
        let applies = |rule: &CompiledRule| {
            let kinds = &rule.source.kinds;
            kinds.is_empty() || kinds.iter().any(|k| k == kind)
        };
        // The last rule that runs is handed the submission's own values
        // when the caller gave them up (`Inputs::Owned`): no other rule
        // sees them after it, so copying them would only be thrown away.
        // Every earlier rule gets a deep copy, as before.
        let last = rules.iter().rposition(applies);
        let mut scope = Scope::new();
        for (i, rule) in rules.iter().enumerate() {
            if !applies(rule) {
                out(RuleOutcome::Skipped {
                    rule_id: rule.source.id.clone(),
                });
                continue;
            }
            let (payload, context) = inputs.copy_or_take(Some(i) == last);
            out(self.run_rule(&mut scope, rule, payload, context));
        }
    }

    fn run_rule(
        &self,
        scope: &mut Scope<'_>,
        rule: &CompiledRule,
        submission: Dynamic,
        context: Dynamic,
    ) -> RuleOutcome {
        bind(
            scope,
            [submission, context, Dynamic::from_map(rule.params.clone())],
        );
        match self.engine.eval_ast_with_scope::<Dynamic>(scope, &rule.ast) {
            Ok(v) => outcome_from_value(&rule.source, v),
            Err(e) => self.outcome_from_error(&rule.source, *e),
        }
    }

    fn outcome_from_error(&self, rule: &RuleSource, err: EvalAltResult) -> RuleOutcome {
        // `exit(value)` ends the script with a value: treat it as a return.
        if let EvalAltResult::Exit(v, _) = err {
            return outcome_from_value(rule, v);
        }
        let outer_pos = err.position();
        // Errors inside a script-defined `fn` arrive wrapped; the cause is
        // what the author needs to see.
        let root = into_root(err);
        let pos = if root.position().is_none() {
            outer_pos
        } else {
            root.position()
        };
        let l = &self.limits;
        let limit = match &root {
            EvalAltResult::ErrorTooManyOperations(_) => {
                Some(format!("operations limit ({}) exceeded", l.max_operations))
            }
            EvalAltResult::ErrorStackOverflow(_) => {
                Some(format!("call depth limit ({}) exceeded", l.max_call_levels))
            }
            EvalAltResult::ErrorTooManyVariables(_) => {
                Some(format!("variables limit ({}) exceeded", l.max_variables))
            }
            EvalAltResult::ErrorTooManyModules(_) => Some("modules limit (0) exceeded".to_string()),
            EvalAltResult::ErrorDataTooLarge(what, _) => Some(match what.as_str() {
                "Length of string" => {
                    format!("string size limit ({} bytes) exceeded", l.max_string_size)
                }
                "Size of array/BLOB" => format!("array size limit ({}) exceeded", l.max_array_size),
                "Size of object map" => format!("map size limit ({}) exceeded", l.max_map_size),
                other => format!("data size limit exceeded: {other}"),
            }),
            EvalAltResult::ErrorTerminated(_, _) => Some("evaluation terminated".to_string()),
            _ => None,
        };
        let (kind, message) = match limit {
            Some(m) => (RuleErrorKind::Limit, m),
            None => (RuleErrorKind::Runtime, runtime_message(root)),
        };
        RuleOutcome::Error {
            rule_id: rule.id.clone(),
            kind,
            message,
            position: to_position(pos),
        }
    }
}

/// A submission's values for the rules: borrowed from a caller who keeps
/// them, or owned and given up to the evaluation.
enum Inputs<'a> {
    Borrowed(&'a Dynamic, &'a Dynamic),
    Owned(Dynamic, Dynamic),
}

impl Inputs<'_> {
    /// The payload and context for one rule: a deep copy, or the values
    /// themselves when `last` and owned (they are not used again).
    fn copy_or_take(&mut self, last: bool) -> (Dynamic, Dynamic) {
        match self {
            Inputs::Borrowed(p, c) => ((*p).clone(), (*c).clone()),
            Inputs::Owned(p, c) if last => (
                std::mem::replace(p, Dynamic::UNIT),
                std::mem::replace(c, Dynamic::UNIT),
            ),
            Inputs::Owned(p, c) => (p.clone(), c.clone()),
        }
    }
}

/// The variables every rule sees, in scope order.
const RULE_VARIABLES: [&str; 3] = ["submission", "context", "params"];

/// Binds a rule's variables in `scope` for the next run. The scope is the
/// previous rule's: whatever that script declared is dropped, and when the
/// three entries are still ours (in order, not constant) their values are
/// replaced in place. That skips what pushing them anew costs: a name
/// allocated per entry and a walk over every nested value to set its access
/// mode (our values are freshly built or copied, so already read-write).
/// Otherwise the scope is rebuilt from empty.
fn bind(scope: &mut Scope<'_>, values: [Dynamic; 3]) {
    scope.rewind(RULE_VARIABLES.len());
    let ours = scope.len() == RULE_VARIABLES.len()
        && scope
            .iter_raw()
            .zip(RULE_VARIABLES)
            .all(|((name, constant, _), want)| name == want && !constant);
    if ours {
        for (name, value) in RULE_VARIABLES.into_iter().zip(values) {
            if let Some(slot) = scope.get_mut(name) {
                *slot = value;
            }
        }
    } else {
        scope.clear();
        for (name, value) in RULE_VARIABLES.into_iter().zip(values) {
            scope.push_dynamic(name, value);
        }
    }
}

fn into_root(err: EvalAltResult) -> EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _)
        | EvalAltResult::ErrorInModule(_, inner, _) => into_root(*inner),
        e => e,
    }
}

fn runtime_message(mut err: EvalAltResult) -> String {
    match err {
        // `throw "text"`: the thrown value is the message.
        EvalAltResult::ErrorRuntime(v, _) => v.to_string(),
        _ => {
            // The position is reported separately.
            err.clear_position();
            err.to_string()
        }
    }
}

fn to_position(p: rhai::Position) -> Option<Position> {
    let line = u32::try_from(p.line()?).ok()?;
    let column = p
        .position()
        .and_then(|c| u32::try_from(c).ok())
        .unwrap_or(0);
    Some(Position { line, column })
}

fn bad_result(rule: &RuleSource, message: String) -> RuleOutcome {
    RuleOutcome::Error {
        rule_id: rule.id.clone(),
        kind: RuleErrorKind::BadResult,
        message,
        position: None,
    }
}

/// Interprets what a rule returned: `()`/`false` clear, `true` a finding
/// with the rule's defaults, a string a finding with that explanation, a map
/// a finding with overrides; anything else is the author's mistake.
fn outcome_from_value(rule: &RuleSource, v: Dynamic) -> RuleOutcome {
    let finding = |explanation: String, severity: Severity, likelihood: u8, impact: u8| {
        RuleOutcome::Finding {
            rule_id: rule.id.clone(),
            severity,
            likelihood,
            impact,
            explanation,
        }
    };
    if v.is_unit() {
        return RuleOutcome::Clear {
            rule_id: rule.id.clone(),
        };
    }
    if let Ok(b) = v.as_bool() {
        return if b {
            finding(rule.id.clone(), rule.severity, rule.likelihood, rule.impact)
        } else {
            RuleOutcome::Clear {
                rule_id: rule.id.clone(),
            }
        };
    }
    if v.is_string() {
        let s = v.to_string();
        if s.trim().is_empty() {
            return bad_result(rule, "rule returned an empty explanation".into());
        }
        return finding(s, rule.severity, rule.likelihood, rule.impact);
    }
    let type_name = v.type_name();
    let Some(map) = v.try_cast::<Map>() else {
        return bad_result(
            rule,
            format!("rule returned {type_name}; expected (), a bool, a string or a map"),
        );
    };
    match finding_from_map(rule, &map) {
        Ok((e, s, l, i)) => finding(e, s, l, i),
        Err(m) => bad_result(rule, m),
    }
}

fn finding_from_map(rule: &RuleSource, map: &Map) -> Result<(String, Severity, u8, u8), String> {
    // Unknown keys are rejected so a typo (`severty`) is not silently ignored.
    if let Some(k) = map.keys().find(|k| {
        !matches!(
            k.as_str(),
            "explanation" | "severity" | "likelihood" | "impact"
        )
    }) {
        return Err(format!("unknown key {:?} in result map", k.as_str()));
    }
    let explanation = match map.get("explanation") {
        Some(e) if e.is_string() && !e.to_string().trim().is_empty() => e.to_string(),
        _ => return Err("result map needs a non-empty string `explanation`".into()),
    };
    let severity = match map.get("severity") {
        None => rule.severity,
        Some(s) => s
            .clone()
            .into_immutable_string()
            .ok()
            .and_then(|s| Severity::parse(&s))
            .ok_or("`severity` must be one of \"low\", \"medium\", \"high\", \"critical\"")?,
    };
    let score = |key: &str, default: u8| -> Result<u8, String> {
        match map.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_int()
                .ok()
                .filter(|i| (1..=5).contains(i))
                .and_then(|i| u8::try_from(i).ok())
                .ok_or_else(|| format!("`{key}` must be an integer 1..=5")),
        }
    };
    Ok((
        explanation,
        severity,
        score("likelihood", rule.likelihood)?,
        score("impact", rule.impact)?,
    ))
}
