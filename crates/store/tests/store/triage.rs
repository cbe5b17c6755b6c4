//! Triage of findings against real databases, each test run on a fresh
//! SQLite file and a fresh PostgreSQL database.

use adal_sandbox_protocol::{RuleOutcome, Severity};
use adal_store::entities::audit_entry;
use adal_store::evaluation::{self, AlertPolicy, RuleInfo};
use adal_store::rules::{self, RuleDefinition};
use adal_store::submissions::{self, NewSubmission};
use adal_store::triage::{self, Note, Outcome};
use adal_store::{Store, StoreError, TenantId, audit, tenants, users};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

adal_testkit::on_both_backends!(
    closing_takes_findings_off_the_risk_map,
    assignment_and_comments_stay_in_their_tenant,
    password_change_revokes_other_sessions,
    findings_are_due_by_severity_and_queued_overdue_first,
    findings_recorded_before_due_dates_get_them_from_the_defaults,
);

pub(crate) async fn tenant(store: &Store) -> TenantId {
    let n = Uuid::new_v4().as_u128() % 1_000_000_000_000;
    let t = tenants::create(
        store,
        "platform-admin",
        tenants::NewTenant {
            name: "Triage JSC".to_owned(),
            bin: format!("{n:012}"),
            sector: "quasi_public".to_owned(),
            region: "Astana".to_owned(),
        },
    )
    .await
    .unwrap();
    TenantId::from_uuid(t.id)
}

pub(crate) async fn user(store: &Store, t: Option<TenantId>, email: &str) -> Uuid {
    users::create(
        store,
        t,
        "test",
        users::NewUser {
            email: email.to_owned(),
            display_name: email.to_owned(),
            password_hash: "x".to_owned(),
            role: "compliance_officer".to_owned(),
            department_id: None,
            position_id: None,
            person_iin: None,
        },
    )
    .await
    .unwrap()
    .id
}

/// Two open findings on one submission: (high 4x5, low 1x2).
async fn two_findings(store: &Store, t: TenantId) -> Vec<evaluation::Finding> {
    two_findings_due(store, t, tenants::TriageDays::default()).await
}

/// As [`two_findings`], due as `triage` says.
async fn two_findings_due(
    store: &Store,
    t: TenantId,
    triage: tenants::TriageDays,
) -> Vec<evaluation::Finding> {
    let v = rules::create_version(
        store,
        t,
        Uuid::new_v4(),
        &[RuleDefinition {
            id: "r1".to_owned(),
            title: "R1".to_owned(),
            area: "gifts".to_owned(),
            guideline_section: None,
            kinds: vec!["gift".to_owned()],
            severity: Severity::High,
            likelihood: 4,
            impact: 5,
            params: BTreeMap::new(),
            script: "()".to_owned(),
            declared: BTreeMap::new(),
            fixtures: Vec::new(),
        }],
    )
    .await
    .unwrap()
    .id;
    let s = submissions::insert(
        store,
        t,
        NewSubmission {
            kind: "gift".to_owned(),
            schema_version: 1,
            submitted_by: Uuid::new_v4(),
            department_id: None,
            position_id: None,
            payload: serde_json::json!({}),
            reference: None,
            subject_iin: None,
            supersedes: None,
        },
    )
    .await
    .unwrap();
    let f = |id: &str, severity, likelihood, impact| RuleOutcome::Finding {
        rule_id: id.to_owned(),
        severity,
        likelihood,
        impact,
        explanation: format!("{id} fired"),
        facts: Default::default(),
    };
    let infos: HashMap<String, RuleInfo> = ["big", "small"]
        .iter()
        .map(|id| {
            (
                (*id).to_owned(),
                RuleInfo {
                    title: (*id).to_owned(),
                    area: "gifts".to_owned(),
                },
            )
        })
        .collect();
    evaluation::record(
        store,
        t,
        &s,
        v,
        &[
            f("big", Severity::High, 4, 5),
            f("small", Severity::Low, 1, 2),
        ],
        &infos,
        &AlertPolicy {
            threshold: Severity::Critical,
            recipients: vec![],
            languages: Default::default(),
            link_base: String::new(),
            triage,
            digest: Default::default(),
        },
    )
    .await
    .unwrap();
    let (mut rows, _) = evaluation::list_findings(
        store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &evaluation::FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    rows.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
    rows
}

async fn last_action(store: &Store, t: TenantId) -> String {
    audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(t.uuid()))
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .one(&store.connection())
        .await
        .unwrap()
        .unwrap()
        .action
}

