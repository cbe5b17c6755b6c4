//! When a submission was last handed to the queue. The sweeper re-enqueues
//! rows never enqueued (the queue was full or down) at once, and rows
//! enqueued long ago (a lost job) after a grace period, without pushing
//! the same still-queued row again and again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Status,
    EnqueuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Submissions::Table)
                .add_column(timestamp_with_time_zone_null(Submissions::EnqueuedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_submissions_status_enqueued")
                .table(Submissions::Table)
                .col(Submissions::Status)
                .col(Submissions::EnqueuedAt)
                .to_owned(),
        )
        .await
    }
}
