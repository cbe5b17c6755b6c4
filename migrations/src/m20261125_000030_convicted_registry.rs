//! The public registry of persons convicted of corruption offences. It is
//! platform data, not a tenant's: no `tenant_id`. The Agency's auditors
//! maintain it; everyone may search it; rules screen candidates against it.
//! `name_key` is the name normalised by `adal-names`, stored so that a
//! search compares keys in SQL instead of normalising every row. Removing
//! an entry marks it (`removed_at`) instead of deleting it, so that what
//! the registry said on a given day can still be shown.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConvictedPersons {
    Table,
    Id,
    FullName,
    NameKey,
    Iin,
    DateOfBirth,
    OffenceArticle,
    ConvictedOn,
    Court,
    AppliesUntil,
    CreatedBy,
    CreatedAt,
    RemovedBy,
    RemovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ConvictedPersons::Table)
                .col(pk_uuid(ConvictedPersons::Id))
                .col(text(ConvictedPersons::FullName))
                .col(text(ConvictedPersons::NameKey))
                .col(string_len_null(ConvictedPersons::Iin, 12))
                .col(date_null(ConvictedPersons::DateOfBirth))
                .col(text(ConvictedPersons::OffenceArticle))
                .col(date(ConvictedPersons::ConvictedOn))
                .col(text(ConvictedPersons::Court))
                .col(date_null(ConvictedPersons::AppliesUntil))
                .col(uuid(ConvictedPersons::CreatedBy))
                .col(timestamp_with_time_zone(ConvictedPersons::CreatedAt))
                .col(uuid_null(ConvictedPersons::RemovedBy))
                .col(timestamp_with_time_zone_null(ConvictedPersons::RemovedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_convicted_persons_iin")
                .table(ConvictedPersons::Table)
                .col(ConvictedPersons::Iin)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_convicted_persons_name_key")
                .table(ConvictedPersons::Table)
                .col(ConvictedPersons::NameKey)
                .to_owned(),
        )
        .await
    }
}
