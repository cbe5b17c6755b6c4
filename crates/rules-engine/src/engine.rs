//! The Rhai engine with every limit on, rule compilation and evaluation.

use crate::convert::{json_to_dynamic, merge_context, own_context};
use crate::functions;
use adal_sandbox_protocol::{
    CompileError, Facts, MAX_FACT_CHARS, MAX_FACTS, Position, RuleErrorKind, RuleOutcome,
    RuleSource, Severity, SubmissionInput, SubmissionResult,
};
use rhai::{AST, Dynamic, Engine, EvalAltResult, Map, Scope};
use std::cell::Cell;
use std::collections::HashSet;
use std::time::{Duration, Instant};

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
    /// Wall-clock time one rule may run on one submission. The operations
    /// limit bounds work, not time: a few thousand operations that each
    /// scan a large string or array stay far under it and can still hold
    /// the process for seconds, delaying every other rule in the request.
    pub max_rule_time: Duration,
}

impl Limits {
    /// Rhai reads a limit of 0 as "no limit"; a zero here is a mistake, so
    /// it becomes the tightest limit instead of none.
    fn at_least_one(self) -> Self {
        Limits {
            max_operations: self.max_operations.max(1),
            max_call_levels: self.max_call_levels.max(1),
            max_expr_depth: self.max_expr_depth.max(1),
            max_function_expr_depth: self.max_function_expr_depth.max(1),
            max_string_size: self.max_string_size.max(1),
            max_array_size: self.max_array_size.max(1),
            max_map_size: self.max_map_size.max(1),
            max_variables: self.max_variables.max(1),
            max_functions: self.max_functions.max(1),
            max_rule_time: self.max_rule_time,
        }
    }
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
            max_rule_time: Duration::from_millis(1000),
        }
    }
}

/// What one rule did with one submission. Wider than the wire's
/// [`RuleOutcome`], which carries findings and errors only: the fixture
/// runner tells a clear fixture from one its rule skipped, and the
/// red-flag pass memoizes whatever a rule did.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleRun {
    /// The rule's `kinds` do not include the submission's kind.
    Skipped,
    /// The rule ran and found nothing.
    Clear,
    /// A finding or a rule error.
    Reported(RuleOutcome),
}

/// A submission's `context` that cannot be merged with the request's
/// shared context: it is neither null nor an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextNotAnObject {
    pub submission_id: String,
}

impl std::fmt::Display for ContextNotAnObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "submission {:?}: context must be null or an object to merge with the shared context",
            self.submission_id
        )
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

/// The value `on_progress` stops a rule with when its time is up, so that
/// [`RuleEngine::outcome_from_error`] can tell it from any other
/// termination.
const TIME_LIMIT_TOKEN: &str = "adal:rule-time-limit";

/// Reading the clock on every operation would cost about as much as the
/// operations themselves; every 64th costs little. A rule can overshoot
/// its time by 64 of its slowest operations (a scan of a 10,000-element
/// array is one): a few milliseconds in a release build.
const CLOCK_EVERY_OPS: u64 = 64;

