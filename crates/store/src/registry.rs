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

/// How an entry was found to concern a person, in terms a person can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchReason {
    /// The entry records the person's IIN.
    Iin,
    /// The entry records no IIN; `agreeing` of the `parts` name parts
    /// (the longer name's count, after `adal_names` normalisation) are in
    /// both names, and the entry's date of birth agrees with the one the
    /// person's IIN encodes or is not recorded.
    Name {
        agreeing: u8,
        parts: u8,
        birth_date: BirthDate,
    },
}

/// What an entry's date of birth says about a name match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDate {
    /// The same date as the person's IIN encodes.
    Agrees,
    /// The entry records none.
    NotRecorded,
}

impl BirthDate {
    pub fn as_str(self) -> &'static str {
        match self {
            BirthDate::Agrees => "agrees",
            BirthDate::NotRecorded => "not_recorded",
        }
    }
}

impl MatchReason {
    pub fn matched_by(self) -> MatchedBy {
        match self {
            MatchReason::Iin => MatchedBy::Iin,
            MatchReason::Name { .. } => MatchedBy::Name,
        }
    }

    /// How sure the match is, 0–100 (`docs/registry.md`, "Screening"):
    /// 100 for the same IIN, the only certain match; a name match scores
    /// 30, plus up to 40 for the share of name parts in common, plus 20
    /// when the entry's date of birth agrees, so it never exceeds 90.
    pub fn score(self) -> u8 {
        match self {
            MatchReason::Iin => 100,
            MatchReason::Name {
                agreeing,
                parts,
                birth_date,
            } => {
                let share = if parts == 0 {
                    0
                } else {
                    (40 * u32::from(agreeing.min(parts)) / u32::from(parts)) as u8
                };
                let born = match birth_date {
                    BirthDate::Agrees => 20,
                    BirthDate::NotRecorded => 0,
                };
                30 + share + born
            }
        }
    }

    /// The reason in a sentence, as the API and the rules show it.
    pub fn describe(self) -> String {
        match self {
            MatchReason::Iin => "the entry records the same IIN".to_owned(),
            MatchReason::Name {
                agreeing,
                parts,
                birth_date,
            } => format!(
                "the entry records no IIN; {agreeing} of {parts} name parts agree; {}",
                match birth_date {
                    BirthDate::Agrees => "its date of birth agrees with the IIN's",
                    BirthDate::NotRecorded => "it records no date of birth",
                }
            ),
        }
    }
}

/// An entry that concerns a person, with why and how surely.
#[derive(Debug, Clone)]
pub struct Match {
    pub entry: RegistryEntry,
    pub reason: MatchReason,
}

impl Match {
    pub fn matched_by(&self) -> MatchedBy {
        self.reason.matched_by()
    }

    pub fn score(&self) -> u8 {
        self.reason.score()
    }
}

/// The reason a name-only entry matches `full_name`, or `None` when it
/// cannot be the same person.
fn name_reason(
    entry: &RegistryEntry,
    full_name: &str,
    born: Option<chrono::NaiveDate>,
) -> Option<MatchReason> {
    let birth_date = match entry.date_of_birth {
        None => BirthDate::NotRecorded,
        Some(d) if Some(d) == born => BirthDate::Agrees,
        Some(_) => return None,
    };
    if !adal_names::names_match(&entry.full_name, full_name) {
        return None;
    }
    let a = adal_names::name_parts(&entry.full_name);
    let b = adal_names::name_parts(full_name);
    let agreeing = a.iter().filter(|p| b.binary_search(p).is_ok()).count();
    let parts = a.len().max(b.len());
    Some(MatchReason::Name {
        agreeing: u8::try_from(agreeing).unwrap_or(u8::MAX),
        parts: u8::try_from(parts).unwrap_or(u8::MAX),
        birth_date,
    })
}

/// The current entries that concern the person with this IIN and name:
/// those with the same IIN; when there are none, those whose name
/// matches (`adal_names::names_match`) and which cannot be someone else,
/// because they record no IIN and no date of birth other than the one the
/// person's IIN encodes. Surest first.
pub async fn matches_for_person(
    store: &crate::Store,
    iin: &Iin,
    full_name: &str,
) -> Result<Vec<Match>> {
    let by_iin = convicted_person::Entity::find()
        .filter(current())
        .filter(convicted_person::Column::Iin.eq(iin.as_str()))
        .order_by_asc(convicted_person::Column::ConvictedOn)
        .limit(MAX_MATCHES)
        .all(&store.across_tenants())
        .await?;
    if !by_iin.is_empty() {
        return Ok(by_iin
            .into_iter()
            .map(|entry| Match {
                entry,
                reason: MatchReason::Iin,
            })
            .collect());
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
    let mut found: Vec<Match> = candidates
        .into_iter()
        .filter_map(|entry| {
            name_reason(&entry, full_name, born).map(|reason| Match { entry, reason })
        })
        .collect();
    // Stable: equal scores keep the oldest conviction first.
    found.sort_by_key(|m| std::cmp::Reverse(m.score()));
    found.truncate(usize::try_from(MAX_MATCHES).unwrap_or(usize::MAX));
    Ok(found)
}

/// An entry as rules see it in `context.registry_matches`.
pub fn context_of(m: &Match) -> serde_json::Value {
    let entry = &m.entry;
    serde_json::json!({
        "id": entry.id,
        "full_name": entry.full_name,
        "iin": entry.iin,
        "date_of_birth": entry.date_of_birth.map(|d| d.to_string()),
        "offence_article": entry.offence_article,
        "convicted_on": entry.convicted_on.to_string(),
        "court": entry.court,
        "applies_until": entry.applies_until.map(|d| d.to_string()),
        "matched_by": m.matched_by().as_str(),
        "score": m.score(),
        "reason": m.reason.describe(),
    })
}
