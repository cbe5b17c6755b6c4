//! Builds a real export, tampers with it the ways an insider could, and
//! checks that each is caught and named.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use adal_tlog::entry::EntryFields;
use adal_tlog::note::{Checkpoint, Signer};
use adal_tlog::{Frontier, Hash};
use adal_verify::{Failure, Report, verify_dir};
use serde_json::{Value, json};
use std::fs;
use std::path::Path;
use std::process::Command;

const TENANT: &str = "0190c1de-7a3b-7000-8000-00000000beef";
const SIZES: [u64; 3] = [5, 12, 20];

fn origin() -> String {
    format!("adal.example/audit/{TENANT}")
}

fn signer(seed: u8) -> Signer {
    Signer::from_seed(&origin(), &[seed; 32]).unwrap()
}

fn entry(seq: u64, salt: &str) -> Value {
    let actions = ["case.create", "person.update", "gift.declare", "role.grant"];
    json!({
        "seq": seq,
        "id": format!("0190c1de-0000-7000-8000-{seq:012}"),
        "at": format!("2026-12-07T08:{:02}:{:02}.{:06}Z", seq % 60, (seq * 7) % 60, seq * 1234),
        "actor": format!("user:{}", ["alice", "bob", "chloé"][seq as usize % 3]),
        "action": actions[seq as usize % actions.len()],
        "object": format!("case/{}", seq / 3),
        "detail": format!("{{\"amount\":{},\"note\":\"Zürich \\u2013 {salt}\"}}", seq * 100),
    })
}

fn leaf(e: &Value) -> Hash {
    let s = |k: &str| e[k].as_str().unwrap();
    EntryFields {
        tenant: TENANT,
        id: s("id"),
        at: s("at"),
        actor: s("actor"),
        action: s("action"),
        object: s("object"),
        detail: s("detail"),
    }
    .leaf_hash()
}

fn with_hash(mut e: Value) -> Value {
    e["leaf_hash"] = json!(hex::encode(leaf(&e)));
    e
}

fn entries(salt: &str) -> Vec<Value> {
    (1..=20).map(|s| with_hash(entry(s, salt))).collect()
}

/// The signed checkpoint of the first `size` of `entries`.
fn checkpoint(s: &Signer, entries: &[Value], size: u64) -> String {
    let mut f = Frontier::new();
    for e in &entries[..size as usize] {
        f.push(leaf(e));
    }
    let cp = Checkpoint {
        origin: origin(),
        size,
        root: f.root(),
    };
    s.sign(&cp.to_text()).unwrap()
}

fn write_entries(dir: &Path, entries: &[Value]) {
    let text: String = entries.iter().map(|e| format!("{e}\n")).collect();
    fs::write(dir.join("entries.jsonl"), text).unwrap();
}

/// Writes an export of `entries` whose checkpoints `s` signed, as the
/// service's `adal audit export` does.
fn write_export(dir: &Path, s: &Signer, entries: &[Value]) {
    let meta = json!({"format": "adal-audit-export/1", "tenant": TENANT,
        "origin": origin(), "size": entries.len(), "exported_at": "2026-12-08"});
    fs::write(dir.join("log.json"), meta.to_string()).unwrap();
    write_entries(dir, entries);
    let cps = dir.join("checkpoints");
    let _ = fs::remove_dir_all(&cps);
    fs::create_dir(&cps).unwrap();
    for size in SIZES {
        let note = checkpoint(s, entries, size);
        fs::write(cps.join(size.to_string()), &note).unwrap();
        fs::write(dir.join("checkpoint"), &note).unwrap();
    }
    fs::write(dir.join("keys"), format!("{}\n\n", s.verifier().to_vkey())).unwrap();
}

fn export() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_export(dir.path(), &signer(7), &entries("a"));
    dir
}

fn failures(dir: &Path, kept: Option<&str>) -> Vec<Failure> {
    verify_dir(dir, kept).unwrap().failures
}

