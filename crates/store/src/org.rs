//! Departments and positions.

use crate::entities::{department, position};
use crate::{Result, StoreError, TenantId, audit, new_id};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub use department::Model as Department;
pub use position::Model as Position;

pub async fn create_department(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    name: String,
    parent_id: Option<Uuid>,
) -> Result<Department> {
    let txn = store.begin_write_for(tenant).await?;
    if let Some(p) = parent_id {
        // The parent must be this tenant's: a foreign id is "not found".
        department::Entity::find_by_id(p)
            .filter(department::Column::TenantId.eq(tenant.uuid()))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let id = new_id();
    department::Entity::insert(department::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        name: Set(name.clone()),
        parent_id: Set(parent_id),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "department.create",
        &format!("department/{id}"),
        serde_json::json!({"name": name}),
    )
    .await?;
    let d = department::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(d)
}

/// A department's new name or place. `None` leaves it as it is;
/// `parent_id: Some(None)` makes it a top-level department.
#[derive(Debug, Clone, Default)]
pub struct DepartmentChange {
    pub name: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
}

/// What [`update_department`] refuses to build: a department inside
/// itself, directly or through its sub-departments.
pub const DEPARTMENT_CYCLE: &str =
    "a department cannot be placed inside itself or its own sub-department";

/// Renames or moves a department of `tenant`, audited with the old and new
/// values. The new parent must be the tenant's ([`StoreError::NotFound`]
/// otherwise) and not the department or one below it
/// ([`StoreError::Conflict`] with [`DEPARTMENT_CYCLE`]); the check reads
/// the tree inside the write transaction, so two moves cannot together
/// make a loop.
pub async fn update_department(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    id: Uuid,
    change: DepartmentChange,
) -> Result<Department> {
    let txn = store.begin_write_for(tenant).await?;
    let before = department::Entity::find_by_id(id)
        .filter(department::Column::TenantId.eq(tenant.uuid()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if let Some(Some(parent)) = change.parent_id {
        let all = department::Entity::find()
            .filter(department::Column::TenantId.eq(tenant.uuid()))
            .all(&txn)
            .await?;
        if !all.iter().any(|d| d.id == parent) {
            return Err(StoreError::NotFound);
        }
        // Walk up from the new parent; meeting `id` means a loop. The walk
        // is bounded by the number of departments, so a loop already in
        // the data cannot hang it.
        let mut at = Some(parent);
        for _ in 0..=all.len() {
            match at {
                Some(d) if d == id => return Err(StoreError::Conflict(DEPARTMENT_CYCLE.into())),
                Some(d) => at = all.iter().find(|x| x.id == d).and_then(|x| x.parent_id),
                None => break,
            }
        }
    }
    let mut am: department::ActiveModel = before.clone().into();
    if let Some(n) = &change.name {
        am.name = Set(n.clone());
    }
    if let Some(p) = change.parent_id {
        am.parent_id = Set(p);
    }
    let after = am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "department.update",
        &format!("department/{id}"),
        serde_json::json!({
            "before": {"name": before.name, "parent_id": before.parent_id},
            "after": {"name": after.name, "parent_id": after.parent_id},
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn list_departments(store: &crate::Store, tenant: TenantId) -> Result<Vec<Department>> {
    Ok(department::Entity::find()
        .filter(department::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(department::Column::Name)
        .all(&store.scoped(tenant))
        .await?)
}

pub async fn get_department(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
) -> Result<Department> {
    department::Entity::find_by_id(id)
        .filter(department::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

pub struct NewPosition {
    pub department_id: Option<Uuid>,
    pub title: String,
    pub risk_level: i16,
    pub high_risk: bool,
}

pub async fn create_position(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    new: NewPosition,
) -> Result<Position> {
    let txn = store.begin_write_for(tenant).await?;
    if let Some(d) = new.department_id {
        department::Entity::find_by_id(d)
            .filter(department::Column::TenantId.eq(tenant.uuid()))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let id = new_id();
    position::Entity::insert(position::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        department_id: Set(new.department_id),
        title: Set(new.title.clone()),
        risk_level: Set(new.risk_level),
        high_risk: Set(new.high_risk),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "position.create",
        &format!("position/{id}"),
        serde_json::json!({"title": new.title, "risk_level": new.risk_level, "high_risk": new.high_risk}),
    )
    .await?;
    let p = position::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(p)
}

/// A position's new values; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PositionChange {
    pub department_id: Option<Option<Uuid>>,
    pub title: Option<String>,
    pub risk_level: Option<i16>,
    pub high_risk: Option<bool>,
}

/// Changes a position of `tenant`, audited with the old and new values. A
/// department that is not the tenant's is [`StoreError::NotFound`]. The
/// findings already made keep the position they were made with; the next
/// evaluation and dataset run see the new risk level.
pub async fn update_position(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    id: Uuid,
    change: PositionChange,
) -> Result<Position> {
    let txn = store.begin_write_for(tenant).await?;
    let before = position::Entity::find_by_id(id)
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if let Some(Some(d)) = change.department_id {
        department::Entity::find_by_id(d)
            .filter(department::Column::TenantId.eq(tenant.uuid()))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let mut am: position::ActiveModel = before.clone().into();
    if let Some(d) = change.department_id {
        am.department_id = Set(d);
    }
    if let Some(t) = &change.title {
        am.title = Set(t.clone());
    }
    if let Some(r) = change.risk_level {
        am.risk_level = Set(r);
    }
    if let Some(h) = change.high_risk {
        am.high_risk = Set(h);
    }
    let after = am.update(&txn).await?;
    let view = |p: &Position| {
        serde_json::json!({
            "title": p.title,
            "department_id": p.department_id,
            "risk_level": p.risk_level,
            "high_risk": p.high_risk,
        })
    };
    audit::append(
        &txn,
        tenant,
        actor,
        "position.update",
        &format!("position/{id}"),
        serde_json::json!({"before": view(&before), "after": view(&after)}),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn list_positions(store: &crate::Store, tenant: TenantId) -> Result<Vec<Position>> {
    Ok(position::Entity::find()
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(position::Column::Title)
        .all(&store.scoped(tenant))
        .await?)
}

/// The tenant's positions among `ids` (those that exist), in one query.
pub async fn positions_by_id(
    store: &crate::Store,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<Vec<Position>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(position::Entity::find()
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .filter(position::Column::Id.is_in(ids.iter().copied()))
        .all(&store.scoped(tenant))
        .await?)
}

pub async fn get_position(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<Position> {
    position::Entity::find_by_id(id)
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}
