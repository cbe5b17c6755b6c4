//! A JSON request body parsed by serde (with `serde_path_to_error`) so that
//! every parse failure names the field as a JSON pointer, while the
//! OpenAPI schema still comes from the poem-openapi type.

use crate::error::BodyError;
use poem::http::StatusCode;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::de::DeserializeOwned;

/// Largest JSON body accepted, in bytes. The configured limit may be lower;
/// this one bounds memory even if configuration is wrong.
pub const MAX_BODY: usize = 1024 * 1024;

/// Oversized bodies up to this size are read (and dropped) before the 413
/// is sent, so that clients see the answer rather than a reset connection.
const DRAIN_LIMIT: usize = 4 * MAX_BODY;

/// Configured body limit, put in the request's data by the app.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

pub struct JsonBody<T>(pub T);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        content_type
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

fn fail(pointer: String, code: &str, message: impl Into<String>) -> poem::Error {
    poem::Error::new(
        BodyError {
            pointer,
            code: code.to_owned(),
            message: message.into(),
            too_large: false,
        },
        StatusCode::BAD_REQUEST,
    )
}

/// Parses a JSON body; the domain's parser locates any failure by JSON
/// pointer, and the API answers it as a 400 with that pointer.
pub fn parse_json<T: DeserializeOwned>(data: &[u8]) -> Result<T, poem::Error> {
    adal_domain::parse::from_json_slice(data).map_err(|e| fail(e.pointer, &e.code, e.message))
}

impl<T: Type + DeserializeOwned + Send> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        parse_json(&read_limited(request, body).await?).map(JsonBody)
    }
}

/// The body's bytes, up to the configured limit (413 beyond it).
async fn read_limited(
    request: &Request,
    body: &mut RequestBody,
) -> poem::Result<impl std::ops::Deref<Target = [u8]>> {
    let limit = request
        .data::<BodyLimit>()
        .map_or(MAX_BODY, |l| l.0.min(MAX_BODY));
    let too_large = || {
        poem::Error::new(
            BodyError {
                pointer: String::new(),
                code: "body.too_large".to_owned(),
                message: format!("the body is larger than {limit} bytes"),
                too_large: true,
            },
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    if let Some(len) = request
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > limit
    {
        // Answering before the body is read makes the server close the
        // connection while the client is still sending, and the client
        // then sees a reset instead of the 413. A body up to a few
        // times the limit is read and dropped first; a larger one is
        // refused at once.
        if len <= DRAIN_LIMIT {
            let _ = body.take()?.into_bytes_limit(DRAIN_LIMIT).await;
        }
        return Err(too_large());
    }
    let data = body
        .take()?
        .into_bytes_limit(limit)
        .await
        .map_err(|e| match e {
            poem::error::ReadBodyError::PayloadTooLarge => too_large(),
            other => poem::Error::from(other),
        })?;
    Ok(data)
}

/// A JSON body kept as the bytes received, for webhooks whose signature
/// covers the raw body: parsed and serialised again, it would no longer
/// verify (docs/reporting.md, "Messaging bots"). Documented as an object.
pub struct RawJson(pub Vec<u8>);

impl Payload for RawJson {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        <JsonBody<serde_json::Value> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        <serde_json::Value as Type>::schema_ref()
    }
}

impl ParsePayload for RawJson {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(RawJson(read_limited(request, body).await?.to_vec()))
    }
}

impl poem_openapi::ApiExtractor<'_> for RawJson {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        json_request_meta::<Self>(Some(
            "The platform's webhook payload, exactly as it sends it.",
        ))
    }

    async fn from_request(
        request: &'_ Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        json_from_request(request, body).await
    }
}

/// The request body of a JSON payload, for the OpenAPI document.
fn json_request_meta<P: Payload>(
    description: Option<&'static str>,
) -> Option<poem_openapi::registry::MetaRequest> {
    Some(poem_openapi::registry::MetaRequest {
        description,
        content: vec![poem_openapi::registry::MetaMediaType {
            content_type: P::CONTENT_TYPE,
            schema: P::schema_ref(),
        }],
        required: true,
    })
}

/// A JSON payload, after its `Content-Type` is checked.
async fn json_from_request<P: Payload + ParsePayload>(
    request: &Request,
    body: &mut RequestBody,
) -> poem::Result<P> {
    if let Some(ct) = request.content_type()
        && !P::check_content_type(ct)
    {
        return Err(fail(
            String::new(),
            "body.content_type",
            format!("Content-Type must be application/json, not {ct:?}"),
        ));
    }
    P::from_request(request, body).await
}

impl<T: Type + DeserializeOwned + Send> poem_openapi::ApiExtractor<'_> for JsonBody<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        json_request_meta::<Self>(None)
    }

    async fn from_request(
        request: &'_ Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        json_from_request(request, body).await
    }
}

/// Largest import file accepted, in bytes. Imports are stored whole before
/// the API answers (so an accepted upload is never lost), which bounds
/// them; 10,000 people or 1,000 tenders are far below this.
pub use adal_service::MAX_UPLOAD;

/// An import file: CSV, JSON (an OCDS package) or JSON lines, as UTF-8.
pub struct Upload(pub String);

impl Payload for Upload {
    const CONTENT_TYPE: &'static str = "text/csv";