async fn closing_takes_findings_off_the_risk_map(store: Store) {
    let t = tenant(&store).await;
    let officer = user(&store, Some(t), "officer@t.kz").await;
    let fs = two_findings(&store, t).await;
    let (big, small) = (&fs[0], &fs[1]);
    assert_eq!(big.rule_id, "big");
    assert_eq!(
        evaluation::risk_map(&store, t).await.unwrap().open_findings,
        2
    );
    let counts = triage::open_counts(&store, t).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 2);

    let reason = Note::parse("returned the gift").unwrap();
    let closed = triage::close(&store, t, officer, big.id, Outcome::Resolved, &reason)
        .await
        .unwrap();
    assert_eq!(closed.status, triage::RESOLVED);
    let map = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(map.open_findings, 1);
    assert!(map.cells.iter().all(|c| (c.likelihood, c.impact) != (4, 5)));
    assert_eq!(last_action(&store, t).await, "finding.close");

    // A closed finding stays closed: the first reason stands.
    let again = triage::close(&store, t, officer, big.id, Outcome::FalsePositive, &reason).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    triage::close(
        &store,
        t,
        officer,
        small.id,
        Outcome::FalsePositive,
        &Note::parse("the rule misread the date").unwrap(),
    )
    .await
    .unwrap();
    let map = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(map.open_findings, 0);
    assert!(map.cells.is_empty());
    assert!(triage::open_counts(&store, t).await.unwrap().is_empty());
    let (tri, _) = triage::details(&store, t, small.id).await.unwrap();
    let tri = tri.unwrap();
    assert_eq!(tri.reason.as_deref(), Some("the rule misread the date"));
    assert_eq!(tri.decided_by, Some(officer));
    let f = evaluation::get_finding(&store, t, small.id).await.unwrap();
    assert_eq!(f.status, triage::FALSE_POSITIVE);
    assert_eq!(audit::verify(&store, t).await.unwrap().broken_at, None);
}

