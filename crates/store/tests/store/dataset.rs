//! Dataset runs and derived records against real databases, each test run
//! on a fresh SQLite file and a fresh PostgreSQL database.

use adal_domain::records::derived::DerivedKind;
use adal_sandbox_protocol::{RuleOutcome, Severity};
use adal_store::dataset::{self, Derived, Tally};
use adal_store::evaluation::{self, AlertPolicy, RuleInfo};
use adal_store::rules::{self, RuleDefinition};
use adal_store::submissions::{self, NewSubmission, SubmissionFilter};
use adal_store::{Store, StoreError, TenantId, people, tenants, triage};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

adal_testkit::on_both_backends!(
    derived_records_are_filed_once_and_corrected_when_their_fact_changes,
    runs_are_deduplicated_claimed_once_and_stay_in_their_tenant,
    a_correction_closes_the_findings_of_every_version_it_replaced,
    missing_declarations_and_repeated_givers_are_derived,
    training_feedback_and_governance_are_judged_as_of_today,
    open_tenders_are_compared_with_the_award_history,
    cases_are_judged_against_their_deadlines,
);

async fn tenant(store: &Store) -> TenantId {
    let n = Uuid::new_v4().as_u128() % 1_000_000_000_000;
    let t = tenants::create(
        store,
        "platform-admin",
        tenants::NewTenant {
            name: "Dataset JSC".to_owned(),
            bin: format!("{n:012}"),
            sector: "quasi_public".to_owned(),
            region: "Astana".to_owned(),
        },
    )
    .await
    .unwrap();
    TenantId::from_uuid(t.id)
}

fn derived(reference: &str, state: &str, notable: bool) -> Derived {
    Derived {
        reference: reference.to_owned(),
        subject_iin: None,
        department_id: None,
        position_id: None,
        payload: serde_json::json!({"state": state}),
        notable,
    }
}

async fn current(store: &Store, t: TenantId, kind: DerivedKind) -> Vec<submissions::Submission> {
    submissions::list(
        store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &SubmissionFilter {
            kind: Some(kind.as_str().to_owned()),
            ..Default::default()
        },
        0,
        100,
    )
    .await
    .unwrap()
    .0
}

async fn derived_records_are_filed_once_and_corrected_when_their_fact_changes(store: Store) {
    let t = tenant(&store).await;
    let kind = DerivedKind::DeclarationObligation;
    // A fact that matters is filed; one that does not, and has no record
    // yet, is not.
    let tally = dataset::file_derived(
        &store,
        t,
        kind,
        vec![
            derived("2025:a", "missing", true),
            derived("2025:b", "on_time", false),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        tally,
        Tally {
            created: 1,
            corrected: 0,
            unchanged: 0
        }
    );
    let rows = current(&store, t, kind).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].reference.as_deref(), Some("2025:a"));
    assert_eq!(rows[0].submitted_by, dataset::SERVICE_ACTOR);
    // Unqueued: the sweeper (or the run) hands it to the queue.
    assert!(rows[0].enqueued_at.is_none());
    // The same again writes nothing.
    let again = dataset::file_derived(
        &store,
        t,
        kind,
        vec![
            derived("2025:a", "missing", true),
            derived("2025:b", "on_time", false),
        ],
    )
    .await
    .unwrap();
    assert_eq!((again.created, again.corrected, again.unchanged), (0, 0, 1));
    // The fact changed and is no longer notable: the record is corrected
    // all the same, so what was found about it can close.
    let fixed = dataset::file_derived(&store, t, kind, vec![derived("2025:a", "late", false)])
        .await
        .unwrap();
    assert_eq!((fixed.created, fixed.corrected, fixed.unchanged), (0, 1, 0));
    let rows = current(&store, t, kind).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].supersedes.is_some());
    let versions = submissions::versions(&store, t, rows[0].id).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[0].payload.contains("missing"));
    assert!(versions[1].payload.contains("late"));
    // Another tenant's records are its own.
    let other = tenant(&store).await;
    assert!(current(&store, other, kind).await.is_empty());
}

