//! Who may do what, in which tenant. casbin's RBAC with domains: the domain
//! is the tenant. Role permissions are written once with domain `*`; only
//! role assignments (`g, user, role, tenant`) are per tenant, because
//! casbin checks every `p` line on each decision (STACK.md, trap 4).
//!
//! Object-level checks (is this finding in my tenant, is this submission
//! mine) belong to the query, not here: this answers "may this user read
//! findings in this tenant at all".

mod adapter;

pub use adapter::SeaOrmAdapter;

use adal_domain::Role;
use adal_store::Store;
use casbin::{CachedApi, CachedEnforcer, CoreApi, DefaultModel, MgmtApi, RbacApi};
use std::sync::Arc;
use tokio::sync::RwLock;

#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    #[error("authorisation engine: {0}")]
    Casbin(#[from] casbin::Error),
}

const MODEL: &str = r#"
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, "*")) && (p.dom == "*" || p.dom == r.dom) && r.obj == p.obj && r.act == p.act
"#;

/// The domain of platform-level permissions (creating tenants).
pub const PLATFORM_DOMAIN: &str = "platform";

/// A resource a request can touch, as casbin names it. An enum, so that a
/// check cannot name a resource that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Obj {
    Tenant,
    Tenants,
    Users,
    Org,
    RuleSets,
    Gifts,
    Conflicts,
    AssetDeclarations,
    HrActions,
    Trainings,
    FeedbackReports,
    Governance,
    SubmissionsAll,
    SubmissionsOwn,
    FindingsAll,
    FindingsOwn,
    RiskMap,
    Procurements,
    People,
    DeclarationStatus,
    ConflictDecisions,
    DatasetRuns,
    Audit,
    Outbox,
    ConvictedRegistry,
    Cases,
    Escalations,
    PersonalData,
}

impl Obj {
    /// The object as written in the policy.
    pub const fn as_str(self) -> &'static str {
        match self {
            Obj::Tenant => "tenant",
            Obj::Tenants => "tenants",
            Obj::Users => "users",
            Obj::Org => "org",
            Obj::RuleSets => "rule_sets",
            Obj::Gifts => "records.gift",
            Obj::Conflicts => "records.conflict_of_interest",
            Obj::AssetDeclarations => "records.asset_declaration",
            Obj::HrActions => "records.hr_action",
            Obj::Trainings => "records.training",
            Obj::FeedbackReports => "records.feedback_report",
            Obj::Governance => "records.governance",
            Obj::SubmissionsAll => "submissions.all",
            Obj::SubmissionsOwn => "submissions.own",
            Obj::FindingsAll => "findings.all",
            Obj::FindingsOwn => "findings.own",
            Obj::RiskMap => "risk_map",
            Obj::Procurements => "records.procurement",
            Obj::People => "people",
            Obj::DeclarationStatus => "declaration_status",
            Obj::ConflictDecisions => "conflict_decisions",
            Obj::DatasetRuns => "dataset_runs",
            Obj::Audit => "audit",
            Obj::Outbox => "outbox",
            Obj::ConvictedRegistry => "convicted_registry",
            Obj::Cases => "cases",
            Obj::Escalations => "escalations",
            Obj::PersonalData => "personal_data",
        }
    }
}

impl std::fmt::Display for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is done to a resource, as casbin names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    Read,
    Write,
    Create,
    ReadOwn,
    Decide,
}

impl Act {
    /// The action as written in the policy.
    pub const fn as_str(self) -> &'static str {
        match self {
            Act::Read => "read",
            Act::Write => "write",
            Act::Create => "create",
            Act::ReadOwn => "read_own",
            Act::Decide => "decide",
        }
    }
}

impl std::fmt::Display for Act {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Resources a request can touch. The `.own` variants allow the same read
/// restricted to the caller's own records; handlers try `.all` first.
pub mod obj {
    use super::Obj;

