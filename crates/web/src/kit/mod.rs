//! The toolkit every screen is built with, and that knows no screen:
//!
//! - [`access`]: the signed-in caller ([`caller`]) and the tenant obtained
//!   through the API's own check ([`authorize`], [`authorize_form`] for a
//!   form's POST with its CSRF token, [`allowed`] for a link or a button);
//! - [`frame`]: the page frame of a tenant (its name and the navigation this
//!   user may follow) and [`show`], which draws a screen's body in it;
//! - [`shell`]: the page itself ([`page`]), [`respond`] and [`redirect`];
//! - [`fail`]: why a page cannot be shown ([`Fail`]), its error page, and
//!   [`finish`], which turns a screen's [`PageResult`] into the response;
//! - [`errors`]: a form's values and its errors in the user's language;
//! - [`listing`]: filter forms and paging of the long lists.
//!
//! A screen's handler is: load the [`Visitor`](crate::session::Visitor),
//! authorize, read through the service or the store, render with
//! [`show`]; everything that fails is a [`Fail`] and [`finish`] draws it.

mod access;
pub(crate) mod errors;
mod fail;
mod frame;
pub(crate) mod listing;
mod shell;

pub(crate) use access::{allowed, authorize, authorize_form, caller};
pub(crate) use errors::{error_summary, error_text, errors_of, orphans, value};
pub(crate) use fail::{Fail, PageResult, error_page, fail_page, finish};
pub(crate) use frame::{frame, home_of, own_frame, show, show_as};
pub(crate) use shell::{Frame, attachment, head, label, page, redirect, respond, role_key};

use std::collections::HashMap;

/// A submitted form: each input's name and value.
pub(crate) type Fields = HashMap<String, String>;

/// The severities of a finding, lowest first.
pub(crate) const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// `?saved=1`: the page after a form was stored says so.
#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct SavedQuery {
    pub(crate) saved: Option<String>,
}

/// A form field's bytes, at most `max` of them: `None` when there were
/// more (nothing beyond `max + 1` bytes is read).
pub(crate) async fn read_field(
    field: poem::web::Field,
    max: usize,
) -> Result<Option<Vec<u8>>, Fail> {
    use tokio::io::AsyncReadExt as _;
    let mut buf = Vec::new();
    field
        .into_async_read()
        .take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)
        .await
        .map_err(|_| Fail::NotFound)?;
    Ok((buf.len() <= max).then_some(buf))
}
