//! A pool of `adal-rules serve` sandbox processes.
//!
//! Tenant rules run only in those processes (see DESIGN.md, "Where tenant
//! code runs"). The pool starts them with an empty environment in an empty
//! directory, gives each request a deadline, and replaces a process that
//! misses it or dies, so one tenant's runaway rule costs one request, never
//! the service.

use adal_sandbox_protocol::{
    CompileError, FailureCode, PROTOCOL_VERSION, Request, Response, RuleOutcome, RuleSource,
    RuleUnderTest, SubmissionInput, SubmissionResult, TestReport,
};
mod redflags;
pub use redflags::{RedFlagsOutput, RedFlagsRun};

use std::collections::{BTreeSet, HashSet};
use std::io;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Longest response line accepted from a sandbox. A process sending more is
/// misbehaving and is replaced rather than allowed to exhaust our memory.
pub const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Path to the `adal-rules` binary.
    pub binary: PathBuf,
    /// Number of sandbox processes, i.e. requests served concurrently.
    pub pool_size: usize,
    /// Deadline for each request to a process (each load, evaluate or
    /// check, and the handshake of a new process).
    pub deadline: Duration,
    /// Address-space limit of each process, passed as `--memory-mb`.
    pub memory_mb: u64,
    /// Working directory of the processes: an empty directory, so a rule
    /// could find nothing there even if it could look.
    pub work_dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot start sandbox {binary}: {source}")]
    Spawn {
        binary: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The request missed its deadline; the process was killed and will be
    /// replaced.
    #[error("sandbox request exceeded its deadline")]
    Deadline,
    /// The process died during the request; it will be replaced.
    #[error("sandbox process died during the request")]
    Crashed,
    #[error("i/o error talking to the sandbox: {0}")]
    Io(#[from] io::Error),
    /// The process answered something that does not fit the protocol; it
    /// was replaced, since its stream can no longer be trusted.
    #[error("sandbox protocol error: {0}")]
    Protocol(String),
    /// The rule set does not compile.
    #[error("{} rule(s) do not compile", .0.len())]
    CompileFailed(Vec<CompileError>),
    /// The sandbox refused the request.
    #[error("sandbox refused the request ({code:?}): {message}")]
    Failed { code: FailureCode, message: String },
}

/// The pool. Processes start lazily, on first use or after one was replaced.
pub struct SandboxPool {
    config: SandboxConfig,
    /// Idle slots; `None` is a slot whose process must be (re)started.
    idle: Mutex<Vec<Option<Worker>>>,
    /// One permit per slot, so a permit holder always finds a slot in `idle`.
    permits: Semaphore,
    pids: Arc<Mutex<BTreeSet<u32>>>,
    next_id: AtomicU64,
}

impl SandboxPool {
    pub fn new(config: SandboxConfig) -> Self {
        let size = config.pool_size.max(1);
        SandboxPool {
            idle: Mutex::new((0..size).map(|_| None).collect()),
            permits: Semaphore::new(size),
            pids: Arc::new(Mutex::new(BTreeSet::new())),
            next_id: AtomicU64::new(1),
            config,
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Process ids of the live sandbox processes, busy or idle.
    pub fn pids(&self) -> Vec<u32> {
        lock(&self.pids).iter().copied().collect()
    }

    /// Starts every process not yet running, so the first requests do not
    /// pay for it and a wrong binary path shows at startup.
    pub async fn start(&self) -> Result<(), SandboxError> {
        let mut leases = Vec::new();
        for _ in 0..self.config.pool_size.max(1) {
            let mut lease = self.lease().await?;
            lease.worker().await?;
            leases.push(lease);
        }
        Ok(())
    }

    /// Compiles `rules` without keeping them; returns the compile errors
    /// (empty when every rule compiles).
    pub async fn check(&self, rules: &[RuleSource]) -> Result<Vec<CompileError>, SandboxError> {
        let mut lease = self.lease().await?;
        let id = self.next_id();
        let req = Request::Check {
            id,
            rules: rules.to_vec(),
        };
        match lease.call(&req).await? {
            Response::Checked { errors, .. } => Ok(errors),
            other => Err(unexpected(other)),
        }
    }

    /// Runs every fixture of `rules` in a sandbox process (fixtures are
    /// tenant code like any rule).
    pub async fn test(&self, rules: &[RuleUnderTest]) -> Result<TestReport, SandboxError> {
        let mut lease = self.lease().await?;
        let req = Request::Test {
            id: self.next_id(),
            rules: rules.to_vec(),
        };
        match lease.call(&req).await? {
            Response::Tested { report, .. } => Ok(report),
            other => Err(unexpected(other)),
        }
    }

    /// Evaluates `subs` against the rule set `key` (the caller's content
    /// hash of `rules`) with no shared context: each submission carries
    /// all of its own.
    pub async fn evaluate(
        &self,
        key: &str,
        rules: &[RuleSource],
        subs: Vec<SubmissionInput>,
    ) -> Result<Vec<SubmissionResult>, SandboxError> {
        self.evaluate_batch(key, rules, serde_json::Value::Null, subs)
            .await
    }

    /// Evaluates `subs` against the rule set `key` (the caller's content
    /// hash of `rules`), loading it into the process first if that process
    /// has not loaded it yet. `shared` (an object, or null) is the context
    /// common to every submission, sent once: each submission's rules see
    /// it under the submission's own `context`, whose keys win.
    ///
    /// Results come in the order of `subs`. An answer that does not fit
    /// the request (another number of results, results out of order, a
    /// rule id not in `rules`) is a protocol error, and the process that
    /// gave it is replaced.
    pub async fn evaluate_batch(
        &self,
        key: &str,
        rules: &[RuleSource],
        shared: serde_json::Value,
        subs: Vec<SubmissionInput>,
    ) -> Result<Vec<SubmissionResult>, SandboxError> {
        let mut lease = self.lease().await?;
        if !lease.worker().await?.loaded.contains(key) {
            self.load(&mut lease, key, rules).await?;
        }
        let mut req = Request::Evaluate {
            id: self.next_id(),
            key: key.to_string(),
            shared,
            submissions: subs,
        };
        let mut response = lease.call(&req).await?;
        if let Response::Failed {
            code: FailureCode::UnknownRuleSet,
            ..
        } = response
        {
            // The process evicted the set from its bounded cache: load it
            // again and retry once.
            self.load(&mut lease, key, rules).await?;
            if let Request::Evaluate { id, .. } = &mut req {
                *id = self.next_id();
            }
            response = lease.call(&req).await?;
        }
        let Request::Evaluate { submissions, .. } = &req else {
            return Err(SandboxError::Protocol("request changed kind".into()));
        };
        match response {
            Response::Evaluated { results, .. } => {
                match check_results(rules, submissions, &results) {
                    Ok(()) => Ok(results),
                    Err(e) => {
                        // Its stream can no longer be trusted.
                        lease.discard();
                        Err(SandboxError::Protocol(e))
                    }
                }
            }
            other => Err(unexpected(other)),
        }
    }

    async fn load(
        &self,
        lease: &mut Lease<'_>,
        key: &str,
        rules: &[RuleSource],
    ) -> Result<(), SandboxError> {
        let req = Request::Load {
            id: self.next_id(),
            key: key.to_string(),
            rules: rules.to_vec(),
        };
        match lease.call(&req).await? {
            Response::Loaded { .. } => {
                lease.worker().await?.loaded.insert(key.to_string());
                Ok(())
            }
            Response::Failed {
                code: FailureCode::CompileFailed,
                errors,
                ..
            } => Err(SandboxError::CompileFailed(errors)),
            other => Err(unexpected(other)),
        }
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    async fn lease(&self) -> Result<Lease<'_>, SandboxError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| SandboxError::Protocol("sandbox pool closed".into()))?;
        // Holding a permit guarantees an idle slot: slots are returned
        // before permits (see `Lease`'s field order).
        let slot = lock(&self.idle).pop().flatten();
        Ok(Lease {
            pool: self,
            worker: slot,
            _permit: permit,
        })
    }

    /// Starts `adal-rules SUBCOMMAND --memory-mb N ARGS...` as every
    /// sandbox process starts: an empty environment, the empty working
    /// directory, stdin and stdout piped, killed when dropped.
    fn start_process(
        &self,
        subcommand: &str,
        args: &[&std::ffi::OsStr],
        stderr: Stdio,
    ) -> Result<Child, SandboxError> {
        let cfg = &self.config;
        Command::new(&cfg.binary)
            .arg(subcommand)
            .arg("--memory-mb")
            .arg(cfg.memory_mb.to_string())
            .args(args)
            .env_clear()
            .current_dir(&cfg.work_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| SandboxError::Spawn {
                binary: cfg.binary.clone(),
                source,
            })
    }

    async fn spawn(&self) -> Result<Worker, SandboxError> {
        let cfg = &self.config;
        let mut child = self.start_process("serve", &[], Stdio::inherit())?;
        let (Some(stdin), Some(stdout), Some(pid)) =
            (child.stdin.take(), child.stdout.take(), child.id())
        else {
            return Err(SandboxError::Protocol(
                "sandbox started without pipes".into(),
            ));
        };
        lock(&self.pids).insert(pid);
        let mut worker = Worker {
            child,
            stdin,
            // Evaluation answers run to megabytes: read them in pipe-sized
            // chunks rather than the default 8 KiB.
            stdout: BufReader::with_capacity(64 * 1024, stdout),
            loaded: HashSet::new(),
            pid,
            pids: Arc::clone(&self.pids),
            in_flight: false,
        };
        let id = self.next_id();
        match worker.call(&Request::Hello { id }, cfg.deadline).await? {
            Response::Hello { protocol, .. } if protocol == PROTOCOL_VERSION => {
                tracing::debug!(pid, "sandbox process started");
                Ok(worker)
            }
            // An older or newer `adal-rules` would misread our requests or
            // we its answers (a v2 sandbox lists every skipped rule and
            // ignores `shared`): refuse it rather than evaluate wrongly.
            Response::Hello {
                protocol, engine, ..
            } => Err(SandboxError::Protocol(format!(
                "{engine} ({}) speaks protocol {protocol}, this service {PROTOCOL_VERSION}",
                cfg.binary.display()
            ))),
            other => Err(SandboxError::Protocol(format!(
                "unexpected handshake answer: {other:?}"
            ))),
        }
    }
}

/// Whether `results` answer `subs` under `rules`: one result per
/// submission, in order, naming only rules of the set. The client cannot
/// tell a skipped rule from a lost one, so it must trust the rest.
fn check_results(
    rules: &[RuleSource],
    subs: &[SubmissionInput],
    results: &[SubmissionResult],
) -> Result<(), String> {
    if results.len() != subs.len() {
        return Err(format!(
            "{} results for {} submissions",
            results.len(),
            subs.len()
        ));
    }
    let ids: HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    for (sub, result) in subs.iter().zip(results) {
        if result.id != sub.id {
            return Err(format!(
                "result for {:?} where {:?} was expected",
                result.id, sub.id
            ));
        }
        let named = result
            .clear
            .iter()
            .map(String::as_str)
            .chain(result.outcomes.iter().map(RuleOutcome::rule_id));
        for rule_id in named {
            if !ids.contains(rule_id) {
                return Err(format!(
                    "result for {:?} names rule {rule_id:?}, not in the rule set",
                    sub.id
                ));
            }
        }
    }
    Ok(())
}

fn unexpected(resp: Response) -> SandboxError {
    match resp {
        Response::Failed { code, message, .. } => SandboxError::Failed { code, message },
        other => SandboxError::Protocol(format!("unexpected response: {other:?}")),
    }
}

/// A poisoned lock only means another thread panicked while holding it; the
/// data (a set of pids, a list of slots) is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A slot taken from the pool for one call of the public API. Dropping it
/// returns the slot; a process left mid-request (the caller's future was
/// cancelled) is discarded, since its next line would answer the old request.
struct Lease<'a> {
    pool: &'a SandboxPool,
    worker: Option<Worker>,
    // Declared last so it is released after `drop` has returned the slot.
    _permit: SemaphorePermit<'a>,
}

impl Lease<'_> {
    async fn worker(&mut self) -> Result<&mut Worker, SandboxError> {
        if self.worker.is_none() {
            self.worker = Some(self.pool.spawn().await?);
        }
        self.worker
            .as_mut()
            .ok_or_else(|| SandboxError::Protocol("no sandbox process".into()))
    }

    /// Sends one request; on a deadline, crash or protocol error the
    /// process is killed and the slot left empty, to be refilled on next use.
    async fn call(&mut self, req: &Request) -> Result<Response, SandboxError> {
        let deadline = self.pool.config.deadline;
        let result = self.worker().await?.call(req, deadline).await;
        if let Err(e) = &result {
            if let Some(w) = &self.worker {
                tracing::warn!(pid = w.pid, error = %e, "replacing sandbox process");
            }
            self.discard();
        }
        result
    }

    fn discard(&mut self) {
        if let Some(mut w) = self.worker.take() {
            // Kill now rather than wait for the drop's kill, so the CPU a
            // runaway rule burns is freed before we return.
            let _ = w.child.start_kill();
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if self.worker.as_ref().is_some_and(|w| w.in_flight) {
            self.discard();
        }
        lock(&self.pool.idle).push(self.worker.take());
    }
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Rule-set keys this process has loaded.
    loaded: HashSet<String>,
    pid: u32,
    pids: Arc<Mutex<BTreeSet<u32>>>,
    /// A request was sent and its answer not yet read.
    in_flight: bool,
}

impl Worker {
    async fn call(&mut self, req: &Request, deadline: Duration) -> Result<Response, SandboxError> {
        let mut line = serde_json::to_string(req)
            .map_err(|e| SandboxError::Protocol(format!("cannot encode request: {e}")))?;
        line.push('\n');
        self.in_flight = true;
        let response = tokio::time::timeout(deadline, self.round_trip(line.as_bytes()))
            .await
            .map_err(|_| SandboxError::Deadline)??;
        self.in_flight = false;
        // A line the sandbox could not parse at all (or that was too long)
        // is answered with id 0; it is still the answer to this line.
        let unparsed = matches!(response, Response::Failed { id: 0, .. });
        if response.id() != req.id() && !unparsed {
            return Err(SandboxError::Protocol(format!(
                "answer to request {} while waiting for {}",
                response.id(),
                req.id()
            )));
        }
        Ok(response)
    }

    async fn round_trip(&mut self, line: &[u8]) -> Result<Response, SandboxError> {
        let crashed = |e: io::Error| match e.kind() {
            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => SandboxError::Crashed,
            _ => SandboxError::Io(e),
        };
        self.stdin.write_all(line).await.map_err(crashed)?;
        self.stdin.flush().await.map_err(crashed)?;
        let mut buf = String::new();
        let n = (&mut self.stdout)
            .take(MAX_RESPONSE_BYTES)
            .read_line(&mut buf)
            .await
            .map_err(crashed)?;
        if !buf.ends_with('\n') {
            return Err(if n as u64 >= MAX_RESPONSE_BYTES {
                SandboxError::Protocol("response line too long".into())
            } else {
                // EOF: the process exited or was killed.
                SandboxError::Crashed
            });
        }
        decode_response(&buf).map_err(|e| SandboxError::Protocol(format!("bad response: {e}")))
    }
}

/// Decodes one response line.
///
/// [`Response`] and [`RuleOutcome`] are internally tagged (`"status"`,
/// `"outcome"`), and serde decodes an internally tagged enum by first
/// buffering the value in a generic tree and then decoding that tree: for
/// an evaluation answer (megabytes and tens of thousands of outcomes for a
/// large batch) that nearly doubles the decoding time. So an `evaluated`
/// line is decoded into plain structs with the same fields, and anything
/// else (or a line that does not fit them) through [`Response`]'s own
/// decoding, which also gives the error message.
#[doc(hidden)]
pub fn decode_response(line: &str) -> Result<Response, serde_json::Error> {
    match serde_json::from_str::<wire::Evaluated>(line)
        .ok()
        .and_then(wire::Evaluated::into_response)
    {
        Some(response) => Ok(response),
        None => serde_json::from_str(line),
    }
}

/// The `evaluated` response as plain structs (see [`decode_response`]).
mod wire {
    use adal_sandbox_protocol::{
        Facts, Position, Response, RuleErrorKind, RuleOutcome, Severity, SubmissionResult,
    };
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        Evaluated,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Tag {
        Finding,
        Error,
    }

    #[derive(Deserialize)]
    pub(super) struct Evaluated {
        #[serde(rename = "status")]
        _status: Status,
        id: u64,
        results: Vec<Result>,
    }

    #[derive(Deserialize)]
    struct Result {
        id: String,
        clear: Vec<String>,
        outcomes: Vec<Outcome>,
    }

    /// Every variant's fields; which are required depends on `outcome`.
    #[derive(Deserialize)]
    struct Outcome {
        outcome: Tag,
        rule_id: String,
        severity: Option<Severity>,
        likelihood: Option<u8>,
        impact: Option<u8>,
        explanation: Option<String>,
        #[serde(default)]
        facts: Facts,
        kind: Option<RuleErrorKind>,
        message: Option<String>,
        position: Option<Position>,
    }

    impl Evaluated {
        /// `None` when an outcome lacks a field its variant requires.
        pub(super) fn into_response(self) -> Option<Response> {
            let results = self
                .results
                .into_iter()
                .map(|r| {
                    Some(SubmissionResult {
                        id: r.id,
                        clear: r.clear,
                        outcomes: r
                            .outcomes
                            .into_iter()
                            .map(Outcome::into_outcome)
                            .collect::<Option<_>>()?,
                    })
                })
                .collect::<Option<_>>()?;
            Some(Response::Evaluated {
                id: self.id,
                results,
            })
        }
    }

    impl Outcome {
        fn into_outcome(self) -> Option<RuleOutcome> {
            let rule_id = self.rule_id;
            Some(match self.outcome {
                Tag::Finding => RuleOutcome::Finding {
                    rule_id,
                    severity: self.severity?,
                    likelihood: self.likelihood?,
                    impact: self.impact?,
                    explanation: self.explanation?,
                    facts: self.facts,
                },
                Tag::Error => RuleOutcome::Error {
                    rule_id,
                    kind: self.kind?,
                    message: self.message?,
                    position: self.position,
                },
            })
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // The child itself is killed by `kill_on_drop`.
        lock(&self.pids).remove(&self.pid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use adal_sandbox_protocol::{Position, RuleErrorKind, Severity};

    #[test]
    fn decode_response_agrees_with_the_generic_decoding() {
        let evaluated = Response::Evaluated {
            id: 4,
            results: vec![SubmissionResult {
                id: "s1".into(),
                clear: vec!["b".into()],
                outcomes: vec![
                    RuleOutcome::Finding {
                        rule_id: "a".into(),
                        severity: Severity::High,
                        likelihood: 3,
                        impact: 4,
                        explanation: "why".into(),
                        facts: [("giver".to_owned(), "Alpha LLP".to_owned())].into(),
                    },
                    RuleOutcome::Error {
                        rule_id: "d".into(),
                        kind: RuleErrorKind::Limit,
                        message: "ops".into(),
                        position: Some(Position { line: 1, column: 2 }),
                    },
                    RuleOutcome::Error {
                        rule_id: "e".into(),
                        kind: RuleErrorKind::Runtime,
                        message: "boom".into(),
                        position: None,
                    },
                ],
            }],
        };
        let line = serde_json::to_string(&evaluated).unwrap();
        assert_eq!(decode_response(&line).unwrap(), evaluated);
        let hello = r#"{"status":"hello","id":1,"protocol":4,"engine":"x"}"#;
        assert!(matches!(
            decode_response(hello).unwrap(),
            Response::Hello { id: 1, .. }
        ));
        // A finding without its severity is an error either way, with the
        // generic decoding's message.
        let bad = r#"{"status":"evaluated","id":1,"results":[{"id":"s","clear":[],"outcomes":[{"outcome":"finding","rule_id":"a","likelihood":1,"impact":1,"explanation":"x"}]}]}"#;
        assert_eq!(
            decode_response(bad).unwrap_err().to_string(),
            serde_json::from_str::<Response>(bad)
                .unwrap_err()
                .to_string()
        );
    }

    fn rule(id: &str) -> RuleSource {
        RuleSource {
            id: id.into(),
            kinds: vec![],
            script: "()".into(),
            severity: Severity::Low,
            likelihood: 1,
            impact: 1,
            params: Default::default(),
        }
    }

    fn sub(id: &str) -> SubmissionInput {
        SubmissionInput {
            id: id.into(),
            kind: "gift".into(),
            payload: serde_json::Value::Null,
            context: serde_json::Value::Null,
        }
    }

    fn result(id: &str, clear: &[&str], errors: &[&str]) -> SubmissionResult {
        SubmissionResult {
            id: id.into(),
            clear: clear.iter().map(|c| (*c).to_owned()).collect(),
            outcomes: errors
                .iter()
                .map(|r| RuleOutcome::Error {
                    rule_id: (*r).to_owned(),
                    kind: RuleErrorKind::Runtime,
                    message: "boom".into(),
                    position: None,
                })
                .collect(),
        }
    }

    #[test]
    fn results_must_answer_the_request() {
        let rules = [rule("a"), rule("b")];
        let subs = [sub("s1"), sub("s2")];
        // A rule in neither list was skipped: fine.
        let good = [result("s1", &["a"], &["b"]), result("s2", &[], &[])];
        assert_eq!(check_results(&rules, &subs, &good), Ok(()));
        let short = [result("s1", &["a"], &[])];
        assert_eq!(
            check_results(&rules, &subs, &short).unwrap_err(),
            "1 results for 2 submissions"
        );
        let swapped = [result("s2", &[], &[]), result("s1", &[], &[])];
        assert!(
            check_results(&rules, &subs, &swapped)
                .unwrap_err()
                .contains("\"s2\" where \"s1\" was expected")
        );
        for bad in [
            [result("s1", &["a", "c"], &[]), result("s2", &[], &[])],
            [result("s1", &[], &[]), result("s2", &[], &["c"])],
        ] {
            assert!(
                check_results(&rules, &subs, &bad)
                    .unwrap_err()
                    .contains("rule \"c\", not in the rule set")
            );
        }
    }
}
