//! A tenant's own import quota, set by platform administrators: rows a day
//! and the largest file. `NULL` keeps the installation's `[imports]`
//! settings (docs/records.md, "Imports").

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    ImportRowsPerDay,
    ImportMaxFileBytes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Tenants::ImportRowsPerDay, Tenants::ImportMaxFileBytes] {
            m.alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(big_integer_null(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Tenants::ImportRowsPerDay, Tenants::ImportMaxFileBytes] {
            m.alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