    fn check_content_type(content_type: &str) -> bool {
        let mime = content_type.split(';').next().unwrap_or("").trim();
        [
            "text/csv",
            "application/json",
            "application/x-ndjson",
            "application/jsonl",
            "text/plain",
        ]
        .iter()
        .any(|m| mime.eq_ignore_ascii_case(m))
    }

    fn schema_ref() -> MetaSchemaRef {
        <String as Type>::schema_ref()
    }
}

impl ParsePayload for Upload {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        if let Some(ct) = request.content_type()
            && !<Self as Payload>::check_content_type(ct)
        {
            return Err(fail(
                String::new(),
                "body.content_type",
                format!(
                    "Content-Type must be text/csv, application/json or application/x-ndjson, not {ct:?}"
                ),
            ));
        }
        let too_large = || {
            poem::Error::new(
                BodyError {
                    pointer: String::new(),
                    code: "body.too_large".to_owned(),
                    message: format!("the file is larger than {MAX_UPLOAD} bytes"),
                    too_large: true,
                },
                StatusCode::PAYLOAD_TOO_LARGE,
            )
        };
        let data = body
            .take()?
            .into_bytes_limit(MAX_UPLOAD)
            .await
            .map_err(|e| match e {
                poem::error::ReadBodyError::PayloadTooLarge => too_large(),
                other => poem::Error::from(other),
            })?;
        if data.is_empty() {
            return Err(fail(String::new(), "body.empty", "the file is empty"));
        }
        String::from_utf8(data.to_vec()).map(Upload).map_err(|e| {
            fail(
                String::new(),
                "body.not_utf8",
                format!("the file is not UTF-8: {e}"),
            )
        })
    }
}

impl poem_openapi::ApiExtractor<'_> for Upload {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        let schema = <Self as Payload>::schema_ref();
        Some(poem_openapi::registry::MetaRequest {
            description: Some(
                "The file: CSV with a header row, an OCDS release or record package, or JSON lines of compiled releases.",
            ),
            content: ["text/csv", "application/json", "application/x-ndjson"]
                .into_iter()
                .map(|content_type| poem_openapi::registry::MetaMediaType {
                    content_type,
                    schema: schema.clone(),
                })
                .collect(),
            required: true,
        })
    }

    async fn from_request(
        request: &'_ Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        <Self as ParsePayload>::from_request(request, body).await
    }
}

/// A file attached to a case, as the raw body. Its kind is found from its
/// content, so any `Content-Type` is accepted (and ignored).
pub struct FileBody(pub Vec<u8>);

pub use adal_service::reporting::MAX_ATTACHMENT_BYTES;

impl Payload for FileBody {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        <poem_openapi::types::Binary<Vec<u8>> as Type>::schema_ref()
    }
}

impl ParsePayload for FileBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = body
            .take()?
            .into_bytes_limit(MAX_ATTACHMENT_BYTES)
            .await
            .map_err(|e| match e {
                poem::error::ReadBodyError::PayloadTooLarge => poem::Error::new(
                    BodyError {
                        pointer: "/file".to_owned(),
                        code: "file.too_large".to_owned(),
                        message: format!(
                            "the file is larger than {MAX_ATTACHMENT_BYTES} bytes (10 MiB)"
                        ),
                        too_large: true,
                    },
                    StatusCode::PAYLOAD_TOO_LARGE,
                ),
                other => poem::Error::from(other),
            })?;
        if data.is_empty() {
            return Err(fail("/file".to_owned(), "file.empty", "the file is empty"));
        }
        Ok(FileBody(data.to_vec()))
    }
}

impl poem_openapi::ApiExtractor<'_> for FileBody {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: Some(
                "The file's bytes, at most 10 MiB: PDF, Word (.docx), Excel (.xlsx), plain text, JPEG, PNG, WebP, MP3, MP4/M4A or Ogg, recognised by content.",
            ),
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: "application/octet-stream",
                schema: <Self as Payload>::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'_ Request,
        body: &mut RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        <Self as ParsePayload>::from_request(request, body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        value: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn err(json: &str) -> BodyError {
        let e = parse_json::<Outer>(json.as_bytes()).unwrap_err();
        let b = e.downcast_ref::<BodyError>().unwrap();
        BodyError {
            pointer: b.pointer.clone(),
            code: b.code.clone(),
            message: b.message.clone(),
            too_large: b.too_large,
        }
    }

    #[test]
    fn missing_field_is_named() {
        let e = err(r#"{"items": []}"#);
        assert_eq!(e.pointer, "/name");
        assert!(e.message.contains("missing field"));
    }

    #[test]
    fn unknown_nested_field_is_named() {
        let e = err(r#"{"name": "a", "items": [{"value": "x", "extra": 1}]}"#);
        assert_eq!(e.pointer, "/items/0/extra");
    }

    #[test]
    fn wrong_type_is_located() {
        let e = err(r#"{"name": 5, "items": []}"#);
        assert_eq!(e.pointer, "/name");
        assert!(e.message.contains("invalid type"), "{}", e.message);
    }

    #[test]
    fn malformed_json_says_where() {
        let e = err("{\"name\": \"a\",\n \"items\": [}");
        assert!(e.message.starts_with("malformed JSON"));
        assert!(e.message.contains("line 2"), "{}", e.message);
    }
}
