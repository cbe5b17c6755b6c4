//! A criterion measurement of CPU time rather than wall time: the CPU time
//! of this process and of any other processes named (the sandbox), summed
//! over all their threads, from `/proc/<pid>/task/<tid>/schedstat`
//! (nanoseconds). Throughput in this measurement is work per CPU-second,
//! i.e. per core, and is much less disturbed than wall time by other
//! programs competing for the machine's cores. Linux only.
//!
//! Shared by crates/rules-engine/benches/evaluate.rs and (through
//! `#[path]`) crates/sandbox/benches/pool.rs.

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};

pub struct CpuTime {
    /// Processes whose CPU time counts, besides this one.
    others: Vec<u32>,
}

impl CpuTime {
    pub fn new(others: Vec<u32>) -> Self {
        CpuTime { others }
    }

    fn now(&self) -> u64 {
        process_ns("self")
            + self
                .others
                .iter()
                .map(|p| process_ns(&p.to_string()))
                .sum::<u64>()
    }
}

/// CPU time of every thread of a process, in nanoseconds.
fn process_ns(pid: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        self.now()
    }
    fn end(&self, start: u64) -> u64 {
        self.now().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if ns < 1e3 {
            (1.0, "ns cpu")
        } else if ns < 1e6 {
            (1e-3, "µs cpu")
        } else if ns < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(&self, ns: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let per = match *t {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) => n,
            Throughput::Bits(n) => n,
        } as f64;
        // Per CPU-second.
        for v in values.iter_mut() {
            *v = per * 1e9 / *v;
        }
        let typical = per * 1e9 / ns;
        let (factor, unit) = if typical < 1e3 {
            (1.0, "elem/cpu-s")
        } else if typical < 1e6 {
            (1e-3, "Kelem/cpu-s")
        } else {
            (1e-6, "Melem/cpu-s")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// The settings the rule engine's benchmarks share: 10 samples, 1 s of
/// warm-up, `measurement` of measuring.
#[allow(dead_code)] // Not every file including this module uses it.
pub fn configure<M: criterion::measurement::Measurement>(
    c: criterion::Criterion<M>,
    measurement: std::time::Duration,
) -> criterion::Criterion<M> {
    c.sample_size(10)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(measurement)
}

/// A criterion measuring this process's CPU time, with [`configure`]'s
/// settings and then the command line's.
#[allow(dead_code)] // Not every file including this module uses it.
pub fn cpu_criterion(measurement: std::time::Duration) -> criterion::Criterion<CpuTime> {
    configure(
        criterion::Criterion::default().with_measurement(CpuTime::new(Vec::new())),
        measurement,
    )
    .configure_from_args()
}
