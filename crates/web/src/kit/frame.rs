//! The frame of a page inside a tenant (its name, the navigation this
//! user may follow), and [`show`], which draws a screen's body in it.

use super::access::allowed;
use super::fail::PageResult;
use super::shell::{Frame, NavItem, page, respond};
use crate::session::Visitor;
use adal_authz::{act, obj};
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
    let mut nav = Vec::new();
    if c.role == adal_domain::Role::AgencyAuditor {
        nav.extend(agency_nav());
    }
    if allowed(state, c, t, obj::RISK_MAP, act::READ).await {
        nav.push(NavItem {
            key: "nav-overview",
            href: format!("{base}/overview"),
        });
        nav.push(NavItem {
            key: "nav-risk-map",
            href: format!("{base}/risk-map"),
        });
    }
    if allowed(state, c, t, obj::FINDINGS_ALL, act::READ).await {
        nav.push(NavItem {
            key: "nav-findings",
            href: format!("{base}/findings"),
        });
        nav.push(NavItem {
            key: "nav-annual-report",
            href: format!("{base}/annual-report"),
        });
    }
    if c.tenant_id == Some(t) && allowed(state, c, t, obj::SUBMISSIONS_OWN, act::READ).await {
        nav.push(NavItem {
            key: "nav-my-filings",
            href: format!("{base}/my"),
        });
    }
    if allowed(state, c, t, obj::GIFTS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-file-gift",
            href: format!("{base}/gifts/new"),
        });
    }
    if allowed(state, c, t, obj::CONFLICTS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-file-conflict",
            href: format!("{base}/conflicts/new"),
        });
    }
    for (o, key, path) in [
        (obj::TRAININGS, "nav-file-training", "trainings/new"),
        (obj::FEEDBACK_REPORTS, "nav-file-feedback", "feedback/new"),
        (obj::GOVERNANCE, "nav-file-governance", "governance/new"),
    ] {
        if allowed(state, c, t, o, act::CREATE).await {
            nav.push(NavItem {
                key,
                href: format!("{base}/{path}"),
            });
        }
    }
    if allowed(state, c, t, obj::ASSET_DECLARATIONS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-file-declaration",
            href: format!("{base}/declarations/new"),
        });
    }
    if allowed(state, c, t, obj::DATASET_RUNS, act::READ).await {
        nav.push(NavItem {
            key: "nav-dataset-runs",
            href: format!("{base}/dataset-runs"),
        });
    }
    if allowed(state, c, t, obj::RULE_SETS, act::READ).await {
        nav.push(NavItem {
            key: "nav-rules",
            href: format!("{base}/rules"),
        });
    }
    if allowed(state, c, t, obj::USERS, act::READ).await {
        nav.push(NavItem {
            key: "nav-people",
            href: format!("{base}/people"),
        });
    }
    if allowed(state, c, t, obj::ORG, act::READ).await {
        nav.push(NavItem {
            key: "nav-org",
            href: format!("{base}/org"),
        });
    }
    if allowed(state, c, t, obj::HR_ACTIONS, act::READ).await {
        nav.push(NavItem {
            key: "nav-hr-actions",
            href: format!("{base}/hr-actions"),
        });
    }
    if allowed(state, c, t, obj::HR_ACTIONS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-screening",
            href: format!("{base}/screening"),
        });
    }
    if allowed(state, c, t, obj::PROCUREMENTS, act::READ).await {
        nav.push(NavItem {
            key: "nav-procurements",
            href: format!("{base}/procurements"),
        });
    }
    if allowed(state, c, t, obj::PEOPLE, act::WRITE).await
        || allowed(state, c, t, obj::PROCUREMENTS, act::CREATE).await
    {
        nav.push(NavItem {
            key: "nav-imports",
            href: format!("{base}/imports"),
        });
    }
    if allowed(state, c, t, obj::CASES, act::READ).await {
        nav.push(NavItem {
            key: "nav-cases",
            href: format!("{base}/cases"),
        });
    }
    if allowed(state, c, t, obj::AUDIT, act::READ).await {
        nav.push(NavItem {
            key: "nav-audit",
            href: format!("{base}/audit"),
        });
    }
    if allowed(state, c, t, obj::TENANT, act::WRITE).await {
        nav.push(NavItem {
            key: "nav-settings",
            href: format!("{base}/settings"),
        });
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
fn agency_nav() -> [NavItem; 5] {
    [
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
    ]
}

/// The platform operator's screens: tenants, a new tenant, the Agency's
/// accounts.
fn platform_nav() -> [NavItem; 3] {
    [
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
    ]
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
                    f.nav.extend(agency_nav());
                    f.read_only = true;
                }
                Some(adal_domain::Role::PlatformAdmin) => f.nav.extend(platform_nav()),
                _ => {}
            }
            f
        }
    }
}
