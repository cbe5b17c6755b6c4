//! Issue 14's messaging bots, black-box: WhatsApp Cloud API and Telegram
//! Bot API deliveries (payloads written here in the shapes of their public
//! documentation; WhatsApp's with non-ASCII as `\uXXXX`, signed over the
//! raw bytes), a whole conversation ending in a receipt sent back through
//! a fake provider, a redelivery that creates nothing twice, refused
//! signatures, media, a handler's reply reaching the reporter through the
//! bot, and neither the sender nor the text in any database file, dump
//! or log line. On the embedded default (one process) and on PostgreSQL +
//! Redis with two workers sharing the inbox.

use super::reporting::files_holding;
use super::{ADMIN_PASSWORD, create_tenant, psql, start_embedded, start_production};
use adal_blackbox::*;
use anyhow::{Result, bail};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const APP_SECRET: &str = "test-app-secret-of-the-meta-app";
const VERIFY_TOKEN: &str = "verify-token-for-the-handshake";
const ACCESS_TOKEN: &str = "EAAtest-access-token";
const PHONE_NUMBER_ID: &str = "106540352242922";
/// The reporter's WhatsApp number and Telegram chat: neither may appear
/// anywhere in the database or the logs.
const WA_SENDER: &str = "77015550199";
const TG_CHAT: &str = "5550123987";
const TG_SECRET: &str = "tg-secret-token_for-tests";
const TG_BOT_TOKEN: &str = "123456:TEST-bot-token";

/// A request the service made to the fake provider.
#[derive(Debug, Clone)]
struct Sent {
    path: String,
    authorization: String,
    body: Value,
}

/// An HTTP server standing in for Graph API and Bot API: records every
/// request, answers `200 {}` (or `500` for the next `fail` requests).
#[derive(Clone)]
struct FakeProvider {
    port: u16,
    sent: Arc<Mutex<Vec<Sent>>>,
    fail: Arc<Mutex<u32>>,
}

impl FakeProvider {
    async fn start() -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let me = Self {
            port,
            sent: Arc::default(),
            fail: Arc::default(),
        };
        let server = me.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = server.answer(&mut conn).await;
                });
            }
        });
        Ok(me)
    }

    async fn answer(&self, conn: &mut tokio::net::TcpStream) -> Result<()> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            let n = conn.read(&mut chunk).await?;
            if n == 0 {
                bail!("closed");
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let len: usize = header("content-length").parse().unwrap_or(0);
        while buf.len() < head_end + len {
            let n = conn.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let path = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or_default()
            .to_owned();
        let failing = {
            let mut f = self.fail.lock().unwrap();
            let failing = *f > 0;
            *f = f.saturating_sub(1);
            failing
        };
        let answer: &[u8] = if failing {
            b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
        } else {
            self.sent.lock().unwrap().push(Sent {
                path,
                authorization: header("authorization"),
                body: serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null),
            });
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
        };
        conn.write_all(answer).await?;
        conn.shutdown().await?;
        Ok(())
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// The texts sent so far to `recipient`, in order.
    fn texts_to(&self, recipient: &str) -> Vec<String> {
        self.sent()
            .into_iter()
            .filter_map(|s| {
                let to = s.body["to"]
                    .as_str()
                    .map(str::to_owned)
                    .or_else(|| s.body["chat_id"].as_i64().map(|c| c.to_string()))?;
                (to == recipient).then(|| {
                    s.body["text"]["body"]
                        .as_str()
                        .or_else(|| s.body["text"].as_str())
                        .unwrap_or_default()
                        .to_owned()
                })
            })
            .collect()
    }

    /// Waits until `recipient` has received `n` messages; returns them all.
    async fn wait_for(&self, recipient: &str, n: usize) -> Result<Vec<String>> {
        eventually(
            Duration::from_secs(30),
            &format!("{n} messages to the reporter"),
            || async {
                let texts = self.texts_to(recipient);
                Ok((texts.len() >= n).then_some(texts))
            },
        )
        .await
    }
}

