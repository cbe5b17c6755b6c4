//! Where each person's asset and income declaration for a year stands:
//! filed on time, filed late, missing after the deadline, or not yet due.
//! A fact the rules and the compliance unit both read.

use crate::entities::{person, submission};
use crate::{Result, TenantId};
use adal_domain::Kind;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

/// The natural key of a declaration: one per person and year.
pub fn reference(year: i32, iin: &str) -> String {
    format!("{year}:{iin}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    OnTime,
    Late,
    Missing,
    NotYetDue,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::OnTime => "on_time",
            State::Late => "late",
            State::Missing => "missing",
            State::NotYetDue => "not_yet_due",
        }
    }
}

/// Where a declaration whose first version arrived at `first_filed` (or
/// that has not arrived) stands against `due`, as of `today`.
pub fn classify(first_filed: Option<DateTime<Utc>>, due: NaiveDate, today: NaiveDate) -> State {
    match first_filed {
        // The date in Kazakhstan, as everywhere deadlines are judged.
        Some(first) if adal_domain::kazakhstan_date(first) > due => State::Late,
        Some(_) => State::OnTime,
        None if today > due => State::Missing,
        None => State::NotYetDue,
    }
}

#[derive(Debug, Clone)]
pub struct PersonDeclaration {
    pub person_id: Uuid,
    pub iin: String,
    pub full_name: String,
    /// Where the person works, for placing findings about them.
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub state: State,
    /// When the first version arrived: a correction after the deadline
    /// does not make an on-time declaration late.
    pub first_filed_at: Option<DateTime<Utc>>,
    /// The current version.
    pub submission_id: Option<Uuid>,
}

/// Every person employed at some point of `year`, with their declaration's
/// state against `due` as of `today`.
pub async fn status(
    store: &crate::Store,
    tenant: TenantId,
    year: i32,
    due: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<PersonDeclaration>> {
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Ok(Vec::new());
    };
    let people = person::Entity::find()
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(
            sea_orm::Condition::any()
                .add(person::Column::StartedOn.is_null())
                .add(person::Column::StartedOn.lte(end)),
        )
        .filter(
            sea_orm::Condition::any()
                .add(person::Column::EndedOn.is_null())
                .add(person::Column::EndedOn.gte(start)),
        )
        .order_by_asc(person::Column::FullName)
        .all(&store.scoped(tenant))
        .await?;
    let prefix = format!("{year}:");
    let filed = submission::Entity::find()
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Kind.eq(Kind::AssetDeclaration.as_str()))
        .filter(submission::Column::Reference.starts_with(prefix.clone()))
        .all(&store.scoped(tenant))
        .await?;
    // reference -> (first received, current version)
    let mut by_iin: HashMap<String, (DateTime<Utc>, Option<Uuid>)> = HashMap::new();
    for s in filed {
        let Some(iin) = s.reference.as_deref().and_then(|r| r.strip_prefix(&prefix)) else {
            continue;
        };
        let e = by_iin
            .entry(iin.to_owned())
            .or_insert((s.received_at, None));
        e.0 = e.0.min(s.received_at);
        if s.superseded_by.is_none() {
            e.1 = Some(s.id);
        }
    }
    Ok(people
        .into_iter()
        .map(|p| {
            let filed = by_iin.get(&p.iin);
            let state = classify(filed.map(|f| f.0), due, today);
            PersonDeclaration {
                person_id: p.id,
                iin: p.iin,
                full_name: p.full_name,
                department_id: p.department_id,
                position_id: p.position_id,
                state,
                first_filed_at: filed.map(|f| f.0),
                submission_id: filed.and_then(|f| f.1),
            }
        })
        .collect())
}

/// When `user` first filed a declaration for `year`, whoever it declares:
/// users and people on file are not linked, so a user's own deadline
/// follows what they filed.
pub async fn first_filed_by(
    store: &crate::Store,
    tenant: TenantId,
    user: Uuid,
    year: i32,
) -> Result<Option<DateTime<Utc>>> {
    let filed = submission::Entity::find()
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::SubmittedBy.eq(user))
        .filter(submission::Column::Kind.eq(Kind::AssetDeclaration.as_str()))
        .filter(submission::Column::Reference.starts_with(format!("{year}:")))
        .order_by_asc(submission::Column::ReceivedAt)
        .one(&store.scoped(tenant))
        .await?;
    Ok(filed.map(|s| s.received_at))
}

/// Last year's declarations that are overdue on `today`: the year, its
/// due date, and how many people have not filed (missing) or filed after
/// it (late). `None` when the tenant sets no deadline for that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    pub year: i32,
    pub due: NaiveDate,
    pub missing: usize,
    pub late: usize,
}

pub async fn overdue(
    store: &crate::Store,
    tenant: &crate::tenants::Tenant,
    today: NaiveDate,
) -> Result<Option<Overdue>> {
    use chrono::Datelike;
    let year = today.year() - 1;
    let Some(due) = crate::tenants::settings_of(tenant)?.declaration_due(year) else {
        return Ok(None);
    };
    let all = status(store, TenantId::from_uuid(tenant.id), year, due, today).await?;
    let count = |s| all.iter().filter(|p| p.state == s).count();
    Ok(Some(Overdue {
        year,
        due,
        missing: count(State::Missing),
        late: count(State::Late),
    }))
}
