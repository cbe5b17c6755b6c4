//! Row-level security on PostgreSQL: a second wall behind every query's
//! own `tenant_id` filter (docs/operations.md, "The database role").
//!
//! Every table with a `tenant_id` column (and `tenants` by its `id`) gets
//! the policy `tenant_wall`: a row is visible and writable only when the
//! transaction set `adal.tenant` to its tenant, or `adal.scope` to `all`
//! (work that spans tenants). A statement that set neither sees nothing.
//! `FORCE` applies it to the tables' owner too, which is the application's
//! own role (it runs the migrations); only a superuser or a role with
//! `BYPASSRLS` is exempt, which is why the service must not run as one.
//!
//! The store sets both settings with `set_config(..., true)` (transaction
//! local) at the start of every transaction (`Store::begin_write_for`,
//! `Store::scoped`). SQLite has no row-level security: nothing to do there.
//! A table added later with a `tenant_id` column must get the same policy;
//! a store test fails until it does.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The policy's condition on `column`: the tenant set for the transaction,
/// or every tenant. `current_setting(name, true)` is NULL, not an error,
/// when the setting was never made; `nullif` turns an empty one into NULL;
/// either way the row is hidden.
pub(crate) fn condition(column: &str) -> String {
    format!(
        "current_setting('adal.scope', true) = 'all' \
         OR {column} = nullif(current_setting('adal.tenant', true), '')::uuid"
    )
}

/// The tables the policy goes on, with the column holding the tenant.
const TABLES_SQL: &str = "SELECT c.table_name::text, 'tenant_id' FROM information_schema.columns c \
     WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' \
     UNION ALL SELECT 'tenants', 'id' ORDER BY 1";

/// (table, tenant column) of every table the policy goes on.
async fn tables<C: ConnectionTrait>(db: &C) -> Result<Vec<(String, String)>, DbErr> {
    db.query_all_raw(sea_orm::Statement::from_string(
        sea_orm::DatabaseBackend::Postgres,
        TABLES_SQL,
    ))
    .await?
    .into_iter()
    .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
    .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, column) in tables(db).await? {
            db.execute_unprepared(&format!(
                "ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY; \
                 ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY; \
                 CREATE POLICY tenant_wall ON \"{table}\" USING ({})",
                condition(&column)
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for (table, _) in tables(db).await? {
            db.execute_unprepared(&format!(
                "DROP POLICY IF EXISTS tenant_wall ON \"{table}\"; \
                 ALTER TABLE \"{table}\" NO FORCE ROW LEVEL SECURITY; \
                 ALTER TABLE \"{table}\" DISABLE ROW LEVEL SECURITY"
            ))
            .await?;
        }
        Ok(())
    }
}
