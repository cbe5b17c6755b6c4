//! Files on a case, on screen (docs/reporting.md "Files"): reading a
//! form with files, the download answer, the messages for refused files,
//! and the lists the reporter's, the compliance unit's and the Agency's
//! pages show. Everything goes through `adal_service::reporting`, which
//! checks, seals and audits.

use crate::i18n::Tr;
use crate::kit::{Fail, Fields};
use adal_service::ServiceError;
use adal_service::reporting::{self as svc, ApprovalView, AttachmentView, Download};
use maud::{Markup, html};
use poem::Response;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::Multipart;
use uuid::Uuid;

/// Files one form sends at most (a case holds more, added later).
pub(crate) const MAX_FILES_PER_FORM: usize = 5;
/// The small fields beside the files.
const MAX_FIELD: usize = 64 * 1024;

/// A file a form sent: `bytes` is `None` when it was larger than
/// [`svc::MAX_ATTACHMENT_BYTES`].
pub(crate) struct SentFile {
    pub name: String,
    pub bytes: Option<Vec<u8>>,
}

/// A form with files (`multipart/form-data`).
#[derive(Default)]
pub(crate) struct FilesForm {
    pub fields: Fields,
    pub files: Vec<SentFile>,
    /// More files than [`MAX_FILES_PER_FORM`] were sent.
    pub too_many: bool,
}

/// Reads a form whose file inputs are named `files`; an empty file input
/// (nothing chosen) sends nothing.
async fn read_form(mut m: Multipart) -> Result<FilesForm, Fail> {
    let mut out = FilesForm::default();
    while let Some(field) = m.next_field().await.map_err(|_| Fail::NotFound)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            if out.files.len() >= MAX_FILES_PER_FORM {
                out.too_many = true;
                crate::kit::read_field(field, 0).await?;
                continue;
            }
            let bytes = crate::kit::read_field(field, svc::MAX_ATTACHMENT_BYTES).await?;
            if file_name.is_empty() && bytes.as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            out.files.push(SentFile {
                name: file_name,
                bytes,
            });
        } else if let Some(bytes) = crate::kit::read_field(field, MAX_FIELD).await? {
            out.fields
                .insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(out)
}

/// A form with files, or a plain form without them: the reporter's page
/// sends `multipart/form-data`, and anything that posted the form
/// URL-encoded before files existed keeps working.
impl<'a> poem::FromRequest<'a> for FilesForm {
    async fn from_request(
        req: &'a poem::Request,
        body: &mut poem::RequestBody,
    ) -> poem::Result<Self> {
        let multipart = req
            .content_type()
            .is_some_and(|ct| ct.trim_start().starts_with("multipart/form-data"));
        if multipart {
            let m = Multipart::from_request(req, body).await?;
            read_form(m).await.map_err(|_| {
                poem::Error::from_string(
                    "the form could not be read: it was cut off or is not multipart/form-data",
                    StatusCode::BAD_REQUEST,
                )
            })
        } else {
            let poem::web::Form(fields) =
                poem::web::Form::<Fields>::from_request(req, body).await?;
            Ok(FilesForm {
                fields,
                ..FilesForm::default()
            })
        }
    }
}

/// The message key for a file the service refused, if it was the file.
pub(crate) fn file_refusal(e: &ServiceError) -> Option<&'static str> {
    let code = match e {
        ServiceError::Invalid { details, .. } => details.first().map(|d| d.code.as_str()),
        ServiceError::Conflict(d) => Some(d.code.as_str()),
        _ => None,
    }?;
    Some(match code {
        "file.kind" => "files-err-kind",
        "file.too_large" => "files-err-too-large",
        "file.empty" => "files-err-empty",
        "file.damaged" => "files-err-damaged",
        "case.files" => "files-err-count",
        "case.file_bytes" => "files-err-bytes",
        "approval.second_officer" => "files-err-second-officer",
        "approval.pending" => "files-err-pending",
        "text.empty" | "text.too_long" => "files-err-reason",
        _ => return None,
    })
}

