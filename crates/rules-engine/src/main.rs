//! `adal-rules`: the sandbox process (`serve`) and the rule authors' CLI
//! (`test`, `eval`, `redflags`). Every subcommand answers `--help`.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adal_rules_engine::confine::{self, Confinement};
use adal_rules_engine::library::{self, LibraryRule};
use adal_rules_engine::serve::MAX_LINE;
use adal_rules_engine::{Limits, RuleEngine, Server};
use adal_sandbox_protocol::SubmissionInput;
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// A subcommand's usage: its synopsis (after `adal-rules `), one line for
/// the general usage, and what `adal-rules SUBCOMMAND --help` prints
/// after the synopsis.
struct Usage {
    name: &'static str,
    synopsis: &'static str,
    summary: &'static str,
    details: &'static str,
}

const SERVE: Usage = Usage {
    name: "serve",
    synopsis: "serve [--memory-mb N] [--rule-time-ms N] [--no-confine]",
    summary: "the sandbox: protocol requests as JSON lines on stdin, answers on stdout",
    details: "\
The sandbox process the service starts (crates/sandbox): reads one request
per line on stdin (crates/sandbox-protocol) and writes one answer per line
on stdout, until stdin closes. Holds nothing but what the requests bring.

options:
  --memory-mb N      address-space limit of the process (default 1024)
  --rule-time-ms N   wall-clock time one rule may run on one submission
                     (default 1000)
  --no-confine       serve without the seccomp filter (only to debug)",
};

const TEST: Usage = Usage {
    name: "test",
    synopsis: "test DIR",
    summary: "run every rule's fixtures under DIR",
    details: "\
Loads every rule under DIR (RULE.toml + RULE.rhai, docs/rules.md), checks
its metadata and parameter declarations, and runs its fixtures. Prints
each failure and a summary; exit status 1 if any fixture fails.",
};

const EVAL: Usage = Usage {
    name: "eval",
    synopsis: "eval --rules DIR FILE|-",
    summary: "evaluate JSON lines of submissions against the rules under DIR",
    details: "\
Each line of FILE (- for standard input) is a submission:
{\"id\", \"kind\", \"payload\", \"context\"}. Prints one result per line, as
the sandbox answers: {\"id\", \"clear\": [rule ids], \"outcomes\": [findings
and errors]}; rules for other kinds appear in neither.",
};

const REDFLAGS: Usage = Usage {
    name: "redflags",
    synopsis: "redflags [--settings FILE.ini] [--no-meta] [--rules DIR] [--threads N] [--confine [--memory-mb N]] FILE|-",
    summary: "procurement red flags over JSON lines of OCDS compiled releases, as `ocdscardinal indicators`",
    details: "\
Computes the procurement red flags (rules/procurement/) over FILE, one OCDS
compiled release per line (- for standard input), and prints cardinal's
JSON (docs/redflags.md).

options:
  --settings FILE.ini, -s FILE.ini
                 a cardinal settings file (the whole file `ocdscardinal
                 init` writes is accepted; what is not used here is
                 noted on stderr); only the indicators with a section run
  --no-meta      leave out the Meta key (quartiles and fences)
  --rules DIR    the rules under DIR instead of the built-in copy
  --threads N    worker threads (default: one per core)
  --confine      as `serve` does: once the rules and settings are read,
                 cap memory and install the seccomp filter before reading
                 a line of input (needs FILE -, runs on one thread); the
                 service runs tenants' red flags this way
  --memory-mb N  address-space limit with --confine (default 1024)",
};

