//! Personal data at rest and its retention.
//!
//! - `subject_keys`: one data key per person (data subject) in a tenant,
//!   stored only wrapped under the tenant's key-encryption key, which is
//!   derived from `reporting.key` (a file, never the database). Asset
//!   declarations and the audit log's copies of a person's record are
//!   sealed under it. Erasing a person deletes their key row: what the
//!   append-only audit log still holds about them can then never be opened
//!   again, while every entry's hash still verifies (crypto-shredding).
//! - `tenants.retention_years`: per kind of record, how many years after it
//!   was filed a tenant keeps it (JSON object; kinds not listed use the
//!   defaults in code).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SubjectKeys {
    Table,
    Id,
    TenantId,
    Subject,
    Wrapped,
    KekId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    RetentionYears,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SubjectKeys::Table)
                .col(pk_uuid(SubjectKeys::Id))
                .col(uuid(SubjectKeys::TenantId))
                .col(string(SubjectKeys::Subject))
                .col(string(SubjectKeys::Wrapped))
                .col(string(SubjectKeys::KekId))
                .col(timestamp_with_time_zone(SubjectKeys::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("subject_keys_tenant_subject")
                .table(SubjectKeys::Table)
                .col(SubjectKeys::TenantId)
                .col(SubjectKeys::Subject)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(text(Tenants::RetentionYears).default("{}"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .drop_column(Tenants::RetentionYears)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SubjectKeys::Table).to_owned())
            .await
    }
}