/// JSON as Meta sends it: compact, every non-ASCII character as `\uXXXX`
/// (UTF-16) and `/` as `\/`.
fn meta_json(v: &Value) -> Vec<u8> {
    let mut out = String::new();
    for c in v.to_string().chars() {
        if c == '/' {
            out.push_str("\\/");
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out.into_bytes()
}

fn sign(body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex_of(&mac.finalize().into_bytes()))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A WhatsApp Cloud API `messages` notification with one message.
fn wa_delivery(wamid: &str, message: Value) -> Value {
    let mut m = message;
    m["from"] = json!(WA_SENDER);
    m["id"] = json!(wamid);
    m["timestamp"] = json!("1765100000");
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": "77172000000",
                        "phone_number_id": PHONE_NUMBER_ID
                    },
                    "contacts": [{"profile": {"name": "Reporter"}, "wa_id": WA_SENDER}],
                    "messages": [m]
                }
            }]
        }]
    })
}

fn wa_text(wamid: &str, text: &str) -> Vec<u8> {
    meta_json(&wa_delivery(
        wamid,
        json!({"type": "text", "text": {"body": text}}),
    ))
}

/// A Telegram `Update` with a text message from the reporter's chat.
fn tg_update(update_id: i64, text: &str) -> Vec<u8> {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id - 700_000,
            "from": {"id": TG_CHAT.parse::<i64>().unwrap(), "is_bot": false, "first_name": "R", "language_code": "en"},
            "chat": {"id": TG_CHAT.parse::<i64>().unwrap(), "first_name": "R", "type": "private"},
            "date": 1765100000,
            "text": text
        }
    })
    .to_string()
    .into_bytes()
}

struct Webhooks {
    base: String,
    client: reqwest::Client,
}

impl Webhooks {
    async fn post(&self, path: &str, header: Option<(&str, &str)>, body: Vec<u8>) -> Result<Reply> {
        let mut rb = self
            .client
            .post(format!("{}/api/v1/webhooks{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some((k, v)) = header {
            rb = rb.header(k, v);
        }
        let r = rb.send().await?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await?;
        Ok(Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        })
    }

    async fn whatsapp(&self, body: Vec<u8>) -> Result<Reply> {
        let signature = sign(&body);
        self.post("/whatsapp", Some(("X-Hub-Signature-256", &signature)), body)
            .await
    }

    async fn telegram(&self, tenant: &str, body: Vec<u8>) -> Result<Reply> {
        self.post(
            &format!("/telegram/{tenant}"),
            Some(("X-Telegram-Bot-Api-Secret-Token", TG_SECRET)),
            body,
        )
        .await
    }
}

/// The receipt in the bot's answer: the line of 40 digits in groups.
fn receipt_in(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| {
            l.chars().filter(char::is_ascii_digit).count() == 40
                && l.chars().all(|c| c.is_ascii_digit() || c == ' ')
        })
        .map(str::to_owned)
}

/// The id of the case from `source` in a case list.
fn case_from(list: &Reply, source: &str) -> String {
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == source)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The bots' configuration for `tenant`, pointing at `provider`.
fn configure(dep: &mut Deployment, tenant: &str, provider: &FakeProvider) {
    let base = format!("http://127.0.0.1:{}", provider.port);
    for (k, v) in [
        (
            "ADAL_REPORTING__WHATSAPP__APP_SECRET",
            APP_SECRET.to_owned(),
        ),
        (
            "ADAL_REPORTING__WHATSAPP__VERIFY_TOKEN",
            VERIFY_TOKEN.to_owned(),
        ),
        (
            "ADAL_REPORTING__WHATSAPP__ACCESS_TOKEN",
            ACCESS_TOKEN.to_owned(),
        ),
        (
            "ADAL_REPORTING__WHATSAPP__API_BASE",
            format!("{base}/v21.0"),
        ),
        (
            &format!("ADAL_REPORTING__WHATSAPP__NUMBERS__{PHONE_NUMBER_ID}"),
            tenant.to_owned(),
        ),
        ("ADAL_REPORTING__TELEGRAM__API_BASE", base.clone()),
        (
            &format!("ADAL_REPORTING__TELEGRAM__BOTS__{tenant}__SECRET_TOKEN"),
            TG_SECRET.to_owned(),
        ),
        (
            &format!("ADAL_REPORTING__TELEGRAM__BOTS__{tenant}__BOT_TOKEN"),
            TG_BOT_TOKEN.to_owned(),
        ),
        ("ADAL_REPORTING__BOT_POLL_MS", "100".to_owned()),
    ] {
        dep.env.insert(k.to_owned(), v);
    }
}

