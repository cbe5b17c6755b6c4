//! The page shell: header with the tenant's name and the user's role, the
//! navigation the user's permissions allow, the language switcher; and
//! the two ways a screen answers (a page, a redirect).

use crate::i18n::{Lang, Tr};
use crate::session::Visitor;
use maud::{DOCTYPE, Markup, html};
use poem::Response;
use poem::http::StatusCode;

/// One navigation entry: catalogue key and link.
pub struct NavItem {
    pub key: &'static str,
    pub href: String,
}

/// A menu of the navigation: the screens of one task (catalogue key of
/// its name). A group of one screen is shown as its link.
pub struct NavGroup {
    pub key: &'static str,
    pub items: Vec<NavItem>,
}

/// What the header shows about where the user is.
#[derive(Default)]
pub struct Frame {
    pub tenant_name: Option<String>,
    pub nav: Vec<NavGroup>,
    pub read_only: bool,
    /// The language is chosen by links to this path with `?lang=` (the
    /// reporter's pages, which set no cookie), not by the switcher form.
    pub lang_links: Option<String>,
}

pub fn role_key(role: &str) -> String {
    format!("role-{role}")
}

/// Translated label of a stored value (`severity-high`, `status-open`),
/// or the value itself when the catalogues do not know it (an area named
/// by a tenant's own rule).
pub fn label(tr: &Tr, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}-{value}");
    let s = tr.t(&key);
    if s.starts_with(crate::i18n::MISSING) {
        value.to_owned()
    } else {
        s
    }
}

/// A table's header row: each column's catalogue key, and whether it
/// holds numbers (right-aligned).
pub fn head(tr: &Tr, columns: &[(&str, bool)]) -> Markup {
    html! {
        thead { tr {
            @for (key, num) in columns {
                th scope="col" class=[num.then_some("num")] { (tr.t(key)) }
            }
        } }
    }
}

pub fn page(v: &Visitor, frame: &Frame, title: &str, body: Markup) -> Markup {
    let tr = &v.tr;
    html! {
        (DOCTYPE)
        html lang=(tr.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (tr.t("app-name")) }
                link rel="stylesheet" href="/assets/app.css";
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                script src="/assets/app.js" defer {}
            }
            body {
                a class="skip" href="#main" { (tr.t("skip-to-content")) }
                header class="top" {
                    div class="brand" { a href="/" { (tr.t("app-name")) } }
                    @if let Some(c) = &v.caller {
                        div class="who" {
                            @if let Some(n) = &frame.tenant_name {
                                span class="tenant" { span class="k" { (tr.t("tenant-label")) ": " } strong id="tenant-name" { (n) } }
                            }
                            span class="role" { span class="k" { (tr.t("role-label")) ": " } strong id="user-role" data-role=(c.role.as_str()) { (tr.t(&role_key(c.role.as_str()))) } }
                            span class="email" { (c.email) }
                        }
                    }
                    @if let Some(base) = &frame.lang_links {
                        nav class="lang" aria-label=(tr.t("lang-label")) {
                            @for l in Lang::ALL {
                                a href=(format!("{base}?lang={}", l.code())) lang=(l.code()) hreflang=(l.code()) aria-current=[(l == tr.lang).then_some("true")] { (l.native_name()) }
                                " "
                            }
                        }
                    } @else {
                        form method="post" action="/lang" class="lang" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            input type="hidden" name="back" value=(v.here);
                            label for="lang-select" { (tr.t("lang-label")) }
                            select id="lang-select" name="lang" {
                                @for l in Lang::ALL {
                                    option value=(l.code()) lang=(l.code()) selected[l == tr.lang] { (l.native_name()) }
                                }
                            }
                            button type="submit" class="secondary" { (tr.t("lang-switch")) }
                        }
                    }
                }
                @if let Some(c) = &v.caller {
                    (navigation(v, frame, &c.email))
                }
                @if frame.read_only {
                    p class="banner readonly" role="note" id="read-only" { (tr.t("read-only-banner")) }
                }
                main id="main" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The menus, one per task, then the account's. Each menu is a
/// `<details>`: it opens and closes without script, by keyboard too; the
/// script only closes the others and closes on Escape or a click
/// elsewhere. The menu holding the current page is marked.
fn navigation(v: &Visitor, frame: &Frame, email: &str) -> Markup {
    let tr = &v.tr;
    let here = v.here.split('?').next().unwrap_or_default();
    let current = |href: &str| (here == href).then_some("page");
    html! {
        nav class="menus" aria-label=(tr.t("nav-label")) {
            ul class="groups" {
                @for g in &frame.nav {
                    @if let [only] = g.items.as_slice() {
                        li { a class="single" href=(only.href) aria-current=[current(&only.href)] { (tr.t(only.key)) } }
                    } @else {
                        li {
                            details class="menu" data-group=(g.key) {
                                summary class=[g.items.iter().any(|i| i.href == here).then_some("here")] { (tr.t(g.key)) }
                                ul {
                                    @for item in &g.items {
                                        li { a href=(item.href) aria-current=[current(&item.href)] { (tr.t(item.key)) } }
                                    }
                                }
                            }
                        }
                    }
                }
                li class="account" {
                    details class="menu" data-group="nav-group-account" {
                        summary class=[(here == "/password").then_some("here")] { (tr.t("nav-group-account")) }
                        ul {
                            li class="email" { (email) }
                            li { a href="/password" aria-current=[current("/password")] { (tr.t("nav-password")) } }
                            li {
                                form method="post" action="/logout" class="inline" {
                                    input type="hidden" name="csrf" value=(v.csrf);
                                    button type="submit" class="link" id="sign-out" { (tr.t("sign-out")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn respond(v: &Visitor, status: StatusCode, markup: Markup) -> Response {
    let mut b = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8");
    for c in &v.set_cookies {
        b = b.header(poem::http::header::SET_COOKIE, c.as_str());
    }
    b.body(markup.into_string())
}

pub fn redirect(v: &Visitor, to: &str) -> Response {
    let mut b = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(poem::http::header::LOCATION, to);
    for c in &v.set_cookies {
        b = b.header(poem::http::header::SET_COOKIE, c.as_str());
    }
    b.finish()
}

/// A file to save rather than show: `Content-Disposition: attachment`
/// with `file_name` (ours, ASCII: a list's or a report's name).
pub fn attachment(content_type: &str, file_name: &str, body: Vec<u8>) -> Response {
    Response::builder()
        .content_type(content_type)
        .header(
            poem::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        )
        .body(body)
}
