//! Adal's domain types. Each type parses at the edge and cannot hold an
//! invalid value afterwards: an [`Iin`] always has a valid check digit, a
//! [`Kzt`] amount is never negative and has at most two fractional digits.

mod case;
mod gift;
mod ident;
mod money;
mod org;
pub mod parse;
pub mod records;
mod registry;
mod value;

pub use case::{CaseOutcome, CaseStatus, MessageAuthor, ReportChannel, ReportSource};
pub use gift::{GiftDecision, GiftDeclaration, GiftDirection, GiftInput};
pub use ident::{Bin, IdentError, Iin, with_check_digit};
pub use money::{Kzt, MoneyError};
pub use org::{Region, Role, Sector, UnknownValue};
pub use records::{Kind, Record};
pub use registry::{ConvictedPerson, ConvictedPersonFields};
pub use value::{Date, DateError, Label, Name, Note, Percent, PercentError, Text, TextError};

/// A validation failure tied to the field it concerns, as a JSON pointer
/// (`/value_kzt`), so that clients can show it next to the input, with a
/// stable machine code (`shape.unknown_field`, `iin.check_digit`) that
/// front doors translate by, so rewording the English message never
/// loses a translation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct FieldError {
    pub pointer: String,
    pub code: std::borrow::Cow<'static, str>,
    pub message: String,
}

impl FieldError {
    /// A failure with the generic code `invalid`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self::coded(pointer, "invalid", message)
    }

    /// A failure with its own machine code.
    pub fn coded(
        pointer: impl Into<String>,
        code: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            pointer: pointer.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The tenant a piece of data belongs to. Every repository function takes
/// one. A request obtains it only from authorisation (the service's
/// `TenantCtx`); the field is private so that every other place that
/// names a tenant does so through [`TenantId::from_uuid`], which is easy
/// to find and review: the store reading its own rows, the workers
/// taking a job, operator commands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TenantId(uuid::Uuid);

impl TenantId {
    /// A tenant id whose caller has established which tenant it is: from
    /// a stored row, a queued job, or an operator's command line. A
    /// request's tenant comes from authorisation instead.
    pub const fn from_uuid(id: uuid::Uuid) -> Self {
        Self(id)
    }

    /// The id as stored.
    pub const fn uuid(self) -> uuid::Uuid {
        self.0
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Kazakhstan has used one time zone, UTC+5, since 1 March 2024. Dates
/// people write ("not in the future", "filed on time") are Kazakh dates,
/// so "today" is taken there rather than in UTC, where it would still be
/// yesterday until five in the morning.
pub const KAZAKHSTAN_UTC_OFFSET_HOURS: i64 = 5;

/// The calendar date in Kazakhstan at instant `at`.
pub fn kazakhstan_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    (at + chrono::Duration::hours(KAZAKHSTAN_UTC_OFFSET_HOURS)).date_naive()
}

/// Today in Kazakhstan.
pub fn kazakhstan_today() -> chrono::NaiveDate {
    kazakhstan_date(chrono::Utc::now())
}
