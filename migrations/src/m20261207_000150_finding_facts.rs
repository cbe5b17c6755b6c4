//! The facts a finding rests on (issue 16): the named values its rule
//! returned (giver, amount, limit, date), as a JSON object of strings, so
//! the finding is explained in the reader's language from the templates
//! in `rules/locales/*.ftl`. Null for findings recorded before, and for
//! rules that give none: those show the stored explanation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Findings {
    Table,
    Facts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Findings::Table)
                .add_column(text_null(Findings::Facts))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Findings::Table)
                .drop_column(Findings::Facts)
                .to_owned(),
        )
        .await
    }
}
