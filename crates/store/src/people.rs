//! The tenant's people, their declared relatives and business interests.
//!
//! People are master data: re-filing or re-importing a person updates the
//! row in place (the audit log keeps what changed), and every write is
//! idempotent by natural key: a person by IIN, a relative by IIN or else
//! relation and name, an interest by company BIN and role.

use crate::entities::{interest, person, relative};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use adal_domain::records::person::{Interest, Person, Relative};
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

pub use interest::Model as InterestRow;
pub use person::Model as PersonRow;
pub use relative::Model as RelativeRow;

/// A person's own fields, without relatives and interests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCore {
    pub iin: String,
    pub full_name: String,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

impl PersonCore {
    pub fn of(p: &Person) -> Self {
        Self {
            iin: p.iin.to_string(),
            full_name: p.full_name.to_string(),
            department_id: p.department_id,
            position_id: p.position_id,
            started_on: p.started_on.map(|d| d.get()),
            ended_on: p.ended_on.map(|d| d.get()),
        }
    }

    fn hash(&self) -> String {
        let text = format!(
            "{}\u{1f}{}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{:?}",
            self.iin,
            self.full_name,
            self.department_id,
            self.position_id,
            self.started_on,
            self.ended_on
        );
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// What a write did to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// A person with what they declared.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub person: PersonRow,
    pub relatives: Vec<RelativeRow>,
    pub interests: Vec<InterestRow>,
}

/// Upserts people by IIN within the caller's transaction: one read for the
/// whole batch, one insert for the new ones. Returns each row's person id
/// and outcome, in input order. The batch must not repeat an IIN.
pub async fn upsert_people_in(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    rows: &[PersonCore],
) -> Result<Vec<(Uuid, Outcome)>> {
    let iins: Vec<String> = rows.iter().map(|r| r.iin.clone()).collect();
    let existing: HashMap<String, PersonRow> = person::Entity::find()
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::Iin.is_in(iins))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.iin.clone(), p))
        .collect();
    let at = now();
    let mut out = Vec::with_capacity(rows.len());
    let mut inserts = Vec::new();
    for r in rows {
        let hash = r.hash();
        match existing.get(&r.iin) {
            Some(p) if p.content_hash == hash => out.push((p.id, Outcome::Unchanged)),
            Some(p) => {
                person::Entity::update(person::ActiveModel {
                    id: sea_orm::ActiveValue::Unchanged(p.id),
                    tenant_id: sea_orm::ActiveValue::Unchanged(tenant.uuid()),
                    full_name: Set(r.full_name.clone()),
                    department_id: Set(r.department_id),
                    position_id: Set(r.position_id),
                    started_on: Set(r.started_on),
                    ended_on: Set(r.ended_on),
                    content_hash: Set(hash),
                    updated_at: Set(at),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                out.push((p.id, Outcome::Updated));
            }
            None => {
                let id = new_id();
                inserts.push(person::ActiveModel {
                    id: Set(id),
                    tenant_id: Set(tenant.uuid()),
                    iin: Set(r.iin.clone()),
                    full_name: Set(r.full_name.clone()),
                    department_id: Set(r.department_id),
                    position_id: Set(r.position_id),
                    started_on: Set(r.started_on),
                    ended_on: Set(r.ended_on),
                    content_hash: Set(hash),
                    created_at: Set(at),
                    updated_at: Set(at),
                });
                out.push((id, Outcome::Created));
            }
        }
    }
    // Chunked: PostgreSQL takes at most 65,535 bind parameters a statement.
    for chunk in inserts.chunks(500) {
        person::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .map_err(|e| {
                StoreError::from_insert(e, "a person with this IIN was added concurrently")
            })?;
    }
    Ok(out)
}

fn relative_key(r: &Relative) -> String {
    match &r.iin {
        Some(iin) => format!("iin:{iin}"),
        None => format!(
            "name:{}:{}",
            r.relation,
            r.full_name
                .as_str()
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// Upserts one declared relative of `person_id`.
pub async fn upsert_relative_in(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    person_id: Uuid,
    r: &Relative,
) -> Result<Outcome> {
    let key = relative_key(r);
    let existing = relative::Entity::find()
        .filter(relative::Column::TenantId.eq(tenant.uuid()))
        .filter(relative::Column::PersonId.eq(person_id))
        .filter(relative::Column::NaturalKey.eq(key.clone()))
        .one(txn)
        .await?;
    let relation = r.relation.as_str().to_owned();
    let name = r.full_name.to_string();
    let iin = r.iin.as_ref().map(ToString::to_string);
    match existing {
        Some(e) if e.relation == relation && e.full_name == name && e.iin == iin => {
            Ok(Outcome::Unchanged)
        }
        Some(e) => {
            relative::Entity::update(relative::ActiveModel {
                id: sea_orm::ActiveValue::Unchanged(e.id),
                tenant_id: sea_orm::ActiveValue::Unchanged(tenant.uuid()),
                relation: Set(relation),
                full_name: Set(name),
                iin: Set(iin),
                ..Default::default()
            })
            .exec(txn)
            .await?;
            Ok(Outcome::Updated)
        }
        None => {
            relative::Entity::insert(relative::ActiveModel {
                id: Set(new_id()),
                tenant_id: Set(tenant.uuid()),
                person_id: Set(person_id),
                natural_key: Set(key),
                relation: Set(relation),
                full_name: Set(name),
                iin: Set(iin),
            })
            .exec_without_returning(txn)
            .await?;
            Ok(Outcome::Created)
        }
    }
}

/// Upserts one declared business interest of `person_id`.
pub async fn upsert_interest_in(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    person_id: Uuid,
    i: &Interest,
) -> Result<Outcome> {
    let existing = interest::Entity::find()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .filter(interest::Column::PersonId.eq(person_id))
        .filter(interest::Column::CompanyBin.eq(i.company_bin.to_string()))
        .filter(interest::Column::Role.eq(i.role.as_str()))
        .one(txn)
        .await?;
    let name = i.company_name.to_string();
    let share = i.share_percent.map(String::from);
    let since = i.since.map(|d| d.get());
    match existing {
        Some(e) if e.company_name == name && e.share_percent == share && e.since == since => {
            Ok(Outcome::Unchanged)
        }
        Some(e) => {
            interest::Entity::update(interest::ActiveModel {
                id: sea_orm::ActiveValue::Unchanged(e.id),
                tenant_id: sea_orm::ActiveValue::Unchanged(tenant.uuid()),
                company_name: Set(name),
                share_percent: Set(share),
                since: Set(since),
                ..Default::default()
            })
            .exec(txn)
            .await?;
            Ok(Outcome::Updated)
        }
        None => {
            interest::Entity::insert(interest::ActiveModel {
                id: Set(new_id()),
                tenant_id: Set(tenant.uuid()),
                person_id: Set(person_id),
                company_bin: Set(i.company_bin.to_string()),
                company_name: Set(name),
                role: Set(i.role.as_str().to_owned()),
                share_percent: Set(share),
                since: Set(since),
            })
            .exec_without_returning(txn)
            .await?;
            Ok(Outcome::Created)
        }
    }
}

/// Files a whole person (the API's create or correct): their fields, and
/// relatives and interests replaced by exactly those given.
pub async fn put(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    p: &Person,
) -> Result<(PersonRecord, Outcome)> {
    let txn = store.begin_write_for(tenant).await?;
    let core = PersonCore::of(p);
    let [(id, mut outcome)] = upsert_people_in(&txn, tenant, std::slice::from_ref(&core))
        .await?
        .try_into()
        .map_err(|_| StoreError::Corrupt("one person in, one outcome out".into()))?;
    let keys: Vec<String> = p.relatives.iter().map(relative_key).collect();
    let removed_relatives = relative::Entity::delete_many()
        .filter(relative::Column::TenantId.eq(tenant.uuid()))
        .filter(relative::Column::PersonId.eq(id))
        .filter(relative::Column::NaturalKey.is_not_in(keys))
        .exec(&txn)
        .await?
        .rows_affected;
    let mut keep = Condition::any();
    for i in &p.interests {
        keep = keep.add(
            Condition::all()
                .add(interest::Column::CompanyBin.eq(i.company_bin.to_string()))
                .add(interest::Column::Role.eq(i.role.as_str())),
        );
    }
    let mut del = interest::Entity::delete_many()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .filter(interest::Column::PersonId.eq(id));
    if !p.interests.is_empty() {
        del = del.filter(keep.not());
    }
    let removed_interests = del.exec(&txn).await?.rows_affected;
    let mut changed = removed_relatives + removed_interests > 0;
    for r in &p.relatives {
        changed |= upsert_relative_in(&txn, tenant, id, r).await? != Outcome::Unchanged;
    }
    for i in &p.interests {
        changed |= upsert_interest_in(&txn, tenant, id, i).await? != Outcome::Unchanged;
    }
    if outcome == Outcome::Unchanged && changed {
        outcome = Outcome::Updated;
    }
    if outcome != Outcome::Unchanged {
        audit::append(
            &txn,
            tenant,
            &actor.to_string(),
            if outcome == Outcome::Created {
                "person.create"
            } else {
                "person.update"
            },
            &format!("person/{id}"),
            crate::sealing::audit_detail(
                store,
                &*txn,
                tenant,
                Some(&core.iin),
                &format!("person/{id}"),
                serde_json::to_value(p).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            )
            .await?,
        )
        .await?;
    }
    let rec = get_in(&txn, tenant, id).await?;
    txn.commit().await?;
    Ok((rec, outcome))
}

async fn get_in<C: ConnectionTrait>(db: &C, tenant: TenantId, id: Uuid) -> Result<PersonRecord> {
    let person = person::Entity::find_by_id(id)
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let relatives = relative::Entity::find()
        .filter(relative::Column::TenantId.eq(tenant.uuid()))
        .filter(relative::Column::PersonId.eq(id))
        .order_by_asc(relative::Column::FullName)
        .all(db)
        .await?;
    let interests = interest::Entity::find()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .filter(interest::Column::PersonId.eq(id))
        .order_by_asc(interest::Column::CompanyName)
        .all(db)
        .await?;
    Ok(PersonRecord {
        person,
        relatives,
        interests,
    })
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<PersonRecord> {
    get_in(&store.scoped(tenant), tenant, id).await
}

pub async fn get_by_iin(
    store: &crate::Store,
    tenant: TenantId,
    iin: &str,
) -> Result<Option<PersonRecord>> {
    let id: Option<Uuid> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::Iin.eq(iin))
        .into_tuple()
        .one(&store.scoped(tenant))
        .await?;
    match id {
        Some(id) => Ok(Some(get(store, tenant, id).await?)),
        None => Ok(None),
    }
}

/// The people on file with the given IINs (those that exist), with their
/// relatives and interests, by IIN: three queries for any number, where
/// [`get_by_iin`] takes four per person. For the worker, which builds the
/// context of a batch of filings at once.
pub async fn get_many_by_iin(
    store: &crate::Store,
    tenant: TenantId,
    iins: &[String],
) -> Result<HashMap<String, PersonRecord>> {
    if iins.is_empty() {
        return Ok(HashMap::new());
    }
    let db = &store.scoped(tenant);
    let people = person::Entity::find()
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::Iin.is_in(iins.to_vec()))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // In the order `get` reads them, so a person's context is the same
    // whichever way it was read.
    let relatives = relative::Entity::find()
        .filter(relative::Column::TenantId.eq(tenant.uuid()))
        .filter(relative::Column::PersonId.is_in(ids.clone()))
        .order_by_asc(relative::Column::FullName)
        .all(db)
        .await?;
    let interests = interest::Entity::find()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .filter(interest::Column::PersonId.is_in(ids))
        .order_by_asc(interest::Column::CompanyName)
        .all(db)
        .await?;
    let mut by_id: HashMap<Uuid, PersonRecord> = people
        .into_iter()
        .map(|person| {
            (
                person.id,
                PersonRecord {
                    person,
                    relatives: Vec::new(),
                    interests: Vec::new(),
                },
            )
        })
        .collect();
    for r in relatives {
        if let Some(rec) = by_id.get_mut(&r.person_id) {
            rec.relatives.push(r);
        }
    }
    for i in interests {
        if let Some(rec) = by_id.get_mut(&i.person_id) {
            rec.interests.push(i);
        }
    }
    Ok(by_id
        .into_values()
        .map(|rec| (rec.person.iin.clone(), rec))
        .collect())
}

/// Person ids of the given IINs (those that exist), for imports that
/// attach relatives and interests to people.
pub async fn ids_by_iin(
    store: &crate::Store,
    tenant: TenantId,
    iins: &[String],
) -> Result<HashMap<String, Uuid>> {
    let db = &store.scoped(tenant);
    let rows: Vec<(String, Uuid)> = person::Entity::find()
        .select_only()
        .column(person::Column::Iin)
        .column(person::Column::Id)
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::Iin.is_in(iins.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub iin: Option<String>,
    /// Part of the name.
    pub text: Option<String>,
    /// Only people without an end date.
    pub current_only: bool,
}

pub async fn list(
    store: &crate::Store,
    tenant: TenantId,
    filter: &PeopleFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<PersonRow>, u64)> {
    let mut q = person::Entity::find().filter(person::Column::TenantId.eq(tenant.uuid()));
    if let Some(d) = filter.department_id {
        q = q.filter(person::Column::DepartmentId.eq(d));
    }
    if let Some(p) = filter.position_id {
        q = q.filter(person::Column::PositionId.eq(p));
    }
    if let Some(i) = &filter.iin {
        q = q.filter(person::Column::Iin.eq(i.clone()));
    }
    if let Some(t) = &filter.text {
        q = q.filter(person::Column::FullName.like(crate::submissions::like_anywhere(t)));
    }
    if filter.current_only {
        q = q.filter(person::Column::EndedOn.is_null());
    }
    let total = q.clone().count(&store.scoped(tenant)).await?;
    let rows = q
        .order_by_asc(person::Column::FullName)
        .order_by_asc(person::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?;
    Ok((rows, total))
}

/// Every declared relative in the tenant, with the declaring person's IIN
/// (for export), ordered by person.
pub async fn all_relatives(
    store: &crate::Store,
    tenant: TenantId,
) -> Result<Vec<(String, RelativeRow)>> {
    let people = iin_by_id(store, tenant).await?;
    let rows = relative::Entity::find()
        .filter(relative::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(relative::Column::PersonId)
        .order_by_asc(relative::Column::NaturalKey)
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| people.get(&r.person_id).map(|iin| (iin.clone(), r)))
        .collect())
}

/// Every declared interest in the tenant, with the declaring person's IIN.
pub async fn all_interests(
    store: &crate::Store,
    tenant: TenantId,
) -> Result<Vec<(String, InterestRow)>> {
    let people = iin_by_id(store, tenant).await?;
    let rows = interest::Entity::find()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(interest::Column::PersonId)
        .order_by_asc(interest::Column::CompanyBin)
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| people.get(&r.person_id).map(|iin| (iin.clone(), r)))
        .collect())
}

async fn iin_by_id(store: &crate::Store, tenant: TenantId) -> Result<HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::Iin)
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows.into_iter().collect())
}

