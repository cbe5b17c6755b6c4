//! Helpers for the black-box tests: real `adal` and `adal-rules` binaries,
//! a fresh PostgreSQL database, a Redis namespace and an SMTP server
//! (aiosmtpd) per test, and a small typed HTTP client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The sandbox binary and fresh PostgreSQL databases come from the test kit
/// the crates' integration tests use too.
pub use adal_testkit::{PgDatabase, rules_binary};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn existing(candidates: &[PathBuf], what: &str) -> PathBuf {
    for c in candidates {
        if c.is_file() {
            return c.clone();
        }
    }
    panic!(
        "{what} not built; looked at {candidates:?}. Run the README's test command, which builds it first."
    );
}

/// The `adal` binary (built by `cargo build -p adal-app`).
pub fn adal_bin() -> PathBuf {
    if let Ok(p) = std::env::var("ADAL_BIN") {
        return PathBuf::from(p);
    }
    existing(&[repo_root().join("target/debug/adal")], "adal")
}

/// A port for a server under test to listen on.
///
/// Not `bind(0)`: that hands out a port from the kernel's ephemeral range,
/// where any outgoing connection (a database pool, an HTTP client) may take
/// it as its source port before the server binds it. With the tests in
/// parallel processes (nextest) that happened: "Address already in use".
/// So: a random port below the ephemeral range, reserved across processes
/// by a file created exclusively under the temporary directory (a
/// reservation older than an hour is a finished run's and is taken over),
/// and checked free by binding it.
pub fn free_port() -> u16 {
    const LOWEST: u16 = 15_000;
    let below = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768)
        .max(LOWEST + 1_000);
    let dir = std::env::temp_dir().join("adal-bb-ports");
    std::fs::create_dir_all(&dir).expect("create the port reservations folder");
    let span = u128::from(below - LOWEST);
    for _ in 0..10_000 {
        let port = LOWEST + (uuid::Uuid::new_v4().as_u128() % span) as u16;
        let file = dir.join(port.to_string());
        let stale = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if stale {
            let _ = std::fs::remove_file(&file);
        }
        let reserved = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .is_ok();
        if reserved && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port below {below} after 10,000 tries")
}

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("adal-bb-{tag}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

async fn wait_port(port: u16, within: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < within {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("nothing listening on port {port} after {within:?}")
}

/// A real SMTP server on loopback that stores what it receives in a
/// Maildir (aiosmtpd, installed by `.ci/run`).
pub struct Smtp {
    pub port: u16,
    pub dir: PathBuf,
    child: Option<Child>,
}

impl Smtp {
    pub async fn start() -> Result<Self> {
        // aiosmtpd's Maildir must not exist yet: it creates it with its
        // new/cur/tmp folders, and an existing empty folder lacks them.
        Self::start_on(free_port(), temp_dir("mail").join("maildir")).await
    }

    pub async fn start_on(port: u16, dir: PathBuf) -> Result<Self> {
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting aiosmtpd (pip install aiosmtpd)")?;
        wait_port(port, Duration::from_secs(15)).await?;
        Ok(Self {
            port,
            dir,
            child: Some(child),
        })
    }

    /// Every message received so far, as raw text.
    pub fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.dir.join(sub)) {
                for e in rd.flatten() {
                    if let Ok(t) = std::fs::read_to_string(e.path()) {
                        out.push(t);
                    }
                }
            }
        }
        out
    }

    pub async fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
    }
}

/// A raw message's headers and its body decoded from the transfer
/// encoding the mailer chose (base64 or quoted-printable, which a body in
/// Kazakh or Russian gets), so a test can look for text in it.
pub fn mail_text(raw: &str) -> String {
    use base64::Engine;
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let lower = head.to_ascii_lowercase();
    let decoded = if lower.contains("content-transfer-encoding: base64") {
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_else(|| body.to_owned())
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'=', Some(b)) => {
                    out.push(b);
                    i += 3;
                }
                (c, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    } else {
        body.to_owned()
    };
    format!("{head}\n\n{decoded}")
}

/// Environment for one deployment of Adal under test.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub env: BTreeMap<String, String>,
    pub dir: PathBuf,
    pub port: u16,
}

