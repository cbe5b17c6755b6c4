use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    Name,
    Bin,
    Sector,
    Region,
    AlertThreshold,
    AlertEmails,
    MciByYear,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TenantId,
    Email,
    DisplayName,
    PasswordHash,
    Role,
    DepartmentId,
    PositionId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tokens {
    Table,
    Id,
    UserId,
    TokenHash,
    Kind,
    Name,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Departments {
    Table,
    Id,
    TenantId,
    Name,
    ParentId,
}

#[derive(DeriveIden)]
enum Positions {
    Table,
    Id,
    TenantId,
    DepartmentId,
    Title,
    RiskLevel,
    HighRisk,
}

#[derive(DeriveIden)]
enum RuleSetVersions {
    Table,
    Id,
    TenantId,
    Version,
    Status,
    ContentHash,
    Rules,
    CreatedBy,
    CreatedAt,
    ActivatedAt,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
    TenantId,
    Kind,
    SchemaVersion,
    SubmittedBy,
    DepartmentId,
    PositionId,
    Payload,
    Status,
    RuleSetVersionId,
    Attempts,
    ReceivedAt,
    EvaluatedAt,
}

#[derive(DeriveIden)]
enum Findings {
    Table,
    Id,
    TenantId,
    SubmissionId,
    RuleSetVersionId,
    RuleId,
    Area,
    Severity,
    Likelihood,
    Impact,
    Explanation,
    DepartmentId,
    PositionId,
    Status,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RuleErrors {
    Table,
    Id,
    TenantId,
    SubmissionId,
    RuleSetVersionId,
    RuleId,
    Kind,
    Message,
    Line,
    Col,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RiskMaps {
    Table,
    TenantId,
    ComputedAt,
    Body,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    TenantId,
    DedupeKey,
    Recipients,
    Subject,
    Body,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    TenantId,
    Seq,
    At,
    Actor,
    Action,
    Object,
    Detail,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum Procurements {
    Table,
    Id,
    TenantId,
    Reference,
    Title,
    Status,
    ParticipantBins,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CasbinRule {
    Table,
    Id,
    Ptype,
    V0,
    V1,
    V2,
    V3,
    V4,
    V5,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(pk_uuid(Tenants::Id))
                .col(string_len(Tenants::Name, 300))
                .col(string_len_uniq(Tenants::Bin, 12))
                .col(string_len(Tenants::Sector, 32))
                .col(string_len(Tenants::Region, 32))
                .col(string_len(Tenants::AlertThreshold, 16))
                .col(text(Tenants::AlertEmails))
                .col(text(Tenants::MciByYear))
                .col(timestamp_with_time_zone(Tenants::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Departments::Table)
                .col(pk_uuid(Departments::Id))
                .col(uuid(Departments::TenantId))
                .col(string_len(Departments::Name, 300))
                .col(uuid_null(Departments::ParentId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Departments::Table, Departments::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Positions::Table)
                .col(pk_uuid(Positions::Id))
                .col(uuid(Positions::TenantId))
                .col(uuid_null(Positions::DepartmentId))
                .col(string_len(Positions::Title, 300))
                .col(small_integer(Positions::RiskLevel))
                .col(boolean(Positions::HighRisk))
                .foreign_key(
                    ForeignKey::create()
                        .from(Positions::Table, Positions::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(pk_uuid(Users::Id))
                .col(uuid_null(Users::TenantId))
                .col(string_len_uniq(Users::Email, 320))
                .col(string_len(Users::DisplayName, 300))
                .col(string_len(Users::PasswordHash, 200))
                .col(string_len(Users::Role, 32))
                .col(uuid_null(Users::DepartmentId))
                .col(uuid_null(Users::PositionId))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Tokens::Table)
                .col(pk_uuid(Tokens::Id))
                .col(uuid(Tokens::UserId))
                .col(string_len_uniq(Tokens::TokenHash, 64))
                .col(string_len(Tokens::Kind, 16))
                .col(string_len(Tokens::Name, 200))
                .col(timestamp_with_time_zone(Tokens::CreatedAt))
                .col(timestamp_with_time_zone_null(Tokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(Tokens::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Tokens::Table, Tokens::UserId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RuleSetVersions::Table)
                .col(pk_uuid(RuleSetVersions::Id))
                .col(uuid(RuleSetVersions::TenantId))
                .col(integer(RuleSetVersions::Version))
                .col(string_len(RuleSetVersions::Status, 16))
                .col(string_len(RuleSetVersions::ContentHash, 64))
                .col(text(RuleSetVersions::Rules))
                .col(uuid(RuleSetVersions::CreatedBy))
                .col(timestamp_with_time_zone(RuleSetVersions::CreatedAt))
                .col(timestamp_with_time_zone_null(RuleSetVersions::ActivatedAt))
                .index(
                    Index::create()
                        .name("ux_rule_set_versions_tenant_version")
                        .col(RuleSetVersions::TenantId)
                        .col(RuleSetVersions::Version)
                        .unique(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RuleSetVersions::Table, RuleSetVersions::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Submissions::Table)
                .col(pk_uuid(Submissions::Id))
                .col(uuid(Submissions::TenantId))
                .col(string_len(Submissions::Kind, 32))
                .col(integer(Submissions::SchemaVersion))
                .col(uuid(Submissions::SubmittedBy))
                .col(uuid_null(Submissions::DepartmentId))
                .col(uuid_null(Submissions::PositionId))
                .col(text(Submissions::Payload))
                .col(string_len(Submissions::Status, 16))
                .col(uuid_null(Submissions::RuleSetVersionId))
                .col(integer(Submissions::Attempts))
                .col(timestamp_with_time_zone(Submissions::ReceivedAt))
                .col(timestamp_with_time_zone_null(Submissions::EvaluatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Submissions::Table, Submissions::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_submissions_status_received")
                .table(Submissions::Table)
                .col(Submissions::Status)
                .col(Submissions::ReceivedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_submissions_tenant_submitter")
                .table(Submissions::Table)
                .col(Submissions::TenantId)
                .col(Submissions::SubmittedBy)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Findings::Table)
                .col(pk_uuid(Findings::Id))
                .col(uuid(Findings::TenantId))
                .col(uuid(Findings::SubmissionId))
                .col(uuid(Findings::RuleSetVersionId))
                .col(string_len(Findings::RuleId, 100))
                .col(string_len(Findings::Area, 64))
                .col(string_len(Findings::Severity, 16))
                .col(small_integer(Findings::Likelihood))
                .col(small_integer(Findings::Impact))
                .col(text(Findings::Explanation))
                .col(uuid_null(Findings::DepartmentId))
                .col(uuid_null(Findings::PositionId))
                .col(string_len(Findings::Status, 16))
                .col(timestamp_with_time_zone(Findings::CreatedAt))
                // Evaluation is idempotent: one finding per submission,
                // rule-set version and rule, however often a job runs.
                .index(
                    Index::create()
                        .name("ux_findings_submission_version_rule")
                        .col(Findings::SubmissionId)
                        .col(Findings::RuleSetVersionId)
                        .col(Findings::RuleId)
                        .unique(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Findings::Table, Findings::SubmissionId)
                        .to(Submissions::Table, Submissions::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_findings_tenant_status")
                .table(Findings::Table)
                .col(Findings::TenantId)
                .col(Findings::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RuleErrors::Table)
                .col(pk_uuid(RuleErrors::Id))
                .col(uuid(RuleErrors::TenantId))
                .col(uuid(RuleErrors::SubmissionId))
                .col(uuid(RuleErrors::RuleSetVersionId))
                .col(string_len(RuleErrors::RuleId, 100))
                .col(string_len(RuleErrors::Kind, 16))
                .col(text(RuleErrors::Message))
                .col(integer_null(RuleErrors::Line))
                .col(integer_null(RuleErrors::Col))
                .col(timestamp_with_time_zone(RuleErrors::CreatedAt))
                .index(
                    Index::create()
                        .name("ux_rule_errors_submission_version_rule")
                        .col(RuleErrors::SubmissionId)
                        .col(RuleErrors::RuleSetVersionId)
                        .col(RuleErrors::RuleId)
                        .unique(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RiskMaps::Table)
                .col(uuid(RiskMaps::TenantId).primary_key())
                .col(timestamp_with_time_zone(RiskMaps::ComputedAt))
                .col(text(RiskMaps::Body))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(pk_uuid(Outbox::Id))
                .col(uuid(Outbox::TenantId))
                .col(string_len_uniq(Outbox::DedupeKey, 200))
                .col(text(Outbox::Recipients))
                .col(string_len(Outbox::Subject, 300))
                .col(text(Outbox::Body))
                .col(string_len(Outbox::Status, 16))
                .col(integer(Outbox::Attempts))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_status_next")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(pk_uuid(AuditLog::Id))
                // Nil UUID for platform-level entries.
                .col(uuid(AuditLog::TenantId))
                .col(big_integer(AuditLog::Seq))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(string_len(AuditLog::Actor, 100))
                .col(string_len(AuditLog::Action, 100))
                .col(string_len(AuditLog::Object, 200))
                .col(text(AuditLog::Detail))
                .col(string_len(AuditLog::PrevHash, 64))
                .col(string_len(AuditLog::Hash, 64))
                // The chain is per tenant; the unique index makes two writers
                // racing for the same sequence number fail instead of forking it.
                .index(
                    Index::create()
                        .name("ux_audit_log_tenant_seq")
                        .col(AuditLog::TenantId)
                        .col(AuditLog::Seq)
                        .unique(),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Procurements::Table)
                .col(pk_uuid(Procurements::Id))
                .col(uuid(Procurements::TenantId))
                .col(string_len(Procurements::Reference, 100))
                .col(string_len(Procurements::Title, 500))
                .col(string_len(Procurements::Status, 16))
                .col(text(Procurements::ParticipantBins))
                .col(timestamp_with_time_zone(Procurements::CreatedAt))
                .index(
                    Index::create()
                        .name("ux_procurements_tenant_reference")
                        .col(Procurements::TenantId)
                        .col(Procurements::Reference)
                        .unique(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Procurements::Table, Procurements::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CasbinRule::Table)
                .col(pk_auto(CasbinRule::Id))
                .col(string_len(CasbinRule::Ptype, 16))
                .col(string_len(CasbinRule::V0, 200))
                .col(string_len(CasbinRule::V1, 200))
                .col(string_len(CasbinRule::V2, 200))
                .col(string_len(CasbinRule::V3, 200))
                .col(string_len(CasbinRule::V4, 200))
                .col(string_len(CasbinRule::V5, 200))
                .index(
                    Index::create()
                        .name("ux_casbin_rule_line")
                        .col(CasbinRule::Ptype)
                        .col(CasbinRule::V0)
                        .col(CasbinRule::V1)
                        .col(CasbinRule::V2)
                        .col(CasbinRule::V3)
                        .col(CasbinRule::V4)
                        .col(CasbinRule::V5)
                        .unique(),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
