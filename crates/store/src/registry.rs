//! The public registry of persons convicted of corruption offences:
//! platform data, read by anyone, written only by the Agency's auditors.
//! Every write leaves an entry in the platform's audit chain, and removal
//! only marks an entry, so the registry's history stays reconstructible.
//!
//! Names are compared through `adal-names`, the same normalisation the
//! rules' `names_match` uses: the database pre-selects rows by name parts,
//! and the exact comparison runs on those few rows.

use crate::audit::{self, PLATFORM};
use crate::entities::convicted_person;
use crate::{Result, StoreError, new_id, now};
use adal_domain::{ConvictedPerson, Iin};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub use convicted_person::Model as RegistryEntry;

/// Most name parts a search or a screening looks at; a person's name has
/// three or four, and the bound keeps a hostile query's SQL small.
const MAX_PARTS: usize = 6;

/// Most entries a screening returns for one person.
const MAX_MATCHES: u64 = 20;

/// The stored form of a name's parts: ` part part `.
fn padded_key(parts: &[String]) -> String {
    format!(" {} ", parts.join(" "))
}

/// Rows whose name has `part` as a whole part.
fn has_part(part: &str) -> sea_orm::sea_query::SimpleExpr {
    // Parts are ASCII lowercase letters only, so they hold no LIKE
    // wildcards to escape.
    convicted_person::Column::NameKey.like(format!("% {part} %"))
}

fn current() -> sea_orm::sea_query::SimpleExpr {
    convicted_person::Column::RemovedAt.is_null()
}

/// Adds an entry, with its audit entry, in one transaction.
pub async fn create(
    store: &crate::Store,
    actor: Uuid,
    entry: &ConvictedPerson,
) -> Result<RegistryEntry> {
    let txn = store.begin_write_across().await?;
    let row = insert(&txn, actor, entry).await?;
    txn.commit().await?;
    Ok(row)
}

async fn insert(
    txn: &crate::WriteTxn,
    actor: Uuid,
    entry: &ConvictedPerson,
) -> Result<RegistryEntry> {
    let parts = adal_names::name_parts(entry.full_name.as_str());
    let d = &entry.details;
    let row = convicted_person::ActiveModel {
        id: Set(new_id()),
        full_name: Set(entry.full_name.to_string()),
        name_key: Set(padded_key(&parts)),
        iin: Set(entry.iin.as_ref().map(ToString::to_string)),
        date_of_birth: Set(entry.date_of_birth.map(|d| d.get())),
        offence_article: Set(entry.offence_article.to_string()),
        convicted_on: Set(entry.convicted_on.get()),
        court: Set(entry.court.to_string()),
        applies_until: Set(entry.applies_until.map(|d| d.get())),
        created_by: Set(actor),
        created_at: Set(now()),
        removed_by: Set(None),
        removed_at: Set(None),
        workplace: Set(d.workplace.as_ref().map(ToString::to_string)),
        position_held: Set(d.position_held.as_ref().map(ToString::to_string)),
        offence_description: Set(d.offence_description.as_ref().map(ToString::to_string)),
        case_number: Set(d.case_number.as_ref().map(ToString::to_string)),
        ruling_in_force_on: Set(d.ruling_in_force_on.map(|x| x.get())),
        punishment: Set(d.punishment.map(|p| p.as_str().to_owned())),
        punishment_term: Set(d.punishment_term.as_ref().map(ToString::to_string)),
        source: Set(d.source.as_ref().map(ToString::to_string)),
        removal_reason: Set(None),
    }
    .insert(txn)
    .await?;
    audit::append(
        txn,
        PLATFORM,
        &actor.to_string(),
        "registry.create",
        &format!("convicted_person/{}", row.id),
        serde_json::json!({
            "full_name": row.full_name, "iin": row.iin,
            "date_of_birth": row.date_of_birth, "offence_article": row.offence_article,
            "convicted_on": row.convicted_on, "court": row.court,
            "applies_until": row.applies_until, "workplace": row.workplace,
            "position_held": row.position_held, "offence_description": row.offence_description,
            "case_number": row.case_number, "ruling_in_force_on": row.ruling_in_force_on,
            "punishment": row.punishment, "punishment_term": row.punishment_term,
            "source": row.source,
        }),
    )
    .await?;
    Ok(row)
}