    pub const TENANT: Obj = Obj::Tenant;
    pub const TENANTS: Obj = Obj::Tenants;
    pub const USERS: Obj = Obj::Users;
    pub const ORG: Obj = Obj::Org;
    pub const RULE_SETS: Obj = Obj::RuleSets;
    /// Records by kind: `create` to file one, `read` for every record of
    /// the kind in the tenant, `read_own` for the caller's own.
    pub const GIFTS: Obj = Obj::Gifts;
    pub const CONFLICTS: Obj = Obj::Conflicts;
    pub const ASSET_DECLARATIONS: Obj = Obj::AssetDeclarations;
    pub const HR_ACTIONS: Obj = Obj::HrActions;
    pub const TRAININGS: Obj = Obj::Trainings;
    pub const FEEDBACK_REPORTS: Obj = Obj::FeedbackReports;
    pub const GOVERNANCE: Obj = Obj::Governance;
    pub const SUBMISSIONS_ALL: Obj = Obj::SubmissionsAll;
    pub const SUBMISSIONS_OWN: Obj = Obj::SubmissionsOwn;
    pub const FINDINGS_ALL: Obj = Obj::FindingsAll;
    pub const FINDINGS_OWN: Obj = Obj::FindingsOwn;
    pub const RISK_MAP: Obj = Obj::RiskMap;
    pub const PROCUREMENTS: Obj = Obj::Procurements;
    /// The tenant's people with their relatives and interests.
    pub const PEOPLE: Obj = Obj::People;
    /// Who filed their asset declaration and when (not its content).
    pub const DECLARATION_STATUS: Obj = Obj::DeclarationStatus;
    /// The compliance unit's decisions on conflict-of-interest disclosures.
    pub const CONFLICT_DECISIONS: Obj = Obj::ConflictDecisions;
    /// Reports from the feedback channels and the cases they become: the
    /// compliance unit's alone (not the administrator's, not the
    /// Agency's unless a case is escalated to it).
    pub const CASES: Obj = Obj::Cases;
    /// Cases organisations escalated to the Agency, with what they chose
    /// to share: the Agency's alone (platform level).
    pub const ESCALATIONS: Obj = Obj::Escalations;
    /// A person's rights over their data: `read` to export everything held
    /// about someone, `write` to erase them. The compliance unit's, because
    /// the export includes asset declarations, which only it reads.
    pub const PERSONAL_DATA: Obj = Obj::PersonalData;

    /// The object of a record kind (`gift`, `hr_action`, ...).
    pub fn record(kind: &str) -> Option<Obj> {
        Some(match kind {
            "gift" => GIFTS,
            "conflict_of_interest" => CONFLICTS,
            "asset_declaration" => ASSET_DECLARATIONS,
            "hr_action" => HR_ACTIONS,
            "procurement" => PROCUREMENTS,
            "training" => TRAININGS,
            "feedback_report" => FEEDBACK_REPORTS,
            "governance" => GOVERNANCE,
            "training_status" => TRAININGS,
            "feedback_status" => FEEDBACK_REPORTS,
            "case_deadline" => CASES,
            "governance_status" => GOVERNANCE,
            "tender_specification" => PROCUREMENTS,
            "procurement_red_flag" => PROCUREMENTS,
            "declaration_obligation" => DECLARATION_STATUS,
            "gift_giver_history" => GIFTS,
            _ => return None,
        })
    }