thread_local! {
    /// When the rule running on this thread must stop. Per thread, because
    /// one engine serves every thread (the red-flag pass runs rules on
    /// several) and `on_progress` is told nothing but the operation count.
    static RULE_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Sets this thread's rule deadline for as long as it lives, so a rule's
/// deadline never outlives its run, whichever way the run ends.
struct DeadlineGuard;

impl DeadlineGuard {
    fn start(limit: Duration) -> Self {
        RULE_DEADLINE.with(|d| d.set(Instant::now().checked_add(limit)));
        DeadlineGuard
    }
}

impl Drop for DeadlineGuard {
    fn drop(&mut self) {
        RULE_DEADLINE.with(|d| d.set(None));
    }
}

/// `on_progress`: stops the rule once this thread's deadline has passed.
fn past_deadline(ops: u64) -> Option<Dynamic> {
    if !ops.is_multiple_of(CLOCK_EVERY_OPS) {
        return None;
    }
    let deadline = RULE_DEADLINE.with(Cell::get)?;
    (Instant::now() >= deadline).then(|| Dynamic::from(TIME_LIMIT_TOKEN))
}

/// `on_var`: refuses to read a map or array variable that is over its size
/// limit.
///
/// Rhai checks sizes where a value grows, with one gap: `m[k] = v` on a map
/// checks the value stored, not the map, so a map grown key by key (in a
/// loop, a function or a closure) was never refused, or only at some later
/// method call on it. Every such assignment reads `m` first, and so does
/// any later use of it, so checking here stops the growth at the next
/// assignment to the map, with that statement's position, one entry past
/// the limit. Only the top level is counted, which is constant time: the
/// check runs on every variable read. A map nested in another (`m.a[k] =
/// v`) is caught by Rhai at the next method call on it, and its growth is
/// bounded in any case by the operations and time limits.
fn within_size_limits(
    limits: &Limits,
    name: &str,
    ctx: &rhai::EvalContext,
) -> Result<Option<Dynamic>, Box<EvalAltResult>> {
    let Some(value) = ctx.scope().get(name) else {
        return Ok(None);
    };
    let too_large = |what: &str| {
        Err(EvalAltResult::ErrorDataTooLarge(what.to_string(), rhai::Position::NONE).into())
    };
    if let Some(map) = value.read_lock::<Map>()
        && map.len() > limits.max_map_size
    {
        return too_large("Size of object map");
    }
    if let Some(array) = value.read_lock::<rhai::Array>()
        && array.len() > limits.max_array_size
    {
        return too_large("Size of array/BLOB");
    }
    Ok(None)
}

impl RuleEngine {
    pub fn new(limits: Limits) -> Self {
        let limits = limits.at_least_one();
        let mut engine = Engine::new();
        engine
            .set_max_operations(limits.max_operations)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_array_size)
            .set_max_map_size(limits.max_map_size)
            // Counted per scope: the rule's body, and each call of one of
            // its functions or closures (which start from an empty scope),
            // so together at most `max_call_levels` times this.
            .set_max_variables(limits.max_variables)
            .set_max_functions(limits.max_functions)
            // Rules are self-contained: no `import`, and no file access
            // through the default file module resolver.
            .set_max_modules(0)
            .set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new())
            // Stdout is the protocol channel; a rule printing to it would
            // corrupt the stream. Output from rules goes nowhere.
            .on_print(|_| {})
            .on_debug(|_, _, _| {})
            .on_progress(past_deadline);
        let size_limits = limits;
        // `on_var` is marked volatile in Rhai (it may change), not going away.
        #[allow(deprecated)]
        engine.on_var(move |name, _, ctx| within_size_limits(&size_limits, name, &ctx));
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
        self.evaluate_converted(rules, sub, own_context(&sub.context))
    }

    /// [`evaluate`](Self::evaluate) with the request's shared context,
    /// converted once by the caller for the whole request: the
    /// submission's rules see a copy of it with the submission's own
    /// `context` keys over it.
    pub fn evaluate_shared(
        &self,
        rules: &[CompiledRule],
        sub: &SubmissionInput,
        shared: &Map,
    ) -> Result<SubmissionResult, ContextNotAnObject> {
        let context = merge_context(shared, &sub.context).ok_or_else(|| ContextNotAnObject {
            submission_id: sub.id.clone(),
        })?;
        Ok(self.evaluate_converted(rules, sub, context))
    }

    fn evaluate_converted(
        &self,
        rules: &[CompiledRule],
        sub: &SubmissionInput,
        context: Dynamic,
    ) -> SubmissionResult {
        let payload = json_to_dynamic(&sub.payload);
        let mut clear = Vec::new();
        let mut outcomes = Vec::new();
        self.evaluate_inputs(
            rules,
            &sub.kind,
            Inputs::Owned(payload, context),
            |rule, run| match run {
                RuleRun::Skipped => {}
                RuleRun::Clear => clear.push(rule.source.id.clone()),
                RuleRun::Reported(o) => outcomes.push(o),
            },
        );
        SubmissionResult {
            id: sub.id.clone(),
            clear,
            outcomes,
        }
    }

    /// What each rule did with `sub` (no shared context), in rule order:
    /// the detail [`evaluate`](Self::evaluate) sums up for the wire.
    pub fn runs(&self, rules: &[CompiledRule], sub: &SubmissionInput) -> Vec<RuleRun> {
        let payload = json_to_dynamic(&sub.payload);
        let mut runs = Vec::with_capacity(rules.len());
        self.evaluate_inputs(
            rules,
            &sub.kind,
            Inputs::Owned(payload, own_context(&sub.context)),
            |_, run| runs.push(run),
        );
        runs
    }

    /// [`evaluate`](Self::evaluate) on a payload and context already
    /// converted for Rhai, handing each rule with what it did to `out`,
    /// in rule order. For callers that build the submission natively (the
    /// red-flag pass evaluates its rules on 100,000s of them): no JSON in
    /// between, and one scope reused across the rules. Each rule still
    /// gets its own copy of the payload, context and parameters, so
    /// nothing a rule does to them is seen by the next.
    pub fn evaluate_dynamic(
        &self,
        rules: &[CompiledRule],
        kind: &str,
        payload: &Dynamic,
        context: &Dynamic,
        out: impl FnMut(&CompiledRule, RuleRun),
    ) {
        self.evaluate_inputs(rules, kind, Inputs::Borrowed(payload, context), out);
    }

    fn evaluate_inputs(
        &self,
        rules: &[CompiledRule],
        kind: &str,
        mut inputs: Inputs<'_>,
        mut out: impl FnMut(&CompiledRule, RuleRun),
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
                out(rule, RuleRun::Skipped);
                continue;
            }
            let (payload, context) = inputs.copy_or_take(Some(i) == last);
            out(rule, self.run_rule(&mut scope, rule, payload, context));
        }
    }

    fn run_rule(
        &self,
        scope: &mut Scope<'_>,
        rule: &CompiledRule,
        submission: Dynamic,
        context: Dynamic,
    ) -> RuleRun {
        bind(
            scope,
            [submission, context, Dynamic::from_map(rule.params.clone())],
        );
        let result = {
            let _deadline = DeadlineGuard::start(self.limits.max_rule_time);
            self.engine.eval_ast_with_scope::<Dynamic>(scope, &rule.ast)
        };
        match result {
            Ok(v) => outcome_from_value(&rule.source, v),
            Err(e) => self.outcome_from_error(&rule.source, *e),
        }
    }

    fn outcome_from_error(&self, rule: &RuleSource, err: EvalAltResult) -> RuleRun {
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
            EvalAltResult::ErrorTerminated(token, _)
                if token.clone().into_immutable_string().ok().as_deref()
                    == Some(TIME_LIMIT_TOKEN) =>
            {
                Some(format!(
                    "time limit ({} ms) exceeded",
                    l.max_rule_time.as_millis()
                ))
            }
            EvalAltResult::ErrorTerminated(_, _) => Some("evaluation terminated".to_string()),
            _ => None,
        };
        let (kind, message) = match limit {
            Some(m) => (RuleErrorKind::Limit, m),
            None => (RuleErrorKind::Runtime, runtime_message(root)),
        };
        RuleRun::Reported(RuleOutcome::Error {
            rule_id: rule.id.clone(),
            kind,
            message,
            position: to_position(pos),
        })
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

