//! Offline verification of an exported tenant audit log (the directory
//! `adal audit export` writes): no database, no network, only the export,
//! the log's public keys and, optionally, a checkpoint the auditor kept.
//!
//! Every entry is re-hashed from its content and the tree is rebuilt from
//! those hashes, so nothing the export says about hashes is trusted: the
//! recorded `leaf_hash` only helps name which entry changed, and the signed
//! checkpoints are what bind the content. Every problem is collected, so
//! one run tells the auditor everything that is wrong.

use adal_tlog::entry::EntryFields;
use adal_tlog::note::{self, Checkpoint, NoteError, Verifier};
use adal_tlog::{Frontier, Hash};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The only export format this verifier understands.
pub const FORMAT: &str = "adal-audit-export/1";

/// The export cannot be verified at all (exit status 2): a file is missing
/// or unreadable, or is not of the export's format.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    Format { path: PathBuf, reason: String },
    #[error("the kept checkpoint is not a signed checkpoint: {0}")]
    KeptNotACheckpoint(String),
}

/// One thing found wrong with the export.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("entries.jsonl line {line} is not an audit entry")]
    BadLine { line: u64 },
    /// `seq` is the first of a gap.
    #[error(
        "entry {seq} is missing (with any after it up to the next one present): it was deleted"
    )]
    Missing { seq: u64 },
    #[error(
        "entries.jsonl line {line} holds entry {seq} out of order: an entry was inserted, repeated or moved"
    )]
    OutOfOrder { line: u64, seq: u64 },
    #[error(
        "entry {seq} ({id}) does not match the hash recorded when it was appended: its content was changed"
    )]
    EntryChanged { seq: u64, id: String },
    #[error("checkpoints/{name} is not a checkpoint named by its tree size")]
    Misnamed { name: String },
    #[error("checkpoint {size} is not signed by the log's key: it was forged or altered")]
    BadSignature { size: u64 },
    #[error("checkpoint {size} is for another log than this export's origin")]
    WrongOrigin { size: u64 },
    #[error(
        "checkpoint {size} covers {size} entries but the export holds {entries}: the newest entries were removed"
    )]
    Truncated { size: u64, entries: u64 },
    #[error(
        "checkpoint {size} does not match the entries: an entry among {from}\u{2013}{size} was changed, inserted, deleted or moved"
    )]
    RootMismatch { size: u64, from: u64 },
    #[error("the export holds {entries} entries but no signed checkpoint")]
    NoCheckpoints { entries: u64 },
    #[error("the newest checkpoint (the file `checkpoint`) is missing")]
    NewestMissing,
    #[error("the file `checkpoint` is not the newest checkpoint in checkpoints/")]
    NewestNotLatest,
    #[error(
        "the kept checkpoint is not signed by any of the log's keys: the log or its keys were replaced"
    )]
    KeptUnsigned,
    #[error("the kept checkpoint is for another log than this export's origin")]
    KeptWrongOrigin,
    #[error(
        "the kept checkpoint covers {size} entries but the export holds {entries}: entries it covered were removed"
    )]
    KeptTruncated { size: u64, entries: u64 },
    #[error(
        "the kept checkpoint {size} does not match the entries: the log was rewritten since it was issued"
    )]
    KeptRootMismatch { size: u64 },
}

/// What a verification found.
#[derive(Debug, Clone)]
pub struct Report {
    pub entries: u64,
    /// How many files of `checkpoints/` were checked.
    pub checkpoints: usize,
    /// The largest checkpoint whose signature verified.
    pub newest: Option<Checkpoint>,
    pub failures: Vec<Failure>,
}

impl Report {
    pub fn holds(&self) -> bool {
        self.failures.is_empty()
    }

    /// One line for the auditor: what was checked and, if it holds, the
    /// size and root the auditor may keep for the next run.
    pub fn summary(&self) -> String {
        let checked = format!(
            "{} entries, {} checkpoints checked",
            self.entries, self.checkpoints
        );
        if !self.holds() {
            return format!("FAILED: {} problems in {checked}", self.failures.len());
        }
        match &self.newest {
            Some(c) => format!(
                "OK: {checked}, newest {} {}",
                c.size,
                STANDARD.encode(c.root)
            ),
            None => format!("OK: {checked}, no checkpoint"),
        }
    }
}

