//! The messaging bots' filing when the worker dies half-way (issue 14):
//! the conversation records the report's id and receipt before filing, so
//! the worker that takes the message over files that report, once, and
//! answers its receipt once. The deaths are real failures of the database
//! at the two places a process can die: before the report is stored, and
//! after it is stored but before the conversation knows it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use adal_service::reporting::bots::{self, BotSettings, TelegramBot};
use adal_service::reporting::{ReportingKeys, ReportingSettings};
use adal_store::TenantId;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::sync::Arc;

const SECRET: &str = "telegram-secret-token";

fn update(id: i64, text: &str) -> Vec<u8> {
    serde_json::json!({
        "update_id": id,
        "message": {
            "message_id": id,
            "from": {"id": 5550001, "is_bot": false, "first_name": "R"},
            "chat": {"id": 5550001, "type": "private"},
            "date": 1765100000,
            "text": text
        }
    })
    .to_string()
    .into_bytes()
}

/// Delivers a message and lets the worker process everything it can.
async fn say(w: &World, id: i64, text: &str) {
    let keys = w.state.reporting.clone();
    let done = bots::accept_telegram(&w.state, &keys, w.a, &update(id, text), Some(SECRET))
        .await
        .unwrap();
    assert_eq!(done.stored, 1, "update {id} stored");
    while bots::process_next(&w.state, &keys).await.unwrap() {}
}

/// Runs SQL behind the store's back.
async fn sql(w: &World, statement: &str) {
    w.state
        .store
        .connection()
        .execute_unprepared(statement)
        .await
        .unwrap();
}

async fn count(w: &World, table: &str) -> i64 {
    let row = w
        .state
        .store
        .connection()
        .query_one_raw(sea_orm::Statement::from_string(
            w.state.store.backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// The worker that held the message is gone: its lease runs out.
async fn lease_runs_out(w: &World) {
    sql(
        w,
        "UPDATE bot_inbox SET lease_until = NULL WHERE processed_at IS NULL",
    )
    .await;
    while bots::process_next(&w.state, &w.state.reporting)
        .await
        .unwrap()
    {}
}

#[tokio::test]
async fn a_filing_cut_before_or_after_the_report_is_stored_files_it_once() {
    let mut w = world().await;
    let tenant = TenantId::from_uuid(w.a);
    let settings = BotSettings {
        telegram: HashMap::from([(
            tenant,
            TelegramBot {
                secret_token: SECRET.into(),
                bot_token: "123:abc".into(),
                api_base: "http://127.0.0.1:9".into(),
            },
        )]),
        ..BotSettings::default()
    };
    w.state.reporting = Arc::new(
        ReportingKeys::ephemeral(&ReportingSettings {
            pow_bits: 4,
            receipt_hash: adal_reporting::receipt::ReceiptHashParams::cheap_for_tests(),
            ..Default::default()
        })
        .unwrap()
        .with_bots(settings),
    );
    // The conversation up to its confirmation.
    for (i, text) in [
        "Hello",
        "3",
        "The head of the permits office asked for money (RECOVERY).",
        "-",
        "-",
        "-",
    ]
    .iter()
    .enumerate()
    {
        say(&w, 900_000 + i as i64, text).await;
    }
    let replies_before = count(&w, "bot_outbox").await;
    assert_eq!(count(&w, "reports").await, 0);

    // 1. The process dies after recording the filing, before the report
    //    is stored.
    sql(
        &w,
        "CREATE TRIGGER die_before_filing BEFORE INSERT ON reports \
         BEGIN SELECT RAISE(ABORT, 'the worker died here'); END",
    )
    .await;
    say(&w, 900_010, "1").await;
    assert_eq!(count(&w, "reports").await, 0);
    assert_eq!(
        count(&w, "bot_outbox").await,
        replies_before,
        "no answer yet"
    );
    sql(&w, "DROP TRIGGER die_before_filing").await;

    // 2. The next worker files it, and dies after the report is stored,
    //    before the conversation knows.
    sql(
        &w,
        "CREATE TRIGGER die_after_filing BEFORE INSERT ON bot_report_links \
         BEGIN SELECT RAISE(ABORT, 'the worker died here'); END",
    )
    .await;
    lease_runs_out(&w).await;
    assert_eq!(count(&w, "reports").await, 1, "filed by the second worker");
    assert_eq!(
        count(&w, "bot_outbox").await,
        replies_before,
        "no answer yet"
    );
    sql(&w, "DROP TRIGGER die_after_filing").await;

    // 3. The third worker finds the report filed: no second one, and the
    //    receipt answered once.
    lease_runs_out(&w).await;
    assert_eq!(count(&w, "reports").await, 1, "filed once");
    assert_eq!(count(&w, "bot_report_links").await, 1);
    assert_eq!(
        count(&w, "bot_outbox").await,
        replies_before + 1,
        "the receipt, once"
    );
    assert_eq!(
        count(&w, "bot_inbox WHERE processed_at IS NULL").await,
        0,
        "the confirmation is done with"
    );
    // The conversation goes on with that report: a later message joins
    // its case.
    say(&w, 900_020, "One more detail (RECOVERY-2).").await;
    assert_eq!(count(&w, "report_messages").await, 1);
    assert_eq!(count(&w, "reports").await, 1);
}
