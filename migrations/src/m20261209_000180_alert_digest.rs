//! Alert digests (issue 16): a tenant may have its alerts gathered into
//! one email per hour or per day (`tenants.alert_digest`; `immediate`, the
//! default, keeps one email per finding). A qualifying finding of a
//! digesting tenant waits in `alert_digest_entries` until its period is
//! over; the worker then puts every waiting entry of the period into one
//! digest (`digest_id`, set in the same transaction that queues the
//! emails), so each finding is in exactly one digest.

use crate::m20261207_000080_merkle_audit_log::secure;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    AlertDigest,
}

#[derive(DeriveIden)]
enum AlertDigestEntries {
    Table,
    Id,
    TenantId,
    FindingId,
    Title,
    Period,
    DueAt,
    CreatedAt,
    DigestId,
    DigestedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Existing tenants keep one email per finding.
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(string_len(Tenants::AlertDigest, 16).default("immediate"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AlertDigestEntries::Table)
                .col(uuid(AlertDigestEntries::Id).primary_key())
                .col(uuid(AlertDigestEntries::TenantId))
                .col(uuid(AlertDigestEntries::FindingId))
                .col(text(AlertDigestEntries::Title))
                .col(string_len(AlertDigestEntries::Period, 16))
                .col(timestamp_with_time_zone(AlertDigestEntries::DueAt))
                .col(timestamp_with_time_zone(AlertDigestEntries::CreatedAt))
                .col(uuid_null(AlertDigestEntries::DigestId))
                .col(timestamp_with_time_zone_null(
                    AlertDigestEntries::DigestedAt,
                ))
                .to_owned(),
        )
        .await?;
        // A finding waits for one digest only, however often its
        // evaluation is recorded.
        m.create_index(
            Index::create()
                .name("alert_digest_entries_finding")
                .table(AlertDigestEntries::Table)
                .col(AlertDigestEntries::FindingId)
                .unique()
                .to_owned(),
        )
        .await?;
        // The worker's question: which entries wait and are due.
        m.create_index(
            Index::create()
                .name("alert_digest_entries_waiting")
                .table(AlertDigestEntries::Table)
                .col(AlertDigestEntries::DigestId)
                .col(AlertDigestEntries::DueAt)
                .to_owned(),
        )
        .await?;
        secure(m, &["alert_digest_entries"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AlertDigestEntries::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .drop_column(Tenants::AlertDigest)
                .to_owned(),
        )
        .await
    }
}
