//! A user may be one of the tenant's people: their IIN links the account
//! to the person on file, so what they file reaches the rules with their
//! relatives and interests, and they can file declarations only for
//! themselves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    TenantId,
    PersonIin,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(text_null(Users::PersonIin))
                .to_owned(),
        )
        .await?;
        // One account per person in a tenant. NULLs are distinct on both
        // backends, so unlinked accounts do not collide.
        m.create_index(
            Index::create()
                .name("ux_users_tenant_person")
                .table(Users::Table)
                .col(Users::TenantId)
                .col(Users::PersonIin)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ux_users_tenant_person")
                .table(Users::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::PersonIin)
                .to_owned(),
        )
        .await
    }
}
