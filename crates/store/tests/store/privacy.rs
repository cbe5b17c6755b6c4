//! Personal data against real databases: declarations sealed under the
//! person's key and bound to their row, key rotation, erasure that keeps
//! the audit log verifiable, and retention passes.

use super::triage::tenant;
use adal_domain::records::parse_value;
use adal_domain::records::person::Person;
use adal_reporting::envelope::Kek;
use adal_store::entities::{audit_entry, submission};
use adal_store::privacy;
use adal_store::sealing::DataKeys;
use adal_store::submissions::{self, NewSubmission};
use adal_store::{Store, StoreError, TenantId, audit, people};
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

adal_testkit::on_both_backends!(
    declarations_are_sealed_bound_to_their_row_and_rotate,
    erasure_is_refused_while_held_then_destroys_the_key,
    retention_erases_only_what_expired,
);

const IIN: &str = "880202500052";

fn kek(byte: u8) -> Kek {
    Kek::from_bytes([byte; 32]).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

async fn declaration(store: &Store, t: TenantId, address: &str) -> Uuid {
    submissions::insert(
        store,
        t,
        NewSubmission {
            kind: "asset_declaration".into(),
            schema_version: 1,
            submitted_by: Uuid::new_v4(),
            department_id: None,
            position_id: None,
            payload: json!({"year": 2025, "person_iin": IIN, "real_estate": [{"address": address}]}),
            reference: Some(format!("2025:{IIN}:{}", Uuid::new_v4())),
            subject_iin: Some(IIN.into()),
            supersedes: None,
        },
    )
    .await
    .unwrap()
    .id
}

async fn stored_payload(store: &Store, id: Uuid) -> String {
    submission::Entity::find_by_id(id)
        .one(&store.connection())
        .await
        .unwrap()
        .unwrap()
        .payload
}

async fn person(store: &Store, t: TenantId, ended_on: Option<&str>) -> Uuid {
    let p: Person = parse_value(
        &json!({"iin": IIN, "full_name": "Aigerim Sapina", "ended_on": ended_on,
                "relatives": [{"relation": "sibling", "full_name": "Bolat Sapin"}]}),
        today(),
    )
    .unwrap();
    people::put(store, t, Uuid::new_v4(), &p)
        .await
        .unwrap()
        .0
        .person
        .id
}

async fn declarations_are_sealed_bound_to_their_row_and_rotate(plain: Store) {
    let store = plain.clone().with_data_keys(DataKeys::new(kek(1), None));
    let t = tenant(&store).await;
    let a = declaration(&store, t, "Astana, Street 1").await;
    let b = declaration(&store, t, "Almaty, Street 2").await;
    let raw = stored_payload(&store, a).await;
    assert!(raw.starts_with("sealed:v1:"), "{raw}");
    assert!(!raw.contains("Street"), "{raw}");
    let got = submissions::get(&store, t, a).await.unwrap();
    assert!(got.payload.contains("Astana, Street 1"), "{}", got.payload);
    // A store without the key cannot open it, and says why.
    let err = submissions::get(&plain, t, a).await.unwrap_err();
    assert!(err.to_string().contains("reporting.key"), "{err}");
    // A sealed payload moved to another row does not open there.
    submission::Entity::update_many()
        .col_expr(submission::Column::Payload, Expr::value(raw.clone()))
        .filter(submission::Column::Id.eq(b))
        .exec(&store.connection())
        .await
        .unwrap();
    let err = submissions::get(&store, t, b).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    // Rotation: the new key with the old as previous rewraps the person's
    // key; then the new key alone opens the declaration.
    let rotating = plain
        .clone()
        .with_data_keys(DataKeys::new(kek(2), Some(kek(1))));
    assert_eq!(adal_store::sealing::rewrap_all(&rotating).await.unwrap(), 1);
    assert_eq!(adal_store::sealing::rewrap_all(&rotating).await.unwrap(), 0);
    let rotated = plain.clone().with_data_keys(DataKeys::new(kek(2), None));
    let got = submissions::get(&rotated, t, a).await.unwrap();
    assert!(got.payload.contains("Astana, Street 1"), "{}", got.payload);
    // The old key alone no longer opens it, naming the key it needs.
    let err = submissions::get(&store, t, a).await.unwrap_err();
    assert!(err.to_string().contains("neither"), "{err}");
    // Kinds other than declarations stay plain JSON (searchable).
    let other = tenant(&store).await;
    let g = super::rls::file(&store, other).await;
    assert!(stored_payload(&store, g).await.starts_with('{'));
}

async fn erasure_is_refused_while_held_then_destroys_the_key(plain: Store) {
    let store = plain.with_data_keys(DataKeys::new(kek(3), None));
    let t = tenant(&store).await;
    let other = tenant(&store).await;
    let pid = person(&store, t, None).await;
    let d = declaration(&store, t, "Astana, Street 1").await;
    // Someone with the same IIN in another tenant is not touched.
    let theirs = declaration(&store, other, "Shymkent, Street 3").await;
    let err = privacy::erase_person(&store, t, pid, "test", today())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("still employed")),
        "{err}"
    );
    // Another tenant cannot erase them.
    let err = privacy::erase_person(&store, other, pid, "test", today())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err}");
    person(&store, t, Some("2025-06-30")).await;
    let export = privacy::export_person(&store, t, pid, "test")
        .await
        .unwrap();
    assert_eq!(export.submissions.len(), 1);
    assert_eq!(export.history.len(), 2, "{:?}", export.history);
    assert_eq!(
        export.history[0].detail.as_ref().unwrap()["full_name"],
        "Aigerim Sapina"
    );
    let erased = privacy::erase_person(&store, t, pid, "test", today())
        .await
        .unwrap();
    assert_eq!((erased.submissions, erased.relatives), (1, 1));
    assert_eq!(erased.keys_destroyed, 1);
    let s = submissions::get(&store, t, d).await.unwrap();
    assert_eq!(s.payload, "null");
    assert_eq!(s.subject_iin, None);
    assert!(matches!(
        people::get(&store, t, pid).await,
        Err(StoreError::NotFound)
    ));
    // The log still verifies; its sealed copies of the person stay sealed.
    let v = audit::verify(&store, t).await.unwrap();
    assert_eq!(v.broken_at, None, "{v:?}");
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(t.uuid()))
        .filter(audit_entry::Column::Object.eq(format!("person/{pid}")))
        .all(&store.connection())
        .await
        .unwrap();
    assert!(entries.iter().all(|e| !e.detail.contains("Aigerim")));
    assert!(entries.iter().any(|e| e.action == "person.erase"));
    // The other tenant's declaration about the same IIN is intact.
    let s = submissions::get(&store, other, theirs).await.unwrap();
    assert!(s.payload.contains("Shymkent"), "{}", s.payload);
}

