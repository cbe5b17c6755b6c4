//! `adal-rules`: the sandbox process (`serve`) and the rule authors' CLI
//! (`test`, `eval`).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adal_rules_engine::library::{self, LibraryRule};
use adal_rules_engine::{RuleEngine, Server};
use adal_sandbox_protocol::SubmissionInput;
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage:
  adal-rules serve [--memory-mb N]     sandbox: protocol requests as JSON lines on stdin
  adal-rules test DIR                  run every rule's fixtures under DIR
  adal-rules eval --rules DIR FILE|-   evaluate JSON lines of submissions
  adal-rules redflags [--settings FILE.ini] [--no-meta] [--rules DIR] [--threads N] FILE|-
                                       procurement red flags over JSON lines of OCDS
                                       compiled releases, as `ocdscardinal indicators`";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["serve"] => serve(1024),
        ["serve", "--memory-mb", mb] => match mb.parse::<u64>() {
            Ok(mb) if mb > 0 => serve(mb),
            _ => usage_error("--memory-mb takes a positive integer"),
        },
        ["test", dir] => test(Path::new(dir)),
        ["eval", "--rules", dir, file] => eval(Path::new(dir), file),
        ["redflags", rest @ ..] => redflags(rest),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("unknown arguments"),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("adal-rules: {msg}\n{USAGE}");
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

fn serve(memory_mb: u64) -> ExitCode {
    if let Err(e) = set_limits(memory_mb) {
        eprintln!("adal-rules: cannot set resource limits: {e}");
        return ExitCode::FAILURE;
    }
    // Rhai recurses on the native stack once per call level and nesting
    // level; debug builds use far more stack per level than release, so the
    // loop runs on a thread with a stack large enough for every limit.
    let worker = std::thread::Builder::new()
        .name("serve".into())
        .stack_size(64 * 1024 * 1024)
        // Requests run to megabytes: read them in pipe-sized chunks rather
        // than stdin's default 8 KiB.
        .spawn(|| {
            let input = io::BufReader::with_capacity(64 * 1024, io::stdin().lock());
            Server::default().run(input, io::stdout().lock())
        });
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => ExitCode::SUCCESS,
        Ok(Ok(Err(e))) => {
            eprintln!("adal-rules: i/o error: {e}");
            ExitCode::FAILURE
        }
        Ok(Err(_)) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("adal-rules: cannot start: {e}");
            ExitCode::FAILURE
        }
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
}

fn redflags_args<'a>(mut args: &[&'a str]) -> Result<RedflagsArgs<'a>, String> {
    let (mut settings, mut rules, mut no_meta, mut file) = (None, None, false, None);
    let mut threads = None;
    while let Some((first, rest)) = args.split_first() {
        args = rest;
        match *first {
            "--no-meta" => no_meta = true,
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
    Ok(RedflagsArgs {
        settings,
        rules,
        no_meta,
        threads,
        file,
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
    let written = serde_json::to_string(&report.to_json(args.no_meta))
        .map_err(io::Error::other)
        .and_then(|s| writeln!(io::stdout().lock(), "{s}"));
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