#[test]
fn an_intact_export_holds_and_reports_its_newest_checkpoint() {
    let dir = export();
    let kept = checkpoint(&signer(7), &entries("a"), 12);
    let r: Report = verify_dir(dir.path(), Some(&kept)).unwrap();
    assert!(r.holds(), "{:?}", r.failures);
    assert_eq!((r.entries, r.checkpoints), (20, 3));
    let newest = r.newest.unwrap();
    assert_eq!(newest.size, 20);
    let expected = Checkpoint::parse(&checkpoint(&signer(7), &entries("a"), 20)).unwrap();
    assert_eq!(newest.root, expected.root);
}

#[test]
fn an_edited_entry_is_named_and_a_rehashed_one_is_caught_by_the_checkpoint() {
    let dir = export();
    let mut es = entries("a");
    es[7]["detail"] = json!("{\"amount\":1}");
    write_entries(dir.path(), &es);
    let id = es[7]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        failures(dir.path(), None),
        [
            Failure::EntryChanged { seq: 8, id },
            Failure::RootMismatch { size: 12, from: 6 },
            Failure::RootMismatch { size: 20, from: 6 },
        ]
    );
    es[7] = with_hash(es[7].clone());
    write_entries(dir.path(), &es);
    let f = failures(dir.path(), None);
    assert_eq!(f[0], Failure::RootMismatch { size: 12, from: 6 });
    assert_eq!(
        f[0].to_string(),
        "checkpoint 12 does not match the entries: an entry among 6\u{2013}12 was changed, inserted, deleted or moved"
    );
    assert_eq!(f.len(), 2);
}

#[test]
fn a_deleted_entry_leaves_a_gap() {
    let dir = export();
    let mut es = entries("a");
    es.remove(8);
    write_entries(dir.path(), &es);
    assert_eq!(
        failures(dir.path(), None),
        [
            Failure::Missing { seq: 9 },
            Failure::RootMismatch { size: 12, from: 6 },
            Failure::Truncated {
                size: 20,
                entries: 19
            },
        ]
    );
}

#[test]
fn swapped_entries_are_caught_by_the_root_even_when_renumbered() {
    let dir = export();
    let mut es = entries("a");
    es.swap(2, 3);
    write_entries(dir.path(), &es);
    assert!(failures(dir.path(), None).contains(&Failure::OutOfOrder { line: 4, seq: 3 }));
    es[2]["seq"] = json!(3);
    es[3]["seq"] = json!(4);
    write_entries(dir.path(), &es);
    assert_eq!(
        failures(dir.path(), None),
        [
            Failure::RootMismatch { size: 5, from: 1 },
            Failure::RootMismatch { size: 12, from: 1 },
            Failure::RootMismatch { size: 20, from: 1 },
        ]
    );
}

#[test]
fn an_inserted_entry_is_out_of_order_or_breaks_the_root() {
    let dir = export();
    let mut es = entries("a");
    es.insert(14, with_hash(entry(15, "forged")));
    write_entries(dir.path(), &es);
    let f = failures(dir.path(), None);
    assert!(
        f.contains(&Failure::OutOfOrder { line: 16, seq: 15 }),
        "{f:?}"
    );
    assert!(f.contains(&Failure::RootMismatch { size: 20, from: 13 }));
    for (i, e) in es.iter_mut().enumerate() {
        e["seq"] = json!(i + 1);
    }
    write_entries(dir.path(), &es);
    assert_eq!(
        failures(dir.path(), None),
        [Failure::RootMismatch { size: 20, from: 13 }]
    );
}

#[test]
fn removing_the_newest_entries_is_truncation() {
    let dir = export();
    write_entries(dir.path(), &entries("a")[..17]);
    let f = failures(dir.path(), None);
    assert_eq!(
        f,
        [Failure::Truncated {
            size: 20,
            entries: 17
        }]
    );
    assert!(f[0].to_string().contains("the export holds 17"));
}

#[test]
fn a_log_replaced_wholesale_fails_against_the_kept_checkpoint() {
    let dir = export();
    let kept = checkpoint(&signer(7), &entries("a"), 12);
    // A consistent new log under a new key: only the kept checkpoint,
    // from outside the export, can tell.
    write_export(dir.path(), &signer(8), &entries("rewritten"));
    assert!(verify_dir(dir.path(), None).unwrap().holds());
    let f = failures(dir.path(), Some(&kept));
    assert_eq!(f, [Failure::KeptUnsigned]);
    assert!(
        f[0].to_string()
            .contains("the log or its keys were replaced")
    );
}