async fn retention_erases_only_what_expired(plain: Store) {
    let store = plain.with_data_keys(DataKeys::new(kek(4), None));
    let t = tenant(&store).await;
    let untouched = tenant(&store).await;
    let old = declaration(&store, t, "Old Street").await;
    let fresh = declaration(&store, t, "Fresh Street").await;
    let elsewhere = declaration(&store, untouched, "Elsewhere Street").await;
    for id in [old, elsewhere] {
        submission::Entity::update_many()
            .col_expr(
                submission::Column::ReceivedAt,
                Expr::value(chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z").unwrap()),
            )
            .filter(submission::Column::Id.eq(id))
            .exec(&store.connection())
            .await
            .unwrap();
    }
    // Nothing is erased without a period.
    assert_eq!(
        privacy::apply_retention_everywhere(&store, today())
            .await
            .unwrap(),
        0
    );
    let years = [("asset_declaration".to_owned(), 5)].into();
    privacy::set_retention(&store, t, "test", &years)
        .await
        .unwrap();
    assert_eq!(privacy::retention(&store, t).await.unwrap(), years);
    let pass = privacy::apply_retention(&store, t, today()).await.unwrap();
    assert_eq!(pass.erased.get("asset_declaration"), Some(&1), "{pass:?}");
    let again = privacy::apply_retention(&store, t, today()).await.unwrap();
    assert!(again.erased.is_empty(), "{again:?}");
    assert_eq!(
        submissions::get(&store, t, old).await.unwrap().payload,
        "null"
    );
    assert!(
        submissions::get(&store, t, fresh)
            .await
            .unwrap()
            .payload
            .contains("Fresh")
    );
    assert!(
        submissions::get(&store, untouched, elsewhere)
            .await
            .unwrap()
            .payload
            .contains("Elsewhere")
    );
    assert_eq!(audit::verify(&store, t).await.unwrap().broken_at, None);
}
