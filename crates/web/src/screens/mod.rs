//! The dashboard's screens, one module per screen or area. A screen uses
//! the toolkit ([`crate::kit`]) and the neutral modules beside it, never
//! another screen; an area's files (`rules/`, `admin/`, …) share only
//! what their own `mod.rs` (or a helper module of the area) holds.

pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod agency;
pub(crate) mod annual;
pub(crate) mod audit_log;
pub(crate) mod cartogram;
pub(crate) mod cases;
pub(crate) mod datasets;
pub(crate) mod declaration;
pub(crate) mod export_files;
pub(crate) mod filings;
pub(crate) mod findings;
pub(crate) mod my_filings;
pub(crate) mod officers;
pub(crate) mod overview;
pub(crate) mod person;
pub(crate) mod platform;
pub(crate) mod record;
pub(crate) mod registry;
pub(crate) mod report;
pub(crate) mod risk_map;
pub(crate) mod rules;
pub(crate) mod search;
pub(crate) mod second_factor;
pub(crate) mod settings;
