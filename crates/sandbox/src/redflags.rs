//! A tenant's procurement red flags, computed by a one-off
//! `adal-rules redflags --confine` process.
//!
//! The red flags are rule scripts (`rules/procurement/`), so they run
//! where every rule runs: in an `adal-rules` process with an empty
//! environment, an empty working directory, capped memory and the seccomp
//! filter, never in the worker. Unlike evaluation, a red-flag pass needs
//! the whole data set at once (the fences are statistics over every
//! process), so it is one process per pass, fed the tenant's releases as
//! JSON lines on standard input, rather than a request to a pooled
//! process whose requests are bounded lines.

use crate::{SandboxError, SandboxPool};
use std::io::{self, Write as _};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Most of the report read back: the flags of a tenant's processes are a
/// few bytes each, so a report this large means a misbehaving process.
const MAX_REPORT_BYTES: u64 = crate::MAX_RESPONSE_BYTES;
/// Most of the notes on standard error kept (a note per unreadable line).
const MAX_NOTES_BYTES: u64 = 64 * 1024;

/// What a finished pass printed.
#[derive(Debug, Clone, PartialEq)]
pub struct RedFlagsOutput {
    /// Cardinal's JSON: `{"OCID": {id: {code: value}}, "Buyer": ...,
    /// "ProcuringEntity": ..., "Tenderer": ..., "Meta": {code: {q1, ...}}}`.
    pub report: serde_json::Value,
    /// Lines the process wrote on standard error: settings it ignored,
    /// lines it skipped, rules that failed on a process.
    pub notes: Vec<String>,
    /// The process exited with status 1: a rule failed on some process
    /// (named in `notes`); the report holds every other result.
    pub rule_errors: bool,
}

/// A pass under way: write the releases, then [`finish`](Self::finish).
/// Dropping it kills the process.
pub struct RedFlagsRun {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: JoinHandle<io::Result<Vec<u8>>>,
    stderr: JoinHandle<Vec<u8>>,
    deadline: Instant,
    // Kept until the process has exited (it reads the file at start), and
    // then deleted.
    settings: tempfile::NamedTempFile,
}

impl SandboxPool {
    /// Starts a red-flag pass with `settings` (a cardinal settings file:
    /// only the indicators with a section run) that must finish within
    /// `limit`. Uses the pool's binary, working directory and memory
    /// limit, not one of its processes.
    pub async fn start_redflags(
        &self,
        settings: &str,
        limit: Duration,
    ) -> Result<RedFlagsRun, SandboxError> {
        // A file of our own, readable by this user only, outside the
        // working directory (which stays empty).
        let mut file = tempfile::Builder::new()
            .prefix("adal-redflags-")
            .suffix(".ini")
            .tempfile()?;
        file.write_all(settings.as_bytes())?;
        file.flush()?;
        let mut child = self.start_process(
            "redflags",
            &[
                "--confine".as_ref(),
                "--settings".as_ref(),
                file.path().as_os_str(),
                "-".as_ref(),
            ],
            Stdio::piped(),
        )?;
        let (Some(stdin), Some(mut stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(SandboxError::Protocol(
                "sandbox started without pipes".into(),
            ));
        };
        // Both read while the releases are written: the process prints its
        // report at the end, but its notes as it goes, and a full stderr
        // pipe would stall it.
        let stdout = tokio::spawn(async move {
            let mut out = Vec::new();
            (&mut stdout)
                .take(MAX_REPORT_BYTES + 1)
                .read_to_end(&mut out)
                .await?;
            Ok(out)
        });
        let stderr = tokio::spawn(async move {
            let mut out = Vec::new();
            // Whatever is past the cap is read and dropped, so the process
            // never blocks on it.
            let _ = (&mut stderr)
                .take(MAX_NOTES_BYTES)
                .read_to_end(&mut out)
                .await;
            let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            out
        });
        Ok(RedFlagsRun {
            child,
            stdin: Some(stdin),
            stdout,
            stderr,
            deadline: Instant::now() + limit,
            settings: file,
        })
    }
}

impl RedFlagsRun {
    /// Sends OCDS compiled releases as JSON lines (each ending with a
    /// newline), in one write: a page of them costs one call, not two per
    /// release.
    pub async fn write_lines(&mut self, lines: &[u8]) -> Result<(), SandboxError> {
        // A write that fits the pipe's buffer never waits, so the clock is
        // read here too: a pass past its time stops taking input.
        if Instant::now() >= self.deadline {
            let _ = self.child.start_kill();
            return Err(SandboxError::Deadline);
        }
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(SandboxError::Protocol("the input is closed".into()));
        };
        let write = stdin.write_all(lines);
        match tokio::time::timeout_at(self.deadline, write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => Err(SandboxError::Crashed),
            Ok(Err(e)) => Err(SandboxError::Io(e)),
            Err(_) => Err(SandboxError::Deadline),
        }
    }

    /// Closes the input and waits for the report.
    pub async fn finish(mut self) -> Result<RedFlagsOutput, SandboxError> {
        if let Some(mut stdin) = self.stdin.take() {
            match tokio::time::timeout_at(self.deadline, stdin.shutdown()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Ok(Err(e)) => return Err(SandboxError::Io(e)),
                Err(_) => return Err(SandboxError::Deadline),
            }
        }
        let status = match tokio::time::timeout_at(self.deadline, self.child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                let _ = self.child.start_kill();
                return Err(SandboxError::Deadline);
            }
        };
        let joined = |e: tokio::task::JoinError| SandboxError::Io(io::Error::other(e));
        let stdout = (&mut self.stdout).await.map_err(joined)??;
        // The notes name the settings by our temporary file's path, which
        // means nothing to whoever reads them.
        let path = self.settings.path().display().to_string();
        let notes: Vec<String> =
            String::from_utf8_lossy(&(&mut self.stderr).await.map_err(joined)?)
                .lines()
                .map(|l| {
                    l.trim_start_matches("adal-rules: ")
                        .replace(&path, "settings")
                })
                .collect();
        let failed = |what: String| SandboxError::Failed {
            code: adal_sandbox_protocol::FailureCode::BadRequest,
            message: what,
        };
        let rule_errors = match status.code() {
            Some(0) => false,
            Some(1) if !stdout.is_empty() => true,
            Some(code) => {
                return Err(failed(format!(
                    "red-flag pass exited with status {code}: {}",
                    notes.join("; ")
                )));
            }
            // Killed by a signal: the memory cap, the filter, or a bug.
            None => return Err(SandboxError::Crashed),
        };
        if stdout.len() as u64 > MAX_REPORT_BYTES {
            return Err(SandboxError::Protocol("red-flag report too large".into()));
        }
        let report = serde_json::from_slice(&stdout)
            .map_err(|e| SandboxError::Protocol(format!("bad red-flag report: {e}")))?;
        Ok(RedFlagsOutput {
            report,
            notes,
            rule_errors,
        })
    }
}