/// Checks every file of a form before anything is stored, so a report
/// is not filed with half of its evidence: the first refusal's key.
pub(crate) fn precheck(form: &FilesForm) -> Option<&'static str> {
    if form.too_many {
        return Some("files-err-form-count");
    }
    form.files.iter().find_map(|f| match &f.bytes {
        None => Some("files-err-too-large"),
        Some(b) => svc::check_file(b).err().and_then(|e| file_refusal(&e)),
    })
}

/// A file to save, never to render: `application/octet-stream` and
/// `Content-Disposition: attachment`.
pub(crate) fn download(d: Download) -> Response {
    let disposition = HeaderValue::from_str(&svc::disposition(&d.name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::CACHE_CONTROL, "no-store")
        .header("x-file-kind", d.kind.as_str())
        .body(d.bytes)
}

/// A size for people: bytes, KB or MB (decimal, one digit).
pub(crate) fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// The file input and its hint, for a form sent as `multipart/form-data`.
pub(crate) fn file_input(tr: &Tr, label_key: &str) -> Markup {
    html! {
        div class="field" {
            label for="files" { (tr.t(label_key)) }
            p class="hint" id="files-hint" { (tr.t("files-hint")) }
            input type="file" name="files" id="files" multiple aria-describedby="files-hint"
                accept=".pdf,.docx,.xlsx,.txt,.jpg,.jpeg,.png,.webp,.mp3,.mp4,.m4a,.ogg";
        }
    }
}

/// One line of a file: its name (a download link when `href` is given),
/// kind, size and day; a removed file says so instead.
fn line(tr: &Tr, a: &AttachmentView, href: Option<String>, from: Markup) -> Markup {
    html! {
        span class="file" {
            @match (&a.name, a.removed_at) {
                (Some(name), None) => {
                    @match href { Some(h) => a href=(h) download=(name) { (name) }, None => span { (name) } }
                    " · " (a.kind.as_str().to_uppercase()) " · " (size(a.size_bytes))
                }
                (_, removed) => span class="muted" data-removed="1" {
                    (tr.t_args("files-removed", &[("date", removed.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default().into())]))
                }
            }
            " · " (from) " · " (a.at.format("%Y-%m-%d"))
            @if a.internal { " · " span class="tag" { (tr.t("files-internal")) } }
        }
    }
}

/// The compliance unit's list of a case's files, with the removal asked
/// for and decided: `base` is the case's address, `me` the viewer.
pub(crate) struct HandlerFiles<'a> {
    pub base: &'a str,
    pub csrf: &'a str,
    pub files: &'a [AttachmentView],
    pub approvals: &'a [ApprovalView],
    pub can_write: bool,
    pub me: Option<Uuid>,
    pub error: Option<&'a str>,
}

