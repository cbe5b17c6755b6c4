//! What a dataset run computed beyond the records it filed: for the
//! procurement red flags, how many processes it read, which indicators ran
//! with which settings, the fences it derived from the tenant's data and
//! how many flags each indicator raised (JSON, `docs/redflags.md`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DatasetRuns {
    Table,
    Computed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(DatasetRuns::Table)
                .add_column(text_null(DatasetRuns::Computed))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(DatasetRuns::Table)
                .drop_column(DatasetRuns::Computed)
                .to_owned(),
        )
        .await
    }
}
