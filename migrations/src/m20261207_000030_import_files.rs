//! An import's file in a table of its own. SQLite rewrites a whole row on
//! every update, large values included: with the file in `imports`, each
//! progress write of a 55 MiB import rewrote 55 MiB and held the embedded
//! database's only write lock for seconds (docs/performance.md, "Imports
//! beside other writes"). PostgreSQL keeps an unchanged large value where
//! it is, so it lost nothing there either way.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    File,
}

#[derive(DeriveIden)]
enum ImportFiles {
    Table,
    ImportId,
    File,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ImportFiles::Table)
                .col(pk_uuid(ImportFiles::ImportId))
                .col(text(ImportFiles::File))
                .foreign_key(
                    ForeignKey::create()
                        .from(ImportFiles::Table, ImportFiles::ImportId)
                        .to(Imports::Table, Imports::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "INSERT INTO import_files (import_id, file) SELECT id, file FROM imports",
        )
        .await?;
        // Both PostgreSQL and SQLite (3.35 on) drop a column in place.
        db.execute_unprepared("ALTER TABLE imports DROP COLUMN file")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Imports::Table)
                .add_column(text(Imports::File).default(""))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE imports SET file = (SELECT f.file FROM import_files f WHERE f.import_id = imports.id)",
            )
            .await?;
        m.drop_table(Table::drop().table(ImportFiles::Table).to_owned())
            .await
    }
}
