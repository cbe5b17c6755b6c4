//! Writes a session of `adal-rules serve` requests for the whole standard
//! (benches/standard/workload.rs) as JSON lines on stdout: `hello`, `load`
//! of every library rule with its default parameters, then BATCHES
//! `evaluate` requests of BATCH submissions of the mix each.
//!
//! `cargo run --release --example standard_request -- BATCHES BATCH > session.jsonl`
//!
//! Used by tests/load/standard_sandbox.sh.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/standard/workload.rs"]
mod workload;

use adal_sandbox_protocol::Request;
use std::io::{BufWriter, Write};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("arguments: BATCHES BATCH (positive integers)")
        })
        .collect();
    let [batches, batch] = args[..] else {
        panic!("usage: standard_request BATCHES BATCH");
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
        line(&Request::Evaluate {
            id: 3 + b as u64,
            key: "standard".into(),
            shared: serde_json::Value::Null,
            submissions: workload::mixed(batch, 1 + b as u64),
        });
    }
    out.flush().unwrap();
}
