//! Logs and metrics shared by the API and the workers.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use std::sync::Arc;

/// Counters exported at `/metrics`. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    /// HTTP requests by method, route template and status class.
    pub http_requests: IntCounterVec,
    /// Jobs by kind and outcome (`ok`, `failed`).
    pub jobs: IntCounterVec,
    /// Sandbox evaluations by outcome (`ok`, `deadline`, `crashed`, `error`).
    pub sandbox_evaluations: IntCounterVec,
    /// Alert emails by outcome (`sent`, `failed`, `dead`, `lost`).
    pub mail: IntCounterVec,
    /// Seconds to answer an HTTP request, by method.
    pub http_duration: HistogramVec,
    /// Seconds one submission's evaluation took in the sandbox.
    pub evaluation_duration: Histogram,
    /// Seconds from a submission's arrival to the start of its evaluation.
    pub queue_lag: Histogram,
    /// Seconds from an alert's creation to the SMTP server accepting it.
    pub mail_latency: Histogram,
}

/// Bucket bounds in seconds, from a fast request to a long backlog.
const SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("adal".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served"),
            &["method", "status"],
        )?;
        let jobs = IntCounterVec::new(
            Opts::new("jobs_total", "Background jobs processed"),
            &["kind", "outcome"],
        )?;
        let sandbox_evaluations = IntCounterVec::new(
            Opts::new(
                "sandbox_evaluations_total",
                "Submissions evaluated in the rule sandbox",
            ),
            &["outcome"],
        )?;
        let mail = IntCounterVec::new(
            Opts::new("mail_total", "Alert emails delivered or retried"),
            &["outcome"],
        )?;
        let seconds =
            |name: &str, help: &str| HistogramOpts::new(name, help).buckets(SECONDS.to_vec());
        let http_duration = HistogramVec::new(
            seconds(
                "http_request_duration_seconds",
                "Time to answer an HTTP request",
            ),
            &["method"],
        )?;
        let evaluation_duration = Histogram::with_opts(seconds(
            "evaluation_duration_seconds",
            "Time one submission's evaluation took in the sandbox",
        ))?;
        let queue_lag = Histogram::with_opts(seconds(
            "queue_lag_seconds",
            "Time from a submission's arrival to the start of its evaluation",
        ))?;
        let mail_latency = Histogram::with_opts(seconds(
            "mail_latency_seconds",
            "Time from an alert's creation to the SMTP server accepting it",
        ))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(evaluation_duration.clone()))?;
        registry.register(Box::new(queue_lag.clone()))?;
        registry.register(Box::new(mail_latency.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(sandbox_evaluations.clone()))?;
        registry.register(Box::new(mail.clone()))?;
        Ok(Self {
            registry: Arc::new(registry),
            http_requests,
            jobs,
            sandbox_evaluations,
            mail,
            http_duration,
            evaluation_duration,
            queue_lag,
            mail_latency,
        })
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec cannot fail for the text format but for
        // invalid metric names, which are fixed above.
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// Installs the global tracing subscriber: `RUST_LOG`-style filtering via
/// `ADAL_LOG` (default `info`), text or JSON lines on stderr.
pub fn init_logging(format: &str) {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("ADAL_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) is not an error worth failing over.
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// How often one panic site may write to the log.
const PANIC_LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Replaces the default panic output (message and, with `RUST_BACKTRACE`,
/// a backtrace on stderr for every panic) with one error line per panic
/// site (file and line) per minute, saying how many were not logged since.
/// A request that panics still gets its answer (the HTTP layer catches the
/// panic); this keeps a client that can trigger one from flooding the log.
pub fn install_panic_hook() {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::Instant;
    static SEEN: Mutex<Option<HashMap<String, (Instant, u64)>>> = Mutex::new(None);
    std::panic::set_hook(Box::new(|info| {
        let site = info.location().map_or_else(
            || "unknown".to_owned(),
            |l| format!("{}:{}", l.file(), l.line()),
        );
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let now = Instant::now();
        // A poisoned lock (a panic while logging a panic) still logs.
        let mut seen = SEEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let sites = seen.get_or_insert_with(HashMap::new);
        let suppressed = match sites.get_mut(&site) {
            Some((last, n)) if now.duration_since(*last) < PANIC_LOG_EVERY => {
                *n += 1;
                return;
            }
            Some((last, n)) => {
                *last = now;
                std::mem::take(n)
            }
            None => {
                sites.insert(site.clone(), (now, 0));
                0
            }
        };
        drop(seen);
        tracing::error!(%site, %message, suppressed, "panic");
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_render_in_prometheus_format() {
        let m = Metrics::new().unwrap();
        m.jobs.with_label_values(&["evaluate", "ok"]).inc();
        m.sandbox_evaluations.with_label_values(&["ok"]).inc_by(3);
        let text = m.render();
        assert!(text.contains("adal_jobs_total{kind=\"evaluate\",outcome=\"ok\"} 1"));
        assert!(text.contains("adal_sandbox_evaluations_total{outcome=\"ok\"} 3"));
    }

    #[test]
    fn histograms_render_with_their_buckets() {
        let m = Metrics::new().unwrap();
        m.queue_lag.observe(0.7);
        m.mail_latency.observe(3.0);
        m.http_duration.with_label_values(&["GET"]).observe(0.02);
        let text = m.render();
        assert!(
            text.contains("adal_queue_lag_seconds_bucket{le=\"1\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("adal_queue_lag_seconds_bucket{le=\"0.5\"} 0"),
            "{text}"
        );
        assert!(text.contains("adal_mail_latency_seconds_count 1"), "{text}");
        assert!(
            text.contains("adal_evaluation_duration_seconds_count 0"),
            "{text}"
        );
        assert!(
            text.contains("adal_http_request_duration_seconds_count{method=\"GET\"} 1"),
            "{text}"
        );
    }
}
