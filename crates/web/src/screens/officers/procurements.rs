//! The procurements by OCID, with their tenderers and suppliers.

use super::{date, error_of, status_of, trimmed};
use crate::exports::{self, Links, Scope};
use crate::kit::label;
use crate::kit::listing;
use crate::kit::{PageResult, authorize, finish, show_as};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::Bin;
use adal_service::AppState;
use adal_service::export::ExportList;
use adal_store::dataset;
use adal_store::procurement::{self, ProcurementFilter};
use adal_store::submissions::{self};
use maud::html;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// A party of a procurement that bid or won: name, BIN, roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterparty {
    pub name: String,
    pub bin: Option<String>,
    pub roles: Vec<String>,
}

/// The tenderers and suppliers named in a compiled release's parties.
pub fn counterparties(release: &Value) -> Vec<Counterparty> {
    release
        .get("parties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let roles: Vec<String> = p
                .get("roles")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|r| matches!(*r, "tenderer" | "supplier"))
                .map(str::to_owned)
                .collect();
            if roles.is_empty() {
                return None;
            }
            let identifier = p.get("identifier");
            let bin = identifier
                .filter(|i| i.get("scheme").and_then(Value::as_str) == Some("KZ-BIN"))
                .and_then(|i| i.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .or_else(|| p.get("id").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            Some(Counterparty { name, bin, roles })
        })
        .collect()
}

/// The procurements list's filters: those of
/// `GET /tenants/{t}/procurements`, as typed in the URL.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ProcurementQuery {
    status: Option<String>,
    buyer_id: Option<String>,
    counterparty_bin: Option<String>,
    q: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

/// The tender statuses of the OCDS codelist, as the index stores them.
const TENDER_STATUSES: [&str; 7] = [
    "planning",
    "planned",
    "active",
    "cancelled",
    "unsuccessful",
    "complete",
    "withdrawn",
];

/// The store filter, or the fields at fault with their error keys. The
/// BIN is checked as `GET /tenants/{t}/procurements` checks it.
fn procurement_filter(
    q: &ProcurementQuery,
) -> (ProcurementFilter, Vec<(&'static str, &'static str)>) {
    let mut errors = Vec::new();
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let status = trimmed(&q.status);
    if !status.is_empty() && !TENDER_STATUSES.contains(&status) {
        errors.push(("status", "err-choice"));
    }
    let bin = trimmed(&q.counterparty_bin);
    if !bin.is_empty() && Bin::parse(bin).is_err() {
        errors.push(("counterparty_bin", "err-bin"));
    }
    let filter = ProcurementFilter {
        status: some(status),
        buyer_id: some(trimmed(&q.buyer_id)),
        counterparty_bin: some(bin),
        text: some(trimmed(&q.q)),
    };
    (filter, errors)
}

