//! A second factor (TOTP, RFC 6238) per account, its single-use recovery
//! codes (stored as digests), and a tenant's choice to require one of its
//! administrators and compliance officers (issue 12).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    UserId,
    Secret,
    ConfirmedAt,
    LastStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    Digest,
    UsedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    RequireSecondFactor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SecondFactors::Table)
                .col(uuid(SecondFactors::UserId).primary_key())
                .col(string_len(SecondFactors::Secret, 64))
                .col(timestamp_with_time_zone_null(SecondFactors::ConfirmedAt))
                .col(big_integer(SecondFactors::LastStep).default(0))
                .col(timestamp_with_time_zone(SecondFactors::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(uuid(RecoveryCodes::Id).primary_key())
                .col(uuid(RecoveryCodes::UserId))
                .col(string_len(RecoveryCodes::Digest, 64))
                .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("recovery_codes_user")
                .table(RecoveryCodes::Table)
                .col(RecoveryCodes::UserId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(boolean(Tenants::RequireSecondFactor).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .drop_column(Tenants::RequireSecondFactor)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(RecoveryCodes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SecondFactors::Table).to_owned())
            .await
    }
}
