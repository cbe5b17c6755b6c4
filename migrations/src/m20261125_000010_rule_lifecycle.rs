//! What a tenant chose when it made a rule-set version from the standard:
//! the library version it adopted, and its overrides, disabled rules (with
//! the reasons) and own rules, kept as JSON text so a version can be shown
//! and compared with another. Both are null for versions uploaded whole.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RuleSetVersions {
    Table,
    LibraryVersion,
    Adoption,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        m.alter_table(
            Table::alter()
                .table(RuleSetVersions::Table)
                .add_column(string_null(RuleSetVersions::LibraryVersion))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(RuleSetVersions::Table)
                .add_column(text_null(RuleSetVersions::Adoption))
                .to_owned(),
        )
        .await
    }
}