#[handler]
pub(crate) async fn procurements(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<ProcurementQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::PROCUREMENTS, act::READ).await?;
        let tr = &v.tr;
        let path = format!("/t/{tenant}/procurements");
        let (filter, mut errors) = procurement_filter(&q);
        let (paging, limit_error) = listing::paging(q.offset.as_deref(), q.limit.as_deref());
        if let Some(e) = limit_error {
            errors.push(("limit", e));
        }
        let (rows, total) = if errors.is_empty() {
            procurement::list(&state.store, ctx.tenant(), &filter, paging.offset, paging.limit).await?
        } else {
            (Vec::new(), 0)
        };
        // The page's releases and their flags in a few queries, not two
        // per row.
        let ids: Vec<_> = rows.iter().map(|p| p.submission_id).collect();
        let payloads = submissions::payloads(&state.store, ctx.tenant(), &ids).await?;
        let releases: Vec<Value> = rows
            .iter()
            .map(|p| {
                payloads
                    .get(&p.submission_id)
                    .and_then(|s| serde_json::from_str::<Value>(s).ok())
                    .unwrap_or_default()
            })
            .collect();
        let subjects: Vec<_> = releases.iter().map(dataset::red_flag_subjects).collect();
        let found = dataset::red_flags_on_each(&state.store, ctx.tenant(), &subjects).await?;
        let mut parties = HashMap::new();
        let mut flags = HashMap::new();
        for ((p, release), found) in rows.iter().zip(&releases).zip(found) {
            parties.insert(p.id, counterparties(release));
            flags.insert(p.id, found);
        }
        let buyers: Vec<(String, String)> = procurement::buyers(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|(id, name)| {
                let shown = name.unwrap_or_else(|| id.clone());
                (id, shown)
            })
            .collect();
        let statuses: Vec<(String, String)> = TENDER_STATUSES
            .iter()
            .map(|s| ((*s).to_owned(), label(tr, "tender-status", s)))
            .collect();
        let kept = listing::kept(&[("status", &q.status), ("buyer_id", &q.buyer_id), ("counterparty_bin", &q.counterparty_bin), ("q", &q.q), ("limit", &q.limit)]);
        // The filters are not carried into the file: it holds every
        // procurement, and its links say so.
        let export_links = exports::links(&state, &ctx, tr, &Links { list: ExportList::Procurements, caption: "export-label", params: &[], scope: Scope::WholeDespiteFilters }).await;
        let body = html! {
            form method="get" action=(path) class="filters" id="procurement-filters" aria-label=(tr.t("filters")) {
                (listing::input(tr, &listing::Input { id: "q", label: "filter-procurement-text", kind: "text", value: trimmed(&q.q), error: None, hint: Some("filter-procurement-text-hint") }))
                (listing::select(tr, "status", "col-status", &statuses, Some(trimmed(&q.status)), error_of(&errors, "status")))
                (listing::select(tr, "buyer_id", "col-buyer", &buyers, filter.buyer_id.as_deref(), None))
                (listing::input(tr, &listing::Input { id: "counterparty_bin", label: "filter-counterparty-bin", kind: "text", value: trimmed(&q.counterparty_bin), error: error_of(&errors, "counterparty_bin"), hint: None }))
                (listing::input(tr, &listing::limit_input(trimmed(&q.limit), error_of(&errors, "limit"))))
                (listing::buttons(tr, &path))
            }
            (listing::pager(tr, "procurement-pager", &path, &kept, paging, rows.len(), total))
            (export_links)
            div class="scroll" {
                table id="procurements" {
                    caption { (tr.t("proc-caption")) }
                    thead { tr {
                        th scope="col" { "OCID" }
                        th scope="col" { (tr.t("col-title")) }
                        th scope="col" { (tr.t("col-buyer")) }
                        th scope="col" { (tr.t("col-status")) }
                        th scope="col" class="num" { (tr.t("col-value")) }
                        th scope="col" { (tr.t("col-tender-end")) }
                        th scope="col" { (tr.t("col-counterparties")) }
                        th scope="col" { (tr.t("col-red-flags")) }
                    } }
                    tbody {
                        @for p in &rows {
                            tr data-ocid=(p.ocid) {
                                th scope="row" { (p.ocid) }
                                td { (p.title.clone().unwrap_or_default()) }
                                td { (p.buyer_name.clone().unwrap_or_default()) }
                                td data-status=[p.status.as_deref()] { (p.status.as_deref().map(|s| label(tr, "tender-status", s)).unwrap_or_default()) }
                                td class="num" {
                                    @match (&p.value_amount, p.currency.as_deref()) {
                                        (Some(a), Some("KZT") | None) => { (tr.money(a)) }
                                        (Some(a), Some(c)) => { (a) " " (c) }
                                        (None, _) => {}
                                    }
                                }
                                td { (p.tender_end.as_deref().map(|d| date(tr, d)).unwrap_or_default()) }
                                td {
                                    ul class="parties" {
                                        @for c in parties.get(&p.id).into_iter().flatten() {
                                            li data-bin=[c.bin.as_deref()] {
                                                (c.name)
                                                @if let Some(b) = &c.bin { " (" (tr.t("col-bin")) " " (b) ")" }
                                                " · "
                                                (c.roles.iter().map(|r| label(tr, "party-role", r)).collect::<Vec<_>>().join(", "))
                                            }
                                        }
                                    }
                                }
                                td {
                                    ul class="red-flags" {
                                        @for (_, f) in flags.get(&p.id).into_iter().flatten() {
                                            @let text = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                                            li data-flag=(text("indicator")) data-on=(text("group")) {
                                                abbr title=(text("explanation")) { (text("indicator")) }
                                                " " (text("title"))
                                                @if text("group") != "process" {
                                                    " · " (label(tr, "red-flag-on", &text("group"))) " " (text("subject"))
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        show_as(&state, &v, ctx.tenant(), "proc-title", body, status_of(&errors)).await
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tenderers_and_suppliers_are_read_from_the_parties() {
        let release = serde_json::json!({
            "ocid": "ocds-1",
            "parties": [
                {"id": "buyer", "name": "Demo Energy JSC", "roles": ["buyer"]},
                {"id": "t1", "name": "Volt LLP", "roles": ["tenderer", "supplier"],
                 "identifier": {"scheme": "KZ-BIN", "id": "190540001239"}},
                {"id": "t2", "roles": ["tenderer"], "identifier": {"scheme": "XX", "id": "9"}}
            ]
        });
        assert_eq!(
            counterparties(&release),
            [
                Counterparty {
                    name: "Volt LLP".into(),
                    bin: Some("190540001239".into()),
                    roles: vec!["tenderer".into(), "supplier".into()],
                },
                Counterparty {
                    name: "t2".into(),
                    bin: None,
                    roles: vec!["tenderer".into()],
                },
            ]
        );
        assert!(counterparties(&serde_json::json!({"ocid": "x"})).is_empty());
    }
}
