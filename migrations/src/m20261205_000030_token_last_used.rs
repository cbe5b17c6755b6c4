//! When a token was last used (to the minute), so its owner can see which
//! API tokens are still in use before revoking the others.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tokens {
    Table,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tokens::Table)
                .add_column(timestamp_with_time_zone_null(Tokens::LastUsedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tokens::Table)
                .drop_column(Tokens::LastUsedAt)
                .to_owned(),
        )
        .await
    }
}