/// Adds many entries (a bulk import) in one transaction, each with its
/// audit entry, and one entry for the import itself: who, how many, and
/// the SHA-256 of the file they came from.
pub async fn create_many(
    store: &crate::Store,
    actor: Uuid,
    entries: &[ConvictedPerson],
    provenance: serde_json::Value,
) -> Result<Vec<RegistryEntry>> {
    let txn = store.begin_write_across().await?;
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        rows.push(insert(&txn, actor, e).await?);
    }
    audit::append(
        &txn,
        PLATFORM,
        &actor.to_string(),
        "registry.import",
        "convicted_persons",
        provenance,
    )
    .await?;
    txn.commit().await?;
    Ok(rows)
}

/// Removes an entry from the registry (it stays stored, marked). An entry
/// already removed, like one that never existed, is not found.
pub async fn remove(
    store: &crate::Store,
    actor: Uuid,
    id: Uuid,
    reason: RemovalReason,
) -> Result<RegistryEntry> {
    let txn = store.begin_write_across().await?;
    let row = convicted_person::Entity::find_by_id(id)
        .filter(current())
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: convicted_person::ActiveModel = row.into();
    am.removed_by = Set(Some(actor));
    am.removed_at = Set(Some(now()));
    am.removal_reason = Set(Some(reason.as_str().to_owned()));
    let row = am.update(&txn).await?;
    audit::append(
        &txn,
        PLATFORM,
        &actor.to_string(),
        "registry.remove",
        &format!("convicted_person/{id}"),
        serde_json::json!({"full_name": row.full_name, "iin": row.iin, "reason": reason.as_str()}),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Why an auditor takes an entry out of public view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// No reason given.
    Withdrawn,
    /// The conviction was expunged.
    Expunged,
    /// The entry should never have been made.
    EnteredInError,
}

impl RemovalReason {
    pub const ALL: [RemovalReason; 3] = [
        RemovalReason::Withdrawn,
        RemovalReason::Expunged,
        RemovalReason::EnteredInError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RemovalReason::Withdrawn => "withdrawn",
            RemovalReason::Expunged => "expunged",
            RemovalReason::EnteredInError => "entered_in_error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Takes out of public view every entry whose `applies_until` is before
/// `today` (its publication period over), each removal an entry of the
/// platform's audit log; returns how many. The worker runs it hourly.
pub async fn expire(store: &crate::Store, today: chrono::NaiveDate) -> Result<u64> {
    let txn = store.begin_write_across().await?;
    let due = convicted_person::Entity::find()
        .filter(current())
        .filter(convicted_person::Column::AppliesUntil.lt(today))
        .all(&txn)
        .await?;
    let at = now();
    for row in &due {
        convicted_person::Entity::update_many()
            .col_expr(
                convicted_person::Column::RemovedAt,
                sea_orm::sea_query::Expr::value(at),
            )
            .col_expr(
                convicted_person::Column::RemovalReason,
                sea_orm::sea_query::Expr::value("publication_ended"),
            )
            .filter(convicted_person::Column::Id.eq(row.id))
            .exec(&txn)
            .await?;
        audit::append(
            &txn,
            PLATFORM,
            "system",
            "registry.expire",
            &format!("convicted_person/{}", row.id),
            serde_json::json!({"full_name": row.full_name, "iin": row.iin, "applies_until": row.applies_until}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(due.len() as u64)
}

/// One current entry.
pub async fn get(store: &crate::Store, id: Uuid) -> Result<RegistryEntry> {
    convicted_person::Entity::find_by_id(id)
        .filter(current())
        .one(&store.across_tenants())
        .await?
        .ok_or(StoreError::NotFound)
}

/// What a public search asks for. Both are optional; given together, an
/// entry must satisfy both.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Entries whose name contains every part of this one, however either
    /// is spelled (`Ospanov` finds every Оспанов; `Марат Оспанов` finds
    /// `Оспанов Марат Серикович`).
    pub name: Option<String>,
    pub iin: Option<Iin>,
}

/// Current entries matching `search`, newest conviction first, and how
/// many there are in all.
pub async fn search(
    store: &crate::Store,
    search: &Search,
    offset: u64,
    limit: u64,
) -> Result<(Vec<RegistryEntry>, u64)> {
    let mut q = convicted_person::Entity::find().filter(current());
    if let Some(iin) = &search.iin {
        q = q.filter(convicted_person::Column::Iin.eq(iin.as_str()));
    }
    if let Some(name) = &search.name {
        for part in adal_names::name_parts(name).iter().take(MAX_PARTS) {
            q = q.filter(has_part(part));
        }
    }
    let total = q.clone().count(&store.across_tenants()).await?;
    let rows = q
        .order_by_desc(convicted_person::Column::ConvictedOn)
        .order_by_asc(convicted_person::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&store.across_tenants())
        .await?;
    Ok((rows, total))
}

/// How a registry entry was found to concern a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    Iin,
    Name,
}

impl MatchedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Iin => "iin",
            MatchedBy::Name => "name",
        }
    }
}

/// The current entries that concern the person with this IIN and name:
/// those with the same IIN; when there are none, those whose name
/// matches (`adal_names::names_match`) and which cannot be someone else,
/// because they record no IIN and no date of birth other than the one the
/// person's IIN encodes.
pub async fn matches_for_person(
    store: &crate::Store,
    iin: &Iin,
    full_name: &str,
) -> Result<Vec<(RegistryEntry, MatchedBy)>> {
    let by_iin = convicted_person::Entity::find()
        .filter(current())
        .filter(convicted_person::Column::Iin.eq(iin.as_str()))
        .order_by_asc(convicted_person::Column::ConvictedOn)
        .limit(MAX_MATCHES)
        .all(&store.across_tenants())
        .await?;
    if !by_iin.is_empty() {
        return Ok(by_iin.into_iter().map(|e| (e, MatchedBy::Iin)).collect());
    }
    let parts = adal_names::name_parts(full_name);
    let parts = &parts[..parts.len().min(MAX_PARTS)];
    // names_match needs the same single part, or two parts in common: any
    // matching row has one of these pairs.
    let by_name = if parts.len() < 2 {
        match parts.first() {
            Some(_) => {
                Condition::all().add(convicted_person::Column::NameKey.eq(padded_key(parts)))
            }
            None => return Ok(Vec::new()),
        }
    } else {
        let mut any_pair = Condition::any();
        for (i, a) in parts.iter().enumerate() {
            for b in &parts[i + 1..] {
                any_pair = any_pair.add(Condition::all().add(has_part(a)).add(has_part(b)));
            }
        }
        any_pair
    };
    let born = iin.birth_date();
    let candidates = convicted_person::Entity::find()
        .filter(current())
        .filter(convicted_person::Column::Iin.is_null())
        .filter(by_name)
        .order_by_asc(convicted_person::Column::ConvictedOn)
        .order_by_asc(convicted_person::Column::Id)
        .all(&store.across_tenants())
        .await?;
    Ok(candidates
        .into_iter()
        .filter(|e| e.date_of_birth.is_none() || e.date_of_birth == born)
        .filter(|e| adal_names::names_match(&e.full_name, full_name))
        .take(usize::try_from(MAX_MATCHES).unwrap_or(usize::MAX))
        .map(|e| (e, MatchedBy::Name))
        .collect())
}

/// An entry as rules see it in `context.registry_matches`.
pub fn context_of(entry: &RegistryEntry, matched_by: MatchedBy) -> serde_json::Value {
    serde_json::json!({
        "id": entry.id,
        "full_name": entry.full_name,
        "iin": entry.iin,
        "date_of_birth": entry.date_of_birth.map(|d| d.to_string()),
        "offence_article": entry.offence_article,
        "convicted_on": entry.convicted_on.to_string(),
        "court": entry.court,
        "applies_until": entry.applies_until.map(|d| d.to_string()),
        "matched_by": matched_by.as_str(),
    })
}
