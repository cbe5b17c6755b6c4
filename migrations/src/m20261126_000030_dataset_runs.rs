//! Dataset runs: the scheduled or on-demand jobs that look at a tenant's
//! whole data set (who has not filed a declaration, who keeps giving
//! gifts) and file what they find as derived records, which the ordinary
//! pipeline then evaluates. A row per run, so the compliance unit can see
//! when the data set was last looked at and what changed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DatasetRuns {
    Table,
    Id,
    TenantId,
    Trigger,
    RequestedBy,
    Status,
    Created,
    Corrected,
    Unchanged,
    Error,
    RequestedAt,
    StartedAt,
    HeartbeatAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TenantId,
    SubjectIin,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DatasetRuns::Table)
                .col(pk_uuid(DatasetRuns::Id))
                .col(uuid(DatasetRuns::TenantId))
                .col(text(DatasetRuns::Trigger))
                .col(text(DatasetRuns::RequestedBy))
                .col(text(DatasetRuns::Status))
                .col(big_integer(DatasetRuns::Created).default(0))
                .col(big_integer(DatasetRuns::Corrected).default(0))
                .col(big_integer(DatasetRuns::Unchanged).default(0))
                .col(text_null(DatasetRuns::Error))
                .col(timestamp_with_time_zone(DatasetRuns::RequestedAt))
                .col(timestamp_with_time_zone_null(DatasetRuns::StartedAt))
                .col(timestamp_with_time_zone_null(DatasetRuns::HeartbeatAt))
                .col(timestamp_with_time_zone_null(DatasetRuns::FinishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DatasetRuns::Table, DatasetRuns::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_dataset_runs_tenant_requested")
                .table(DatasetRuns::Table)
                .col(DatasetRuns::TenantId)
                .col(DatasetRuns::RequestedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_dataset_runs_status")
                .table(DatasetRuns::Table)
                .col(DatasetRuns::Status)
                .to_owned(),
        )
        .await?;
        // A person's earlier records (HR history, last year's declaration)
        // are read by subject for every evaluation of a record about them.
        m.create_index(
            Index::create()
                .name("ix_submissions_subject")
                .table(Submissions::Table)
                .col(Submissions::TenantId)
                .col(Submissions::SubjectIin)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_submissions_subject")
                .table(Submissions::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(DatasetRuns::Table).to_owned())
            .await
    }
}