    /// Every record kind's object, with its kind. Derived records (filed
    /// by dataset runs) are read under the object of what they are about:
    /// a declaration obligation is declaration status, a giver's history
    /// is gifts. Nobody holds `create` on them through these objects'
    /// kinds, because the API has no route that files them.
    pub const RECORDS: [(&str, Obj); 16] = [
        ("gift", GIFTS),
        ("conflict_of_interest", CONFLICTS),
        ("asset_declaration", ASSET_DECLARATIONS),
        ("hr_action", HR_ACTIONS),
        ("procurement", PROCUREMENTS),
        ("declaration_obligation", DECLARATION_STATUS),
        ("gift_giver_history", GIFTS),
        ("training", TRAININGS),
        ("feedback_report", FEEDBACK_REPORTS),
        ("governance", GOVERNANCE),
        ("training_status", TRAININGS),
        ("feedback_status", FEEDBACK_REPORTS),
        ("case_deadline", CASES),
        ("governance_status", GOVERNANCE),
        ("tender_specification", PROCUREMENTS),
        ("procurement_red_flag", PROCUREMENTS),
    ];
    /// Dataset runs: `read` to see them, `write` to ask for one.
    pub const DATASET_RUNS: Obj = Obj::DatasetRuns;
    pub const AUDIT: Obj = Obj::Audit;
    pub const OUTBOX: Obj = Obj::Outbox;
    /// The public registry of persons convicted of corruption offences
    /// (platform level). Reading it needs no permission; `write` adds and
    /// removes entries.
    pub const CONVICTED_REGISTRY: Obj = Obj::ConvictedRegistry;
}

pub mod act {
    use super::Act;