impl Deployment {
    /// PostgreSQL + Redis + SMTP: the production path.
    pub fn production(db: &PgDatabase, smtp_port: u16) -> Self {
        let dir = temp_dir("prod");
        let port = free_port();
        let mut env = Self::common(&dir, port);
        env.insert("ADAL_DATABASE_URL".into(), db.url.clone());
        env.insert("ADAL_QUEUE__BACKEND".into(), "redis".into());
        env.insert(
            "ADAL_QUEUE__REDIS_URL".into(),
            "redis://127.0.0.1:6379".into(),
        );
        env.insert(
            "ADAL_QUEUE__NAMESPACE".into(),
            format!("adal-test-{}", uuid::Uuid::now_v7().simple()),
        );
        env.insert("ADAL_SMTP__HOST".into(), "127.0.0.1".into());
        env.insert("ADAL_SMTP__PORT".into(), smtp_port.to_string());
        Self { env, dir, port }
    }

    /// SQLite + SQLite queue + mail to a directory: the embedded default.
    pub fn embedded() -> Self {
        let dir = temp_dir("embedded");
        let port = free_port();
        let mut env = Self::common(&dir, port);
        env.insert(
            "ADAL_DATABASE_URL".into(),
            format!("sqlite://{}/adal.sqlite?mode=rwc", dir.display()),
        );
        env.insert(
            "ADAL_QUEUE__SQLITE_PATH".into(),
            dir.join("queue.sqlite").display().to_string(),
        );
        env.insert(
            "ADAL_SMTP__MAIL_DIR".into(),
            dir.join("mail").display().to_string(),
        );
        Self { env, dir, port }
    }

    fn common(dir: &Path, port: u16) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        env.insert("ADAL_LISTEN".into(), format!("127.0.0.1:{port}"));
        env.insert("ADAL_DATA_DIR".into(), dir.display().to_string());
        env.insert(
            "ADAL_SANDBOX__BINARY".into(),
            rules_binary().display().to_string(),
        );
        env.insert("ADAL_WORKER__SWEEP_INTERVAL_SECS".into(), "1".into());
        env.insert("ADAL_WORKER__STALE_AFTER_SECS".into(), "2".into());
        // A worker killed mid-batch (the fault test) frees its rows soon.
        env.insert("ADAL_WORKER__CLAIM_LEASE_SECS".into(), "5".into());
        env.insert("ADAL_WORKER__MAIL_INTERVAL_SECS".into(), "1".into());
        env.insert("ADAL_WORKER__MAIL_RETRY_BASE_SECS".into(), "1".into());
        env.insert("ADAL_WORKER__MAIL_RETRY_MAX_SECS".into(), "2".into());
        // A worker killed while it holds outbox claims (the fault test)
        // leaves them to the others soon: with the default 5 minutes the
        // test's alerts waited out its 90 s. Still far longer than a send
        // to the local SMTP server takes, so no message goes out twice.
        env.insert("ADAL_WORKER__MAIL_LEASE_SECS".into(), "15".into());
        env.insert("ADAL_LOG".into(), "info,sqlx=warn".into());
        // Every test client is 127.0.0.1: the per-address limit on public
        // endpoints is tested on its own (registry test), not by accident.
        env.insert("ADAL_PUBLIC_REQUESTS_PER_MINUTE".into(), "0".into());
        // Several workers run at once on this machine: none takes the
        // default probe address unless a test gives it one.
        env.insert("ADAL_WORKER__LISTEN".into(), String::new());
        // The proof of work costs a client microseconds at 8 bits; its
        // refusals are tested, its cost is a setting.
        env.insert("ADAL_REPORTING__POW_BITS".into(), "8".into());
        env
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `adal ARGS` to completion; returns stdout.
    pub async fn run(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Result<String> {
        let out = Command::new(adal_bin())
            .args(args)
            .env_clear()
            .envs(&self.env)
            .envs(extra_env.iter().copied())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(repo_root())
            .output()
            .await?;
        if !out.status.success() {
            bail!(
                "adal {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Starts `adal ARGS` in the background, logging to a file in the
    /// deployment's directory.
    pub fn spawn(&self, name: &str, args: &[&str]) -> Result<Child> {
        let log = std::fs::File::create(self.dir.join(format!("{name}.log")))?;
        let child = Command::new(adal_bin())
            .args(args)
            .env_clear()
            .envs(&self.env)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(repo_root())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()?;
        Ok(child)
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default()
    }

    pub async fn wait_ready(&self) -> Result<()> {
        let client = reqwest::Client::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = client
                .get(format!("{}/readyz", self.base_url()))
                .send()
                .await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        bail!("adal did not become ready; log:\n{}", self.log("serve"))
    }
}

/// The smallest decimal nonce whose SHA-256 of `challenge:nonce` starts
/// with `bits` zero bits.
pub fn solve_work(challenge: &str, bits: u32) -> u64 {
    use sha2::Digest;
    (0u64..)
        .find(|n| {
            let h = sha2::Sha256::digest(format!("{challenge}:{n}").as_bytes());
            let mut zeros = 0;
            for b in h {
                zeros += b.leading_zeros();
                if b != 0 {
                    break;
                }
            }
            zeros >= bits
        })
        .unwrap_or(0)
}

/// A response: status and JSON body (Null if the body is not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base: String) -> Self {
        Self {
            base,
            client: reqwest::Client::new(),
        }
    }

    async fn reply(r: reqwest::Response) -> Result<Reply> {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            headers,
            body,
            text,
        })
    }