async fn runs_are_deduplicated_claimed_once_and_stay_in_their_tenant(store: Store) {
    let t = tenant(&store).await;
    let first = dataset::request(&store, t, dataset::MANUAL, "officer")
        .await
        .unwrap();
    assert_eq!(first.status, dataset::QUEUED);
    // Asked again while waiting: the same run.
    let again = dataset::request(&store, t, dataset::SCHEDULED, "scheduler")
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    let claimed = dataset::claim_next_across_tenants(
        &store,
        chrono::Utc::now() - chrono::Duration::minutes(10),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claimed.id, first.id);
    assert_eq!(claimed.status, dataset::RUNNING);
    // Nobody else takes a run that is under way and beating.
    assert!(
        dataset::claim_next_across_tenants(
            &store,
            chrono::Utc::now() - chrono::Duration::minutes(10)
        )
        .await
        .unwrap()
        .is_none()
    );
    // Asked while one is under way (an import just finished): that run may
    // have read the data before the import, so one more waits behind it,
    // and only one.
    let behind = dataset::request(&store, t, dataset::IMPORT, "import/1")
        .await
        .unwrap();
    assert_ne!(behind.id, first.id);
    assert_eq!(behind.status, dataset::QUEUED);
    let again = dataset::request(&store, t, dataset::IMPORT, "import/2")
        .await
        .unwrap();
    assert_eq!(again.id, behind.id);
    // It does not start while the tenant's run is under way and beating,
    // though another tenant's waiting run does.
    let other = tenant(&store).await;
    let elsewhere = dataset::request(&store, other, dataset::MANUAL, "officer")
        .await
        .unwrap();
    let next = dataset::claim_next_across_tenants(
        &store,
        chrono::Utc::now() - chrono::Duration::minutes(10),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(next.id, elsewhere.id);
    dataset::finish(&store, &next, Ok(Tally::default()), None)
        .await
        .unwrap();
    assert!(
        dataset::claim_next_across_tenants(
            &store,
            chrono::Utc::now() - chrono::Duration::minutes(10)
        )
        .await
        .unwrap()
        .is_none()
    );
    // ...unless its worker stopped beating: then it is taken over.
    let stolen = dataset::claim_next_across_tenants(
        &store,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stolen.id, first.id);
    dataset::finish(
        &store,
        &stolen,
        Ok(Tally {
            created: 2,
            corrected: 1,
            unchanged: 7,
        }),
        Some(&serde_json::json!({"red_flags": {"processes": 3}})),
    )
    .await
    .unwrap();
    let done = dataset::get(&store, t, first.id).await.unwrap();
    assert_eq!(done.status, dataset::DONE);
    assert_eq!((done.created, done.corrected, done.unchanged), (2, 1, 7));
    assert_eq!(
        done.computed.as_deref(),
        Some(r#"{"red_flags":{"processes":3}}"#)
    );
    assert!(done.finished_at.is_some());
    // Finished: the next request finds the run waiting behind it.
    let next = dataset::request(&store, t, dataset::MANUAL, "officer")
        .await
        .unwrap();
    assert_eq!(next.id, behind.id);
    let failed = dataset::claim_next_across_tenants(
        &store,
        chrono::Utc::now() - chrono::Duration::minutes(10),
    )
    .await
    .unwrap()
    .unwrap();
    dataset::finish(&store, &failed, Err("store: gone".to_owned()), None)
        .await
        .unwrap();
    let failed = dataset::get(&store, t, next.id).await.unwrap();
    assert_eq!(failed.status, dataset::FAILED);
    assert_eq!(failed.error.as_deref(), Some("store: gone"));
    let listed = dataset::list(&store, t, 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![next.id, first.id]
    );
    // Another tenant does not see them.
    let other = tenant(&store).await;
    assert!(matches!(
        dataset::get(&store, other, first.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(dataset::list(&store, other, 10).await.unwrap().is_empty());
    // A tenant without an active rule set is not scheduled; one with it is,
    // once its last run is older than the interval.
    assert_eq!(
        dataset::schedule_due(&store, chrono::Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    let v = rules::create_version(&store, other, Uuid::new_v4(), &[rule("r1")])
        .await
        .unwrap();
    rules::activate(&store, other, "test", v.version)
        .await
        .unwrap();
    assert_eq!(
        dataset::schedule_due(&store, chrono::Utc::now() - chrono::Duration::hours(1))
            .await
            .unwrap(),
        0,
        "created just now: not due for an hour"
    );
    assert_eq!(
        dataset::schedule_due(&store, chrono::Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        dataset::list(&store, other, 10).await.unwrap()[0].trigger,
        dataset::SCHEDULED
    );
}

fn rule(id: &str) -> RuleDefinition {
    RuleDefinition {
        id: id.to_owned(),
        title: id.to_owned(),
        area: "financial_control".to_owned(),
        guideline_section: None,
        kinds: vec![],
        severity: Severity::High,
        likelihood: 3,
        impact: 3,
        params: BTreeMap::new(),
        script: "()".to_owned(),
        declared: BTreeMap::new(),
        fixtures: Vec::new(),
    }
}

async fn a_correction_closes_the_findings_of_every_version_it_replaced(store: Store) {
    let t = tenant(&store).await;
    let v = rules::create_version(&store, t, Uuid::new_v4(), &[rule("missing")])
        .await
        .unwrap()
        .id;
    let infos: HashMap<String, RuleInfo> = HashMap::from([(
        "missing".to_owned(),
        RuleInfo {
            title: "Missing".to_owned(),
            area: "financial_control".to_owned(),
        },
    )]);
    let policy = AlertPolicy {
        threshold: Severity::Critical,
        recipients: vec![],
        languages: Default::default(),
        link_base: String::new(),
        triage: Default::default(),
        digest: Default::default(),
    };
    let file = |supersedes: Option<Uuid>, state: &str| NewSubmission {
        kind: "declaration_obligation".to_owned(),
        schema_version: 1,
        submitted_by: dataset::SERVICE_ACTOR,
        department_id: None,
        position_id: None,
        payload: serde_json::json!({"state": state}),
        reference: Some("2025:x".to_owned()),
        subject_iin: None,
        supersedes,
    };
    let v1 = submissions::insert(&store, t, file(None, "missing"))
        .await
        .unwrap();
    let found = RuleOutcome::Finding {
        rule_id: "missing".to_owned(),
        severity: Severity::High,
        likelihood: 3,
        impact: 3,
        explanation: "missing".to_owned(),
        facts: Default::default(),
    };
    evaluation::record(&store, t, &v1, v, &[found], &infos, &policy)
        .await
        .unwrap();
    assert_eq!(
        evaluation::risk_map(&store, t).await.unwrap().open_findings,
        1
    );
    // v2 corrected before it was evaluated; v3 is evaluated and clear.
    let v2 = submissions::insert(&store, t, file(Some(v1.id), "missing"))
        .await
        .unwrap();
    submissions::mark_without_rules(&store, t, v2.id)
        .await
        .unwrap();
    let v3 = submissions::insert(&store, t, file(Some(v2.id), "late"))
        .await
        .unwrap();
    let rec = evaluation::record(&store, t, &v3, v, &[], &infos, &policy)
        .await
        .unwrap();
    assert_eq!(rec.replaced_findings_closed, 1);
    assert_eq!(
        evaluation::risk_map(&store, t).await.unwrap().open_findings,
        0
    );
    let (rows, _) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &Default::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, triage::RESOLVED);
    let (tri, _) = triage::details(&store, t, rows[0].id).await.unwrap();
    let tri = tri.unwrap();
    assert!(tri.reason.unwrap().contains(&v3.id.to_string()));
    assert!(tri.decided_by.is_none());
    // Recording v3 again (a duplicate job) closes nothing more.
    let again = evaluation::record(&store, t, &v3, v, &[], &infos, &policy)
        .await
        .unwrap();
    assert_eq!(again.replaced_findings_closed, 0);
}

async fn missing_declarations_and_repeated_givers_are_derived(store: Store) {
    let t = tenant(&store).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let filed_iin = adal_domain::with_check_digit("85050530001").unwrap();
    let missing_iin = adal_domain::with_check_digit("60010130002").unwrap();
    for (iin, name) in [
        (&filed_iin, "Filed Person"),
        (&missing_iin, "Missing Person"),
    ] {
        let p: adal_domain::records::person::Person = adal_domain::records::parse_value(
            &serde_json::json!({"iin": iin, "full_name": name, "started_on": "2025-02-01"}),
            today,
        )
        .unwrap();
        people::put(&store, t, Uuid::new_v4(), &p).await.unwrap();
    }
    let filer = Uuid::new_v4();
    let insert =
        |kind: &str, payload: serde_json::Value, reference: Option<String>| NewSubmission {
            kind: kind.to_owned(),
            schema_version: 1,
            submitted_by: filer,
            department_id: None,
            position_id: None,
            payload,
            reference,
            subject_iin: None,
            supersedes: None,
        };
    submissions::insert(
        &store,
        t,
        insert(
            "asset_declaration",
            serde_json::json!({"year": 2025, "person_iin": filed_iin}),
            Some(adal_store::declarations::reference(2025, &filed_iin)),
        ),
    )
    .await
    .unwrap();
    // 2025 is the only year both people were employed whose deadline
    // (31.05.2026) has passed on 24.11.2026.
    let obligations = dataset::declaration_obligations(&store, t, today)
        .await
        .unwrap();
    let by_iin: HashMap<&str, &Derived> = obligations
        .iter()
        .filter(|d| d.payload["year"] == 2025)
        .map(|d| (d.subject_iin.as_deref().unwrap(), d))
        .collect();
    assert_eq!(by_iin.len(), 2, "{obligations:?}");
    let m = by_iin[missing_iin.as_str()];
    assert!(m.notable);
    assert_eq!(m.payload["state"], "missing");
    assert_eq!(m.payload["due_on"], "2026-05-31");
    assert_eq!(m.reference, format!("2025:{missing_iin}"));
    let f = by_iin[filed_iin.as_str()];
    assert!(!f.notable);
    // Filed today, after the deadline.
    assert_eq!(f.payload["state"], "late");
    assert!(
        obligations.iter().all(|d| d.payload["year"] != 2026),
        "2026 is not due yet"
    );

    // Gifts: two from one giver named two ways, one from another, one
    // given rather than received.
    let bin = adal_domain::with_check_digit("20054000077").unwrap();
    for (name, giver_bin, date, direction) in [
        ("ТОО «Альфа»", None, "2026-01-10", "received"),
        ("тоо  альфа", None, "2026-03-10", "received"),
        ("Beta LLP", Some(bin.as_str()), "2026-02-01", "received"),
        ("ТОО Альфа", None, "2026-04-01", "given"),
    ] {
        let mut g = serde_json::json!({
            "direction": direction, "giver_name": name, "value_kzt": "10000.50",
            "date": date, "description": "x", "occasion": "y",
        });
        if let Some(b) = giver_bin {
            g["giver_bin"] = serde_json::json!(b);
        }
        submissions::insert(&store, t, insert("gift", g, None))
            .await
            .unwrap();
    }
    let givers = dataset::gift_giver_histories(&store, t).await.unwrap();
    assert_eq!(givers.len(), 2, "{givers:?}");
    let alpha = givers
        .iter()
        .find(|d| d.reference == "name:тоо альфа")
        .unwrap();
    assert!(alpha.notable);
    assert_eq!(alpha.payload["count"], 2);
    assert_eq!(alpha.payload["total_value_kzt"], "20001");
    assert_eq!(alpha.payload["gifts"][0]["date"], "2026-01-10");
    let beta = givers
        .iter()
        .find(|d| d.reference == format!("bin:{bin}"))
        .unwrap();
    assert!(!beta.notable);
}

async fn training_feedback_and_governance_are_judged_as_of_today(store: Store) {
    let t = tenant(&store).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let position = |title: &str, risk_level: i16, high_risk: bool| adal_store::org::NewPosition {
        department_id: None,
        title: title.to_owned(),
        risk_level,
        high_risk,
    };
    let high = adal_store::org::create_position(&store, t, "test", position("Buyer", 4, true))
        .await
        .unwrap();
    let low = adal_store::org::create_position(&store, t, "test", position("Clerk", 1, false))
        .await
        .unwrap();
    let trained = adal_domain::with_check_digit("85050530001").unwrap();
    let untrained = adal_domain::with_check_digit("60010130002").unwrap();
    let clerk = adal_domain::with_check_digit("98070740003").unwrap();
    for (iin, position) in [(&trained, high.id), (&untrained, high.id), (&clerk, low.id)] {
        let p: adal_domain::records::person::Person = adal_domain::records::parse_value(
            &serde_json::json!({"iin": iin, "full_name": "P", "position_id": position}),
            today,
        )
        .unwrap();
        people::put(&store, t, Uuid::new_v4(), &p).await.unwrap();
    }
    let file = |kind: &str, payload: serde_json::Value| NewSubmission {
        kind: kind.to_owned(),
        schema_version: 1,
        submitted_by: Uuid::new_v4(),
        department_id: None,
        position_id: None,
        payload,
        reference: None,
        subject_iin: None,
        supersedes: None,
    };
    for (iin, topic, on) in [
        (&trained, "anti_corruption", "2026-02-01"),
        (&untrained, "anti_corruption", "2025-11-01"),
        (&untrained, "ethics", "2026-10-01"),
    ] {
        submissions::insert(
            &store,
            t,
            file(
                "training",
                serde_json::json!({"person_iin": iin, "topic": topic, "completed_on": on}),
            ),
        )
        .await
        .unwrap();
    }
    let statuses = dataset::training_statuses(&store, t, today).await.unwrap();
    // The clerk's position is not high-risk: no status at all.
    assert_eq!(statuses.len(), 2, "{statuses:?}");
    let of = |iin: &str| statuses.iter().find(|d| d.reference == iin).unwrap();
    assert!(!of(&trained).notable);
    assert_eq!(of(&trained).payload["last_training_on"], "2026-02-01");
    // An ethics course does not count; the anti-corruption one is over a
    // year old.
    assert!(of(&untrained).notable);
    assert_eq!(of(&untrained).payload["trained_within_year"], false);

    // Feedback: the tenant gives itself 10 days.
    let mut settings = tenants::settings_of(&tenants::get(&store, t).await.unwrap()).unwrap();
    assert_eq!(settings.feedback_answer_days(), 15);
    settings.feedback_answer_days = Some(10);
    tenants::update_settings(&store, t, "test", &settings)
        .await
        .unwrap();
    for (code, received, answered) in [
        ("A", "2026-11-01", None),
        ("B", "2026-11-20", None),
        ("C", "2026-11-01", Some("2026-11-05")),
        ("D", "2026-11-01", Some("2026-11-20")),
    ] {
        let mut r = serde_json::json!({"receipt_code": code, "received_on": received});
        if let Some(a) = answered {
            r["answered_on"] = serde_json::json!(a);
        }
        submissions::insert(&store, t, file("feedback_report", r))
            .await
            .unwrap();
    }
    let feedback = dataset::feedback_statuses(&store, t, today).await.unwrap();
    let state = |code: &str| {
        let d = feedback.iter().find(|d| d.reference == code).unwrap();
        (d.payload["state"].as_str().unwrap().to_owned(), d.notable)
    };
    assert_eq!(state("A"), ("overdue".to_owned(), true));
    assert_eq!(state("B"), ("open".to_owned(), false));
    assert_eq!(state("C"), ("answered".to_owned(), false));
    assert_eq!(state("D"), ("answered_late".to_owned(), true));

    // Governance: the latest of each measure; an old assessment does not
    // count.
    for (event, on) in [
        ("policy_adopted", "2020-01-10"),
        ("policy_adopted", "2024-03-01"),
        ("risk_assessment_completed", "2025-06-01"),
    ] {
        submissions::insert(
            &store,
            t,
            file("governance", serde_json::json!({"event": event, "on": on})),
        )
        .await
        .unwrap();
    }
    let g = dataset::governance_status(&store, t, today).await.unwrap();
    assert_eq!(g.len(), 1);
    assert_eq!(g[0].payload["sector"], "quasi_public");
    assert_eq!(g[0].payload["policy_adopted_on"], "2024-03-01");
    assert!(g[0].payload["compliance_unit_since"].is_null());
    assert_eq!(g[0].payload["risk_assessment_within_year"], false);
}

async fn open_tenders_are_compared_with_the_award_history(store: Store) {
    let t = tenant(&store).await;
    let party = |id: &str, bin: &str| serde_json::json!({"id": id, "name": id, "identifier": {"scheme": "KZ-BIN", "id": bin}, "roles": ["supplier"]});
    let item = |code: &str| serde_json::json!({"id": code, "classification": {"scheme": "CPV", "id": code}});
    let award = |supplier: &str, codes: &[&str], status: &str| {
        serde_json::json!({"id": "a", "status": status, "suppliers": [{"id": supplier}],
                           "items": codes.iter().map(|c| item(c)).collect::<Vec<_>>()})
    };
    let releases = [
        // Alpha has won both kinds of item, in two processes.
        serde_json::json!({"ocid": "p1", "tender": {"status": "complete"},
            "parties": [party("alpha", "111111111111")], "awards": [award("alpha", &["A"], "active")]}),
        serde_json::json!({"ocid": "p2", "tender": {"status": "complete"},
            "parties": [party("alpha", "111111111111"), party("beta", "222222222222")],
            "awards": [award("alpha", &["B"], "active"), award("beta", &["A"], "active"),
                       award("beta", &["B"], "cancelled")]}),
        // Open: A and B together only Alpha covers; A alone both.
        serde_json::json!({"ocid": "open-ab", "tender": {"status": "active", "title": "A and B",
            "items": [item("A"), item("B")]}}),
        serde_json::json!({"ocid": "open-a", "tender": {"status": "active", "items": [item("A")]}}),
        serde_json::json!({"ocid": "open-c", "tender": {"status": "active", "items": [item("C")]}}),
    ];
    for (i, r) in releases.into_iter().enumerate() {
        submissions::insert(
            &store,
            t,
            NewSubmission {
                kind: "procurement".to_owned(),
                schema_version: 1,
                submitted_by: Uuid::new_v4(),
                department_id: None,
                position_id: None,
                payload: r,
                reference: Some(format!("ref-{i}")),
                subject_iin: None,
                supersedes: None,
            },
        )
        .await
        .unwrap();
    }
    let specs = dataset::tender_specifications(&store, t).await.unwrap();
    let of = |ocid: &str| specs.iter().find(|d| d.reference == ocid).unwrap();
    assert_eq!(specs.len(), 3, "{specs:?}");
    let ab = of("open-ab");
    assert!(ab.notable);
    assert_eq!(
        ab.payload["covering_suppliers"],
        serde_json::json!(["111111111111"])
    );
    assert_eq!(
        ab.payload["classifications"],
        serde_json::json!(["CPV:A", "CPV:B"])
    );
    assert_eq!(ab.payload["suppliers_with_any"], 2);
    // A cancelled award covers nothing: Beta has A only.
    let a = of("open-a");
    assert!(!a.notable);
    assert_eq!(a.payload["covering_count"], 2);
    // Nobody has ever supplied C.
    assert_eq!(of("open-c").payload["covering_count"], 0);
    assert!(!of("open-c").notable);
}

/// A report of the channel as the service would store it; the content is
/// not read by the dataset, so any bytes do.
fn report(
    channel: adal_domain::ReportChannel,
    received_on: chrono::NaiveDate,
) -> adal_store::reports::NewReport {
    adal_store::reports::NewReport {
        id: Uuid::new_v4(),
        channel,
        source: adal_domain::ReportSource::Web,
        receipt_hash: Uuid::new_v4().simple().to_string(),
        kek_id: "k".into(),
        wrapped_key: vec![1],
        content: vec![2],
        has_contact: false,
        received_on,
        ack_due: received_on + chrono::Duration::days(7),
        feedback_due: received_on + chrono::Duration::days(90),
        named: Vec::new(),
    }
}

async fn cases_are_judged_against_their_deadlines(store: Store) {
    use adal_domain::ReportChannel;
    use adal_store::reports;
    let t = tenant(&store).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let old = report(ReportChannel::Tenant, today - chrono::Duration::days(30));
    let new = report(ReportChannel::Tenant, today - chrono::Duration::days(2));
    let ancient = report(ReportChannel::Tenant, today - chrono::Duration::days(120));
    let agency = report(ReportChannel::Agency, today - chrono::Duration::days(30));
    let ids = (old.id, new.id, ancient.id);
    for r in [old, new, ancient, agency] {
        reports::insert(&store, t, r).await.unwrap();
    }
    let cases = dataset::case_deadlines(&store, t, today).await.unwrap();
    assert_eq!(
        cases.len(),
        3,
        "the Agency's own channel is not the tenant's: {cases:?}"
    );
    let of = |id: Uuid| {
        cases
            .iter()
            .find(|d| d.reference == id.to_string())
            .unwrap()
    };
    let o = of(ids.0);
    assert!(o.notable);
    assert_eq!(o.payload["acknowledgement"], "overdue");
    assert_eq!(o.payload["feedback"], "pending");
    let n = of(ids.1);
    assert!(!n.notable, "within both deadlines");
    assert_eq!(n.payload["acknowledgement"], "pending");
    let a = of(ids.2);
    assert_eq!(a.payload["feedback"], "overdue");
    assert!(a.payload["acknowledged_on"].is_null());
    // Nothing of the report's content, nor its receipt, is in the record.
    for d in &cases {
        let text = d.payload.to_string();
        assert!(
            !text.contains("receipt") && !text.contains("content"),
            "{text}"
        );
    }
}
