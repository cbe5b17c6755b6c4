//! The mailer claims outbox rows before sending them, so that two worker
//! processes never send the same alert: a claim writes a fresh token into
//! `claim_token` and moves `next_attempt_at` to the end of the lease
//! (status `sending`). A row whose lease ran out (its mailer died) is due
//! again. A row that failed too often is `dead`, with its last error.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    ClaimToken,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .add_column(uuid_null(Outbox::ClaimToken))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .drop_column(Outbox::ClaimToken)
                .to_owned(),
        )
        .await
    }
}
