//! `adal_account(id)`: an account's row in one statement, whatever tenant
//! the connection is scoped to (PostgreSQL only).
//!
//! Every authenticated request reads the account behind its token. Under
//! row-level security (m20261207_000060) a read outside a transaction is
//! four round trips: `BEGIN`, setting the scope, the query, `COMMIT`. The
//! function sets the scope for its own query and puts the previous value
//! back, so the read is one round trip, and a caller inside a transaction
//! keeps the scope it had. It widens nothing: the service's role may set
//! the scope itself; the policies are the second wall behind the queries'
//! own tenant filters, and this query names its row by id.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE OR REPLACE FUNCTION adal_account(account uuid) RETURNS SETOF users \
                 LANGUAGE plpgsql VOLATILE AS $$ \
                 DECLARE prev text := coalesce(current_setting('adal.scope', true), ''); \
                 BEGIN \
                   PERFORM set_config('adal.scope', 'all', true); \
                   RETURN QUERY SELECT * FROM users WHERE id = account; \
                   PERFORM set_config('adal.scope', prev, true); \
                 END $$",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        m.get_connection()
            .execute_unprepared("DROP FUNCTION IF EXISTS adal_account(uuid)")
            .await?;
        Ok(())
    }
}
