//! Batched evaluation (issue 13): a worker claims up to a batch of one
//! tenant's `received` submissions at once, until `claimed_until`, so that
//! several workers share a backlog without evaluating a row twice. A claim
//! whose worker died simply runs out; the sweeper re-enqueues the row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TenantId,
    Status,
    ReceivedAt,
    ClaimedUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Submissions::Table)
                .add_column(timestamp_with_time_zone_null(Submissions::ClaimedUntil))
                .to_owned(),
        )
        .await?;
        // What a claim looks for: the tenant's oldest received rows.
        m.create_index(
            Index::create()
                .name("ix_submissions_tenant_status_received")
                .table(Submissions::Table)
                .col(Submissions::TenantId)
                .col(Submissions::Status)
                .col(Submissions::ReceivedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_submissions_tenant_status_received")
                .table(Submissions::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Submissions::Table)
                .drop_column(Submissions::ClaimedUntil)
                .to_owned(),
        )
        .await
    }
}
