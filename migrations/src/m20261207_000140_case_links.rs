//! What a case is linked to and how it ended (issue 14, docs/reporting.md
//! "Cases"): the findings and people a case concerns (a finding a
//! compliance officer escalates becomes a case linked to it), and the
//! measures taken on closing, sealed under the report's key.

use crate::m20261207_000080_merkle_audit_log::secure;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reports {
    Table,
    Measures,
}

#[derive(DeriveIden)]
enum CaseLinks {
    Table,
    Id,
    ReportId,
    TenantId,
    Kind,
    TargetId,
    LinkedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .add_column(blob_null(Reports::Measures))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CaseLinks::Table)
                .col(uuid(CaseLinks::Id).primary_key())
                .col(uuid(CaseLinks::ReportId))
                .col(uuid(CaseLinks::TenantId))
                .col(string_len(CaseLinks::Kind, 16))
                .col(uuid(CaseLinks::TargetId))
                .col(uuid(CaseLinks::LinkedBy))
                .col(timestamp_with_time_zone(CaseLinks::CreatedAt))
                .to_owned(),
        )
        .await?;
        // A case links a finding or a person once.
        m.create_index(
            Index::create()
                .name("case_links_once")
                .table(CaseLinks::Table)
                .col(CaseLinks::TenantId)
                .col(CaseLinks::ReportId)
                .col(CaseLinks::Kind)
                .col(CaseLinks::TargetId)
                .unique()
                .to_owned(),
        )
        .await?;
        // Which cases a finding or person is in.
        m.create_index(
            Index::create()
                .name("case_links_target")
                .table(CaseLinks::Table)
                .col(CaseLinks::TenantId)
                .col(CaseLinks::Kind)
                .col(CaseLinks::TargetId)
                .to_owned(),
        )
        .await?;
        secure(m, &["case_links"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CaseLinks::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Reports::Table)
                .drop_column(Reports::Measures)
                .to_owned(),
        )
        .await
    }
}
