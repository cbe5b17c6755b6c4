//! CSV imports of people, their relatives and their interests. The header
//! row names the columns (any order); unknown columns refuse the file, so a
//! misspelt column is never silently dropped.

use crate::{BATCH, Failure, ImportKind, Tally};
use adal_domain::records::parse_value;
use adal_domain::records::person::{Interest, Person, Relative};
use adal_domain::{FieldError, Iin};
use adal_store::imports::Import;
use adal_store::people::{self, PersonCore};
use adal_store::{Store, StoreError, TenantId, org};
use serde_json::{Map, Value};
use std::collections::HashMap;

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

fn read(import: &Import, kind: ImportKind) -> Result<Vec<ReadRow>, Failure> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(import.file.trim_start_matches('\u{feff}').as_bytes());
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

pub(crate) async fn apply(
    store: &Store,
    import: &Import,
    tenant: TenantId,
    kind: ImportKind,
    tally: &mut Tally,
) -> Result<(), Failure> {
    let rows = read(import, kind)?;
    tally.progress.total_rows = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let today = adal_domain::kazakhstan_today();
    let lower = |s: &str| s.trim().to_lowercase();
    let departments: HashMap<String, uuid::Uuid> = org::list_departments(store, tenant)
        .await?
        .into_iter()
        .map(|d| (lower(&d.name), d.id))
        .collect();
    let positions: HashMap<String, uuid::Uuid> = org::list_positions(store, tenant)
        .await?
        .into_iter()
        .map(|p| (lower(&p.title), p.id))
        .collect();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for chunk in rows.chunks(BATCH) {
        let txn = store.begin_write().await?;
        let mut changes = Vec::new();
        match kind {
            ImportKind::People => {
                let mut batch = Vec::new();
                for row in chunk {
                    let row = match row {
                        Ok(r) => r,
                        Err((line, why)) => {
                            tally.reject(*line, "(row)", why.clone());
                            continue;
                        }
                    };
                    let mut v = object(row, &["department", "position"]);
                    let mut bad = None;
                    for (col, names, field) in [
                        ("department", &departments, "department_id"),
                        ("position", &positions, "position_id"),
                    ] {
                        if let Some(name) = row.cells.get(col).filter(|n| !n.is_empty()) {
                            match names.get(&lower(name)) {
                                Some(id) => {
                                    v[field] = Value::String(id.to_string());
                                }
                                None => {
                                    bad = Some((
                                        col,
                                        format!("no {col} named {name:?} in this tenant"),
                                    ))
                                }
                            }
                        }
                    }
                    if let Some((col, why)) = bad {
                        tally.reject(row.line, col, why);
                        continue;
                    }
                    match parse_value::<Person>(&v, today) {
                        Ok(p) => {
                            let iin = p.iin.to_string();
                            if let Some(prev) = seen.insert(iin.clone(), row.line) {
                                tally.reject(
                                    row.line,
                                    "iin",
                                    format!("the same IIN as line {prev}"),
                                );
                                continue;
                            }
                            batch.push(PersonCore::of(&p));
                        }
                        Err(e) => {
                            let (c, r) = first(e);
                            tally.reject(row.line, c, r);
                        }
                    }
                }
                for (_, outcome) in people::upsert_people_in(&txn, tenant, &batch).await? {
                    changes.push(outcome != people::Outcome::Unchanged);
                }
            }
            ImportKind::Relatives | ImportKind::Interests => {
                let iins: Vec<String> = chunk
                    .iter()
                    .filter_map(|r| r.as_ref().ok())
                    .filter_map(|r| r.cells.get("person_iin").cloned())
                    .collect();
                let ids = people::ids_by_iin(&txn, tenant, &iins).await?;
                for row in chunk {
                    let row = match row {
                        Ok(r) => r,
                        Err((line, why)) => {
                            tally.reject(*line, "(row)", why.clone());
                            continue;
                        }
                    };
                    let raw = row.cells.get("person_iin").cloned().unwrap_or_default();
                    let person = match Iin::parse(&raw) {
                        Err(e) => {
                            tally.reject(row.line, "person_iin", format!("invalid IIN: {e}"));
                            continue;
                        }
                        Ok(_) => match ids.get(&raw) {
                            Some(id) => *id,
                            None => {
                                tally.reject(
                                    row.line,
                                    "person_iin",
                                    "no person with this IIN; import the people first",
                                );
                                continue;
                            }
                        },
                    };
                    let v = object(row, &["person_iin"]);
                    let outcome = if kind == ImportKind::Relatives {
                        match parse_value_plain::<Relative>(&v) {
                            Ok(r) => people::upsert_relative_in(&txn, tenant, person, &r).await?,
                            Err(e) => {
                                let (c, r) = first(e);
                                tally.reject(row.line, c, r);
                                continue;
                            }
                        }
                    } else {
                        match parse_value_plain::<Interest>(&v) {
                            Ok(i) => people::upsert_interest_in(&txn, tenant, person, &i).await?,
                            Err(e) => {
                                let (c, r) = first(e);
                                tally.reject(row.line, c, r);
                                continue;
                            }
                        }
                    };
                    changes.push(outcome != people::Outcome::Unchanged);
                }
            }
            ImportKind::Ocds => {}
        }
        txn.commit().await.map_err(StoreError::from)?;
        for changed in changes {
            tally.applied(changed);
        }
        adal_store::imports::progress(store, import.id, &tally.progress, &tally.report).await?;
    }
    Ok(())
}

/// Relatives and interests are parts of a person, not records of their
/// own: parsed by serde alone (their values check themselves).
fn parse_value_plain<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, Vec<FieldError>> {
    adal_domain::parse::from_json_value(v).map_err(|e| vec![e])
}