    pub const READ: Act = Act::Read;
    pub const WRITE: Act = Act::Write;
    pub const CREATE: Act = Act::Create;
    pub const READ_OWN: Act = Act::ReadOwn;
    pub const DECIDE: Act = Act::Decide;
}

/// The shared role permissions: (role, object, action).
pub fn role_permissions() -> Vec<(Role, Obj, Act)> {
    use act::*;
    use obj::*;
    let mut p = Vec::new();
    // Everyone in a tenant is one of its people: they file their own gifts,
    // disclosures and declarations, and read what they filed.
    let own = [
        (GIFTS, CREATE),
        (GIFTS, READ_OWN),
        (CONFLICTS, CREATE),
        (CONFLICTS, READ_OWN),
        (ASSET_DECLARATIONS, CREATE),
        (ASSET_DECLARATIONS, READ_OWN),
        (TRAININGS, CREATE),
        (TRAININGS, READ_OWN),
        (SUBMISSIONS_OWN, READ),
        (FINDINGS_OWN, READ),
        (TENANT, READ),
    ];
    for role in [
        Role::TenantAdmin,
        Role::ComplianceOfficer,
        Role::HrOfficer,
        Role::ProcurementOfficer,
        Role::Employee,
    ] {
        for (o, a) in own {
            p.push((role, o, a));
        }
    }
    for (o, a) in [
        (TENANT, WRITE),
        (USERS, READ),
        (USERS, WRITE),
        (ORG, READ),
        (ORG, WRITE),
        (RULE_SETS, READ),
        (SUBMISSIONS_ALL, READ),
        (FINDINGS_ALL, READ),
        (RISK_MAP, READ),
        (PROCUREMENTS, READ),
        (GIFTS, READ),
        (CONFLICTS, READ),
        (HR_ACTIONS, READ),
        (TRAININGS, READ),
        (FEEDBACK_REPORTS, READ),
        (GOVERNANCE, READ),
        (GOVERNANCE, CREATE),
        (PEOPLE, READ),
        (PEOPLE, WRITE),
        (DECLARATION_STATUS, READ),
        (DATASET_RUNS, READ),
        (AUDIT, READ),
        (OUTBOX, READ),
    ] {
        // Not asset declarations: only the person and the compliance unit
        // see those.
        p.push((Role::TenantAdmin, o, a));
    }
    for (o, a) in [
        (USERS, READ),
        (ORG, READ),
        (RULE_SETS, READ),
        (RULE_SETS, WRITE),
        (SUBMISSIONS_ALL, READ),
        (FINDINGS_ALL, READ),
        (FINDINGS_ALL, WRITE),
        (RISK_MAP, READ),
        (PROCUREMENTS, READ),
        (GIFTS, READ),
        (CONFLICTS, READ),
        (ASSET_DECLARATIONS, READ),
        (HR_ACTIONS, READ),
        (TRAININGS, READ),
        // The compliance unit runs the feedback channels and records
        // its own measures.
        (FEEDBACK_REPORTS, READ),
        (FEEDBACK_REPORTS, CREATE),
        (CASES, READ),
        (CASES, WRITE),
        (GOVERNANCE, READ),
        (GOVERNANCE, CREATE),
        (PEOPLE, READ),
        (DECLARATION_STATUS, READ),
        (DATASET_RUNS, READ),
        (DATASET_RUNS, WRITE),
        (CONFLICT_DECISIONS, DECIDE),
        (AUDIT, READ),
        (OUTBOX, READ),
        (PERSONAL_DATA, READ),
        (PERSONAL_DATA, WRITE),
    ] {
        p.push((Role::ComplianceOfficer, o, a));
    }
    for (o, a) in [
        (ORG, READ),
        (USERS, READ),
        (SUBMISSIONS_ALL, READ),
        (HR_ACTIONS, CREATE),
        (HR_ACTIONS, READ),
        (TRAININGS, READ),
        (PEOPLE, READ),
        (PEOPLE, WRITE),
    ] {
        p.push((Role::HrOfficer, o, a));
    }
    for (o, a) in [
        (SUBMISSIONS_ALL, READ),
        (PROCUREMENTS, CREATE),
        (PROCUREMENTS, READ),
    ] {
        p.push((Role::ProcurementOfficer, o, a));
    }
    // The Agency reads every tenant and never writes.
    for (o, a) in [
        (TENANT, READ),
        (USERS, READ),
        (ORG, READ),
        (RULE_SETS, READ),
        (SUBMISSIONS_ALL, READ),
        (FINDINGS_ALL, READ),
        (RISK_MAP, READ),
        (PROCUREMENTS, READ),
        (GIFTS, READ),
        (CONFLICTS, READ),
        (HR_ACTIONS, READ),
        (TRAININGS, READ),
        (FEEDBACK_REPORTS, READ),
        (GOVERNANCE, READ),
        (PEOPLE, READ),
        (DECLARATION_STATUS, READ),
        (DATASET_RUNS, READ),
        (AUDIT, READ),
        (TENANTS, READ),
    ] {
        p.push((Role::AgencyAuditor, o, a));
    }
    // The one thing the Agency writes: the registry it keeps, which is
    // platform data and no tenant's.
    p.push((Role::AgencyAuditor, CONVICTED_REGISTRY, WRITE));
    p.push((Role::AgencyAuditor, ESCALATIONS, READ));
    // And the reports made to it directly, which it handles itself.
    p.push((Role::AgencyAuditor, ESCALATIONS, WRITE));
    p.push((Role::PlatformAdmin, TENANTS, CREATE));
    p.push((Role::PlatformAdmin, TENANTS, READ));
    // Suspending and reactivating tenants, and keeping the Agency's
    // accounts: checked in the platform's domain only, where no tenant
    // role and no Agency auditor is assigned.
    p.push((Role::PlatformAdmin, TENANTS, WRITE));
    p.push((Role::PlatformAdmin, USERS, WRITE));
    p
}

/// Shared, cached enforcer. Decisions are cached; the cache is cleared on
/// every policy change made through this handle, and [`Authz::reload`]
/// picks up changes made by other processes.
#[derive(Clone)]
pub struct Authz {
    enforcer: Arc<RwLock<CachedEnforcer>>,
}

impl Authz {
    /// Loads the policy from the database, writing the shared role
    /// permissions first if they are missing (idempotent).
    pub async fn load(store: Store) -> Result<Self, AuthzError> {
        let model = DefaultModel::from_str(MODEL).await?;
        let mut e = CachedEnforcer::new(model, SeaOrmAdapter::new(store)).await?;
        e.set_cache(Box::new(casbin::DefaultCache::new(10_000)));
        let wanted: Vec<Vec<String>> = role_permissions()
            .into_iter()
            .map(|(r, o, a)| {
                vec![
                    r.as_str().to_owned(),
                    "*".to_owned(),
                    o.as_str().to_owned(),
                    a.as_str().to_owned(),
                ]
            })
            .collect();
        let missing: Vec<Vec<String>> = wanted
            .into_iter()
            .filter(|p| !e.has_policy(p.clone()))
            .collect();
        if !missing.is_empty() {
            e.add_policies(missing).await?;
        }
        Ok(Self {
            enforcer: Arc::new(RwLock::new(e)),
        })
    }

