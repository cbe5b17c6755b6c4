//! The personal-data classification against the migrated schema: every
//! table is classified or declared to hold nothing personal, and a
//! classified table has exactly the columns the database has.

use adal_store::Store;
use adal_store::classification::{NOT_PERSONAL_TABLES, PERSONAL_TABLES, columns_of};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use std::collections::BTreeSet;

adal_testkit::on_both_backends!(every_table_and_column_is_classified);

async fn names(store: &Store, sql: String) -> BTreeSet<String> {
    let db = &store.connection();
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect()
}

async fn every_table_and_column_is_classified(store: Store) {
    let postgres = store.backend() == DatabaseBackend::Postgres;
    let tables = names(
        &store,
        if postgres {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema()"
                .into()
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                .into()
        },
    )
    .await;
    let known: BTreeSet<String> = PERSONAL_TABLES
        .iter()
        .map(|(t, _)| (*t).to_owned())
        .chain(NOT_PERSONAL_TABLES.iter().map(|t| (*t).to_owned()))
        .collect();
    assert_eq!(
        tables, known,
        "a table was added or dropped: classify it in crates/store/src/classification.rs"
    );
    for (table, _) in PERSONAL_TABLES {
        let columns = names(
            &store,
            if postgres {
                format!(
                    "SELECT column_name::text AS name FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = '{table}'"
                )
            } else {
                format!("SELECT name FROM pragma_table_info('{table}')")
            },
        )
        .await;
        let classified: BTreeSet<String> = columns_of(table)
            .unwrap()
            .iter()
            .map(|(c, _, _)| (*c).to_owned())
            .collect();
        assert_eq!(
            columns, classified,
            "{table}: classify every column in crates/store/src/classification.rs"
        );
    }
}
