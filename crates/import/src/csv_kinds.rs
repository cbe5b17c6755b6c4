//! CSV imports of people, their relatives and their interests. The header
//! row names the columns (any order); unknown columns refuse the file, so a
//! misspelt column is never silently dropped.

use crate::pace::{self, Pace};
use crate::{BATCH, FIRST_BATCH, Failure, ImportKind, Limits, Tally, check_rows};
use adal_domain::records::parse_value;
use adal_domain::records::person::{Interest, Person, Relative};
use adal_domain::{FieldError, Iin};
use adal_store::imports::Import;
use adal_store::people::{self, PersonCore};
use adal_store::{Store, StoreError, TenantId, org};
use chrono::NaiveDate;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Instant;

/// (required, optional) columns of each kind.
fn columns(kind: ImportKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        ImportKind::People => (
            &["iin", "full_name"],
            &["department", "position", "started_on", "ended_on"],
        ),
        ImportKind::Relatives => (&["person_iin", "relation", "full_name"], &["iin"]),
        ImportKind::Interests => (
            &["person_iin", "company_bin", "company_name", "role"],
            &["share_percent", "since"],
        ),
        ImportKind::Ocds => (&[], &[]),
    }
}

/// The CSV column a record field came from.
fn column_of(pointer: &str) -> String {
    let field = pointer.trim_start_matches('/');
    match field {
        "department_id" => "department".into(),
        "position_id" => "position".into(),
        "" => "(row)".into(),
        f => f.split('/').next().unwrap_or(f).to_owned(),
    }
}

struct Row {
    line: u64,
    cells: HashMap<String, String>,
}

/// A CSV row, or the line and reason it could not be read.
type ReadRow = Result<Row, (u64, String)>;