/// Everything a reporter and a handler do through the bots. Returns the
/// markers that must be found nowhere at rest.
async fn through_the_bots(
    api: &Api,
    hooks: &Webhooks,
    provider: &FakeProvider,
    tid: &str,
    other_tid: &str,
    compliance: &str,
) -> Result<Vec<String>> {
    let marker = format!("BOTMARK{}", uuid::Uuid::new_v4().simple());
    let tg_marker = format!("TGMARK{}", uuid::Uuid::new_v4().simple());
    let reply_marker = format!("HANDLERMARK{}", uuid::Uuid::new_v4().simple());
    let wamid = |n: u32| format!("wamid.HBgLNzcwMTU1NTAxOTkVAgASGBQz{n:04}{}", &tid[..8]);

    // The handshake: the challenge as text to the right token only.
    let r = api
        .get_public(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        ))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.text, "1158201444");
    assert!(
        r.headers["content-type"]
            .to_str()?
            .starts_with("text/plain")
    );
    let r = api
        .get_public("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1")
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);

    // A bad or missing signature: 401, and nothing stored (the same body
    // signed right is new afterwards).
    let hello = wa_text(&wamid(1), "Сәлеметсіз бе!");
    let r = hooks
        .post(
            "/whatsapp",
            Some(("X-Hub-Signature-256", &format!("sha256={}", "0".repeat(64)))),
            hello.clone(),
        )
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"], "unauthorized");
    let r = hooks.post("/whatsapp", None, hello.clone()).await?;
    assert_eq!(r.status, 401, "{}", r.text);
    // Signed over re-serialised JSON (raw UTF-8 instead of the escapes):
    // refused too, although it means the same.
    let reserialised = serde_json::from_slice::<Value>(&hello)?.to_string();
    let r = hooks
        .post(
            "/whatsapp",
            Some(("X-Hub-Signature-256", &sign(&hello))),
            reserialised.into_bytes(),
        )
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);
    // A body over the API's limit is refused before it is read whole.
    let huge = wa_text(&wamid(2), &"x".repeat(2 * 1024 * 1024));
    let r = hooks.whatsapp(huge).await?;
    assert_eq!(r.status, 413, "{}", r.text);
    // An unknown number, signed right: 404.
    let unknown = meta_json(
        &json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "999"}, "messages": [{"id": "wamid.X", "from": WA_SENDER, "type": "text", "text": {"body": "x"}}]}}]}]}),
    );
    let r = hooks.whatsapp(unknown).await?;
    assert_eq!(r.status, 404, "{}", r.text);
    // A status update only (delivered, read): taken, nothing to store.
    let statuses = meta_json(
        &json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": PHONE_NUMBER_ID}, "statuses": [{"id": "wamid.Y", "status": "read", "timestamp": "1765100001", "recipient_id": WA_SENDER}]}}]}]}),
    );
    let r = hooks.whatsapp(statuses).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"stored": 0, "repeated": 0}));

    // The conversation, in Kazakh.
    let r = hooks.whatsapp(hello.clone()).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({"stored": 1, "repeated": 0}));
    let texts = provider.wait_for(WA_SENDER, 1).await?;
    // First of all: the provider sees the number; the web form does not.
    assert!(texts[0].contains("телефон нөміріңізді"), "{}", texts[0]);
    assert!(texts[0].contains("phone number"), "{}", texts[0]);
    assert!(texts[0].contains(&format!("/report/{tid}")), "{}", texts[0]);
    // A redelivery of the greeting: nothing stored, no second answer.
    let r = hooks.whatsapp(hello).await?;
    assert_eq!(r.body, json!({"stored": 0, "repeated": 1}), "{}", r.text);

    let what = format!("Әкімдікте тендер кезінде бастық пара сұрады ({marker}). Взятку просили.");
    let steps: [(&str, &str); 6] = [
        ("1", "Не болғанын"),
        (&what, "қашан"),
        ("-", "Қай жерде"),
        ("Қарағанды, әкімдік", "Кім қатысты"),
        ("Беков Серик - бөлім бастығы", "Жіберу үшін 1"),
        ("1", "Түбіртек коды"),
    ];
    for (i, (say, expect)) in steps.iter().enumerate() {
        let before = provider.texts_to(WA_SENDER).len();
        let r = hooks.whatsapp(wa_text(&wamid(10 + i as u32), say)).await?;
        assert_eq!(r.body["stored"], 1, "{}", r.text);
        let texts = provider.wait_for(WA_SENDER, before + 1).await?;
        let last = texts.last().unwrap();
        assert!(
            last.to_lowercase().contains(&expect.to_lowercase()),
            "after {say:?}, expected {expect:?} in {last:?}"
        );
    }
    let texts = provider.texts_to(WA_SENDER);
    let receipt = receipt_in(texts.last().unwrap()).expect("a receipt in the last answer");
    // The summary showed what the reporter wrote, the Kazakh intact.
    assert!(texts.iter().any(|t| t.contains(&what)));
    // Every answer went to Graph API's messages endpoint of our number,
    // with the access token.
    for s in provider.sent() {
        if s.body["messaging_product"] == "whatsapp" {
            assert_eq!(s.path, format!("/v21.0/{PHONE_NUMBER_ID}/messages"));
            assert_eq!(s.authorization, format!("Bearer {ACCESS_TOKEN}"));
            assert_eq!(s.body["type"], "text");
        }
    }

    // The confirmation delivered again: no second report, no answer.
    let count = provider.texts_to(WA_SENDER).len();
    let r = hooks.whatsapp(wa_text(&wamid(15), "1")).await?;
    assert_eq!(r.body, json!({"stored": 0, "repeated": 1}), "{}", r.text);

    // Media: only text is taken.
    let image = meta_json(&wa_delivery(
        &wamid(30),
        json!({"type": "image", "image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "1003"}}),
    ));
    let r = hooks.whatsapp(image).await?;
    assert_eq!(r.body["stored"], 1, "{}", r.text);
    let texts = provider.wait_for(WA_SENDER, count + 1).await?;
    assert!(texts[count].contains("тек мәтінді"), "{}", texts[count]);

    // The receipt is the web form's: it opens the report.
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            "/public/reports/access",
            &[("Proof-Of-Work", &pow)],
            &json!({ "receipt": receipt }),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let reporter = r.body["token"].as_str().unwrap().to_owned();
    let r = api.get(reporter.as_str(), "/public/reports/mine").await?;
    assert!(r.body["report"]["what"].as_str().unwrap().contains(&marker));
    assert_eq!(r.body["report"]["language"], "kk");
    assert_eq!(r.body["anonymous"], true);

    // One case, from WhatsApp, naming Bekov.
    let r = api
        .get(compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    assert_eq!(r.body["items"][0]["source"], "whatsapp", "{}", r.text);
    let case = r.body["items"][0]["id"].as_str().unwrap().to_owned();

    // A later message joins the case as the reporter's.
    let count = provider.texts_to(WA_SENDER).len();
    let r = hooks
        .whatsapp(wa_text(&wamid(40), &format!("Тағы бір дерек: {marker}-2")))
        .await?;
    assert_eq!(r.body["stored"], 1, "{}", r.text);
    let texts = provider.wait_for(WA_SENDER, count + 1).await?;
    assert!(texts[count].contains("жіберілді"), "{}", texts[count]);
    let r = api
        .get(compliance, &format!("/tenants/{tid}/cases/{case}"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let messages = r.body["messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 1, "{}", r.text);
    assert_eq!(messages[0]["author"], "reporter");
    assert!(
        messages[0]["body"]
            .as_str()
            .unwrap()
            .contains(&format!("{marker}-2"))
    );
    assert_eq!(r.body["report"]["involved"][0]["name"], "Беков Серик");

    // The handler answers; the provider fails once and the answer still
    // arrives (retried). An internal note goes nowhere.
    *provider.fail.lock().unwrap() = 1;
    let count = provider.texts_to(WA_SENDER).len();
    let r = api
        .post(
            compliance,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({"body": format!("Рахмет. Қай тендер? {reply_marker}")}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            compliance,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({"body": "NOTE-NOT-FOR-THE-REPORTER", "internal": true}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let texts = provider.wait_for(WA_SENDER, count + 1).await?;
    assert!(texts[count].contains(&reply_marker), "{}", texts[count]);
    assert!(
        texts[count].starts_with("Іс жүргізушіден"),
        "{}",
        texts[count]
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !provider
            .texts_to(WA_SENDER)
            .iter()
            .any(|t| t.contains("NOTE-NOT-FOR")),
        "a note reached the reporter"
    );

    // Telegram: a wrong secret is a 401; a tenant without a bot, 404.
    let r = hooks
        .post(
            &format!("/telegram/{tid}"),
            Some(("X-Telegram-Bot-Api-Secret-Token", "guess")),
            tg_update(733_500_001, "/start"),
        )
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = hooks
        .telegram(other_tid, tg_update(733_500_001, "/start"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = hooks
        .telegram("not-a-uuid", tg_update(733_500_001, "/start"))
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);

    let steps: [(&str, &str); 7] = [
        ("/start", "Telegram sees"),
        ("3", "Describe in your own words"),
        (
            &format!("The director takes cash for permits ({tg_marker})"),
            "When did it happen",
        ),
        ("last week", "Where?"),
        ("-", "Who is involved"),
        ("-", "Send 1 to file"),
        ("yes", "Receipt code"),
    ];
    for (i, (say, expect)) in steps.iter().enumerate() {
        let before = provider.texts_to(TG_CHAT).len();
        let r = hooks
            .telegram(tid, tg_update(733_500_010 + i as i64, say))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["stored"], 1, "{}", r.text);
        let texts = provider.wait_for(TG_CHAT, before + 1).await?;
        let last = texts.last().unwrap();
        assert!(
            last.contains(expect),
            "after {say:?}, expected {expect:?} in {last:?}"
        );
    }
    let tg_receipt = receipt_in(provider.texts_to(TG_CHAT).last().unwrap()).expect("a receipt");
    assert_ne!(tg_receipt, receipt);
    let r = hooks.telegram(tid, tg_update(733_500_016, "yes")).await?;
    assert_eq!(r.body, json!({"stored": 0, "repeated": 1}), "{}", r.text);
    for s in provider.sent() {
        if s.body.get("chat_id").is_some() {
            assert_eq!(s.path, format!("/bot{TG_BOT_TOKEN}/sendMessage"));
            assert_eq!(s.body["chat_id"], json!(TG_CHAT.parse::<i64>()?));
        }
    }
    let r = api
        .get(compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    assert_eq!(r.body["total"], 2, "{}", r.text);

    // Once the case is closed, the bot says so instead of adding to it.
    let tg_case = case_from(&r, "telegram");
    let r = api
        .send(
            "PATCH",
            compliance,
            &format!("/tenants/{tid}/cases/{tg_case}"),
            json!({"status": "closed", "outcome": "insufficient_information"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = hooks
        .telegram(tid, tg_update(733_500_020, "One more thing"))
        .await?;
    assert_eq!(r.body["stored"], 1, "{}", r.text);
    let texts = provider.wait_for(TG_CHAT, 8).await?;
    assert!(texts[7].contains("This case is closed"), "{}", texts[7]);
    let r = api
        .get(compliance, &format!("/tenants/{tid}/cases/{tg_case}"))
        .await?;
    assert_eq!(r.body["messages"], json!([]), "{}", r.text);

    // Each answer went exactly once (two workers share the inbox in
    // production): the greeting, six steps, media, forwarded, the reply;
    // on Telegram seven steps and the closed case.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(provider.texts_to(WA_SENDER).len(), 10);
    assert_eq!(provider.texts_to(TG_CHAT).len(), 8);

    Ok(vec![
        WA_SENDER.to_owned(),
        TG_CHAT.to_owned(),
        marker,
        tg_marker,
        reply_marker,
        receipt,
        tg_receipt,
        "Беков Серик".to_owned(),
        "Әкімдікте тендер".to_owned(),
    ])
}

async fn tenants(api: &Api, tag: &str, bin: &str) -> Result<(String, String, String)> {
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let t = create_tenant(api, &platform, tag, bin).await?;
    let other = create_tenant(api, &platform, &format!("{tag}2"), "29034000666").await?;
    Ok((t.id, other.id, t.compliance))
}

#[tokio::test(flavor = "multi_thread")]
async fn bots_file_and_answer_on_the_embedded_default() -> Result<()> {
    let (mut dep, api) = start_embedded().await?;
    let serve = dep.spawn("setup", &["serve"])?;
    dep.wait_ready().await?;
    let (tid, other, _) = tenants(&api, "botsemb", "29034000555").await?;
    drop(serve);
    // The bots are configured for the tenant once it exists.
    let provider = FakeProvider::start().await?;
    configure(&mut dep, &tid, &provider);
    let _serve = dep.spawn("serve", &["serve"])?;
    dep.wait_ready().await?;
    let compliance = api
        .login("compliance_officer@botsemb.kz", super::PASSWORD)
        .await?;
    let hooks = Webhooks {
        base: dep.base_url(),
        client: reqwest::Client::new(),
    };
    let mut needles = through_the_bots(&api, &hooks, &provider, &tid, &other, &compliance).await?;
    drop(_serve);

    // Messages still waiting when the key is rotated: with the API alone
    // running, a reporter's message stays in the inbox and a handler's
    // answer in the outbox.
    let api_only = dep.spawn("api-only", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let compliance = api
        .login("compliance_officer@botsemb.kz", super::PASSWORD)
        .await?;
    let r = api
        .get(&compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    let case = case_from(&r, "whatsapp");
    let waiting = format!("WAITINGMARK{}", uuid::Uuid::new_v4().simple());
    let r = api
        .post(
            &compliance,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({ "body": format!("Before the rotation: {waiting}") }),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = hooks
        .whatsapp(wa_text(
            &format!("wamid.before-rotation-{}", &tid[..8]),
            "Күтіп тұрған хабар",
        ))
        .await?;
    assert_eq!(r.body["stored"], 1, "{}", r.text);
    drop(api_only);

    // Rotating the key moves the bots' envelopes (two report links, two
    // conversations, the waiting inbox and outbox messages); with the new
    // key alone both waiting messages go through, a handler's message
    // still reaches the reporter, and the reporter's conversation goes on.
    let old = std::fs::read_to_string(dep.dir.join("reporting.key"))?;
    let new = "6a".repeat(32);
    let rotating = [
        ("ADAL_REPORTING__KEY", new.as_str()),
        ("ADAL_REPORTING__PREVIOUS_KEY", old.trim()),
    ];
    let out = dep.run(&["reporting-rekey"], &rotating).await?;
    assert!(out.contains("6 messaging-bot envelopes rewrapped"), "{out}");
    let out = dep.run(&["reporting-rekey"], &rotating).await?;
    assert!(out.contains("0 messaging-bot envelopes rewrapped"), "{out}");
    dep.env.insert("ADAL_REPORTING__KEY".into(), new.clone());
    let _serve = dep.spawn("serve-after", &["serve"])?;
    dep.wait_ready().await?;
    let texts = provider.wait_for(WA_SENDER, 12).await?;
    assert!(
        texts[10..].iter().any(|t| t.contains(&waiting)),
        "{texts:?}"
    );
    assert!(
        texts[10..].iter().any(|t| t.contains("жіберілді")),
        "{texts:?}"
    );
    needles.push(waiting);
    let compliance = api
        .login("compliance_officer@botsemb.kz", super::PASSWORD)
        .await?;
    let rotated = format!("ROTATEDMARK{}", uuid::Uuid::new_v4().simple());
    let r = api
        .post(
            &compliance,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({ "body": format!("After the rotation: {rotated}") }),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let texts = provider.wait_for(WA_SENDER, 13).await?;
    assert!(texts[12].contains(&rotated), "{}", texts[12]);
    let r = hooks
        .whatsapp(wa_text(
            &format!("wamid.after-rotation-{}", &tid[..8]),
            "Тағы бір сөз",
        ))
        .await?;
    assert_eq!(r.body["stored"], 1, "{}", r.text);
    let texts = provider.wait_for(WA_SENDER, 14).await?;
    assert!(texts[13].contains("жіберілді"), "{}", texts[13]);
    drop(_serve);
    needles.push(rotated);
    for needle in &needles {
        let found = files_holding(&dep.dir, needle);
        assert!(found.is_empty(), "{needle} found in {found:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn bots_file_and_answer_on_postgres_redis_with_two_workers() -> Result<()> {
    let (db, _smtp, mut dep, api, _) = start_production().await?;
    let setup = dep.spawn("setup", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let (tid, other, _) = tenants(&api, "botspg", "29034000555").await?;
    drop(setup);
    let provider = FakeProvider::start().await?;
    configure(&mut dep, &tid, &provider);
    let serve = dep.spawn("serve", &["serve", "--api-only"])?;
    let w1 = dep.spawn("worker", &["worker"])?;
    let w2 = dep.spawn("worker2", &["worker"])?;
    dep.wait_ready().await?;
    let compliance = api
        .login("compliance_officer@botspg.kz", super::PASSWORD)
        .await?;
    let hooks = Webhooks {
        base: dep.base_url(),
        client: reqwest::Client::new(),
    };
    let needles = through_the_bots(&api, &hooks, &provider, &tid, &other, &compliance).await?;
    drop((serve, w1, w2));
    // The inbox keeps ids only; every processed message lost its text.
    let left = psql(
        &db.name,
        "SELECT count(*) FROM bot_inbox WHERE body IS NOT NULL OR processed_at IS NULL",
    )?;
    assert_eq!(left, "0");
    let sent = psql(
        &db.name,
        "SELECT count(*) FROM bot_outbox WHERE status = 'sent' AND body IS NULL \
         AND length(recipient) = 0",
    )?;
    assert_eq!(sent, "18");
    let dump = std::process::Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "--data-only", &db.name])
        .output()?;
    assert!(dump.status.success());
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("bot_inbox"), "the dump holds the inbox");
    for needle in &needles {
        assert!(
            !dump.contains(needle.as_str()),
            "{needle} in the database dump"
        );
        let found = files_holding(&dep.dir, needle);
        assert!(found.is_empty(), "{needle} found in {found:?}");
    }
    Ok(())
}
