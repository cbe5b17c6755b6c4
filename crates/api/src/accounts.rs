//! The wire form of changes to accounts, departments and positions. JSON
//! tells a member left out (keep it) from `null` (clear it); the
//! application layer's patches say the same with [`Patch`].

use adal_service::accounts::{self, Patch};
use poem_openapi::{Object, types::MaybeUndefined};
use serde::Deserialize;
use uuid::Uuid;

fn patch<T>(m: MaybeUndefined<T>) -> Patch<T> {
    match m {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(v) => Patch::Set(v),
    }
}

/// A change to an account. Leave a member out to keep its value; send
/// `null` to clear an optional one (department, position, person).
#[derive(Debug, Default, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    #[oai(nullable)]
    pub display_name: Option<String>,
    /// A tenant role, as for `POST /users`. Not your own.
    #[serde(default)]
    #[oai(nullable)]
    pub role: Option<String>,
    #[serde(default)]
    pub department_id: MaybeUndefined<Uuid>,
    #[serde(default)]
    pub position_id: MaybeUndefined<Uuid>,
    #[serde(default)]
    pub person_iin: MaybeUndefined<String>,
    /// A new password (12 to 200 characters). Every session of the
    /// account is signed out.
    #[serde(default)]
    #[oai(nullable)]
    pub password: Option<String>,
    /// `true` disables the account: it cannot sign in and all its tokens
    /// stop working at once. `false` enables it again. Not your own.
    #[serde(default)]
    #[oai(nullable)]
    pub disabled: Option<bool>,
}

impl From<UserPatch> for accounts::UserPatch {
    fn from(p: UserPatch) -> Self {
        Self {
            display_name: p.display_name,
            role: p.role,
            department_id: patch(p.department_id),
            position_id: patch(p.position_id),
            person_iin: patch(p.person_iin),
            password: p.password,
            disabled: p.disabled,
        }
    }
}

/// A department's new name or place; `parent_id: null` moves it to the
/// top level.
#[derive(Debug, Default, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    #[serde(default)]
    #[oai(nullable)]
    pub name: Option<String>,
    #[serde(default)]
    pub parent_id: MaybeUndefined<Uuid>,
}

impl From<DepartmentPatch> for accounts::DepartmentPatch {
    fn from(p: DepartmentPatch) -> Self {
        Self {
            name: p.name,
            parent_id: patch(p.parent_id),
        }
    }
}

/// A position's new values; leave a member out to keep it.
#[derive(Debug, Default, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct PositionPatch {
    #[serde(default)]
    #[oai(nullable)]
    pub title: Option<String>,
    #[serde(default)]
    pub department_id: MaybeUndefined<Uuid>,
    #[serde(default)]
    #[oai(nullable)]
    pub risk_level: Option<i16>,
    #[serde(default)]
    #[oai(nullable)]
    pub high_risk: Option<bool>,
}

impl From<PositionPatch> for accounts::PositionPatch {
    fn from(p: PositionPatch) -> Self {
        Self {
            title: p.title,
            department_id: patch(p.department_id),
            risk_level: p.risk_level,
            high_risk: p.high_risk,
        }
    }
}