async fn assignment_and_comments_stay_in_their_tenant(store: Store) {
    let t = tenant(&store).await;
    let other = tenant(&store).await;
    let officer = user(&store, Some(t), "a@t.kz").await;
    let colleague = user(&store, Some(t), "b@t.kz").await;
    let stranger = user(&store, Some(other), "c@other.kz").await;
    let fs = two_findings(&store, t).await;
    let f = fs[0].id;

    let tri = triage::assign(&store, t, officer, f, Some(colleague))
        .await
        .unwrap();
    assert_eq!(tri.assigned_to, Some(colleague));
    assert_eq!(last_action(&store, t).await, "finding.assign");
    // Someone of another tenant cannot be assigned, and another tenant
    // cannot touch this finding at all.
    assert!(matches!(
        triage::assign(&store, t, officer, f, Some(stranger)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        triage::assign(&store, other, stranger, f, None).await,
        Err(StoreError::NotFound)
    ));
    let note = Note::parse("asked the employee").unwrap();
    assert!(matches!(
        triage::comment(&store, other, stranger, f, &note).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        triage::close(&store, other, stranger, f, Outcome::Resolved, &note).await,
        Err(StoreError::NotFound)
    ));

    triage::comment(&store, t, officer, f, &note).await.unwrap();
    triage::comment(&store, t, colleague, f, &Note::parse("second").unwrap())
        .await
        .unwrap();
    let (tri, comments) = triage::details(&store, t, f).await.unwrap();
    assert_eq!(tri.unwrap().assigned_to, Some(colleague));
    assert_eq!(
        comments.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(),
        ["asked the employee", "second"]
    );
    let (none, nothing) = triage::details(&store, other, f).await.unwrap();
    assert!(none.is_none() && nothing.is_empty());

    let tri = triage::assign(&store, t, officer, f, None).await.unwrap();
    assert_eq!(tri.assigned_to, None);
    // Assigning and commenting do not close anything.
    assert_eq!(
        evaluation::risk_map(&store, t).await.unwrap().open_findings,
        2
    );
}

async fn password_change_revokes_other_sessions(store: Store) {
    let t = tenant(&store).await;
    let u = user(&store, Some(t), "p@t.kz").await;
    for h in ["mine", "elsewhere"] {
        users::insert_token(&store, u, h.to_owned(), "session", "login", None)
            .await
            .unwrap();
    }
    users::insert_token(&store, u, "api".to_owned(), "api", "ci", None)
        .await
        .unwrap();
    users::set_password_across_tenants(&store, u, "new-hash".to_owned(), Some("mine"), false)
        .await
        .unwrap();
    assert!(
        users::find_by_token(&store, "mine")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        users::find_by_token(&store, "elsewhere")
            .await
            .unwrap()
            .is_none()
    );
    // API tokens are not sessions and keep working, unless the change
    // asks for them too.
    assert!(users::find_by_token(&store, "api").await.unwrap().is_some());
    let me = users::get(&store, t, u).await.unwrap();
    assert_eq!(me.password_hash, "new-hash");
    assert_eq!(last_action(&store, t).await, "user.password");
    users::set_password_across_tenants(&store, u, "newer-hash".to_owned(), Some("mine"), true)
        .await
        .unwrap();
    assert!(users::find_by_token(&store, "api").await.unwrap().is_none());
    assert!(
        users::find_by_token(&store, "mine")
            .await
            .unwrap()
            .is_some()
    );

    // The owner lists what still works, sees when it was last used, and
    // revokes by id; another user's id is not found.
    let (id, _) = users::insert_token(&store, u, "ci2".to_owned(), "api", "ci", None)
        .await
        .map(|t| (t.id, t))
        .unwrap();
    assert!(users::find_by_token(&store, "ci2").await.unwrap().is_some());
    let live = users::live_tokens(&store, u).await.unwrap();
    let names: Vec<_> = live.iter().map(|t| t.token_hash.as_str()).collect();
    assert_eq!(names, ["ci2", "mine"]);
    assert!(live[0].last_used_at.is_some(), "a use is recorded");
    let other = user(&store, Some(t), "q@t.kz").await;
    assert!(matches!(
        users::revoke_own_token(&store, other, id).await,
        Err(adal_store::StoreError::NotFound)
    ));
    users::revoke_own_token(&store, u, id).await.unwrap();
    assert!(users::find_by_token(&store, "ci2").await.unwrap().is_none());
    assert!(matches!(
        users::revoke_own_token(&store, u, id).await,
        Err(adal_store::StoreError::NotFound)
    ));
}

async fn queue(store: &Store, t: TenantId, f: evaluation::FindingFilter) -> Vec<(String, String)> {
    evaluation::list_findings(
        store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &f,
        0,
        10,
    )
    .await
    .unwrap()
    .0
    .into_iter()
    .map(|f| (f.rule_id, f.status))
    .collect()
}

async fn findings_are_due_by_severity_and_queued_overdue_first(store: Store) {
    let t = tenant(&store).await;
    let officer = user(&store, Some(t), "officer@t.kz").await;
    let mut settings = tenants::settings_of(&tenants::get(&store, t).await.unwrap()).unwrap();
    assert_eq!(settings.triage_days(), tenants::TriageDays::default());
    let days = tenants::TriageDays::new([(Severity::High, 2), (Severity::Low, 10)]).unwrap();
    settings.triage_days = Some(days);
    tenants::update_settings(&store, t, "admin", &settings)
        .await
        .unwrap();
    let stored = tenants::settings_of(&tenants::get(&store, t).await.unwrap()).unwrap();
    assert_eq!(stored.triage_days(), days, "the days are kept");

    let fs = two_findings_due(&store, t, stored.triage_days()).await;
    let (big, small) = (&fs[0], &fs[1]);
    let day = chrono::Duration::days(1);
    // Stored times may lose sub-microsecond precision: compare in seconds.
    let due = |f: &evaluation::Finding| f.due_at.unwrap().timestamp();
    assert_eq!(
        due(big),
        (big.created_at + day * 2).timestamp(),
        "high: 2 days"
    );
    assert_eq!(
        due(small),
        (small.created_at + day * 10).timestamp(),
        "low: 10 days"
    );

    let at = |d: i32| evaluation::FindingFilter {
        overdue_at: Some(big.created_at + day * d),
        ..Default::default()
    };
    assert!(
        queue(&store, t, at(0)).await.is_empty(),
        "nothing is overdue yet"
    );
    assert_eq!(
        queue(&store, t, at(5)).await,
        [("big".into(), "open".into())]
    );
    assert_eq!(queue(&store, t, at(11)).await.len(), 2);

    let by_due = || evaluation::FindingFilter {
        order: evaluation::FindingOrder::Due,
        ..Default::default()
    };
    let names = |q: Vec<(String, String)>| q.into_iter().map(|(r, _)| r).collect::<Vec<_>>();
    assert_eq!(
        names(queue(&store, t, by_due()).await),
        ["big", "small"],
        "due soonest first"
    );
    let reason = Note::parse("handled").unwrap();
    triage::close(&store, t, officer, big.id, Outcome::Resolved, &reason)
        .await
        .unwrap();
    assert_eq!(
        queue(&store, t, by_due()).await,
        [
            ("small".to_owned(), "open".to_owned()),
            ("big".to_owned(), "resolved".to_owned())
        ],
        "the open ones first"
    );
    assert!(
        queue(&store, t, at(5)).await.is_empty(),
        "a decided finding is never overdue"
    );

    // Reopened, it is due as a new finding of its severity is now.
    settings.triage_days = Some(tenants::TriageDays::new([(Severity::High, 4)]).unwrap());
    tenants::update_settings(&store, t, "admin", &settings)
        .await
        .unwrap();
    let before = chrono::Utc::now();
    let reopened = triage::reopen(&store, t, officer, big.id, &Note::parse("again").unwrap())
        .await
        .unwrap();
    let after = chrono::Utc::now();
    let due = reopened.due_at.unwrap();
    assert!(
        due >= before + day * 4 - chrono::Duration::seconds(1) && due <= after + day * 4,
        "{due} not 4 days after {before}"
    );
}

/// The migration that brought due dates gives the findings already
/// recorded theirs, from the defaults every tenant had: roll it (and any
/// later one) back and run it again.
async fn findings_recorded_before_due_dates_get_them_from_the_defaults(store: Store) {
    let t = tenant(&store).await;
    let fs = two_findings(&store, t).await;
    let store = crate::store::migrate_again_from(store, "m20261208_000170_finding_due").await;
    for (f, days) in fs.iter().zip([7, 30]) {
        let again = evaluation::get_finding(&store, t, f.id).await.unwrap();
        assert_eq!(
            again.due_at.map(|d| d.timestamp()),
            Some((f.created_at + chrono::Duration::days(days)).timestamp()),
            "{} ({})",
            f.rule_id,
            f.severity
        );
    }
    let settings = tenants::settings_of(&tenants::get(&store, t).await.unwrap()).unwrap();
    assert_eq!(settings.triage_days(), tenants::TriageDays::default());
}