    pub async fn reload(&self) -> Result<(), AuthzError> {
        let mut e = self.enforcer.write().await;
        e.load_policy().await?;
        e.get_mut_cache().clear();
        Ok(())
    }

    /// Does `user` hold a role allowing `act` on `obj` in `domain`?
    /// Fails closed: an engine error is a denial, and is logged.
    pub async fn allowed(&self, user: &str, domain: &str, obj: Obj, act: Act) -> bool {
        let e = self.enforcer.read().await;
        let (obj, act) = (obj.as_str(), act.as_str());
        match e.enforce((user, domain, obj, act)) {
            Ok(b) => b,
            Err(err) => {
                tracing::error!(%err, user, domain, obj, act, "authorisation check failed; denying");
                false
            }
        }
    }

    /// Gives `user` `role` in `domain` (a tenant id, or `*` for the
    /// Agency's and platform's roles).
    pub async fn assign(&self, user: &str, role: Role, domain: &str) -> Result<(), AuthzError> {
        let mut e = self.enforcer.write().await;
        e.add_role_for_user(user, role.as_str(), Some(domain))
            .await?;
        e.get_mut_cache().clear();
        Ok(())
    }

    /// Makes `role` the only role of `user` in `domain`: an account holds
    /// one role per tenant, so a change replaces rather than adds.
    pub async fn set_role(&self, user: &str, role: Role, domain: &str) -> Result<(), AuthzError> {
        let mut e = self.enforcer.write().await;
        e.delete_roles_for_user(user, Some(domain)).await?;
        e.add_role_for_user(user, role.as_str(), Some(domain))
            .await?;
        e.get_mut_cache().clear();
        Ok(())
    }

