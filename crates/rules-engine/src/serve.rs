//! `adal-rules serve`: the sandbox's request loop (JSON lines over stdio).

use crate::convert::shared_map;
use crate::engine::{CompiledRule, RuleEngine};
use adal_sandbox_protocol::{FailureCode, PROTOCOL_VERSION, Request, Response, SubmissionInput};
use std::io::{self, BufRead, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// Longest request line accepted; longer lines are answered `too_large`
/// and skipped without being held in memory.
pub const MAX_LINE: usize = 16 * 1024 * 1024;
/// Rule sets kept compiled; the least recently used is evicted beyond this.
pub const CACHE_SIZE: usize = 16;

/// Serves requests from one sandbox process: the engine and the cache of
/// compiled rule sets.
pub struct Server {
    engine: RuleEngine,
    max_line: usize,
    /// Most recently used last; small enough that a linear scan is fine.
    cache: Vec<(String, Arc<Vec<CompiledRule>>)>,
}

impl Default for Server {
    fn default() -> Self {
        Self::new(RuleEngine::default(), MAX_LINE)
    }
}

impl Server {
    pub fn new(engine: RuleEngine, max_line: usize) -> Self {
        Server {
            engine,
            max_line,
            cache: Vec::new(),
        }
    }

    /// Runs until EOF on `input`. Returns only on I/O errors or EOF: nothing
    /// a request contains ends the loop.
    pub fn run(&mut self, mut input: impl BufRead, mut output: impl Write) -> io::Result<()> {
        let mut buf = Vec::new();
        loop {
            let response = match read_bounded_line(&mut input, &mut buf, self.max_line)? {
                Line::Eof => return Ok(()),
                Line::TooLong => failed(
                    0,
                    FailureCode::TooLarge,
                    format!("request line exceeds {} bytes", self.max_line),
                ),
                Line::Ok if buf.iter().all(u8::is_ascii_whitespace) => continue,
                Line::Ok => self.handle_line(&buf),
            };
            let mut text = serde_json::to_string(&response).unwrap_or_else(|e| {
                // Cannot happen for these types; still answer so the client
                // never waits for a line that will not come.
                format!(r#"{{"status":"failed","id":{},"code":"bad_request","message":"cannot encode response: {}"}}"#, response.id(), e.to_string().replace(['"', '\\'], "'"))
            });
            text.push('\n');
            output.write_all(text.as_bytes())?;
            output.flush()?;
        }
    }

    /// Answers one request line. A panic (a bug, in rhai or here) is caught
    /// and answered, so one request never kills the process.
    pub fn handle_line(&mut self, line: &[u8]) -> Response {
        let request = match decode_request(line) {
            Ok(r) => r,
            Err(e) => {
                // Echo the id when the line is JSON with one, so the client
                // can match the failure to its request.
                let id = serde_json::from_slice::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").and_then(serde_json::Value::as_u64))
                    .unwrap_or(0);
                return failed(id, FailureCode::BadRequest, format!("bad request: {e}"));
            }
        };
        let id = request.id();
        catch_unwind(AssertUnwindSafe(|| self.handle(request))).unwrap_or_else(|_| {
            failed(
                id,
                FailureCode::BadRequest,
                "internal error while handling the request".into(),
            )
        })
    }

    pub fn handle(&mut self, request: Request) -> Response {
        match request {
            Request::Hello { id } => Response::Hello {
                id,
                protocol: PROTOCOL_VERSION,
                engine: format!("adal-rules {}", env!("CARGO_PKG_VERSION")),
            },
            Request::Check { id, rules } => Response::Checked {
                id,
                errors: rules
                    .iter()
                    .filter_map(|r| self.engine.compile(r).err())
                    .collect(),
            },
            Request::Load { id, key, rules } => match self.engine.compile_all(&rules) {
                Ok(compiled) => {
                    let n = compiled.len();
                    self.cache.retain(|(k, _)| *k != key);
                    if self.cache.len() >= CACHE_SIZE {
                        self.cache.remove(0);
                    }
                    self.cache.push((key.clone(), Arc::new(compiled)));
                    Response::Loaded { id, key, rules: n }
                }
                Err(errors) => Response::Failed {
                    id,
                    code: FailureCode::CompileFailed,
                    message: format!("{} rule(s) do not compile", errors.len()),
                    errors,
                },
            },
            Request::Test { id, rules } => Response::Tested {
                id,
                report: crate::library::run_tests(&self.engine, &rules),
            },
            Request::Evaluate {
                id,
                key,
                shared,
                submissions,
            } => {
                let Some(pos) = self.cache.iter().position(|(k, _)| *k == key) else {
                    return failed(
                        id,
                        FailureCode::UnknownRuleSet,
                        format!("rule set {key:?} is not loaded"),
                    );
                };
                // Move to the back: most recently used.
                let entry = self.cache.remove(pos);
                let rules = Arc::clone(&entry.1);
                self.cache.push(entry);
                let results = match &shared {
                    serde_json::Value::Null => Ok(submissions
                        .iter()
                        .map(|s| self.engine.evaluate(&rules, s))
                        .collect()),
                    serde_json::Value::Object(o) => {
                        // Converted once here, copied per submission.
                        let shared = shared_map(o);
                        submissions
                            .iter()
                            .map(|s| self.engine.evaluate_shared(&rules, s, &shared))
                            .collect()
                    }
                    _ => {
                        return failed(
                            id,
                            FailureCode::BadRequest,
                            "shared context must be null or an object".into(),
                        );
                    }
                };
                match results {
                    Ok(results) => Response::Evaluated { id, results },
                    Err(e) => failed(id, FailureCode::BadRequest, e.to_string()),
                }
            }
        }
    }
}

/// Decodes one request line.
///
/// [`Request`] is internally tagged (`"op"`), and serde decodes an
/// internally tagged enum by first buffering the whole value in a generic
/// tree and then decoding that tree: for an evaluation request (megabytes
/// for a large batch) that doubles the decoding work. So an `evaluate` line
/// is decoded straight into its fields, and anything else (or a line that
/// does not fit) through [`Request`]'s own decoding, which also gives the
/// error message.
fn decode_request(line: &[u8]) -> Result<Request, serde_json::Error> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Op {
        Evaluate,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Evaluate {
        #[serde(rename = "op")]
        _op: Op,
        id: u64,
        key: String,
        #[serde(default)]
        shared: serde_json::Value,
        submissions: Vec<SubmissionInput>,
    }
    match serde_json::from_slice::<Evaluate>(line) {
        Ok(Evaluate {
            id,
            key,
            shared,
            submissions,
            ..
        }) => Ok(Request::Evaluate {
            id,
            key,
            shared,
            submissions,
        }),
        Err(_) => serde_json::from_slice(line),
    }
}

fn failed(id: u64, code: FailureCode, message: String) -> Response {
    Response::Failed {
        id,
        code,
        message,
        errors: Vec::new(),
    }
}

enum Line {
    Ok,
    TooLong,
    Eof,
}

/// Reads one line into `buf` (without the newline), holding at most `max`
/// bytes; a longer line is consumed to its end and reported as too long.
fn read_bounded_line(input: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let n = Read::take(&mut *input, limit).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(Line::Eof);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        return Ok(Line::Ok);
    }
    if buf.len() <= max {
        // Last line without a newline.
        return Ok(Line::Ok);
    }
    // Skip the rest of the oversized line in bounded chunks.
    loop {
        buf.clear();
        let n = Read::take(&mut *input, 64 * 1024).read_until(b'\n', buf)?;
        if n == 0 || buf.last() == Some(&b'\n') {
            buf.clear();
            return Ok(Line::TooLong);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_line_is_skipped_and_next_line_served() {
        let mut server = Server::new(RuleEngine::default(), 64);
        let long = "x".repeat(200);
        let input = format!("{long}\n{{\"op\":\"hello\",\"id\":5}}\n");
        let mut out = Vec::new();
        assert!(server.run(input.as_bytes(), &mut out).is_ok());
        let lines: Vec<Response> = String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(matches!(
            lines[0],
            Response::Failed {
                id: 0,
                code: FailureCode::TooLarge,
                ..
            }
        ));
        assert!(matches!(lines[1], Response::Hello { id: 5, .. }));
    }

    #[test]
    fn evaluate_lines_decode_the_same_in_any_field_order() {
        let evaluate = Request::Evaluate {
            id: 9,
            key: "k".into(),
            shared: serde_json::json!({"today": "2026-11-24"}),
            submissions: vec![SubmissionInput {
                id: "s1".into(),
                kind: "gift".into(),
                payload: serde_json::json!({"value_kzt": "1.50", "n": 2, "f": 0.5}),
                context: serde_json::Value::Null,
            }],
        };
        let tag_first = serde_json::to_vec(&evaluate).unwrap();
        let tag_last = br#"{"id":9,"key":"k","submissions":[{"id":"s1","kind":"gift","payload":{"value_kzt":"1.50","n":2,"f":0.5}}],"shared":{"today":"2026-11-24"},"op":"evaluate"}"#;
        assert_eq!(decode_request(&tag_first).unwrap(), evaluate);
        assert_eq!(decode_request(tag_last).unwrap(), evaluate);
        assert_eq!(
            decode_request(br#"{"op":"hello","id":3}"#).unwrap(),
            Request::Hello { id: 3 }
        );
        // Lines that do not fit fail with the generic decoding's message.
        let extra = br#"{"op":"evaluate","id":1,"key":"k","submissions":[],"x":1}"#;
        let err = decode_request(extra).unwrap_err().to_string();
        let generic = serde_json::from_slice::<Request>(extra)
            .unwrap_err()
            .to_string();
        assert_eq!(err, generic);
    }
}
