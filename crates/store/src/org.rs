//! Departments and positions.

use crate::entities::{department, position};
use crate::{Result, StoreError, TenantId, audit, new_id};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
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
    let txn = store.begin_write().await?;
    if let Some(p) = parent_id {
        // The parent must be this tenant's: a foreign id is "not found".
        department::Entity::find_by_id(p)
            .filter(department::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let id = new_id();
    department::Entity::insert(department::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
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

pub async fn list_departments(store: &crate::Store, tenant: TenantId) -> Result<Vec<Department>> {
    Ok(department::Entity::find()
        .filter(department::Column::TenantId.eq(tenant.0))
        .order_by_asc(department::Column::Name)
        .all(store.connection())
        .await?)
}

pub async fn get_department(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
) -> Result<Department> {
    department::Entity::find_by_id(id)
        .filter(department::Column::TenantId.eq(tenant.0))
        .one(store.connection())
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
    let txn = store.begin_write().await?;
    if let Some(d) = new.department_id {
        department::Entity::find_by_id(d)
            .filter(department::Column::TenantId.eq(tenant.0))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let id = new_id();
    position::Entity::insert(position::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
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

pub async fn list_positions(store: &crate::Store, tenant: TenantId) -> Result<Vec<Position>> {
    Ok(position::Entity::find()
        .filter(position::Column::TenantId.eq(tenant.0))
        .order_by_asc(position::Column::Title)
        .all(store.connection())
        .await?)
}

pub async fn get_position(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<Position> {
    position::Entity::find_by_id(id)
        .filter(position::Column::TenantId.eq(tenant.0))
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)
}
