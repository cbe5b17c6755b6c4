//! A casbin adapter over the store, so policies live in the same database
//! (SQLite or PostgreSQL) as everything else, behind the store's own
//! functions (`adal_store::policy`). The ready-made sqlx adapters support
//! one backend per build and pull in sqlx 0.8 (STACK.md).

use adal_store::{Store, policy};
use async_trait::async_trait;
use casbin::{Adapter, Filter, Model, error::AdapterError};

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

#[async_trait]
impl Adapter for SeaOrmAdapter {
    async fn load_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        for (ptype, values) in policy::all(&self.store).await.map_err(err)? {
            let Some(sec) = ptype.get(..1) else {
                continue;
            };
            if let Some(ast) = m
                .get_mut_model()
                .get_mut(sec)
                .and_then(|t| t.get_mut(&ptype))
            {
                ast.get_mut_policy().insert(values);
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
        let mut lines = Vec::new();
        for sec in ["p", "g"] {
            if let Some(map) = m.get_model().get(sec) {
                for (ptype, ast) in map {
                    for rule in ast.get_policy() {
                        lines.push((ptype.clone(), rule.clone()));
                    }
                }
            }
        }
        policy::replace_all(&self.store, &lines).await.map_err(err)
    }

    async fn clear_policy(&mut self) -> casbin::Result<()> {
        policy::clear(&self.store).await.map_err(err)
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
        policy::add(&self.store, ptype, &rules).await.map_err(err)?;
        Ok(true)
    }

    async fn remove_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        rule: Vec<String>,
    ) -> casbin::Result<bool> {
        policy::remove(&self.store, ptype, &[rule])
            .await
            .map_err(err)
    }

    async fn remove_policies(
        &mut self,
        _sec: &str,
        ptype: &str,
        rules: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        policy::remove(&self.store, ptype, &rules)
            .await
            .map_err(err)
    }

    async fn remove_filtered_policy(
        &mut self,
        _sec: &str,
        ptype: &str,
        field_index: usize,
        field_values: Vec<String>,
    ) -> casbin::Result<bool> {
        policy::remove_filtered(&self.store, ptype, field_index, &field_values)
            .await
            .map_err(err)
    }
}
