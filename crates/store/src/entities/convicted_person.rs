use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "convicted_persons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub full_name: String,
    /// The name's parts as `adal_names::name_parts` gives them, joined and
    /// padded with single spaces (` marat ospanov `), so that a part is
    /// found with `LIKE '% part %'` on SQLite and PostgreSQL alike.
    pub name_key: String,
    pub iin: Option<String>,
    pub date_of_birth: Option<Date>,
    pub offence_article: String,
    pub convicted_on: Date,
    pub court: String,
    pub applies_until: Option<Date>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub removed_by: Option<Uuid>,
    pub removed_at: Option<DateTimeUtc>,
    pub workplace: Option<String>,
    pub position_held: Option<String>,
    pub offence_description: Option<String>,
    pub case_number: Option<String>,
    pub ruling_in_force_on: Option<Date>,
    pub punishment: Option<String>,
    pub punishment_term: Option<String>,
    pub source: Option<String>,
    /// Why the entry left public view: `withdrawn`, `expunged`,
    /// `entered_in_error` (by an auditor) or `publication_ended` (its
    /// `applies_until` passed).
    pub removal_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
