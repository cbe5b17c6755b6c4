//! A lower bound on what `ocdscardinal indicators` must spend on a file:
//! it parses every line into a whole `serde_json::Value` tree (on all cores,
//! with rayon) before its indicators read it. This does only that, on
//! `--threads N` threads (default: every core), and prints how many lines
//! were JSON objects with a string `ocid`.
//!
//! Used by tests/load/redflags_bench.sh as the reference when cardinal
//! itself cannot be installed: any run of cardinal on the same file costs
//! at least this much, so `adal-rules redflags` within 2x of this is within
//! 2x of cardinal.
//!
//! `cargo run --release --example json_floor -- [--threads N] FILE`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::io::BufRead;
use std::sync::{Mutex, mpsc};

fn parse(lines: &[String]) -> usize {
    lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("ocid").is_some_and(Value::is_string))
        .count()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (threads, file) = match args.as_slice() {
        [flag, n, file] if flag == "--threads" => (n.parse::<usize>().unwrap(), file.clone()),
        [file] => (
            std::thread::available_parallelism().map_or(1, usize::from),
            file.clone(),
        ),
        _ => panic!("usage: json_floor [--threads N] FILE"),
    };
    let input = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(file).unwrap());
    let mut lines = input.lines();
    let (work_tx, work_rx) = mpsc::sync_channel::<Vec<String>>(threads * 2);
    let work_rx = Mutex::new(work_rx);
    let total = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0;
                    loop {
                        let job = work_rx.lock().unwrap().recv();
                        let Ok(chunk) = job else { break n };
                        n += parse(&chunk);
                    }
                })
            })
            .collect();
        loop {
            let chunk: Vec<String> = lines.by_ref().take(1024).map(Result::unwrap).collect();
            if chunk.is_empty() {
                break;
            }
            work_tx.send(chunk).unwrap();
        }
        drop(work_tx);
        workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .sum::<usize>()
    });
    println!("{total}");
}
