//! The risk map kept as counters (issue 13): one row per tenant,
//! department, position, area, likelihood and impact holding how many of
//! the tenant's findings in that group are open. Evaluation and triage
//! adjust the rows their transaction touches, so the cost of keeping the
//! map no longer grows with the number of open findings; the snapshot
//! table it replaces was recomputed from every open finding each time.
//!
//! Department and position are nullable (a finding about no department is
//! counted too), so they cannot be part of a primary key: the key is a
//! surrogate, and writers find their row under the tenant's lock (see
//! `adal_store::evaluation::apply_risk_deltas`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RiskCounts {
    Table,
    Id,
    TenantId,
    DepartmentId,
    PositionId,
    Area,
    Likelihood,
    Impact,
    OpenCount,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RiskMaps {
    Table,
    TenantId,
    ComputedAt,
    Body,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RiskCounts::Table)
                .col(pk_auto(RiskCounts::Id).big_integer())
                .col(uuid(RiskCounts::TenantId))
                .col(uuid_null(RiskCounts::DepartmentId))
                .col(uuid_null(RiskCounts::PositionId))
                .col(string_len(RiskCounts::Area, 64))
                .col(small_integer(RiskCounts::Likelihood))
                .col(small_integer(RiskCounts::Impact))
                .col(big_integer(RiskCounts::OpenCount).default(0))
                .col(timestamp_with_time_zone(RiskCounts::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("risk_counts_group")
                .table(RiskCounts::Table)
                .col(RiskCounts::TenantId)
                .col(RiskCounts::Area)
                .col(RiskCounts::Likelihood)
                .col(RiskCounts::Impact)
                .to_owned(),
        )
        .await?;
        // The counters start from the findings open now; the same SQL on
        // both backends keeps each identifier in its stored form.
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO risk_counts \
                 (tenant_id, department_id, position_id, area, likelihood, impact, open_count, updated_at) \
                 SELECT tenant_id, department_id, position_id, area, likelihood, impact, \
                 COUNT(*), MAX(created_at) FROM findings WHERE status = 'open' \
                 GROUP BY tenant_id, department_id, position_id, area, likelihood, impact",
            )
            .await?;
        m.drop_table(Table::drop().table(RiskMaps::Table).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RiskMaps::Table)
                .col(uuid(RiskMaps::TenantId).primary_key())
                .col(timestamp_with_time_zone(RiskMaps::ComputedAt))
                .col(text(RiskMaps::Body))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(RiskCounts::Table).to_owned())
            .await
    }
}
