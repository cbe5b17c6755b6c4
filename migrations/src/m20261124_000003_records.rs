//! Every kind of record: corrections as linked versions of a submission,
//! the tenant's people with their relatives and interests, the procurement
//! index over OCDS compiled releases, bulk imports with their per-row
//! reports, and the compliance unit's decisions on disclosures.
//!
//! The minimal `procurements` table of the foundation is dropped: OCDS
//! compiled releases, stored as submissions of kind `procurement` and
//! indexed in `procurement_index`, replace it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TenantId,
    Kind,
    Reference,
    Supersedes,
    SupersededBy,
    SubjectIin,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    DeclarationDueByYear,
}

#[derive(DeriveIden)]
enum People {
    Table,
    Id,
    TenantId,
    Iin,
    FullName,
    DepartmentId,
    PositionId,
    StartedOn,
    EndedOn,
    ContentHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Relatives {
    Table,
    Id,
    TenantId,
    PersonId,
    NaturalKey,
    Relation,
    FullName,
    Iin,
}

#[derive(DeriveIden)]
enum Interests {
    Table,
    Id,
    TenantId,
    PersonId,
    CompanyBin,
    CompanyName,
    Role,
    SharePercent,
    Since,
}

#[derive(DeriveIden)]
enum ProcurementIndex {
    Table,
    Id,
    TenantId,
    Ocid,
    SubmissionId,
    ContentHash,
    Title,
    BuyerId,
    BuyerName,
    Status,
    Method,
    ValueAmount,
    Currency,
    TenderEnd,
    CounterpartyBins,
    PersonIins,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Imports {
    Table,
    Id,
    TenantId,
    Kind,
    FileName,
    File,
    Status,
    TotalRows,
    ProcessedRows,
    Accepted,
    Unchanged,
    Rejected,
    Report,
    Error,
    CreatedBy,
    CreatedAt,
    StartedAt,
    HeartbeatAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum CoiDecisions {
    Table,
    Id,
    TenantId,
    SubmissionId,
    Decision,
    Note,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Procurements {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            string_len_null(Submissions::Reference, 300),
            uuid_null(Submissions::Supersedes),
            uuid_null(Submissions::SupersededBy),
            string_len_null(Submissions::SubjectIin, 12),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(Submissions::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ix_submissions_reference")
                .table(Submissions::Table)
                .col(Submissions::TenantId)
                .col(Submissions::Kind)
                .col(Submissions::Reference)
                .to_owned(),
        )
        .await?;
        // One current version per natural key (a declaration's year and
        // person, a procurement's ocid). Partial, because superseded
        // versions keep their key; the same statement works on SQLite and
        // PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_submissions_current_reference \
                 ON submissions (tenant_id, kind, reference) \
                 WHERE superseded_by IS NULL AND reference IS NOT NULL",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(text(Tenants::DeclarationDueByYear).default("{}"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(People::Table)
                .col(pk_uuid(People::Id))
                .col(uuid(People::TenantId))
                .col(string_len(People::Iin, 12))
                .col(string_len(People::FullName, 300))
                .col(uuid_null(People::DepartmentId))
                .col(uuid_null(People::PositionId))
                .col(date_null(People::StartedOn))
                .col(date_null(People::EndedOn))
                .col(string_len(People::ContentHash, 64))
                .col(timestamp_with_time_zone(People::CreatedAt))
                .col(timestamp_with_time_zone(People::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_people_tenant_iin")
                .table(People::Table)
                .col(People::TenantId)
                .col(People::Iin)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Relatives::Table)
                .col(pk_uuid(Relatives::Id))
                .col(uuid(Relatives::TenantId))
                .col(uuid(Relatives::PersonId))
                .col(string_len(Relatives::NaturalKey, 400))
                .col(string_len(Relatives::Relation, 32))
                .col(string_len(Relatives::FullName, 300))
                .col(string_len_null(Relatives::Iin, 12))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_relatives_person_key")
                .table(Relatives::Table)
                .col(Relatives::TenantId)
                .col(Relatives::PersonId)
                .col(Relatives::NaturalKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_relatives_iin")
                .table(Relatives::Table)
                .col(Relatives::TenantId)
                .col(Relatives::Iin)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Interests::Table)
                .col(pk_uuid(Interests::Id))
                .col(uuid(Interests::TenantId))
                .col(uuid(Interests::PersonId))
                .col(string_len(Interests::CompanyBin, 12))
                .col(string_len(Interests::CompanyName, 300))
                .col(string_len(Interests::Role, 32))
                .col(string_len_null(Interests::SharePercent, 8))
                .col(date_null(Interests::Since))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_interests_person_company_role")
                .table(Interests::Table)
                .col(Interests::TenantId)
                .col(Interests::PersonId)
                .col(Interests::CompanyBin)
                .col(Interests::Role)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_interests_bin")
                .table(Interests::Table)
                .col(Interests::TenantId)
                .col(Interests::CompanyBin)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProcurementIndex::Table)
                .col(pk_uuid(ProcurementIndex::Id))
                .col(uuid(ProcurementIndex::TenantId))
                .col(string_len(ProcurementIndex::Ocid, 200))
                .col(uuid(ProcurementIndex::SubmissionId))
                .col(string_len(ProcurementIndex::ContentHash, 64))
                .col(text_null(ProcurementIndex::Title))
                .col(string_len_null(ProcurementIndex::BuyerId, 200))
                .col(text_null(ProcurementIndex::BuyerName))
                .col(string_len_null(ProcurementIndex::Status, 64))
                .col(string_len_null(ProcurementIndex::Method, 64))
                .col(string_len_null(ProcurementIndex::ValueAmount, 40))
                .col(string_len_null(ProcurementIndex::Currency, 8))
                .col(string_len_null(ProcurementIndex::TenderEnd, 40))
                .col(text(ProcurementIndex::CounterpartyBins))
                .col(text(ProcurementIndex::PersonIins))
                .col(timestamp_with_time_zone(ProcurementIndex::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_procurement_index_ocid")
                .table(ProcurementIndex::Table)
                .col(ProcurementIndex::TenantId)
                .col(ProcurementIndex::Ocid)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Imports::Table)
                .col(pk_uuid(Imports::Id))
                .col(uuid(Imports::TenantId))
                .col(string_len(Imports::Kind, 32))
                .col(string_len(Imports::FileName, 300))
                .col(text(Imports::File))
                .col(string_len(Imports::Status, 16))
                .col(big_integer(Imports::TotalRows).default(0))
                .col(big_integer(Imports::ProcessedRows).default(0))
                .col(big_integer(Imports::Accepted).default(0))
                .col(big_integer(Imports::Unchanged).default(0))
                .col(big_integer(Imports::Rejected).default(0))
                .col(text(Imports::Report))
                .col(text_null(Imports::Error))
                .col(uuid(Imports::CreatedBy))
                .col(timestamp_with_time_zone(Imports::CreatedAt))
                .col(timestamp_with_time_zone_null(Imports::StartedAt))
                .col(timestamp_with_time_zone_null(Imports::HeartbeatAt))
                .col(timestamp_with_time_zone_null(Imports::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_imports_status")
                .table(Imports::Table)
                .col(Imports::Status)
                .col(Imports::CreatedAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CoiDecisions::Table)
                .col(pk_uuid(CoiDecisions::Id))
                .col(uuid(CoiDecisions::TenantId))
                .col(uuid(CoiDecisions::SubmissionId))
                .col(string_len(CoiDecisions::Decision, 32))
                .col(text(CoiDecisions::Note))
                .col(uuid(CoiDecisions::DecidedBy))
                .col(timestamp_with_time_zone(CoiDecisions::DecidedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_coi_decisions_submission")
                .table(CoiDecisions::Table)
                .col(CoiDecisions::TenantId)
                .col(CoiDecisions::SubmissionId)
                .to_owned(),
        )
        .await?;

        m.drop_table(Table::drop().table(Procurements::Table).to_owned())
            .await
    }
}
