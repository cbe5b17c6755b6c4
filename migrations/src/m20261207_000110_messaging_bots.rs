//! The messaging bots (issue 14, docs/reporting.md "Messaging bots"): the
//! inbox the webhooks write to and a worker processes, each sender's
//! conversation, the link from a report filed through a bot to whom to
//! answer, and the outbox of messages the bots send.
//!
//! Nothing here holds a phone number, a chat id or a message in clear: the
//! sender is kept as a keyed HMAC (to find the conversation) and sealed
//! (to answer), texts and conversation drafts are sealed under keys
//! derived from the configured key-encryption key. Processed messages and
//! sent replies lose their sealed text; the inbox keeps the platform's
//! message id alone, to recognise a redelivery.

use crate::m20261207_000080_merkle_audit_log::secure;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum BotInbox {
    Table,
    Id,
    TenantId,
    Channel,
    MessageId,
    SenderKey,
    Sender,
    Body,
    ReceivedAt,
    Attempts,
    LeaseUntil,
    ProcessedAt,
    Failure,
}

#[derive(DeriveIden)]
enum BotConversations {
    Table,
    Id,
    TenantId,
    Channel,
    SenderKey,
    State,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BotReportLinks {
    Table,
    ReportId,
    TenantId,
    Channel,
    Recipient,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BotOutbox {
    Table,
    Id,
    TenantId,
    Channel,
    Recipient,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimToken,
    LastError,
    CreatedAt,
    SentAt,
}

const TABLES: [&str; 4] = [
    "bot_inbox",
    "bot_conversations",
    "bot_report_links",
    "bot_outbox",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BotInbox::Table)
                // UUIDv7: ordered by arrival, so a sender's messages are
                // processed in the order they came.
                .col(uuid(BotInbox::Id).primary_key())
                .col(uuid(BotInbox::TenantId))
                .col(string_len(BotInbox::Channel, 16))
                .col(string_len(BotInbox::MessageId, 200))
                .col(string_len(BotInbox::SenderKey, 64))
                .col(blob(BotInbox::Sender))
                .col(blob_null(BotInbox::Body))
                .col(timestamp_with_time_zone(BotInbox::ReceivedAt))
                .col(integer(BotInbox::Attempts))
                .col(timestamp_with_time_zone_null(BotInbox::LeaseUntil))
                .col(timestamp_with_time_zone_null(BotInbox::ProcessedAt))
                .col(string_len_null(BotInbox::Failure, 200))
                .to_owned(),
        )
        .await?;
        // The deduplication: a redelivery of the same message inserts
        // nothing. Telegram's update ids are per bot, hence the tenant.
        m.create_index(
            Index::create()
                .name("bot_inbox_message")
                .table(BotInbox::Table)
                .col(BotInbox::TenantId)
                .col(BotInbox::Channel)
                .col(BotInbox::MessageId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("bot_inbox_pending")
                .table(BotInbox::Table)
                .col(BotInbox::ProcessedAt)
                .col(BotInbox::SenderKey)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BotConversations::Table)
                .col(uuid(BotConversations::Id).primary_key())
                .col(uuid(BotConversations::TenantId))
                .col(string_len(BotConversations::Channel, 16))
                .col(string_len(BotConversations::SenderKey, 64))
                .col(blob(BotConversations::State))
                .col(timestamp_with_time_zone(BotConversations::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("bot_conversations_sender")
                .table(BotConversations::Table)
                .col(BotConversations::TenantId)
                .col(BotConversations::Channel)
                .col(BotConversations::SenderKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BotReportLinks::Table)
                .col(uuid(BotReportLinks::ReportId).primary_key())
                .col(uuid(BotReportLinks::TenantId))
                .col(string_len(BotReportLinks::Channel, 16))
                .col(blob(BotReportLinks::Recipient))
                .col(timestamp_with_time_zone(BotReportLinks::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(BotOutbox::Table)
                .col(uuid(BotOutbox::Id).primary_key())
                .col(uuid(BotOutbox::TenantId))
                .col(string_len(BotOutbox::Channel, 16))
                .col(blob(BotOutbox::Recipient))
                .col(blob_null(BotOutbox::Body))
                .col(string_len(BotOutbox::Status, 16))
                .col(integer(BotOutbox::Attempts))
                .col(timestamp_with_time_zone(BotOutbox::NextAttemptAt))
                .col(uuid_null(BotOutbox::ClaimToken))
                .col(string_len_null(BotOutbox::LastError, 2000))
                .col(timestamp_with_time_zone(BotOutbox::CreatedAt))
                .col(timestamp_with_time_zone_null(BotOutbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("bot_outbox_due")
                .table(BotOutbox::Table)
                .col(BotOutbox::Status)
                .col(BotOutbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        // The tenant wall (m20261207_000060) on every new table.
        secure(m, &TABLES).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