/// What the rules see of a person: their fields, relatives and interests.
pub fn context_of(rec: &PersonRecord) -> serde_json::Value {
    serde_json::json!({
        "iin": rec.person.iin,
        "full_name": rec.person.full_name,
        "department_id": rec.person.department_id,
        "position_id": rec.person.position_id,
        "started_on": rec.person.started_on,
        "ended_on": rec.person.ended_on,
        "relatives": rec.relatives.iter().map(|r| serde_json::json!({
            "relation": r.relation, "full_name": r.full_name, "iin": r.iin,
        })).collect::<Vec<_>>(),
        "interests": rec.interests.iter().map(|i| serde_json::json!({
            "company_bin": i.company_bin, "company_name": i.company_name, "role": i.role,
            "share_percent": i.share_percent, "since": i.since,
        })).collect::<Vec<_>>(),
    })
}

/// The tenant's people who declared an interest in any of these companies
/// (by BIN): who stands behind a bidder or supplier.
pub async fn interests_in_companies(
    store: &crate::Store,
    tenant: TenantId,
    bins: &[String],
) -> Result<Vec<(PersonRow, InterestRow)>> {
    if bins.is_empty() {
        return Ok(Vec::new());
    }
    let interests = interest::Entity::find()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .filter(interest::Column::CompanyBin.is_in(bins.to_vec()))
        .all(&store.scoped(tenant))
        .await?;
    let ids: Vec<Uuid> = interests.iter().map(|i| i.person_id).collect();
    let people: HashMap<Uuid, PersonRow> = person::Entity::find()
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::Id.is_in(ids))
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(interests
        .into_iter()
        .filter_map(|i| people.get(&i.person_id).cloned().map(|p| (p, i)))
        .collect())
}
