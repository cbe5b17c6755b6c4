//! Logs and metrics shared by the API and the workers.

use prometheus::{Encoder, IntCounterVec, Opts, Registry, TextEncoder};
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
    /// Alert emails by outcome (`sent`, `failed`).
    pub mail: IntCounterVec,
}

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
}