#[derive(Deserialize)]
struct LogMeta {
    format: String,
    tenant: String,
    origin: String,
}

#[derive(Deserialize)]
struct Line {
    seq: u64,
    id: String,
    at: String,
    actor: String,
    action: String,
    object: String,
    detail: String,
    #[serde(default)]
    leaf_hash: Option<String>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> VerifyError {
    let path = path.to_owned();
    move |source| VerifyError::Read { path, source }
}

fn read(path: &Path) -> Result<Vec<u8>, VerifyError> {
    std::fs::read(path).map_err(io_error(path))
}

fn format_error(path: &Path, reason: impl ToString) -> VerifyError {
    VerifyError::Format {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

fn read_meta(path: &Path) -> Result<LogMeta, VerifyError> {
    let meta: LogMeta = serde_json::from_slice(&read(path)?).map_err(|e| format_error(path, e))?;
    if meta.format != FORMAT {
        return Err(format_error(
            path,
            format!(
                "format {:?} is not {FORMAT:?}, the only one this verifier reads",
                meta.format
            ),
        ));
    }
    Ok(meta)
}

fn read_keys(path: &Path) -> Result<Vec<Verifier>, VerifyError> {
    let text = String::from_utf8(read(path)?).map_err(|e| format_error(path, e))?;
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !line.trim().is_empty() {
            keys.push(
                Verifier::parse(line.trim())
                    .map_err(|e| format_error(path, format!("line {}: {e}", i + 1)))?,
            );
        }
    }
    Ok(keys)
}

/// The size a checkpoint file's name claims, if it is one written the way
/// the size line is (so `05` cannot stand beside `5`).
fn name_size(name: &str) -> Option<u64> {
    name.parse::<u64>().ok().filter(|s| s.to_string() == name)
}

enum Opened {
    Good(Checkpoint),
    Unsigned,
    WrongOrigin,
    NotACheckpoint(String),
}

/// A checkpoint is good only if the key named as the log signed it: a
/// witness's or another log's key in `keys` does not vouch for this log.
fn open_checkpoint(note_text: &str, keys: &[Verifier], origin: &str) -> Opened {
    let opened = match note::open(note_text, keys) {
        Ok(o) => o,
        Err(e @ NoteError::Malformed(_)) => return Opened::NotACheckpoint(e.to_string()),
        Err(_) => return Opened::Unsigned,
    };
    let cp = match Checkpoint::parse(&opened.text) {
        Ok(cp) => cp,
        Err(e) => return Opened::NotACheckpoint(e.to_string()),
    };
    if cp.origin != origin {
        Opened::WrongOrigin
    } else if !opened.signed_by.iter().any(|n| n == origin) {
        Opened::Unsigned
    } else {
        Opened::Good(cp)
    }
}

/// Verifies the export in `dir`, and that the log it holds is an extension
/// of `kept_checkpoint` (a signed note) when one is given.
pub fn verify_dir(dir: &Path, kept_checkpoint: Option<&str>) -> Result<Report, VerifyError> {
    let meta = read_meta(&dir.join("log.json"))?;
    let keys = read_keys(&dir.join("keys"))?;
    let mut failures = Vec::new();

    // The checkpoints first, so the sizes whose roots are needed are known
    // before the entries stream past once.
    let cp_dir = dir.join("checkpoints");
    let mut files: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let listing = match std::fs::read_dir(&cp_dir) {
        Ok(l) => l.collect::<Result<Vec<_>, _>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
    .map_err(io_error(&cp_dir))?;
    let mut checked = 0;
    for file in listing {
        if !file.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        checked += 1;
        let name = file.file_name().to_string_lossy().into_owned();
        match name_size(&name) {
            Some(size) => {
                files.insert(size, read(&file.path())?);
            }
            None => failures.push(Failure::Misnamed { name }),
        }
    }
    let mut signed: Vec<Checkpoint> = Vec::new();
    for (&size, bytes) in &files {
        let Ok(text) = std::str::from_utf8(bytes) else {
            failures.push(Failure::BadSignature { size });
            continue;
        };
        match open_checkpoint(text, &keys, &meta.origin) {
            Opened::Good(cp) if cp.size == size => signed.push(cp),
            Opened::Good(_) | Opened::NotACheckpoint(_) => failures.push(Failure::Misnamed {
                name: size.to_string(),
            }),
            Opened::Unsigned => failures.push(Failure::BadSignature { size }),
            Opened::WrongOrigin => failures.push(Failure::WrongOrigin { size }),
        }
    }
    let mut kept = None;
    match kept_checkpoint.map(|text| open_checkpoint(text, &keys, &meta.origin)) {
        None => {}
        Some(Opened::Good(cp)) => kept = Some(cp),
        Some(Opened::Unsigned) => failures.push(Failure::KeptUnsigned),
        Some(Opened::WrongOrigin) => failures.push(Failure::KeptWrongOrigin),
        Some(Opened::NotACheckpoint(e)) => return Err(VerifyError::KeptNotACheckpoint(e)),
    }

    let mut roots: BTreeMap<u64, Hash> = BTreeMap::new();
    let sizes: BTreeSet<u64> = signed.iter().chain(&kept).map(|c| c.size).collect();
    let wanted = |size: u64| sizes.contains(&size);
    let mut frontier = Frontier::new();
    if wanted(0) {
        roots.insert(0, frontier.root());
    }
    let path = dir.join("entries.jsonl");
    let mut reader = BufReader::new(std::fs::File::open(&path).map_err(io_error(&path))?);
    let (mut buf, mut line, mut next) = (Vec::new(), 0u64, 1u64);
    loop {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(io_error(&path))?
            == 0
        {
            break;
        }
        line += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Ok(e) = serde_json::from_slice::<Line>(&buf) else {
            failures.push(Failure::BadLine { line });
            continue;
        };
        if e.seq == next {
            next += 1;
        } else if e.seq > next {
            failures.push(Failure::Missing { seq: next });
            next = e.seq.saturating_add(1);
        } else {
            failures.push(Failure::OutOfOrder { line, seq: e.seq });
        }
        let leaf = EntryFields {
            tenant: &meta.tenant,
            id: &e.id,
            at: &e.at,
            actor: &e.actor,
            action: &e.action,
            object: &e.object,
            detail: &e.detail,
        }
        .leaf_hash();
        if e.leaf_hash
            .is_some_and(|h| !h.eq_ignore_ascii_case(&hex::encode(leaf)))
        {
            failures.push(Failure::EntryChanged {
                seq: e.seq,
                id: e.id,
            });
        }
        // The tree follows the file's order, not the seq numbers: the order
        // the auditor reads is the order the checkpoints must vouch for.
        frontier.push(leaf);
        if wanted(frontier.size()) {
            roots.insert(frontier.size(), frontier.root());
        }
    }
    let entries = frontier.size();

    let mut matched = 0;
    for cp in &signed {
        match roots.get(&cp.size) {
            None => failures.push(Failure::Truncated {
                size: cp.size,
                entries,
            }),
            Some(r) if *r == cp.root => matched = cp.size,
            Some(_) => failures.push(Failure::RootMismatch {
                size: cp.size,
                from: matched + 1,
            }),
        }
    }
    if entries > 0 && files.is_empty() {
        failures.push(Failure::NoCheckpoints { entries });
    }
    let newest_path = dir.join("checkpoint");
    match std::fs::read(&newest_path) {
        Ok(bytes) => {
            if files.last_key_value().map(|(_, b)| b) != Some(&bytes) {
                failures.push(Failure::NewestNotLatest);
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if entries > 0 || !files.is_empty() {
                failures.push(Failure::NewestMissing);
            }
        }
        Err(e) => return Err(io_error(&newest_path)(e)),
    }
    if let Some(k) = &kept {
        match roots.get(&k.size) {
            None => failures.push(Failure::KeptTruncated {
                size: k.size,
                entries,
            }),
            Some(r) if *r == k.root => {}
            Some(_) => failures.push(Failure::KeptRootMismatch { size: k.size }),
        }
    }

    Ok(Report {
        entries,
        checkpoints: checked,
        newest: signed.last().cloned(),
        failures,
    })
}
