//! A casbin adapter over sea-orm, so policies live in the same database
//! (SQLite or PostgreSQL) as everything else. The ready-made sqlx adapters
//! support one backend per build and pull in sqlx 0.8 (STACK.md).

use adal_store::Store;
use adal_store::entities::casbin_rule;
use async_trait::async_trait;
use casbin::{Adapter, Filter, Model, error::AdapterError};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

pub struct SeaOrmAdapter {
    store: Store,
}

impl SeaOrmAdapter {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn err(e: impl std::error::Error + Send + Sync + 'static) -> casbin::Error {
    casbin::Error::AdapterError(AdapterError(Box::new(e)))
}

/// Pads a rule to the table's six value columns.
fn row(ptype: &str, rule: &[String]) -> casbin_rule::ActiveModel {
    let v = |i: usize| Set(rule.get(i).cloned().unwrap_or_default());
    casbin_rule::ActiveModel {
        ptype: Set(ptype.to_owned()),
        v0: v(0),
        v1: v(1),
        v2: v(2),
        v3: v(3),
        v4: v(4),
        v5: v(5),
        ..Default::default()
    }
}

fn values(r: &casbin_rule::Model) -> Vec<String> {
    let mut v = vec![
        r.v0.clone(),
        r.v1.clone(),
        r.v2.clone(),
        r.v3.clone(),
        r.v4.clone(),
        r.v5.clone(),
    ];
    while v.last().is_some_and(String::is_empty) {
        v.pop();
    }
    v
}

/// The six value columns, in order.
const VALUE_COLUMNS: [casbin_rule::Column; 6] = [
    casbin_rule::Column::V0,
    casbin_rule::Column::V1,
    casbin_rule::Column::V2,
    casbin_rule::Column::V3,
    casbin_rule::Column::V4,
    casbin_rule::Column::V5,
];

fn matches(ptype: &str, rule: &[String]) -> Condition {
    let mut c = Condition::all().add(casbin_rule::Column::Ptype.eq(ptype));
    for (i, col) in VALUE_COLUMNS.into_iter().enumerate() {
        c = c.add(col.eq(rule.get(i).cloned().unwrap_or_default()));
    }
    c
}

#[async_trait]
impl Adapter for SeaOrmAdapter {
    async fn load_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        let rows = casbin_rule::Entity::find()
            .all(self.store.connection())
            .await
            .map_err(err)?;
        for r in rows {
            let Some(sec) = r.ptype.get(..1) else {
                continue;
            };
            if let Some(ast) = m
                .get_mut_model()
                .get_mut(sec)
                .and_then(|t| t.get_mut(&r.ptype))
            {
                ast.get_mut_policy().insert(values(&r));
            }
        }
        Ok(())
    }

    async fn load_filtered_policy<'a>(
        &mut self,
        m: &mut dyn Model,
        _f: Filter<'a>,
    ) -> casbin::Result<()> {
        // Policies are small (shared role permissions plus one line per
        // user); filtering is not needed.
        self.load_policy(m).await
    }

    async fn save_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        let txn = self.store.begin_write().await.map_err(err)?;
        casbin_rule::Entity::delete_many()
            .exec(&txn)
            .await
            .map_err(err)?;
        let mut rows = Vec::new();
        for sec in ["p", "g"] {
            if let Some(map) = m.get_model().get(sec) {
                for (ptype, ast) in map {
                    for rule in ast.get_policy() {
                        rows.push(row(ptype, rule));
                    }
                }
            }
        }
        if !rows.is_empty() {
            casbin_rule::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await
                .map_err(err)?;
        }
        txn.commit().await.map_err(err)?;
        Ok(())
    }

    async fn clear_policy(&mut self) -> casbin::Result<()> {
        casbin_rule::Entity::delete_many()
            .exec(self.store.connection())
            .await
            .map_err(err)?;
        Ok(())
    }

    fn is_filtered(&self) -> bool {
        false
    }

    async fn add_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        rule: Vec<String>,
    ) -> casbin::Result<bool> {
        self.add_policies(_sec, ptype, vec![rule]).await
    }

    async fn add_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        let txn = self.store.begin_write().await.map_err(err)?;
        for rule in &rules {
            casbin_rule::Entity::insert(row(ptype, rule))
                .on_conflict_do_nothing_on(
                    std::iter::once(casbin_rule::Column::Ptype).chain(VALUE_COLUMNS),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(err)?;
        }
        txn.commit().await.map_err(err)?;
        Ok(true)
    }

    async fn remove_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        rule: Vec<String>,
    ) -> casbin::Result<bool> {
        let r = casbin_rule::Entity::delete_many()
            .filter(matches(ptype, &rule))
            .exec(self.store.connection())
            .await
            .map_err(err)?;
        Ok(r.rows_affected > 0)
    }

    async fn remove_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        let txn = self.store.begin_write().await.map_err(err)?;
        let mut any = false;
        for rule in &rules {
            let r = casbin_rule::Entity::delete_many()
                .filter(matches(ptype, rule))
                .exec(&txn)
                .await
                .map_err(err)?;
            any |= r.rows_affected > 0;
        }
        txn.commit().await.map_err(err)?;
        Ok(any)
    }

    async fn remove_filtered_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        field_index: usize,
        field_values: Vec<String>,
    ) -> casbin::Result<bool> {
        let mut c = Condition::all().add(casbin_rule::Column::Ptype.eq(ptype));
        for (i, v) in field_values.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            if let Some(col) = VALUE_COLUMNS.get(field_index + i) {
                c = c.add(col.eq(v.clone()));
            }
        }
        let r = casbin_rule::Entity::delete_many()
            .filter(c)
            .exec(self.store.connection())
            .await
            .map_err(err)?;
        Ok(r.rows_affected > 0)
    }
}