pub(crate) fn handler_files(
    tr: &Tr,
    h: &HandlerFiles<'_>,
    name_of: &dyn Fn(Uuid) -> String,
) -> Markup {
    let waiting = |id: Uuid| {
        h.approvals
            .iter()
            .find(|a| a.attachment_id == id && a.approved.is_none())
    };
    html! {
        section id="case-files" aria-labelledby="case-files-title" {
        h2 id="case-files-title" { (tr.t("files-title")) }
        @if let Some(e) = h.error { p class="alert error" role="alert" id="files-error" { (tr.t(e)) } }
        @if h.files.is_empty() {
            p class="muted" id="no-files" { (tr.t("files-none")) }
        } @else {
            ul class="files" {
                @for a in h.files {
                    @let from = html! { @if a.from_reporter { (tr.t("files-from-reporter")) } @else { (a.author_id.map(name_of).unwrap_or_default()) } };
                    li data-attachment=(a.id) data-kind=(a.kind.as_str()) {
                    (line(tr, a, Some(format!("{}/files/{}", h.base, a.id)), from))
                    @if a.removed_at.is_none() && h.can_write {
                        @match waiting(a.id) {
                            Some(w) => div class="approval" data-approval=(w.id) {
                                p { (tr.t_args("files-pending", &[("reason", w.reason.clone().into()), ("name", name_of(w.requested_by).into())])) }
                                @if h.me == Some(w.requested_by) {
                                    p class="muted" { (tr.t("files-yours-pending")) }
                                } @else {
                                    form method="post" action=(format!("{}/decide", h.base)) class="inline-form" {
                                        input type="hidden" name="csrf" value=(h.csrf);
                                        input type="hidden" name="approval" value=(w.id);
                                        button type="submit" name="approve" value="1" class="danger" { (tr.t("files-approve")) }
                                        " "
                                        button type="submit" name="approve" value="0" class="secondary" { (tr.t("files-refuse")) }
                                    }
                                }
                            },
                            None => details class="remove-file" {
                                summary { (tr.t("files-remove-ask")) }
                                form method="post" action=(format!("{}/remove-file", h.base)) {
                                    input type="hidden" name="csrf" value=(h.csrf);
                                    input type="hidden" name="attachment" value=(a.id);
                                    label for=(format!("reason-{}", a.id)) { (tr.t("files-remove-reason")) }
                                    input type="text" name="reason" id=(format!("reason-{}", a.id)) maxlength=(svc::MAX_REASON) required;
                                    button type="submit" class="secondary" { (tr.t("files-remove-ask")) }
                                }
                            },
                        }
                    }
                    }
                }
            }
        }
        @if h.can_write {
            form method="post" action=(format!("{}/files", h.base)) enctype="multipart/form-data" id="case-attach" {
                input type="hidden" name="csrf" value=(h.csrf);
                (file_input(tr, "files-add"))
                label class="choice" { input type="checkbox" name="internal" value="1" id="files-internal"; " " (tr.t("files-add-internal")) }
                div class="buttons" { button type="submit" id="attach-send" { (tr.t("files-send")) } }
            }
        }
        }
    }
}

/// The Agency's list: download links only.
pub(crate) fn agency_files(tr: &Tr, base: &str, files: &[AttachmentView]) -> Markup {
    html! {
        @if !files.is_empty() {
            section id="case-files" {
                h2 { (tr.t("files-title")) }
                ul class="files" {
                    @for a in files {
                        @let from = html! { @if a.from_reporter { (tr.t("files-from-reporter")) } @else { (tr.t("files-from-handler")) } };
                        li data-attachment=(a.id) data-kind=(a.kind.as_str()) { (line(tr, a, Some(format!("{base}/files/{}", a.id)), from)) }
                    }
                }
            }
        }
    }
}

/// The reporter's list: each download is a form that carries the token
/// (never in an address), and a form to add files while the case is open.
pub(crate) fn reporter_files(
    tr: &Tr,
    token: &str,
    files: &[AttachmentView],
    closed: bool,
    error: Option<&str>,
) -> Markup {
    let hidden = html! {
        input type="hidden" name="lang" value=(tr.lang.code());
        input type="hidden" name="token" value=(token);
    };
    html! {
        section id="report-files" {
        h2 { (tr.t("files-title")) }
        @if let Some(e) = error { p class="alert error" role="alert" id="files-error" { (tr.t(e)) } }
        @if files.is_empty() {
            p class="muted" id="no-files" { (tr.t("files-none")) }
        } @else {
            ul class="files" {
                @for a in files {
                    @let from = html! { @if a.from_reporter { (tr.t("report-from-you")) } @else { (tr.t("report-from-handler")) } };
                    li data-attachment=(a.id) data-kind=(a.kind.as_str()) {
                        (line(tr, a, None, from))
                        @if a.removed_at.is_none() {
                            form method="post" action="/report/follow/file" class="inline-form" {
                                (hidden)
                                input type="hidden" name="attachment" value=(a.id);
                                button type="submit" class="secondary" { (tr.t("files-download")) }
                            }
                        }
                    }
                }
            }
        }
        @if !closed {
            form method="post" action="/report/follow/attach" enctype="multipart/form-data" id="report-attach" {
                (hidden)
                (file_input(tr, "files-add"))
                div class="buttons" { button type="submit" id="attach-send" { (tr.t("files-send")) } }
            }
        }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(2_048), "2.0 KB");
        assert_eq!(size(10 * 1024 * 1024), "10.5 MB");
    }
}
