//! The procurement red flags as the store sees them: the pages of releases
//! a tenant's red-flag pass reads, and the flags that fire now on a
//! process and the parties it names (the red-flag records a dataset run
//! filed, `jobs::redflags`).

use super::{corrupt, current_of};
use crate::entities::submission;
use crate::{Result, TenantId};
use adal_domain::Kind;
use adal_domain::records::derived::DerivedKind;
use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// One page of the current versions of `kind` (superseded ones left
/// out), as stored: ids after `after`, in id order, at most `limit`. For a
/// pass over every process of a tenant without holding them all.
pub async fn current_payload_page(
    store: &crate::Store,
    tenant: TenantId,
    kind: Kind,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<(Uuid, String)>> {
    let mut q = current_of(tenant, kind.as_str())
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Payload);
    if let Some(after) = after {
        q = q.filter(submission::Column::Id.gt(after));
    }
    Ok(q.order_by_asc(submission::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?)
}

/// Most subjects [`red_flags_on`] looks up at once (a release naming more
/// parties is cut there: the process and its buyer come first).
pub const MAX_RED_FLAG_SUBJECTS: usize = 100;

/// What the red flags of a process can be on, as the flags' records name
/// them (`group`, identifier): the process (`ocid`), its buyer, procuring
/// entity, and every tenderer and supplier, by their ids in the release.
pub fn red_flag_subjects(release: &serde_json::Value) -> Vec<(&'static str, String)> {
    let id_at = |v: &serde_json::Value| {
        v.get("id")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let mut out = Vec::new();
    if let Some(ocid) = release.get("ocid").and_then(serde_json::Value::as_str) {
        out.push(("process", ocid.to_owned()));
    }
    if let Some(b) = release.get("buyer").and_then(id_at) {
        out.push(("buyer", b));
    }
    if let Some(pe) = release.pointer("/tender/procuringEntity").and_then(id_at) {
        out.push(("procuring_entity", pe));
    }
    fn array(v: Option<&serde_json::Value>) -> &[serde_json::Value] {
        v.and_then(serde_json::Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    for bid in array(release.pointer("/bids/details")) {
        for t in array(bid.get("tenderers")) {
            if let Some(id) = id_at(t) {
                out.push(("tenderer", id));
            }
        }
    }
    for award in array(release.get("awards")) {
        for s in array(award.get("suppliers")) {
            if let Some(id) = id_at(s) {
                out.push(("tenderer", id));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|x| seen.insert(x.clone()));
    out.truncate(MAX_RED_FLAG_SUBJECTS);
    out
}

/// The procurement red flags that fire now on any of `subjects` (as
/// [`red_flag_subjects`] names them): (record id, payload), by indicator.
pub async fn red_flags_on(
    store: &crate::Store,
    tenant: TenantId,
    subjects: &[(&str, String)],
) -> Result<Vec<(Uuid, serde_json::Value)>> {
    let mut each = red_flags_on_each(store, tenant, &[subjects.to_vec()]).await?;
    Ok(each.pop().unwrap_or_default())
}

/// [`red_flags_on`] for a page of processes at once: each list of
/// subjects gets its own flags, in the same order. One query for every
/// [`MAX_RED_FLAG_SUBJECTS`] distinct subjects of the page, not two per
/// process (a page of 50 processes took 100 queries).
pub async fn red_flags_on_each(
    store: &crate::Store,
    tenant: TenantId,
    each: &[Vec<(&str, String)>],
) -> Result<Vec<Vec<(Uuid, serde_json::Value)>>> {
    let mut distinct: Vec<&(&str, String)> = each.iter().flatten().collect();
    distinct.sort();
    distinct.dedup();
    let mut fired = Vec::new();
    for chunk in distinct.chunks(MAX_RED_FLAG_SUBJECTS) {
        fired.extend(fired_on(store, tenant, chunk).await?);
    }
    fn key(p: &serde_json::Value) -> [Option<&str>; 3] {
        ["indicator", "group", "subject"].map(|k| p.get(k).and_then(serde_json::Value::as_str))
    }
    fired.sort_by(|a, b| key(&a.1).cmp(&key(&b.1)));
    Ok(each
        .iter()
        .map(|subjects| {
            fired
                .iter()
                .filter(|(_, p)| {
                    let text = |k: &str| p.get(k).and_then(serde_json::Value::as_str);
                    subjects.iter().any(|(g, s)| {
                        text("group") == Some(*g) && text("subject") == Some(s.as_str())
                    })
                })
                .cloned()
                .collect()
        })
        .collect())
}

/// Red-flag records that fire now on any of `subjects` (at most
/// [`MAX_RED_FLAG_SUBJECTS`]: each is a condition of one query).
async fn fired_on(
    store: &crate::Store,
    tenant: TenantId,
    subjects: &[&(&str, String)],
) -> Result<Vec<(Uuid, serde_json::Value)>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    // References are `group/subject/indicator`. A prefix match can match
    // more than it should (`_` and `%` in an identifier are wildcards to
    // LIKE), never less; the payload decides.
    let mut any = Condition::any();
    for (group, subject) in subjects {
        any = any.add(submission::Column::Reference.starts_with(format!("{group}/{subject}/")));
    }
    let rows: Vec<(Uuid, String)> = current_of(tenant, DerivedKind::ProcurementRedFlag.as_str())
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Payload)
        .filter(any)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    let mut out = Vec::new();
    for (id, payload) in rows {
        let p: serde_json::Value = serde_json::from_str(&payload).map_err(corrupt)?;
        let text = |k: &str| p.get(k).and_then(serde_json::Value::as_str);
        let on = subjects
            .iter()
            .any(|(g, s)| text("group") == Some(*g) && text("subject") == Some(s.as_str()));
        if on && p.get("fired") == Some(&serde_json::Value::Bool(true)) {
            out.push((id, p));
        }
    }
    Ok(out)
}
