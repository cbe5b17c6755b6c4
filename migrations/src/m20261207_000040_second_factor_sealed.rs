//! Second-factor secrets are stored sealed (about 300 characters), not as
//! 32 characters of base32. SQLite does not enforce a text column's length;
//! PostgreSQL's column is widened to text.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared("ALTER TABLE second_factors ALTER COLUMN secret TYPE text")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DatabaseBackend::Postgres {
            // Sealed secrets do not fit the old width: a downgrade keeps
            // the column wide.
            m.get_connection()
                .execute_unprepared("ALTER TABLE second_factors ALTER COLUMN secret TYPE text")
                .await?;
        }
        Ok(())
    }
}
