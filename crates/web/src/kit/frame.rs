//! The frame of a page inside a tenant (its name, the navigation this
//! user may follow), and [`show`], which draws a screen's body in it.
//!
//! The navigation is grouped by task (the compliance unit's oversight,
//! the organisation's records, administration, one's own filings), each
//! group a menu of the screens the user may open, so the header stays one
//! row wide at 1280 px and two at 360 px whatever the role.

use super::access::allowed;
use super::fail::PageResult;
use super::shell::{Frame, NavGroup, NavItem, page, respond};
use crate::session::Visitor;
use adal_authz::{Act, Obj, act, obj};
use adal_service::AppState;
use adal_store::{TenantId, tenants};
use poem::http::StatusCode;

/// The header and navigation for a page inside `tenant`: only the screens
/// this user may open are linked.
pub(crate) async fn frame(state: &AppState, v: &Visitor, tenant: TenantId) -> Frame {
    let Some(c) = &v.caller else {
        return Frame::default();
    };
    let t = tenant.uuid();
    let base = format!("/t/{t}");
    let screens = |entries: &[(Obj, Act, &'static str, &'static str)]| {
        let entries = entries.to_vec();
        let base = base.clone();
        async move {
            let mut out = Vec::new();
            for (o, a, key, path) in entries {
                if allowed(state, c, t, o, a).await {
                    out.push(NavItem {
                        key,
                        href: format!("{base}/{path}"),
                    });
                }
            }
            out
        }
    };
    // The compliance unit's work, and its own records of it.
    let oversight = screens(&[
        (obj::RISK_MAP, act::READ, "nav-overview", "overview"),
        (obj::RISK_MAP, act::READ, "nav-risk-map", "risk-map"),
        (obj::FINDINGS_ALL, act::READ, "nav-findings", "findings"),
        (obj::CASES, act::READ, "nav-cases", "cases"),
        (
            obj::FINDINGS_ALL,
            act::READ,
            "nav-annual-report",
            "annual-report",
        ),
        (
            obj::DATASET_RUNS,
            act::READ,
            "nav-dataset-runs",
            "dataset-runs",
        ),
        (
            obj::FEEDBACK_REPORTS,
            act::CREATE,
            "nav-file-feedback",
            "feedback/new",
        ),
        (
            obj::GOVERNANCE,
            act::CREATE,
            "nav-file-governance",
            "governance/new",
        ),
    ])
    .await;
    let mut records = screens(&[
        (obj::USERS, act::READ, "nav-people", "people"),
        (obj::ORG, act::READ, "nav-org", "org"),
        (obj::HR_ACTIONS, act::READ, "nav-hr-actions", "hr-actions"),
        (
            obj::HR_ACTIONS,
            act::CREATE,
            "nav-hr-record",
            "hr-actions/new",
        ),
        (obj::HR_ACTIONS, act::CREATE, "nav-screening", "screening"),
        (
            obj::PROCUREMENTS,
            act::READ,
            "nav-procurements",
            "procurements",
        ),
        (obj::SUBMISSIONS_ALL, act::READ, "nav-search", "search"),
    ])
    .await;
    if allowed(state, c, t, obj::PEOPLE, act::WRITE).await
        || allowed(state, c, t, obj::PROCUREMENTS, act::CREATE).await
    {
        records.push(NavItem {
            key: "nav-imports",
            href: format!("{base}/imports"),
        });
    }
    let admin = screens(&[
        (obj::RULE_SETS, act::READ, "nav-rules", "rules"),
        (obj::AUDIT, act::READ, "nav-audit", "audit"),
        (obj::TENANT, act::WRITE, "nav-settings", "settings"),
    ])
    .await;
    // One's own filings: only in one's own organisation (an Agency
    // auditor reading it files nothing there).
    let mine = if c.tenant_id == Some(t) {
        screens(&[
            (obj::SUBMISSIONS_OWN, act::READ, "nav-my-filings", "my"),
            (obj::GIFTS, act::CREATE, "nav-file-gift", "gifts/new"),
            (
                obj::CONFLICTS,
                act::CREATE,
                "nav-file-conflict",
                "conflicts/new",
            ),
            (
                obj::ASSET_DECLARATIONS,
                act::CREATE,
                "nav-file-declaration",
                "declarations/new",
            ),
            (
                obj::TRAININGS,
                act::CREATE,
                "nav-file-training",
                "trainings/new",
            ),
        ])
        .await
    } else {
        Vec::new()
    };

    let mut nav = Vec::new();
    if c.role == adal_domain::Role::AgencyAuditor {
        nav.push(agency_group());
    }
    for (key, items) in [
        ("nav-group-oversight", oversight),
        ("nav-group-records", records),
        ("nav-group-admin", admin),
        ("nav-group-mine", mine),
    ] {
        if !items.is_empty() {
            nav.push(NavGroup { key, items });
        }
    }
    Frame {
        tenant_name: tenants::get(&state.store, tenant)
            .await
            .ok()
            .map(|t| t.name),
        nav,
        read_only: c.role == adal_domain::Role::AgencyAuditor,
        lang_links: None,
    }
}

