//! Adal's domain types. Each type parses at the edge and cannot hold an
//! invalid value afterwards: an [`Iin`] always has a valid check digit, a
//! [`Kzt`] amount is never negative and has at most two fractional digits.

mod gift;
mod ident;
mod money;
mod org;
pub mod parse;
pub mod records;
mod value;

pub use gift::{GiftDecision, GiftDeclaration, GiftDirection, GiftInput};
pub use ident::{Bin, IdentError, Iin, with_check_digit};
pub use money::{Kzt, MoneyError};
pub use org::{Region, Role, Sector, UnknownValue};
pub use records::{Kind, Record};
pub use value::{Date, DateError, Label, Name, Note, Percent, PercentError, Text, TextError};

/// A validation failure tied to the field it concerns, as a JSON pointer
/// (`/value_kzt`), so that clients can show it next to the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct FieldError {
    pub pointer: String,
    pub message: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// The tenant a piece of data belongs to. Every repository function takes
/// one; the API obtains it only from an authorised request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct TenantId(pub uuid::Uuid);

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
