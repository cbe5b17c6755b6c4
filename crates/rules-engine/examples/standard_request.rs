//! Writes a session of `adal-rules serve` requests for the whole standard
//! (benches/standard/workload.rs) as JSON lines on stdout: `hello`, `load`
//! of every library rule with its default parameters, then BATCHES
//! `evaluate` requests of BATCH submissions of the mix each. The tenant
//! context goes once per request as the `shared` context; with `copies`
//! it is copied into every submission's context instead, as before
//! protocol 3 (the answers are the same).
//!
//! `cargo run --release --example standard_request -- BATCHES BATCH [shared|copies] > session.jsonl`
//!
//! Used by tests/load/standard_sandbox.sh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/standard/workload.rs"]
mod workload;

use adal_sandbox_protocol::Request;
use std::io::{BufWriter, Write};

fn main() {
    const USAGE: &str = "usage: standard_request BATCHES BATCH [shared|copies]";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (sizes, copies) = match args.split_last() {
        Some((last, rest)) if last == "copies" => (rest, true),
        Some((last, rest)) if last == "shared" => (rest, false),
        _ => (&args[..], false),
    };
    let sizes: Vec<usize> = sizes.iter().map(|a| a.parse().expect(USAGE)).collect();
    let [batches, batch] = sizes[..] else {
        panic!("{USAGE}");
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut line = |r: &Request| {
        serde_json::to_writer(&mut out, r).unwrap();
        out.write_all(b"\n").unwrap();
    };
    line(&Request::Hello { id: 1 });
    line(&Request::Load {
        id: 2,
        key: "standard".into(),
        rules: workload::library_rules(),
    });
    for b in 0..batches {
        // A different seed per batch: different submissions, same mix.
        let seed = 1 + b as u64;
        let (shared, submissions) = if copies {
            (serde_json::Value::Null, workload::mixed(batch, seed))
        } else {
            workload::mixed_shared(batch, seed)
        };
        line(&Request::Evaluate {
            id: 3 + b as u64,
            key: "standard".into(),
            shared,
            submissions,
        });
    }
    out.flush().unwrap();
}