fn read(file: &str, kind: ImportKind) -> Result<Vec<ReadRow>, Failure> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(file.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Failure::File(format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let (required, optional) = columns(kind);
    for h in &headers {
        if !required.contains(&h.as_str()) && !optional.contains(&h.as_str()) {
            return Err(Failure::File(format!(
                "unknown column {h:?}; the columns are: {}",
                required
                    .iter()
                    .chain(optional)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    for r in required {
        if !headers.iter().any(|h| h == r) {
            return Err(Failure::File(format!("missing the required column {r:?}")));
        }
    }
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        // The header is line 1.
        let line = i as u64 + 2;
        match rec {
            Ok(rec) => out.push(Ok(Row {
                line: rec.position().map_or(line, |p| p.line()),
                cells: headers
                    .iter()
                    .cloned()
                    .zip(rec.iter().map(str::to_owned))
                    .collect(),
            })),
            Err(e) => out.push(Err((line, format!("not a valid CSV row: {e}")))),
        }
    }
    Ok(out)
}

/// The row as a JSON object of its non-empty cells.
fn object(row: &Row, skip: &[&str]) -> Value {
    let mut m = Map::new();
    for (k, v) in &row.cells {
        if !v.is_empty() && !skip.contains(&k.as_str()) {
            m.insert(k.clone(), Value::String(v.clone()));
        }
    }
    Value::Object(m)
}

fn first(errors: Vec<FieldError>) -> (String, String) {
    let column = errors
        .first()
        .map_or_else(|| "(row)".into(), |e| column_of(&e.pointer));
    let reason = errors
        .iter()
        .map(|e| e.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    (column, reason)
}

/// A batch checked and ready to write: what the transaction does, and the
/// rows refused (line, column, reason), reported once the batch is in.
struct Prepared {
    writes: Writes,
    rejected: Vec<(u64, String, String)>,
}

enum Writes {
    People(Vec<PersonCore>),
    Relatives(Vec<(uuid::Uuid, Relative)>),
    Interests(Vec<(uuid::Uuid, Interest)>),
}

impl Writes {
    fn len(&self) -> usize {
        match self {
            Writes::People(v) => v.len(),
            Writes::Relatives(v) => v.len(),
            Writes::Interests(v) => v.len(),
        }
    }
}

/// What a batch is checked against: the tenant's departments and
/// positions by lower-case name, and the IINs already seen in the file.
struct Lookup {
    departments: HashMap<String, uuid::Uuid>,
    positions: HashMap<String, uuid::Uuid>,
    seen: HashMap<String, u64>,
}

fn lower(s: &str) -> String {
    s.trim().to_lowercase()
}

pub(crate) async fn apply(
    store: &Store,
    import: &Import,
    tenant: TenantId,
    kind: ImportKind,
    tally: &mut Tally,
    limits: Limits,
) -> Result<(), Failure> {
    let rows = read(&adal_store::imports::file(store, import.id).await?, kind)?;
    tally.progress.total_rows = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    check_rows(store, import, limits, rows.len()).await?;
    let today = adal_domain::kazakhstan_today();
    let mut lookup = Lookup {
        departments: org::list_departments(store, tenant)
            .await?
            .into_iter()
            .map(|d| (lower(&d.name), d.id))
            .collect(),
        positions: org::list_positions(store, tenant)
            .await?
            .into_iter()
            .map(|p| (lower(&p.title), p.id))
            .collect(),
        seen: HashMap::new(),
    };
    let mut pace = Pace::new(FIRST_BATCH, BATCH, limits.lock_budget);
    let mut rest = &rows[..];
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(pace.next().min(rest.len()));
        rest = after;
        // Rows are checked, and the people they name looked up, before
        // the transaction: only the writes hold the lock, and a batch run
        // again after a deadlock repeats the writes alone.
        let prepared = match kind {
            ImportKind::People => prepare_people(chunk, &mut lookup, today),
            ImportKind::Relatives | ImportKind::Interests => {
                prepare_parts(store, tenant, kind, chunk).await?
            }
            ImportKind::Ocds => continue,
        };
        let started = Instant::now();
        let changes =
            pace::with_retries(import.id, || write(store, tenant, &prepared.writes)).await?;
        pace.record(chunk.len(), started.elapsed());
        for (line, column, reason) in prepared.rejected {
            tally.reject(line, column, reason);
        }
        for changed in changes {
            tally.applied(changed);
        }
        tally.write_progress(store, import.id).await?;
    }
    Ok(())
}

/// The row, or `None` with the reason it could not be read noted in
/// `rejected`.
fn readable<'a>(row: &'a ReadRow, rejected: &mut Vec<(u64, String, String)>) -> Option<&'a Row> {
    match row {
        Ok(r) => Some(r),
        Err((line, why)) => {
            rejected.push((*line, "(row)".to_owned(), why.clone()));
            None
        }
    }
}

fn prepare_people(chunk: &[ReadRow], lookup: &mut Lookup, today: NaiveDate) -> Prepared {
    let mut batch = Vec::new();
    let mut rejected = Vec::new();
    for row in chunk {
        let Some(row) = readable(row, &mut rejected) else {
            continue;
        };
        let mut v = object(row, &["department", "position"]);
        let mut bad = None;
        for (col, names, field) in [
            ("department", &lookup.departments, "department_id"),
            ("position", &lookup.positions, "position_id"),
        ] {
            if let Some(name) = row.cells.get(col).filter(|n| !n.is_empty()) {
                match names.get(&lower(name)) {
                    Some(id) => {
                        v[field] = Value::String(id.to_string());
                    }
                    None => bad = Some((col, format!("no {col} named {name:?} in this tenant"))),
                }
            }
        }
        if let Some((col, why)) = bad {
            rejected.push((row.line, col.to_owned(), why));
            continue;
        }
        match parse_value::<Person>(&v, today) {
            Ok(p) => {
                let iin = p.iin.to_string();
                if let Some(prev) = lookup.seen.insert(iin, row.line) {
                    rejected.push((
                        row.line,
                        "iin".to_owned(),
                        format!("the same IIN as line {prev}"),
                    ));
                    continue;
                }
                batch.push(PersonCore::of(&p));
            }
            Err(e) => {
                let (c, r) = first(e);
                rejected.push((row.line, c, r));
            }
        }
    }
    Prepared {
        writes: Writes::People(batch),
        rejected,
    }
}

/// Relatives or interests: each row names its person by IIN.
async fn prepare_parts(
    store: &Store,
    tenant: TenantId,
    kind: ImportKind,
    chunk: &[ReadRow],
) -> Result<Prepared, Failure> {
    let iins: Vec<String> = chunk
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|r| r.cells.get("person_iin").cloned())
        .collect();
    let ids = people::ids_by_iin(store, tenant, &iins).await?;
    let mut relatives = Vec::new();
    let mut interests = Vec::new();
    let mut rejected = Vec::new();
    for row in chunk {
        let Some(row) = readable(row, &mut rejected) else {
            continue;
        };
        let raw = row.cells.get("person_iin").cloned().unwrap_or_default();
        let person = match Iin::parse(&raw) {
            Err(e) => {
                rejected.push((
                    row.line,
                    "person_iin".to_owned(),
                    format!("invalid IIN: {e}"),
                ));
                continue;
            }
            Ok(_) => match ids.get(&raw) {
                Some(id) => *id,
                None => {
                    rejected.push((
                        row.line,
                        "person_iin".to_owned(),
                        "no person with this IIN; import the people first".to_owned(),
                    ));
                    continue;
                }
            },
        };
        let v = object(row, &["person_iin"]);
        let parsed = if kind == ImportKind::Relatives {
            parse_value_plain::<Relative>(&v).map(|r| relatives.push((person, r)))
        } else {
            parse_value_plain::<Interest>(&v).map(|i| interests.push((person, i)))
        };
        if let Err(e) = parsed {
            let (c, r) = first(e);
            rejected.push((row.line, c, r));
        }
    }
    let writes = if kind == ImportKind::Relatives {
        Writes::Relatives(relatives)
    } else {
        Writes::Interests(interests)
    };
    Ok(Prepared { writes, rejected })
}

/// One batch's writes in one transaction: whether each row changed
/// anything.
async fn write(store: &Store, tenant: TenantId, writes: &Writes) -> Result<Vec<bool>, Failure> {
    let txn = store.begin_write_for(tenant).await?;
    let mut changes = Vec::with_capacity(writes.len());
    match writes {
        Writes::People(batch) => {
            for (_, outcome) in people::upsert_people_in(&txn, tenant, batch).await? {
                changes.push(outcome != people::Outcome::Unchanged);
            }
        }
        Writes::Relatives(rows) => {
            for (person, r) in rows {
                let outcome = people::upsert_relative_in(&txn, tenant, *person, r).await?;
                changes.push(outcome != people::Outcome::Unchanged);
            }
        }
        Writes::Interests(rows) => {
            for (person, i) in rows {
                let outcome = people::upsert_interest_in(&txn, tenant, *person, i).await?;
                changes.push(outcome != people::Outcome::Unchanged);
            }
        }
    }
    txn.commit().await.map_err(StoreError::from)?;
    Ok(changes)
}

/// Relatives and interests are parts of a person, not records of their
/// own: parsed by serde alone (their values check themselves).
fn parse_value_plain<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, Vec<FieldError>> {
    adal_domain::parse::from_json_value(v).map_err(|e| vec![e])
}