    pub async fn roles_of(&self, user: &str, domain: &str) -> Vec<String> {
        let e = self.enforcer.write().await;
        e.get_roles_for_user(user, Some(domain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn authz() -> (Store, Authz) {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let a = Authz::load(store.clone()).await.unwrap();
        (store, a)
    }

    #[tokio::test]
    async fn roles_are_scoped_to_their_tenant() {
        let (_s, a) = authz().await;
        a.assign("u1", Role::ComplianceOfficer, "t1").await.unwrap();
        assert!(a.allowed("u1", "t1", obj::FINDINGS_ALL, act::READ).await);
        assert!(!a.allowed("u1", "t2", obj::FINDINGS_ALL, act::READ).await);
        assert!(!a.allowed("u2", "t1", obj::FINDINGS_ALL, act::READ).await);
    }

    #[tokio::test]
    async fn a_role_change_replaces_the_role_in_that_tenant_only() {
        let (store, a) = authz().await;
        a.assign("u1", Role::ComplianceOfficer, "t1").await.unwrap();
        a.assign("u1", Role::Employee, "t2").await.unwrap();
        a.set_role("u1", Role::Employee, "t1").await.unwrap();
        assert_eq!(a.roles_of("u1", "t1").await, vec!["employee".to_owned()]);
        assert!(!a.allowed("u1", "t1", obj::FINDINGS_ALL, act::READ).await);
        assert!(a.allowed("u1", "t2", obj::FINDINGS_OWN, act::READ).await);
        // The change is stored, not only cached: a fresh enforcer agrees.
        let again = Authz::load(store).await.unwrap();
        assert_eq!(
            again.roles_of("u1", "t1").await,
            vec!["employee".to_owned()]
        );
        assert_eq!(
            again.roles_of("u1", "t2").await,
            vec!["employee".to_owned()]
        );
    }

    #[tokio::test]
    async fn employees_read_only_their_own() {
        let (_s, a) = authz().await;
        a.assign("e", Role::Employee, "t1").await.unwrap();
        assert!(a.allowed("e", "t1", obj::FINDINGS_OWN, act::READ).await);
        assert!(!a.allowed("e", "t1", obj::FINDINGS_ALL, act::READ).await);
        assert!(!a.allowed("e", "t1", obj::RULE_SETS, act::WRITE).await);
        assert!(a.allowed("e", "t1", obj::GIFTS, act::CREATE).await);
        assert!(
            a.allowed("e", "t1", obj::ASSET_DECLARATIONS, act::READ_OWN)
                .await
        );
        assert!(
            !a.allowed("e", "t1", obj::ASSET_DECLARATIONS, act::READ)
                .await
        );
        assert!(!a.allowed("e", "t1", obj::HR_ACTIONS, act::CREATE).await);
    }

    #[tokio::test]
    async fn asset_declarations_are_for_the_person_and_the_compliance_unit_only() {
        let (_s, a) = authz().await;
        for (u, role) in [
            ("adm", Role::TenantAdmin),
            ("co", Role::ComplianceOfficer),
            ("hr", Role::HrOfficer),
        ] {
            a.assign(u, role, "t1").await.unwrap();
        }
        a.assign("aud", Role::AgencyAuditor, "*").await.unwrap();
        assert!(
            a.allowed("co", "t1", obj::ASSET_DECLARATIONS, act::READ)
                .await
        );
        for u in ["adm", "hr", "aud"] {
            assert!(
                !a.allowed(u, "t1", obj::ASSET_DECLARATIONS, act::READ).await,
                "{u}"
            );
        }
        assert!(a.allowed("hr", "t1", obj::HR_ACTIONS, act::CREATE).await);
        assert!(!a.allowed("hr", "t1", obj::PROCUREMENTS, act::CREATE).await);
        assert!(
            a.allowed("co", "t1", obj::CONFLICT_DECISIONS, act::DECIDE)
                .await
        );
        assert!(
            !a.allowed("adm", "t1", obj::CONFLICT_DECISIONS, act::DECIDE)
                .await
        );
    }

    #[tokio::test]
    async fn agency_reads_every_tenant_and_writes_none() {
        let (_s, a) = authz().await;
        a.assign("aud", Role::AgencyAuditor, "*").await.unwrap();
        assert!(a.allowed("aud", "t1", obj::FINDINGS_ALL, act::READ).await);
        assert!(a.allowed("aud", "t9", obj::RISK_MAP, act::READ).await);
        assert!(!a.allowed("aud", "t1", obj::RULE_SETS, act::WRITE).await);
        assert!(!a.allowed("aud", "t1", obj::GIFTS, act::CREATE).await);
    }

    #[tokio::test]
    async fn only_the_agency_maintains_the_convicted_registry() {
        let (_s, a) = authz().await;
        a.assign("aud", Role::AgencyAuditor, "*").await.unwrap();
        a.assign("pa", Role::PlatformAdmin, "*").await.unwrap();
        a.assign("adm", Role::TenantAdmin, "t1").await.unwrap();
        let write = |u| a.allowed(u, PLATFORM_DOMAIN, obj::CONVICTED_REGISTRY, act::WRITE);
        assert!(write("aud").await);
        assert!(!write("pa").await);
        assert!(!write("adm").await);
    }

    #[tokio::test]
    async fn policies_survive_a_reload_from_the_database() {
        let (store, a) = authz().await;
        a.assign("u1", Role::TenantAdmin, "t1").await.unwrap();
        let fresh = Authz::load(store).await.unwrap();
        assert!(fresh.allowed("u1", "t1", obj::USERS, act::WRITE).await);
        assert_eq!(fresh.roles_of("u1", "t1").await, vec!["tenant_admin"]);
    }
}