/// Not in the general usage: the tests' proof that confinement holds
/// (see `confinement_probe`).
const CONFINEMENT_PROBE: Usage = Usage {
    name: "confinement-probe",
    synopsis: "confinement-probe FILE HOST:PORT [serve options]",
    summary: "",
    details: "\
For the tests: tries to open FILE, connect to HOST:PORT and start a
process, confines itself as `serve` does with the same options, tries
again, and prints {\"before\": {...}, \"after\": {...}} (0 or the errno).",
};

const LISTED: [&Usage; 4] = [&SERVE, &TEST, &EVAL, &REDFLAGS];

fn usage() -> String {
    let mut text = String::from("usage:");
    for u in LISTED {
        text.push_str(&format!(
            "\n  adal-rules {}\n      {}",
            u.synopsis, u.summary
        ));
    }
    text.push_str(
        "\n  adal-rules SUBCOMMAND --help\n      what one subcommand does, with its options",
    );
    text
}

/// `adal-rules SUBCOMMAND --help`, and `adal-rules help SUBCOMMAND`.
fn help(name: &str) -> ExitCode {
    match LISTED
        .into_iter()
        .chain([&CONFINEMENT_PROBE])
        .find(|u| u.name == name)
    {
        Some(u) => {
            println!("usage: adal-rules {}\n\n{}", u.synopsis, u.details);
            ExitCode::SUCCESS
        }
        None => usage_error(&format!("no subcommand {name:?}")),
    }
}

fn is_help(arg: &&str) -> bool {
    matches!(*arg, "-h" | "--help")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        // Before anything else, so that `serve --help` never serves.
        [sub, rest @ ..] if !is_help(sub) && *sub != "help" && rest.iter().any(is_help) => {
            help(sub)
        }
        ["help", sub] => help(sub),
        ["serve", rest @ ..] => match serve_args(rest) {
            Ok(opts) => serve(&opts),
            Err(e) => usage_error(&e),
        },
        ["confinement-probe", file, addr, rest @ ..] => match serve_args(rest) {
            Ok(opts) => confinement_probe(&opts, file, addr),
            Err(e) => usage_error(&e),
        },
        ["test", dir] => test(Path::new(dir)),
        ["eval", "--rules", dir, file] => eval(Path::new(dir), file),
        ["redflags", rest @ ..] => redflags(rest),
        ["-h" | "--help" | "help"] => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        _ => usage_error("unknown arguments"),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("adal-rules: {msg}\n{}", usage());
    ExitCode::from(2)
}

/// Limits the process before reading any request: tenant code runs here, so
/// memory is capped and the process can neither write files nor open many
/// descriptors, and never dumps core (a core would hold tenants' data).
fn set_limits(memory_mb: u64) -> io::Result<()> {
    use rlimit::{Resource, setrlimit};
    let bytes = memory_mb.saturating_mul(1024 * 1024);
    setrlimit(Resource::AS, bytes, bytes)?;
    setrlimit(Resource::FSIZE, 0, 0)?;
    setrlimit(Resource::NOFILE, 16, 16)?;
    setrlimit(Resource::CORE, 0, 0)?;
    Ok(())
}

#[derive(Clone, Copy)]
struct ServeOptions {
    memory_mb: u64,
    rule_time: Duration,
    confine: bool,
}

fn serve_args(mut args: &[&str]) -> Result<ServeOptions, String> {
    let mut opts = ServeOptions {
        memory_mb: 1024,
        rule_time: Limits::default().max_rule_time,
        confine: true,
    };
    let positive = |flag: &str, value: Option<&&str>| -> Result<u64, String> {
        match value.map(|v| v.parse::<u64>()) {
            Some(Ok(n)) if n > 0 => Ok(n),
            _ => Err(format!("{flag} takes a positive integer")),
        }
    };
    while let Some((first, rest)) = args.split_first() {
        args = rest;
        match *first {
            "--no-confine" => opts.confine = false,
            flag @ ("--memory-mb" | "--rule-time-ms") => {
                let n = positive(flag, args.first())?;
                args = &args[1..];
                if flag == "--memory-mb" {
                    opts.memory_mb = n;
                } else {
                    opts.rule_time = Duration::from_millis(n);
                }
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(opts)
}

/// Says, before anything else, when the process will serve unconfined.
/// Before: once `set_limits` has made the file size limit 0, a write to a
/// stderr that is a regular file kills the process (SIGXFSZ).
fn warn_if_unconfined(opts: &ServeOptions) {
    if !opts.confine {
        eprintln!("adal-rules: --no-confine: serving without the seccomp filter");
    } else if !confine::AVAILABLE {
        eprintln!(
            "adal-rules: no seccomp filter for this target; serving without OS-level confinement"
        );
    }
}

/// The seccomp filter, unless `--no-confine`: after this the process can
/// only read stdin, write stdout and stderr, use memory and exit. The last
/// step before the first request, once everything the process needs is
/// read and started.
fn confine(opts: &ServeOptions) -> Result<(), String> {
    if !opts.confine {
        return Ok(());
    }
    match confine::confine() {
        Ok(Confinement::Confined | Confinement::Unavailable) => Ok(()),
        // Fail closed: a sandbox that was asked to confine itself and
        // could not must not serve tenant code.
        Err(e) => Err(e.to_string()),
    }
}

fn serve(opts: &ServeOptions) -> ExitCode {
    warn_if_unconfined(opts);
    if let Err(e) = set_limits(opts.memory_mb) {
        eprintln!("adal-rules: cannot set resource limits: {e}");
        return ExitCode::FAILURE;
    }
    let opts = *opts;
    let limits = Limits {
        max_rule_time: opts.rule_time,
        ..Limits::default()
    };
    // Rhai recurses on the native stack once per call level and nesting
    // level; debug builds use far more stack per level than release, so the
    // loop runs on a thread with a stack large enough for every limit.
    let worker = std::thread::Builder::new()
        .name("serve".into())
        .stack_size(64 * 1024 * 1024)
        // Requests run to megabytes: read them in pipe-sized chunks rather
        // than stdin's default 8 KiB.
        .spawn(move || {
            let input = io::BufReader::with_capacity(64 * 1024, io::stdin().lock());
            let mut server = Server::new(RuleEngine::new(limits), MAX_LINE);
            // Confined from the serving thread, once it is up: starting a
            // thread takes calls the filter refuses.
            confine(&opts)?;
            server
                .run(input, io::stdout().lock())
                .map_err(|e| format!("i/o error: {e}"))
        });
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => ExitCode::SUCCESS,
        Ok(Ok(Err(e))) => {
            eprintln!("adal-rules: {e}");
            ExitCode::FAILURE
        }
        Ok(Err(_)) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("adal-rules: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `adal-rules confinement-probe FILE HOST:PORT [serve options]`: the
/// tests' evidence that confinement holds even against code that is not
/// Rhai. It tries to open `FILE`, connect to `HOST:PORT` and start a
/// process, then sets itself up exactly as `serve` does (resource limits
/// and the filter, with the same options) and tries again, and prints one
/// JSON line: `{"before": {...}, "after": {...}}`, each attempt 0 when it
/// succeeded and its `errno` when not. Hidden from the usage: it is no
/// tool for rule authors.
fn confinement_probe(opts: &ServeOptions, file: &str, addr: &str) -> ExitCode {
    fn errno(r: io::Result<()>) -> i32 {
        match r {
            Ok(()) => 0,
            Err(e) => e.raw_os_error().unwrap_or(-1),
        }
    }
    let attempts = || {
        serde_json::json!({
            "open": errno(std::fs::File::open(file).map(drop)),
            "connect": errno(std::net::TcpStream::connect(addr).map(drop)),
            "spawn": errno(
                std::process::Command::new("/bin/true")
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .status()
                    .map(drop)
            ),
        })
    };
    let before = attempts();
    warn_if_unconfined(opts);
    if let Err(e) = set_limits(opts.memory_mb) {
        eprintln!("adal-rules: cannot set resource limits: {e}");
        return ExitCode::FAILURE;
    }
    if let Err(e) = confine(opts) {
        eprintln!("adal-rules: {e}");
        return ExitCode::FAILURE;
    }
    let report = serde_json::json!({"before": before, "after": attempts()});
    match writeln!(io::stdout().lock(), "{report}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn load(dir: &Path) -> Option<Vec<LibraryRule>> {
    match library::load_dir(dir) {
        Ok(rules) => Some(rules),
        Err(errors) => {
            for e in errors {
                eprintln!("ERROR {e}");
            }
            None
        }
    }
}

fn test(dir: &Path) -> ExitCode {
    let Some(rules) = load(dir) else {
        return ExitCode::FAILURE;
    };
    let report = library::run_fixtures(&RuleEngine::default(), &rules);
    for f in &report.failures {
        println!("{f}");
    }
    println!(
        "{} rules, {} fixtures: {} passed, {} failed",
        report.rules,
        report.fixtures,
        report.passed,
        report.failures.len()
    );
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

struct RedflagsArgs<'a> {
    settings: Option<&'a str>,
    rules: Option<&'a str>,
    no_meta: bool,
    threads: Option<usize>,
    file: &'a str,
    /// `Some(memory limit in MiB)` with `--confine`.
    confine: Option<u64>,
}

fn redflags_args<'a>(mut args: &[&'a str]) -> Result<RedflagsArgs<'a>, String> {
    let (mut settings, mut rules, mut no_meta, mut file) = (None, None, false, None);
    let (mut threads, mut confine, mut memory_mb) = (None, false, None);
    while let Some((first, rest)) = args.split_first() {
        args = rest;
        match *first {
            "--no-meta" => no_meta = true,
            "--confine" => confine = true,
            "--memory-mb" => {
                let Some((value, rest)) = args.split_first() else {
                    return Err("--memory-mb takes a value".into());
                };
                args = rest;
                match value.parse::<u64>() {
                    Ok(n) if n > 0 => memory_mb = Some(n),
                    _ => {
                        return Err(format!(
                            "--memory-mb takes a positive integer, not {value:?}"
                        ));
                    }
                }
            }
            "--threads" => {
                let Some((value, rest)) = args.split_first() else {
                    return Err("--threads takes a value".into());
                };
                args = rest;
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => threads = Some(n),
                    _ => return Err(format!("--threads takes a positive integer, not {value:?}")),
                }
            }
            "--settings" | "-s" | "--rules" => {
                let Some((value, rest)) = args.split_first() else {
                    return Err(format!("{first} takes a value"));
                };
                args = rest;
                if *first == "--rules" {
                    rules = Some(*value);
                } else {
                    settings = Some(*value);
                }
            }
            f if file.is_none() && (f == "-" || !f.starts_with('-')) => file = Some(f),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let file = file.ok_or("redflags takes a FILE (or - for standard input)")?;
    if confine {
        // The filter leaves the process reading standard input only, and
        // starting a thread takes calls it refuses.
        if file != "-" {
            return Err("--confine reads standard input only: give - as FILE".into());
        }
        if threads.is_some_and(|n| n > 1) {
            return Err("--confine runs on one thread: leave out --threads".into());
        }
        threads = Some(1);
    } else if memory_mb.is_some() {
        return Err("--memory-mb applies with --confine only".into());
    }
    Ok(RedflagsArgs {
        settings,
        rules,
        no_meta,
        threads,
        file,
        confine: confine.then(|| memory_mb.unwrap_or(1024)),
    })
}

fn redflags(args: &[&str]) -> ExitCode {
    use adal_rules_engine::redflags::{self, Config};
    let args = match redflags_args(args) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let rules = match args.rules {
        Some(dir) => match load(Path::new(dir)) {
            Some(r) => r,
            None => return ExitCode::FAILURE,
        },
        None => match redflags::builtin_rules() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("adal-rules: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let mut config = Config::new(rules);
    if let Some(n) = args.threads {
        config.threads = n;
    }
    if let Some(path) = args.settings {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("adal-rules: cannot read {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        match config.with_settings(&text) {
            Ok((c, warnings)) => {
                for w in warnings {
                    eprintln!("adal-rules: {path}: {w}");
                }
                config = c;
            }
            Err(e) => {
                eprintln!("adal-rules: {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let input: Box<dyn BufRead> = if args.file == "-" {
        Box::new(io::BufReader::with_capacity(256 * 1024, io::stdin().lock()))
    } else {
        match std::fs::File::open(args.file) {
            Ok(f) => Box::new(io::BufReader::with_capacity(256 * 1024, f)),
            Err(e) => {
                eprintln!("adal-rules: cannot open {}: {e}", args.file);
                return ExitCode::FAILURE;
            }
        }
    };
    if let Some(memory_mb) = args.confine {
        let opts = ServeOptions {
            memory_mb,
            rule_time: Limits::default().max_rule_time,
            confine: true,
        };
        warn_if_unconfined(&opts);
        let confined = set_limits(memory_mb)
            .map_err(|e| format!("cannot set resource limits: {e}"))
            .and_then(|()| confine(&opts));
        if let Err(e) = confined {
            eprintln!("adal-rules: {e}");
            return ExitCode::FAILURE;
        }
    }
    let report = match redflags::run(input, &config, &RuleEngine::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("adal-rules: {}: {e}", args.file);
            return ExitCode::FAILURE;
        }
    };
    // As cardinal does, lines that are not releases are reported and skipped.
    for (line, e) in &report.skipped_lines {
        eprintln!(
            "adal-rules: {}:{line}: not a JSON object, skipped: {e}",
            args.file
        );
    }
    for e in &report.rule_errors {
        eprintln!("adal-rules: rule error: {e}");
    }
    // Written as it is serialized: the output is never held whole.
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = serde_json::to_writer(&mut out, &report.output(args.no_meta))
        .map_err(io::Error::other)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        eprintln!("adal-rules: {e}");
        return ExitCode::FAILURE;
    }
    if report.rule_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn eval(dir: &Path, file: &str) -> ExitCode {
    let Some(rules) = load(dir) else {
        return ExitCode::FAILURE;
    };
    let engine = RuleEngine::default();
    let sources: Vec<_> = rules.into_iter().map(|r| r.source).collect();
    let compiled = match engine.compile_all(&sources) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("ERROR {}: {}", e.rule_id, e.message);
            }
            return ExitCode::FAILURE;
        }
    };
    let input: Box<dyn BufRead> = if file == "-" {
        Box::new(io::stdin().lock())
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(io::BufReader::new(f)),
            Err(e) => {
                eprintln!("adal-rules: cannot open {file}: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let mut out = io::stdout().lock();
    let mut ok = true;
    for (n, line) in input.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("adal-rules: {file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<SubmissionInput>(&line) {
            Ok(sub) => {
                let result = engine.evaluate(&compiled, &sub);
                let written = serde_json::to_string(&result)
                    .map_err(io::Error::other)
                    .and_then(|s| writeln!(out, "{s}"));
                if let Err(e) = written {
                    eprintln!("adal-rules: {e}");
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => {
                eprintln!("adal-rules: {file}:{}: not a submission: {e}", n + 1);
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
