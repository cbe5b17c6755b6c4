//! A tenant's submissions of one kind in id (arrival) order: the red-flag
//! pass reads every current procurement release of a tenant in pages of
//! 1,000 by id, which without this index sorts all of them for each page.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TenantId,
    Kind,
    Id,
}

const NAME: &str = "ix_submissions_tenant_kind_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(NAME)
                .table(Submissions::Table)
                .col(Submissions::TenantId)
                .col(Submissions::Kind)
                .col(Submissions::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(NAME)
                .table(Submissions::Table)
                .to_owned(),
        )
        .await
    }
}