    async fn get_raw(&self, token: &str, path: &str) -> Result<reqwest::Response> {
        Ok(self
            .client
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(token)
            .send()
            .await?)
    }

    pub async fn get(&self, token: &str, path: &str) -> Result<Reply> {
        Self::reply(self.get_raw(token, path).await?).await
    }

    /// `GET` of a binary answer (a PDF): status, content type and bytes.
    pub async fn get_bytes(&self, token: &str, path: &str) -> Result<(u16, String, Vec<u8>)> {
        let r = self.get_raw(token, path).await?;
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok((status, kind, r.bytes().await?.to_vec()))
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Result<Reply> {
        self.send("POST", token, path, body.to_string()).await
    }

    pub async fn put(&self, token: &str, path: &str, body: &Value) -> Result<Reply> {
        self.send("PUT", token, path, body.to_string()).await
    }

    /// Sends a raw body (for malformed-input tests).
    pub async fn send(&self, method: &str, token: &str, path: &str, body: String) -> Result<Reply> {
        let m = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut rb = self
            .client
            .request(m, format!("{}/api/v1{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if !token.is_empty() {
            rb = rb.bearer_auth(token);
        }
        Self::reply(rb.send().await?).await
    }

    /// Uploads a file (an import) with its content type.
    pub async fn upload(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: String,
    ) -> Result<Reply> {
        let r = self
            .client
            .post(format!("{}/api/v1{path}", self.base))
            .header("content-type", content_type)
            .bearer_auth(token)
            .body(body)
            .send()
            .await?;
        Self::reply(r).await
    }

    /// `POST` of raw bytes (a file attached to a case).
    pub async fn upload_bytes(&self, token: &str, path: &str, body: Vec<u8>) -> Result<Reply> {
        let r = self
            .client
            .post(format!("{}/api/v1{path}", self.base))
            .header("content-type", "application/octet-stream")
            .bearer_auth(token)
            .body(body)
            .send()
            .await?;
        Self::reply(r).await
    }

    /// `GET` with extra headers (`Accept-Language`, say).
    pub async fn get_with(
        &self,
        token: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Reply> {
        let mut rb = self
            .client
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(token);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        Self::reply(rb.send().await?).await
    }

    /// `GET` of a file: status, headers and bytes.
    pub async fn get_file(
        &self,
        token: &str,
        path: &str,
    ) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>)> {
        let r = self.get_raw(token, path).await?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        Ok((status, headers, r.bytes().await?.to_vec()))
    }

    /// `POST` without a token, with extra headers (the public reporting
    /// endpoints).
    pub async fn post_public(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Result<Reply> {
        let mut rb = self
            .client
            .post(format!("{}/api/v1{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        Self::reply(rb.send().await?).await
    }

    /// A `Proof-Of-Work` header value: a fresh challenge, solved as any
    /// client must (docs/reporting.md).
    pub async fn proof_of_work(&self) -> Result<String> {
        let r = self.get_public("/public/challenge").await?;
        let (Some(challenge), Some(bits)) = (r.body["challenge"].as_str(), r.body["bits"].as_u64())
        else {
            bail!("challenge: {} {}", r.status, r.text);
        };
        Ok(format!(
            "{challenge}:{}",
            solve_work(challenge, bits as u32)
        ))
    }

    /// `GET` without a token (public endpoints).
    pub async fn get_public(&self, path: &str) -> Result<Reply> {
        let r = self
            .client
            .get(format!("{}/api/v1{path}", self.base))
            .send()
            .await?;
        Self::reply(r).await
    }

    /// Polls `GET path` until `ready` holds for the body; returns that body.
    pub async fn get_until(
        &self,
        token: &str,
        path: &str,
        within: Duration,
        what: &str,
        ready: impl Fn(&Value) -> bool,
    ) -> Result<Value> {
        let ready = &ready;
        eventually(within, what, || async move {
            let r = self.get(token, path).await?;
            Ok(ready(&r.body).then_some(r.body))
        })
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<String> {
        let r = self
            .send(
                "POST",
                "",
                "/auth/login",
                serde_json::json!({"email": email, "password": password}).to_string(),
            )
            .await?;
        if r.status != 200 {
            bail!("login {email} failed: {} {}", r.status, r.text);
        }
        Ok(r.body["token"].as_str().context("token")?.to_owned())
    }
}

/// Polls `f` until it returns `Some`, or fails after `within`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await? {
            return Ok(v);
        }
        if start.elapsed() > within {
            bail!("timed out after {within:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A valid BIN built from eleven digits.
pub fn bin(first_eleven: &str) -> String {
    adal_domain::with_check_digit(first_eleven).expect("prefix has a check digit")
}

/// The library's rules as the API takes them, with their parameter
/// declarations and fixtures.
pub fn library_rules() -> Vec<Value> {
    let dir = repo_root().join("rules/gifts");
    let mut out = Vec::new();
    for id in [
        "gift-over-mci-limit",
        "gift-from-open-procurement-counterparty",
    ] {
        let script = std::fs::read_to_string(dir.join(format!("{id}.rhai"))).expect("rule script");
        let meta: toml::Value =
            toml::from_str(&std::fs::read_to_string(dir.join(format!("{id}.toml"))).expect("meta"))
                .expect("toml");
        let json = |key: &str| {
            meta.get(key)
                .map(|v| serde_json::to_value(v).expect("toml as json"))
        };
        out.push(serde_json::json!({
            "id": id,
            "title": meta["title"].as_str(),
            "area": meta["area"].as_str(),
            "kinds": ["gift"],
            "severity": meta["severity"].as_str(),
            "likelihood": meta["likelihood"].as_integer(),
            "impact": meta["impact"].as_integer(),
            "parameters": json("params").unwrap_or_else(|| serde_json::json!({})),
            "fixtures": json("fixtures").expect("fixtures"),
            "script": script,
        }));
    }
    out
}

/// A fixture for a rule uploaded in a test: a received gift of `value_kzt`
/// described as `description`, expecting `expect`.
pub fn gift_fixture(name: &str, description: &str, value_kzt: &str, expect: &str) -> Value {
    serde_json::json!({
        "name": name,
        "expect": expect,
        "submission": {
            "kind": "gift",
            "payload": {
                "direction": "received", "giver_name": "Alpha LLP", "description": description,
                "value_kzt": value_kzt, "date": "2026-03-01", "occasion": "Test"
            },
            "context": {"mci": {"2026": "4325"}, "open_procurement_bins": []}
        }
    })
}

/// A TCP relay from a loopback port to `upstream`, which a test can cut
/// and restore: an outage of PostgreSQL (or Redis) for one deployment,
/// without stopping the server the other tests share.
pub struct Relay {
    pub port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pipes: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Relay {
    pub async fn start(upstream: &str) -> Result<Self> {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let pipes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up2, pipes2, upstream) = (up.clone(), pipes.clone(), upstream.to_owned());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    // Down: the connection is closed at once, as by a
                    // server that is not there.
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                if let Ok(mut p) = pipes2.lock() {
                    p.push(task.abort_handle());
                }
            }
        });
        Ok(Self {
            port,
            up,
            pipes,
            accept,
        })
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut p) = self.pipes.lock() {
            for h in p.drain(..) {
                h.abort();
            }
        }
    }

    pub fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}

/// Every sheet name and cell of an XLSX file as text, one per line: what
/// a reader of the workbook sees, for checks that read text (a leak of
/// another tenant's names) and would see nothing in the compressed bytes.
/// A file that is not a workbook is an error.
pub fn xlsx_text(bytes: Vec<u8>) -> Result<String> {
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))?;
    let mut out = String::new();
    for name in book.sheet_names() {
        out.push_str(&name);
        out.push('\n');
        for (_, _, cell) in book.worksheet_range(&name)?.used_cells() {
            out.push_str(&cell.to_string());
            out.push('\n');
        }
    }
    Ok(out)
}
