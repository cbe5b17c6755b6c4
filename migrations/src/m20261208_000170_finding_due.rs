//! Due dates of findings (issue 16, triage as case work): a finding is due
//! a number of days after it was found, by severity, as the tenant sets
//! them (`tenants.triage_days`, a JSON object of severity to days; `{}`
//! means the defaults). Findings already recorded get their due date from
//! the defaults, which every tenant had until now.

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Findings {
    Table,
    DueAt,
    TenantId,
    Status,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    TriageDays,
}

/// The defaults of `adal_store::tenants::TriageDays` when this migration
/// was written: critical 3, high 7, medium 14, low 30 days.
const DEFAULT_DAYS: [(&str, i64); 4] = [("critical", 3), ("high", 7), ("medium", 14), ("low", 30)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Findings::Table)
                .add_column(timestamp_with_time_zone_null(Findings::DueAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(text(Tenants::TriageDays).default("{}"))
                .to_owned(),
        )
        .await?;
        // The queue's order: a tenant's open findings by due date.
        m.create_index(
            Index::create()
                .name("findings_tenant_status_due")
                .table(Findings::Table)
                .col(Findings::TenantId)
                .col(Findings::Status)
                .col(Findings::DueAt)
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                // Every tenant's findings, past row-level security (the
                // migration runs in one transaction; the setting ends
                // with it).
                db.execute_unprepared("SELECT set_config('adal.scope', 'all', true)")
                    .await?;
                for (severity, days) in DEFAULT_DAYS {
                    db.execute_raw(Statement::from_sql_and_values(
                        DatabaseBackend::Postgres,
                        "UPDATE findings SET due_at = created_at + make_interval(days => $1::int) \
                         WHERE severity = $2 AND due_at IS NULL",
                        [days.into(), severity.into()],
                    ))
                    .await?;
                }
            }
            backend => {
                // SQLite stores times as text; add the days here rather
                // than in its date functions, so the stored form stays the
                // one the driver writes and reads.
                let rows = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        "SELECT id, severity, created_at FROM findings WHERE due_at IS NULL",
                    ))
                    .await?;
                for row in rows {
                    let id: uuid::Uuid = row.try_get("", "id")?;
                    let severity: String = row.try_get("", "severity")?;
                    let created: chrono::DateTime<chrono::Utc> = row.try_get("", "created_at")?;
                    let days = DEFAULT_DAYS
                        .iter()
                        .find(|(s, _)| *s == severity)
                        .map_or(30, |(_, d)| *d);
                    db.execute_raw(Statement::from_sql_and_values(
                        backend,
                        "UPDATE findings SET due_at = ? WHERE id = ?",
                        [(created + chrono::Duration::days(days)).into(), id.into()],
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("findings_tenant_status_due")
                .table(Findings::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .drop_column(Tenants::TriageDays)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Findings::Table)
                .drop_column(Findings::DueAt)
                .to_owned(),
        )
        .await
    }
}