/// Where a user lands after signing in: the screen of their main job.
/// The compliance unit and the tenant's administrator the overview (their
/// queue, the open findings, the risk map); the HR officer the HR actions
/// they record; the procurement officer the procurements; everyone else
/// their own filings.
pub(crate) async fn home_of(state: &AppState, c: &adal_service::Caller) -> String {
    use adal_domain::Role;
    match c.tenant_id {
        Some(t) if allowed(state, c, t, obj::RISK_MAP, act::READ).await => {
            format!("/t/{t}/overview")
        }
        Some(t) if c.role == Role::HrOfficer => format!("/t/{t}/hr-actions"),
        Some(t) if c.role == Role::ProcurementOfficer => format!("/t/{t}/procurements"),
        Some(t) => format!("/t/{t}/my"),
        None if c.role == Role::AgencyAuditor => "/agency".to_owned(),
        None if c.role == Role::PlatformAdmin => "/platform".to_owned(),
        None => "/password".to_owned(),
    }
}

/// A page of `tenant` with its header and navigation, as 200.
pub(crate) async fn show(
    state: &AppState,
    v: &Visitor,
    tenant: TenantId,
    title_key: &str,
    body: maud::Markup,
) -> PageResult {
    show_as(state, v, tenant, title_key, body, StatusCode::OK).await
}

/// As [`show`], with `status` (422 for a page showing input errors).
pub(crate) async fn show_as(
    state: &AppState,
    v: &Visitor,
    tenant: TenantId,
    title_key: &str,
    body: maud::Markup,
    status: StatusCode,
) -> PageResult {
    let f = frame(state, v, tenant).await;
    Ok(respond(v, status, page(v, &f, &v.tr.t(title_key), body)))
}

/// The Agency's own screens: the organisations, the cartogram, the annual
/// reports and the cases organisations escalated.
fn agency_group() -> NavGroup {
    NavGroup {
        key: "nav-group-agency",
        items: vec![
            NavItem {
                key: "nav-agency",
                href: "/agency".into(),
            },
            NavItem {
                key: "nav-cartogram",
                href: "/agency/cartogram".into(),
            },
            NavItem {
                key: "nav-annual-summary",
                href: "/agency/annual-reports".into(),
            },
            NavItem {
                key: "nav-agency-cases",
                href: "/agency/cases".into(),
            },
            NavItem {
                key: "nav-agency-case-statistics",
                href: "/agency/case-statistics".into(),
            },
        ],
    }
}

/// The platform operator's screens: tenants, a new tenant, the Agency's
/// accounts.
fn platform_group() -> NavGroup {
    NavGroup {
        key: "nav-group-platform",
        items: vec![
            NavItem {
                key: "nav-platform-tenants",
                href: "/platform".into(),
            },
            NavItem {
                key: "nav-platform-new-tenant",
                href: "/platform/tenants/new".into(),
            },
            NavItem {
                key: "nav-platform-agency",
                href: "/platform/agency-accounts".into(),
            },
        ],
    }
}

/// The frame of a page outside any one tenant's screens (the password,
/// the Agency): the user's own tenant, or the Agency's link.
pub(crate) async fn own_frame(state: &AppState, v: &Visitor) -> Frame {
    match v.caller.as_ref().and_then(|c| c.tenant_id) {
        Some(t) => frame(state, v, TenantId::from_uuid(t)).await,
        None => {
            let mut f = Frame::default();
            match v.caller.as_ref().map(|c| c.role) {
                Some(adal_domain::Role::AgencyAuditor) => {
                    f.nav.push(agency_group());
                    f.read_only = true;
                }
                Some(adal_domain::Role::PlatformAdmin) => f.nav.push(platform_group()),
                _ => {}
            }
            f
        }
    }
}
