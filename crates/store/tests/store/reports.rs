//! The cases' clock against real databases: which deadline notices go to
//! whom, once.

use super::triage::{tenant, user};
use adal_domain::{CaseOutcome, CaseStatus, ReportChannel, ReportSource};
use adal_store::reports::{self, CaseChange, NewReport};
use adal_store::{Store, outbox};
use chrono::{Days, NaiveDate};
use uuid::Uuid;

adal_testkit::on_both_backends!(deadline_notices_go_once_to_the_right_people);
adal_testkit::on_both_backends!(a_message_and_its_way_to_a_bot_are_stored_together);
adal_testkit::on_both_backends!(
    the_agency_channel_hears_its_deadlines_and_the_organisation_does_not
);

fn report(received: NaiveDate, ack_due: NaiveDate, named: Vec<Uuid>) -> NewReport {
    NewReport {
        id: Uuid::new_v4(),
        channel: ReportChannel::Tenant,
        source: ReportSource::Api,
        receipt_hash: format!("{:064x}", Uuid::new_v4().as_u128()),
        kek_id: "00000000".into(),
        wrapped_key: vec![1; 77],
        content: vec![2; 64],
        has_contact: false,
        received_on: received,
        ack_due,
        feedback_due: received.checked_add_days(Days::new(90)).unwrap(),
        named,
    }
}

/// (recipient, subject) of every notice queued.
async fn notices(store: &Store) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = outbox::due_across_tenants(store, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (outbox::recipients_of(&m).unwrap().join(","), m.subject))
        .collect();
    v.sort();
    v
}

async fn deadline_notices_go_once_to_the_right_people(store: Store) {
    let t = tenant(&store).await;
    let a = user(&store, Some(t), "a@clock.kz").await;
    let b = user(&store, Some(t), "b@clock.kz").await;
    user(&store, Some(t), "c@clock.kz").await;
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let days_ago = |n| today.checked_sub_days(Days::new(n)).unwrap();
    // Unacknowledged past its deadline; it names b.
    let late = report(days_ago(10), days_ago(3), vec![b]);
    reports::insert(&store, t, late.clone()).await.unwrap();
    // Due tomorrow, assigned to a.
    let soon = report(today, today.checked_add_days(Days::new(1)).unwrap(), vec![]);
    reports::insert(&store, t, soon.clone()).await.unwrap();
    reports::change(
        &store,
        t,
        "test",
        soon.id,
        CaseChange {
            assignee: Some(Some(a)),
            ..CaseChange::default()
        },
    )
    .await
    .unwrap();
    // Closed long ago past both deadlines: nothing.
    let closed = report(days_ago(200), days_ago(193), vec![]);
    reports::insert(&store, t, closed.clone()).await.unwrap();
    reports::change(
        &store,
        t,
        "test",
        closed.id,
        CaseChange {
            status: Some(CaseStatus::Closed),
            outcome: Some(CaseOutcome::NotSubstantiated),
            ..CaseChange::default()
        },
    )
    .await
    .unwrap();

    let queued = reports::remind_once(&store, today).await.unwrap();
    assert_eq!(queued, 3);
    let got = notices(&store).await;
    let overdue = format!(
        "Overdue: a report to acknowledge was due on {}",
        days_ago(3)
    );
    let reminder = format!(
        "Reminder: acknowledge a report by {}",
        today.checked_add_days(Days::new(1)).unwrap()
    );
    assert_eq!(
        got,
        vec![
            ("a@clock.kz".to_owned(), overdue.clone()),
            ("a@clock.kz".to_owned(), reminder),
            ("c@clock.kz".to_owned(), overdue),
        ],
        "the named officer b hears nothing; the reminder goes to the assignee alone"
    );
    // Nothing about the report itself in any notice.
    for m in outbox::due_across_tenants(&store, 100).await.unwrap() {
        assert!(!m.body.contains("bribe") && m.body.contains("says nothing"));
    }
    // Again: each notice went once.
    assert_eq!(reports::remind_once(&store, today).await.unwrap(), 0);
    // Seventy days on: the late one's feedback is due in ten days (its
    // handlers a and c are reminded, not b), and the other one's
    // acknowledgement has passed (the unit hears: a, b and c, as that
    // report names no one).
    let later = days_ago(10).checked_add_days(Days::new(80)).unwrap();
    assert_eq!(reports::remind_once(&store, later).await.unwrap(), 5);
}

