//! The registry of convicted persons gets the fields the law has it
//! publish (docs/registry.md): place of work and position at the time of
//! the offence, the offence in words, the ruling's case number and the day
//! it entered into force, the punishment and its term, the entry's source,
//! and why an entry left public view. All nullable: entries made before
//! have none of them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConvictedPersons {
    Table,
    Workplace,
    PositionHeld,
    OffenceDescription,
    CaseNumber,
    RulingInForceOn,
    Punishment,
    PunishmentTerm,
    Source,
    RemovalReason,
}

fn columns() -> Vec<ColumnDef> {
    use ConvictedPersons as C;
    vec![
        string_len_null(C::Workplace, 300),
        string_len_null(C::PositionHeld, 300),
        text_null(C::OffenceDescription),
        string_len_null(C::CaseNumber, 100),
        date_null(C::RulingInForceOn),
        string_len_null(C::Punishment, 32),
        string_len_null(C::PunishmentTerm, 100),
        string_len_null(C::Source, 300),
        string_len_null(C::RemovalReason, 32),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for col in columns() {
            m.alter_table(
                Table::alter()
                    .table(ConvictedPersons::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use ConvictedPersons as C;
        for col in [
            C::Workplace,
            C::PositionHeld,
            C::OffenceDescription,
            C::CaseNumber,
            C::RulingInForceOn,
            C::Punishment,
            C::PunishmentTerm,
            C::Source,
            C::RemovalReason,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ConvictedPersons::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
