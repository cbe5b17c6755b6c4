//! The feedback channel (issue 14): reports filed without an account,
//! their messages, the handlers recused from each, and the proof-of-work
//! challenges already spent.
//!
//! A report's content and every message are sealed with the report's own
//! key (XChaCha20-Poly1305); that key is stored only wrapped under a key
//! derived from the configured key-encryption key, which the database
//! never holds. The receipt is stored only as a slow hash. Nothing here
//! records who filed: no address, no agent, and the day of filing rather
//! than the moment (the reporter's messages likewise, ordered by `seq`),
//! so a row cannot be matched against a proxy's log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    TenantId,
    Channel,
    Source,
    ReceiptHash,
    KekId,
    WrappedKey,
    Content,
    HasContact,
    Status,
    AssigneeId,
    Outcome,
    ReceivedOn,
    AckDue,
    FeedbackDue,
    AcknowledgedAt,
    ClosedAt,
    EscalatedAt,
    Escalation,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReportMessages {
    Table,
    Id,
    ReportId,
    TenantId,
    Seq,
    Author,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaseRecusals {
    Table,
    ReportId,
    UserId,
    TenantId,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PowSpent {
    Table,
    Id,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(uuid(Reports::Id).primary_key())
                .col(uuid(Reports::TenantId))
                .col(string_len(Reports::Channel, 16))
                .col(string_len(Reports::Source, 16))
                .col(string_len(Reports::ReceiptHash, 64).unique_key())
                .col(string_len(Reports::KekId, 16))
                .col(blob(Reports::WrappedKey))
                .col(blob(Reports::Content))
                .col(boolean(Reports::HasContact))
                .col(string_len(Reports::Status, 24))
                .col(uuid_null(Reports::AssigneeId))
                .col(string_len_null(Reports::Outcome, 32))
                .col(date(Reports::ReceivedOn))
                .col(date(Reports::AckDue))
                .col(date(Reports::FeedbackDue))
                .col(timestamp_with_time_zone_null(Reports::AcknowledgedAt))
                .col(timestamp_with_time_zone_null(Reports::ClosedAt))
                // What the organisation shares with the Agency when it
                // escalates, sealed like the report.
                .col(timestamp_with_time_zone_null(Reports::EscalatedAt))
                .col(blob_null(Reports::Escalation))
                .col(timestamp_with_time_zone(Reports::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reports_tenant_status")
                .table(Reports::Table)
                .col(Reports::TenantId)
                .col(Reports::Status)
                .col(Reports::ReceivedOn)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReportMessages::Table)
                .col(uuid(ReportMessages::Id).primary_key())
                .col(uuid(ReportMessages::ReportId))
                .col(uuid(ReportMessages::TenantId))
                .col(integer(ReportMessages::Seq))
                .col(string_len(ReportMessages::Author, 16))
                .col(uuid_null(ReportMessages::AuthorId))
                .col(blob(ReportMessages::Body))
                .col(timestamp_with_time_zone(ReportMessages::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("report_messages_report")
                .table(ReportMessages::Table)
                .col(ReportMessages::ReportId)
                .col(ReportMessages::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        // Handlers who may not handle a case: named in the report, or
        // recused by their own choice.
        m.create_table(
            Table::create()
                .table(CaseRecusals::Table)
                .col(uuid(CaseRecusals::ReportId))
                .col(uuid(CaseRecusals::UserId))
                .col(uuid(CaseRecusals::TenantId))
                .col(string_len(CaseRecusals::Reason, 16))
                .col(timestamp_with_time_zone(CaseRecusals::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(CaseRecusals::ReportId)
                        .col(CaseRecusals::UserId),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PowSpent::Table)
                .col(string_len(PowSpent::Id, 64).primary_key())
                .col(timestamp_with_time_zone(PowSpent::ExpiresAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PowSpent::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(CaseRecusals::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ReportMessages::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Reports::Table).to_owned())
            .await
    }
}