#[test]
fn a_forged_checkpoint_signature_is_refused() {
    let dir = export();
    let path = dir.path().join("checkpoints/12");
    let note = fs::read_to_string(&path).unwrap();
    let other = Checkpoint::parse(&checkpoint(&signer(7), &entries("b"), 12)).unwrap();
    let text = Checkpoint::parse(&note).unwrap().to_text();
    fs::write(&path, note.replace(&text, &other.to_text())).unwrap();
    assert_eq!(
        failures(dir.path(), None),
        [Failure::BadSignature { size: 12 }]
    );
    // Signed under the log's name by a key that is not in `keys`.
    fs::write(&path, checkpoint(&signer(9), &entries("a"), 12)).unwrap();
    assert_eq!(
        failures(dir.path(), None),
        [Failure::BadSignature { size: 12 }]
    );
}

#[test]
fn a_kept_checkpoint_of_a_fork_or_beyond_the_export_fails() {
    let dir = export();
    let fork = checkpoint(&signer(7), &entries("fork"), 12);
    assert_eq!(
        failures(dir.path(), Some(&fork)),
        [Failure::KeptRootMismatch { size: 12 }]
    );
    let mut longer = entries("a");
    longer.push(with_hash(entry(21, "a")));
    let ahead = checkpoint(&signer(7), &longer, 21);
    assert_eq!(
        failures(dir.path(), Some(&ahead)),
        [Failure::KeptTruncated {
            size: 21,
            entries: 20
        }]
    );
}

#[test]
fn the_newest_checkpoint_file_must_be_the_latest() {
    let dir = export();
    fs::copy(
        dir.path().join("checkpoints/12"),
        dir.path().join("checkpoint"),
    )
    .unwrap();
    assert_eq!(failures(dir.path(), None), [Failure::NewestNotLatest]);
    fs::remove_file(dir.path().join("checkpoint")).unwrap();
    assert_eq!(failures(dir.path(), None), [Failure::NewestMissing]);
}

#[test]
fn bad_lines_and_unknown_formats() {
    let dir = export();
    let mut text = fs::read_to_string(dir.path().join("entries.jsonl")).unwrap();
    text.insert_str(0, "{\"seq\": \n");
    fs::write(dir.path().join("entries.jsonl"), text).unwrap();
    assert_eq!(failures(dir.path(), None), [Failure::BadLine { line: 1 }]);
    fs::write(
        dir.path().join("log.json"),
        json!({"format": "adal-audit-export/2", "tenant": TENANT, "origin": origin()}).to_string(),
    )
    .unwrap();
    let e = verify_dir(dir.path(), None).unwrap_err().to_string();
    assert!(e.contains("adal-audit-export/2"), "{e}");
}

#[test]
fn the_binary_exits_0_1_or_2() {
    let bin = env!("CARGO_BIN_EXE_adal-verify");
    let dir = export();
    let kept = dir.path().join("kept");
    fs::write(&kept, checkpoint(&signer(7), &entries("a"), 5)).unwrap();
    let run = |args: &[&std::ffi::OsStr]| Command::new(bin).args(args).output().unwrap();
    let ok = run(&[
        dir.path().as_os_str(),
        "--checkpoint".as_ref(),
        kept.as_os_str(),
    ]);
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("OK: 20 entries, 3 checkpoints"));
    assert_eq!(run(&["--help".as_ref()]).status.code(), Some(0));

    write_entries(dir.path(), &entries("a")[..17]);
    let bad = run(&[dir.path().as_os_str()]);
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("checkpoint 20 covers 20 entries"), "{out}");
    assert!(out.contains("FAILED: 1 problems"), "{out}");

    let missing = dir.path().join("nowhere");
    assert_eq!(run(&[missing.as_os_str()]).status.code(), Some(2));
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["--bogus".as_ref()]).status.code(), Some(2));
}