fn bad_result(rule: &RuleSource, message: String) -> RuleRun {
    RuleRun::Reported(RuleOutcome::Error {
        rule_id: rule.id.clone(),
        kind: RuleErrorKind::BadResult,
        message,
        position: None,
    })
}

/// Interprets what a rule returned: `()`/`false` clear, `true` a finding
/// with the rule's defaults, a string a finding with that explanation, a map
/// a finding with overrides; anything else is the author's mistake.
fn outcome_from_value(rule: &RuleSource, v: Dynamic) -> RuleRun {
    let finding = |f: Found| {
        RuleRun::Reported(RuleOutcome::Finding {
            rule_id: rule.id.clone(),
            severity: f.severity,
            likelihood: f.likelihood,
            impact: f.impact,
            explanation: f.explanation,
            facts: f.facts,
        })
    };
    let plain = |explanation: String| Found {
        explanation,
        severity: rule.severity,
        likelihood: rule.likelihood,
        impact: rule.impact,
        facts: Facts::new(),
    };
    if v.is_unit() {
        return RuleRun::Clear;
    }
    if let Ok(b) = v.as_bool() {
        return if b {
            finding(plain(rule.id.clone()))
        } else {
            RuleRun::Clear
        };
    }
    if v.is_string() {
        let s = v.to_string();
        if s.trim().is_empty() {
            return bad_result(rule, "rule returned an empty explanation".into());
        }
        return finding(plain(s));
    }
    let type_name = v.type_name();
    let Some(map) = v.try_cast::<Map>() else {
        return bad_result(
            rule,
            format!("rule returned {type_name}; expected (), a bool, a string or a map"),
        );
    };
    match finding_from_map(rule, &map) {
        Ok(f) => finding(f),
        Err(m) => bad_result(rule, m),
    }
}

