//! Triage of findings: who a finding is assigned to, why it was closed
//! (resolved or a false positive) and the compliance unit's comments. Kept
//! beside `findings` rather than in it, so that the evaluation pipeline,
//! which only ever inserts findings, does not change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FindingTriage {
    Table,
    FindingId,
    TenantId,
    AssignedTo,
    Reason,
    DecidedBy,
    DecidedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FindingComments {
    Table,
    Id,
    TenantId,
    FindingId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Findings {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(FindingTriage::Table)
                .col(pk_uuid(FindingTriage::FindingId))
                .col(uuid(FindingTriage::TenantId))
                .col(uuid_null(FindingTriage::AssignedTo))
                .col(text_null(FindingTriage::Reason))
                .col(uuid_null(FindingTriage::DecidedBy))
                .col(timestamp_with_time_zone_null(FindingTriage::DecidedAt))
                .col(timestamp_with_time_zone(FindingTriage::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(FindingTriage::Table, FindingTriage::FindingId)
                        .to(Findings::Table, Findings::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_finding_triage_tenant_assignee")
                .table(FindingTriage::Table)
                .col(FindingTriage::TenantId)
                .col(FindingTriage::AssignedTo)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(FindingComments::Table)
                .col(pk_uuid(FindingComments::Id))
                .col(uuid(FindingComments::TenantId))
                .col(uuid(FindingComments::FindingId))
                .col(uuid(FindingComments::AuthorId))
                .col(text(FindingComments::Body))
                .col(timestamp_with_time_zone(FindingComments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(FindingComments::Table, FindingComments::FindingId)
                        .to(Findings::Table, Findings::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_finding_comments_finding")
                .table(FindingComments::Table)
                .col(FindingComments::TenantId)
                .col(FindingComments::FindingId)
                .col(FindingComments::CreatedAt)
                .to_owned(),
        )
        .await
    }
}
