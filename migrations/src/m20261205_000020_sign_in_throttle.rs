//! Failed sign-ins, counted per account and per client, so that guessing
//! passwords slows down and then stops (issue 12: 200 wrong passwords in
//! five seconds, then the right one worked). Keys are SHA-256 digests of
//! the email or the client address, never the address itself.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SignInThrottle {
    Table,
    Key,
    Failures,
    LockedUntil,
    LastFailureAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SignInThrottle::Table)
                .col(string_len(SignInThrottle::Key, 80).primary_key())
                .col(integer(SignInThrottle::Failures))
                .col(timestamp_with_time_zone_null(SignInThrottle::LockedUntil))
                .col(timestamp_with_time_zone(SignInThrottle::LastFailureAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SignInThrottle::Table).to_owned())
            .await
    }
}
