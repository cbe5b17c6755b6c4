//! casbin's policy lines (`casbin_rule`), for the authorisation crate's
//! adapter: the table stays behind the store like every other. A line is
//! its type (`p`, `g`) and up to six values, padded with empty strings.

use crate::Result;
use crate::entities::casbin_rule;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};

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

fn values(r: casbin_rule::Model) -> Vec<String> {
    let mut v = vec![r.v0, r.v1, r.v2, r.v3, r.v4, r.v5];
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

/// Every line: its type and its values (trailing empty values dropped).
pub async fn all(store: &crate::Store) -> Result<Vec<(String, Vec<String>)>> {
    let rows = casbin_rule::Entity::find()
        .all(&store.across_tenants())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let ptype = r.ptype.clone();
            (ptype, values(r))
        })
        .collect())
}

/// Replaces every line with `lines`, in one transaction.
pub async fn replace_all(store: &crate::Store, lines: &[(String, Vec<String>)]) -> Result<()> {
    let txn = store.begin_write_across().await?;
    casbin_rule::Entity::delete_many().exec(&txn).await?;
    let rows: Vec<_> = lines.iter().map(|(p, r)| row(p, r)).collect();
    if !rows.is_empty() {
        casbin_rule::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Removes every line.
pub async fn clear(store: &crate::Store) -> Result<()> {
    casbin_rule::Entity::delete_many()
        .exec(&store.across_tenants())
        .await?;
    Ok(())
}

/// Adds lines of type `ptype`; a line already there is kept once.
pub async fn add(store: &crate::Store, ptype: &str, rules: &[Vec<String>]) -> Result<()> {
    let txn = store.begin_write_across().await?;
    for rule in rules {
        casbin_rule::Entity::insert(row(ptype, rule))
            .on_conflict_do_nothing_on(
                std::iter::once(casbin_rule::Column::Ptype).chain(VALUE_COLUMNS),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Removes lines of type `ptype`; whether any was there.
pub async fn remove(store: &crate::Store, ptype: &str, rules: &[Vec<String>]) -> Result<bool> {
    let txn = store.begin_write_across().await?;
    let mut any = false;
    for rule in rules {
        let r = casbin_rule::Entity::delete_many()
            .filter(matches(ptype, rule))
            .exec(&txn)
            .await?;
        any |= r.rows_affected > 0;
    }
    txn.commit().await?;
    Ok(any)
}

/// Removes the lines of type `ptype` whose values from `field_index` on
/// are `field_values` (an empty value matches anything); whether any was.
pub async fn remove_filtered(
    store: &crate::Store,
    ptype: &str,
    field_index: usize,
    field_values: &[String],
) -> Result<bool> {
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
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected > 0)
}
