//! `adal-verify DIR [--checkpoint FILE]`: verifies an exported tenant audit
//! log offline. Exit 0 when it holds, 1 when it does not, 2 when it cannot
//! be verified at all.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: adal-verify DIR [--checkpoint FILE]

Verifies the audit log exported to DIR (by `adal audit export`): re-hashes
every entry and checks the tree against the log's signed checkpoints.
With --checkpoint, also checks that the log still extends FILE, a signed
checkpoint kept from an earlier time.

Exit status: 0 the log holds, 1 it does not (every problem is printed),
2 usage error or unreadable export.";

fn usage_error(message: &str) -> ExitCode {
    eprintln!("adal-verify: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (mut dir, mut kept): (Option<PathBuf>, Option<PathBuf>) = (None, None);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some("--checkpoint") => match args.next() {
                Some(file) if kept.is_none() => kept = Some(file.into()),
                Some(_) => return usage_error("--checkpoint is given once"),
                None => return usage_error("--checkpoint needs a FILE"),
            },
            Some(a) if a.starts_with('-') => return usage_error(&format!("unknown option {a}")),
            _ if dir.is_none() => dir = Some(arg.into()),
            _ => return usage_error("only one DIR"),
        }
    }
    let Some(dir) = dir else {
        return usage_error("DIR is missing");
    };
    let kept = match kept {
        None => None,
        Some(p) => match std::fs::read_to_string(&p) {
            Ok(text) => Some(text),
            Err(e) => {
                eprintln!("adal-verify: cannot read {}: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    match adal_verify::verify_dir(&dir, kept.as_deref()) {
        Ok(report) => {
            for f in &report.failures {
                println!("{f}");
            }
            println!("{}", report.summary());
            if report.holds() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("adal-verify: {e}");
            ExitCode::from(2)
        }
    }
}