/// A finding as a rule's result map describes it.
struct Found {
    explanation: String,
    severity: Severity,
    likelihood: u8,
    impact: u8,
    facts: Facts,
}

fn finding_from_map(rule: &RuleSource, map: &Map) -> Result<Found, String> {
    // Unknown keys are rejected so a typo (`severty`) is not silently ignored.
    if let Some(k) = map.keys().find(|k| {
        !matches!(
            k.as_str(),
            "explanation" | "severity" | "likelihood" | "impact" | "facts"
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
    Ok(Found {
        explanation,
        severity,
        likelihood: score("likelihood", rule.likelihood)?,
        impact: score("impact", rule.impact)?,
        facts: match map.get("facts") {
            None => Facts::new(),
            Some(f) => facts_from(f)?,
        },
    })
}

/// A result map's `facts`: a map of `snake_case` names to strings, numbers,
/// amounts, dates or booleans (each kept as its text), bounded in count and
/// size. `()` values are left out, so a rule can pass an optional field
/// as it is.
fn facts_from(v: &Dynamic) -> Result<Facts, String> {
    let Some(map) = v.read_lock::<Map>() else {
        return Err(format!("`facts` must be a map, not {}", v.type_name()));
    };
    if map.len() > MAX_FACTS {
        return Err(format!(
            "`facts` has {} entries; at most {MAX_FACTS} are kept",
            map.len()
        ));
    }
    let mut facts = Facts::new();
    for (k, v) in map.iter() {
        let name_ok = k.starts_with(|c: char| c.is_ascii_lowercase())
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            return Err(format!(
                "fact name {:?} must be snake_case (a-z, 0-9, _)",
                k.as_str()
            ));
        }
        if v.is_unit() {
            continue;
        }
        if v.is_map() || v.is_array() || v.is_blob() || v.is_fnptr() {
            return Err(format!(
                "fact {:?} is {}; facts are strings, numbers, amounts or dates",
                k.as_str(),
                v.type_name()
            ));
        }
        let text = v.to_string();
        if text.chars().count() > MAX_FACT_CHARS {
            return Err(format!(
                "fact {:?} is longer than {MAX_FACT_CHARS} characters",
                k.as_str()
            ));
        }
        facts.insert(k.to_string(), text);
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every limit reaches Rhai, and a zero (which Rhai reads as "none")
    /// becomes the tightest limit instead.
    #[test]
    fn every_limit_is_set_on_the_engine() {
        let l = Limits::default();
        let e = RuleEngine::new(l).engine;
        assert_eq!(e.max_operations(), l.max_operations);
        assert_eq!(e.max_call_levels(), l.max_call_levels);
        assert_eq!(e.max_expr_depth(), l.max_expr_depth);
        assert_eq!(e.max_function_expr_depth(), l.max_function_expr_depth);
        assert_eq!(e.max_string_size(), l.max_string_size);
        assert_eq!(e.max_array_size(), l.max_array_size);
        assert_eq!(e.max_map_size(), l.max_map_size);
        assert_eq!(e.max_variables(), l.max_variables);
        assert_eq!(e.max_functions(), l.max_functions);
        assert_eq!(e.max_modules(), 0);

        let zero = Limits {
            max_operations: 0,
            max_variables: 0,
            max_map_size: 0,
            ..l
        };
        let engine = RuleEngine::new(zero);
        assert_eq!(engine.engine.max_operations(), 1);
        assert_eq!(engine.engine.max_variables(), 1);
        assert_eq!(engine.engine.max_map_size(), 1);
        assert_eq!(engine.limits().max_variables, 1);
    }
}