/// A report made to the Agency about an organisation: its deadlines go to
/// every active Agency auditor, from the platform's outbox (nil tenant),
/// and nothing reaches the organisation's officers or its outbox.
async fn the_agency_channel_hears_its_deadlines_and_the_organisation_does_not(store: Store) {
    use adal_store::users;
    let t = tenant(&store).await;
    user(&store, Some(t), "officer@org.kz").await;
    let auditor = |email: &str, role: &str| users::NewUser {
        email: email.to_owned(),
        display_name: email.to_owned(),
        password_hash: "x".to_owned(),
        role: role.to_owned(),
        department_id: None,
        position_id: None,
        person_iin: None,
    };
    users::create(
        &store,
        None,
        "test",
        auditor("one@agency.kz", "agency_auditor"),
    )
    .await
    .unwrap();
    let gone = users::create(
        &store,
        None,
        "test",
        auditor("gone@agency.kz", "agency_auditor"),
    )
    .await
    .unwrap();
    users::set_platform_disabled(&store, "test", "agency_auditor", gone.id, true)
        .await
        .unwrap();
    users::create(
        &store,
        None,
        "test",
        auditor("admin@adal.kz", "platform_admin"),
    )
    .await
    .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let mut r = report(
        today.checked_sub_days(Days::new(9)).unwrap(),
        today.checked_sub_days(Days::new(2)).unwrap(),
        vec![],
    );
    r.channel = ReportChannel::Agency;
    reports::insert(&store, t, r.clone()).await.unwrap();

    assert_eq!(reports::remind_once(&store, today).await.unwrap(), 1);
    let due = outbox::due_across_tenants(&store, 100).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(outbox::recipients_of(&due[0]).unwrap(), ["one@agency.kz"]);
    assert_eq!(due[0].tenant_id, Uuid::nil(), "the platform's outbox");
    assert!(
        due[0]
            .body
            .contains(&format!("/api/v1/agency/cases/{}", r.id))
    );
    assert!(
        outbox::list(&store, t, 100).await.unwrap().is_empty(),
        "the organisation's outbox shows nothing"
    );
    assert_eq!(reports::remind_once(&store, today).await.unwrap(), 0);
}

/// A handler's message to a reporter who wrote through a messaging bot is
/// stored with the outbox row that takes it there, or not at all: never a
/// message the reporter's bot will not deliver (and that a retry would
/// store twice).
async fn a_message_and_its_way_to_a_bot_are_stored_together(store: Store) {
    use adal_store::bots::NewOutgoing;
    let t = tenant(&store).await;
    let officer = user(&store, Some(t), "o@relay.kz").await;
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let r = report(today, today.checked_add_days(Days::new(7)).unwrap(), vec![]);
    reports::insert(&store, t, r.clone()).await.unwrap();
    let relay = |id| NewOutgoing {
        id,
        channel: "whatsapp".into(),
        recipient: vec![3; 40],
        body: vec![4; 40],
    };
    let handler = reports::Writer::Handler {
        actor: "officer",
        user: officer,
    };
    let out = Uuid::now_v7();
    reports::add_message(
        &store,
        t,
        r.id,
        reports::NewMessage {
            id: Uuid::new_v4(),
            author: adal_domain::MessageAuthor::Handler,
            writer: handler,
            body: vec![5; 40],
            relay: Some(relay(out)),
        },
    )
    .await
    .unwrap();
    // The same outbox id again cannot be stored: the second message is
    // refused with it.
    let refused = reports::add_message(
        &store,
        t,
        r.id,
        reports::NewMessage {
            id: Uuid::new_v4(),
            author: adal_domain::MessageAuthor::Handler,
            writer: handler,
            body: vec![6; 40],
            relay: Some(relay(out)),
        },
    )
    .await;
    assert!(refused.is_err());
    let stored = reports::messages(&store, t, r.id, true).await.unwrap();
    assert_eq!(stored.len(), 1, "only the message whose relay was stored");
    let (_, queued) = adal_store::bots::claim_outgoing(&store, 10, chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].id, out);
}
