//! Files attached to reports and cases, and the second officer's approval
//! of destructive actions on a case (issue 14, docs/reporting.md).
//!
//! An attachment's name and content are sealed under the report's key,
//! like its text; its kind and size stay in clear so limits can be
//! enforced without opening anything. Removing one (after approval)
//! empties both sealed columns and keeps the row as a tombstone, so the
//! case still shows that something was there and who approved its
//! removal.

use crate::m20261207_000080_merkle_audit_log::secure;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ReportAttachments {
    Table,
    Id,
    ReportId,
    TenantId,
    Seq,
    Author,
    AuthorId,
    Internal,
    Kind,
    SizeBytes,
    Name,
    Content,
    CreatedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum CaseApprovals {
    Table,
    Id,
    ReportId,
    TenantId,
    Action,
    TargetId,
    Reason,
    RequestedBy,
    RequestedAt,
    DecidedBy,
    DecidedAt,
    Approved,
}

const TABLES: [&str; 2] = ["report_attachments", "case_approvals"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReportAttachments::Table)
                .col(uuid(ReportAttachments::Id).primary_key())
                .col(uuid(ReportAttachments::ReportId))
                .col(uuid(ReportAttachments::TenantId))
                // Order within the report: the reporter's times are only
                // days, and ids are random so as to say nothing of the hour.
                .col(integer(ReportAttachments::Seq))
                .col(string_len(ReportAttachments::Author, 16))
                .col(uuid_null(ReportAttachments::AuthorId))
                .col(boolean(ReportAttachments::Internal))
                .col(string_len(ReportAttachments::Kind, 8))
                .col(big_integer(ReportAttachments::SizeBytes))
                .col(blob_null(ReportAttachments::Name))
                .col(blob_null(ReportAttachments::Content))
                .col(timestamp_with_time_zone(ReportAttachments::CreatedAt))
                .col(timestamp_with_time_zone_null(ReportAttachments::RemovedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("report_attachments_report")
                .table(ReportAttachments::Table)
                .col(ReportAttachments::TenantId)
                .col(ReportAttachments::ReportId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CaseApprovals::Table)
                .col(uuid(CaseApprovals::Id).primary_key())
                .col(uuid(CaseApprovals::ReportId))
                .col(uuid(CaseApprovals::TenantId))
                .col(string_len(CaseApprovals::Action, 32))
                .col(uuid(CaseApprovals::TargetId))
                .col(blob(CaseApprovals::Reason))
                .col(uuid(CaseApprovals::RequestedBy))
                .col(timestamp_with_time_zone(CaseApprovals::RequestedAt))
                .col(uuid_null(CaseApprovals::DecidedBy))
                .col(timestamp_with_time_zone_null(CaseApprovals::DecidedAt))
                .col(boolean_null(CaseApprovals::Approved))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("case_approvals_report")
                .table(CaseApprovals::Table)
                .col(CaseApprovals::TenantId)
                .col(CaseApprovals::ReportId)
                .to_owned(),
        )
        .await?;
        secure(m, &TABLES).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
