//! Writing a rule of the tenant's own: a Rhai script with its metadata and
//! fixtures (TOML, as in the library's `.toml` files). "Check" compiles the
//! script in the sandbox and shows a syntax error at its line and column
//! under the script; "Run fixtures" runs the fixtures in the sandbox and
//! shows each one's outcome; "Save as a draft" makes a new version from the
//! active one with this rule added (or replaced).
//!
//! The checks are the API's: [`adal_service::validate_rules`] for the metadata
//! and fixtures, [`adal_service::compile`] and [`adal_service::run_fixtures`] for
//! the sandbox, [`adal_service::create_version`] to store the draft.

use crate::i18n::Tr;
use crate::kit::{Fail, label, page, redirect, respond};
use crate::kit::{Fields, PageResult, authorize, authorize_form, finish, frame};
use crate::kit::{error_summary, error_text};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_sandbox_protocol::TestReport;
use adal_service::{AppState, Rule, RuleFixture, ServiceError};
use adal_store::rules::RuleDefinition;
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use std::collections::BTreeMap;
use uuid::Uuid;

const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// The form's inputs, in the order they are drawn.
pub const FIELDS: [&str; 10] = [
    "id",
    "title",
    "area",
    "guideline_section",
    "kinds",
    "severity",
    "likelihood",
    "impact",
    "script",
    "fixtures",
];

/// An error of the form: its input, the message, and where in the
/// script (or the fixtures) it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub field: Option<&'static str>,
    pub error: FieldError,
    pub at: Option<(u32, u32)>,
}

impl Problem {
    fn on(field: &'static str, error: FieldError) -> Self {
        Self {
            field: Some(field),
            error,
            at: None,
        }
    }
}

/// The input a pointer of [`adal_service::validate_rules`] (or of the
/// compile step) names, for the rule at index `i` of the request.
pub fn field_of(pointer: &str, i: usize) -> Option<&'static str> {
    let rest = pointer.strip_prefix(&format!("/rules/{i}"))?;
    if rest.is_empty() {
        return None;
    }
    let head = rest.strip_prefix('/')?.split('/').next()?;
    match head {
        "params" | "parameters" | "fixtures" => Some("fixtures"),
        other => FIELDS.iter().copied().find(|f| *f == other),
    }
}

/// Line and column (from 1) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// The line an error is at and a caret under its column, to show under
/// the textarea; `None` when the text has no such line.
pub fn excerpt(text: &str, line: u32, column: u32) -> Option<(String, String)> {
    let l = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let pad: String = l
        .chars()
        .take(usize::try_from(column.saturating_sub(1)).ok()?)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    Some((l.to_owned(), format!("{pad}^")))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FixturesDoc {
    #[serde(default)]
    fixtures: Vec<RuleFixture>,
}

fn value<'a>(values: &'a Fields, name: &str) -> &'a str {
    values.get(name).map_or("", String::as_str)
}

/// The form as the API's rule; what the form alone can get wrong (a
/// number that is not one, fixtures that are not TOML) as problems.
pub fn rule_of(values: &Fields) -> (Rule, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut score = |name: &'static str| -> u8 {
        value(values, name)
            .trim()
            .parse::<u8>()
            .unwrap_or_else(|_| {
                problems.push(Problem::on(
                    name,
                    FieldError::new(format!("/rules/0/{name}"), "must be 1 to 5"),
                ));
                // Out of range: the API's check reports nothing more for it.
                1
            })
    };
    let likelihood = score("likelihood");
    let impact = score("impact");
    let fixtures_text = value(values, "fixtures");
    let fixtures = match toml::from_str::<FixturesDoc>(fixtures_text) {
        Ok(doc) => doc.fixtures,
        Err(e) => {
            let at = e.span().map(|s| line_col(fixtures_text, s.start));
            problems.push(Problem {
                field: Some("fixtures"),
                error: FieldError::new("/rules/0/fixtures", e.message().to_owned()),
                at,
            });
            Vec::new()
        }
    };
    let rule = Rule {
        id: value(values, "id").trim().to_owned(),
        title: value(values, "title").trim().to_owned(),
        area: value(values, "area").to_owned(),
        guideline_section: Some(value(values, "guideline_section").trim().to_owned())
            .filter(|s| !s.is_empty()),
        kinds: values
            .iter()
            .filter(|(k, v)| k.starts_with("kind.") && v.as_str() == "on")
            .filter_map(|(k, _)| k.strip_prefix("kind.").map(str::to_owned))
            .collect(),
        severity: value(values, "severity").to_owned(),
        likelihood,
        impact,
        params: BTreeMap::new(),
        script: value(values, "script").replace("\r\n", "\n"),
        parameters: BTreeMap::new(),
        fixtures,
    };
    (rule, problems)
}

/// The API's refusal as problems of the rule at index `i`; compile
/// errors keep their line and column.
fn problems_of(e: ServiceError, i: usize) -> Result<Vec<Problem>, Fail> {
    match e {
        ServiceError::Invalid { details, .. } | ServiceError::FixturesFailed { details, .. } => {
            Ok(details
                .into_iter()
                .map(|d| Problem {
                    field: field_of(&d.pointer, i),
                    at: d.line.zip(d.column),
                    error: d.field_error(),
                })
                .collect())
        }
        ServiceError::Malformed(d) | ServiceError::Conflict(d) => Ok(vec![Problem {
            field: field_of(&d.pointer, i),
            at: None,
            error: d.field_error(),
        }]),
        ServiceError::Unavailable => Ok(vec![Problem {
            field: None,
            error: FieldError::coded("", "unavailable", ServiceError::Unavailable.to_string()),
            at: None,
        }]),
        other => Err(other.into()),
    }
}

/// Checks the form with the API's checks; the rule as stored, or the
/// problems. Without `need_fixtures` a rule without fixtures passes, so a
/// script can be checked before its fixtures are written.
fn checked(values: &Fields, need_fixtures: bool) -> Result<(Rule, RuleDefinition), Vec<Problem>> {
    let (rule, mut problems) = rule_of(values);
    let mut errors = Vec::new();
    let defs = adal_service::validate_rules(vec![rule.clone()], &mut errors);
    if !need_fixtures && rule.fixtures.is_empty() {
        errors.retain(|e| e.pointer != "/rules/0/fixtures");
    }
    // The form's own message for a number that is not one stands.
    let own: Vec<String> = problems.iter().map(|p| p.error.pointer.clone()).collect();
    problems.extend(
        errors
            .into_iter()
            .filter(|e| !own.contains(&e.pointer))
            .map(|e| Problem {
                field: field_of(&e.pointer, 0),
                error: e,
                at: None,
            }),
    );
    match defs.into_iter().next() {
        Some(def) if problems.is_empty() => Ok((rule, def)),
        _ => Err(problems),
    }
}

// ------------------------------------------------------------ rendering

/// What the page shows under the form after an action.
pub enum Answer {
    None,
    Compiled,
    Fixtures(TestReport),
}

fn problems_for<'a>(problems: &'a [Problem], field: &str) -> Vec<&'a Problem> {
    problems.iter().filter(|p| p.field == Some(field)).collect()
}

fn field_errors(tr: &Tr, id: &str, text: &str, list: &[&Problem]) -> Markup {
    html! {
        @if !list.is_empty() {
            div class="field-error" id={ (id) "-error" } {
                @for p in list {
                    p {
                        @if let Some((l, c)) = p.at {
                            strong class="at" data-line=(l) data-column=(c) {
                                (tr.t_args("rules-at", &[("line", l.into()), ("column", c.into())]))
                            }
                            ": "
                        }
                        (problem_text(tr, p))
                    }
                    @if let Some((line, caret)) = p.at.and_then(|(l, c)| excerpt(text, l, c)) {
                        pre class="excerpt" { (line) "\n" (caret) }
                    }
                }
            }
        }
    }
}

/// A problem's text: a syntax error as "Syntax error" and the sandbox's
/// own words (its place is shown beside it), anything else as the
/// catalogue says.
fn problem_text(tr: &Tr, p: &Problem) -> String {
    if p.at.is_none() {
        return error_text(tr, &p.error);
    }
    let m = p.error.message.as_str();
    // "rule ID at line L, column C: message": the place is already shown.
    let words = m.split_once(": ").map_or(m, |(_, rest)| rest);
    format!("{} ({words})", tr.t("err-syntax"))
}

fn fixtures_table(tr: &Tr, def: Option<&RuleDefinition>, report: &TestReport) -> Markup {
    let failed = |name: &str| {
        report
            .failures
            .iter()
            .find(|f| f.fixture.as_deref() == Some(name))
    };
    html! {
        section id="fixture-results" data-passed=(report.passed) data-failed=(report.failures.len()) {
            h2 { (tr.t("rules-fixture-results")) }
            table {
                thead { tr {
                    th scope="col" { (tr.t("col-fixture")) }
                    th scope="col" { (tr.t("col-result")) }
                    th scope="col" { (tr.t("rules-expected")) }
                    th scope="col" { (tr.t("rules-actual")) }
                } }
                tbody {
                    @if let Some(d) = def {
                        @for f in &d.fixtures {
                            @let fail = failed(&f.name);
                            tr data-fixture=(f.name) data-pass=(fail.is_none()) {
                                td { (f.name) }
                                td { @if fail.is_some() { strong class="fail" { (tr.t("rules-fail")) } } @else { span class="pass" { (tr.t("rules-pass")) } } }
                                td { (fail.map_or_else(|| f.expect.to_string(), |x| x.expected.clone())) }
                                td { (fail.map_or_else(|| f.expect.to_string(), |x| x.actual.clone())) }
                            }
                        }
                    }
                    // Failures of the rule itself, outside any fixture.
                    @for x in report.failures.iter().filter(|x| x.fixture.is_none()) {
                        tr data-pass="false" {
                            td { code { (x.rule_id) } }
                            td { strong class="fail" { (tr.t("rules-fail")) } }
                            td { (x.expected) }
                            td { (x.actual) }
                        }
                    }
                }
            }
        }
    }
}

/// The form with what was typed, each problem beside its input.
pub fn render(
    tr: &Tr,
    action: &str,
    csrf: &str,
    values: &Fields,
    problems: &[Problem],
    answer: &Answer,
    def: Option<&RuleDefinition>,
) -> Markup {
    let orphans: Vec<String> = problems
        .iter()
        .filter(|p| p.field.is_none())
        .map(|p| problem_text(tr, p))
        .collect();
    let text = |name: &str| value(values, name).to_owned();
    let field = |name: &'static str, input: Markup| {
        let list = problems_for(problems, name);
        let id = format!("r-{name}");
        html! {
            div class={ "field" @if !list.is_empty() { " invalid" } } {
                label for=(id) { (tr.t(&format!("rules-field-{name}"))) }
                (input)
                (field_errors(tr, &id, &text(name), &list))
            }
        }
    };
    let invalid = |name: &str| (!problems_for(problems, name).is_empty()).then_some("true");
    let scores = |name: &'static str| {
        let now = text(name);
        html! {
            select id={ "r-" (name) } name=(name) aria-invalid=[invalid(name)] {
                @for n in 1..=5u8 { option value=(n) selected[now == n.to_string()] { (n) } }
            }
        }
    };
    html! {
        (error_summary(tr, !problems.is_empty(), &orphans))
        @if matches!(answer, Answer::Compiled) && problems.is_empty() {
            p class="alert ok" role="status" id="rule-compiles" { (tr.t("rules-compiles")) }
        }
        form method="post" action=(action) class="filing rule" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            (field("id", html! { input type="text" id="r-id" name="id" value=(text("id")) aria-invalid=[invalid("id")] aria-describedby="r-id-hint"; p class="hint" id="r-id-hint" { (tr.t("rules-id-hint")) } }))
            (field("title", html! { input type="text" id="r-title" name="title" value=(text("title")) aria-invalid=[invalid("title")]; }))
            (field("area", html! {
                select id="r-area" name="area" aria-invalid=[invalid("area")] {
                    @for a in adal_service::AREAS { option value=(a) selected[text("area") == *a] { (label(tr, "area", a)) } }
                }
            }))
            (field("guideline_section", html! {
                input type="text" id="r-guideline_section" name="guideline_section" value=(text("guideline_section"))
                    aria-invalid=[invalid("guideline_section")] aria-describedby="r-guideline_section-hint";
                p class="hint" id="r-guideline_section-hint" { (tr.t("rules-guideline-hint")) }
            }))
            fieldset id="r-kinds" {
                legend { (tr.t("rules-field-kinds")) }
                @for k in adal_service::KINDS {
                    label class="check" {
                        input type="checkbox" name={ "kind." (k) } checked[value(values, &format!("kind.{k}")) == "on"];
                        " " (label(tr, "kind", k))
                    }
                }
                (field_errors(tr, "r-kinds", "", &problems_for(problems, "kinds")))
            }
            (field("severity", html! {
                select id="r-severity" name="severity" aria-invalid=[invalid("severity")] {
                    @for s in SEVERITIES { option value=(s) selected[text("severity") == s] { (tr.t(&format!("severity-{s}"))) } }
                }
            }))
            (field("likelihood", scores("likelihood")))
            (field("impact", scores("impact")))
            (field("script", html! {
                textarea id="r-script" name="script" rows="14" spellcheck="false" class="code"
                    aria-invalid=[invalid("script")] aria-describedby="r-script-hint" { (text("script")) }
                p class="hint" id="r-script-hint" { (tr.t("rules-script-hint")) }
            }))
            (field("fixtures", html! {
                textarea id="r-fixtures" name="fixtures" rows="12" spellcheck="false" class="code"
                    aria-invalid=[invalid("fixtures")] aria-describedby="r-fixtures-hint" { (text("fixtures")) }
                p class="hint" id="r-fixtures-hint" { (tr.t("rules-fixtures-hint")) }
            }))
            div class="actions" {
                button type="submit" name="action" value="check" id="rule-check" { (tr.t("rules-check")) }
                " "
                button type="submit" name="action" value="test" id="rule-test" class="secondary" { (tr.t("rules-run-fixtures")) }
                " "
                button type="submit" name="action" value="save" id="rule-save" class="secondary" { (tr.t("rules-save-draft")) }
            }
        }
        @if let Answer::Fixtures(report) = answer { (fixtures_table(tr, def, report)) }
    }
}

// ------------------------------------------------------------ handlers

/// A new rule's form starts with a skeleton a reader can run.
fn blank() -> Fields {
    Fields::from([
        ("area".to_owned(), "conflict_of_interest".to_owned()),
        ("severity".to_owned(), "medium".to_owned()),
        ("likelihood".to_owned(), "3".to_owned()),
        ("impact".to_owned(), "3".to_owned()),
        ("kind.gift".to_owned(), "on".to_owned()),
    ])
}

fn rule_page(
    v: &Visitor,
    f: &crate::kit::Frame,
    tenant: Uuid,
    values: &Fields,
    problems: &[Problem],
    answer: &Answer,
    def: Option<&RuleDefinition>,
) -> Response {
    let tr = &v.tr;
    let action = format!("/t/{tenant}/rules/new");
    let body = html! {
        p { (tr.t("rules-new-intro")) }
        (render(tr, &action, &v.csrf, values, problems, answer, def))
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, f, &tr.t("rules-new-title"), body))
}

#[handler]
pub(crate) async fn new_rule(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::WRITE).await?;
        let f = frame(&state, &v, ctx.tenant()).await;
        Ok(rule_page(
            &v,
            &f,
            tenant,
            &blank(),
            &[],
            &Answer::None,
            None,
        ))
    }
    .await;
    finish(&v, r)
}

/// "Check", "Run fixtures" or "Save as a draft", by the button pressed.
#[handler]
pub(crate) async fn rule_action(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let f = frame(&state, &v, ctx.tenant()).await;
        let show = |problems: &[Problem], answer: &Answer, def: Option<&RuleDefinition>| {
            rule_page(&v, &f, tenant, &values, problems, answer, def)
        };
        let action = value(&values, "action");
        let (rule, def) = match checked(&values, action != "check") {
            Ok(x) => x,
            Err(problems) => return Ok(show(&problems, &Answer::None, None)),
        };
        let own = BTreeMap::from([(def.id.as_str(), 0)]);
        if let Err(e) = adal_service::compile(&state, std::slice::from_ref(&def), &own).await {
            return Ok(show(&problems_of(e, 0)?, &Answer::None, None));
        }
        match action {
            "test" => match adal_service::run_fixtures(&state, std::slice::from_ref(&def)).await {
                Ok(report) => Ok(show(&[], &Answer::Fixtures(report), Some(&def))),
                Err(e) => Ok(show(&problems_of(e, 0)?, &Answer::None, None)),
            },
            "save" => {
                let active = super::active_of(&state, &ctx).await?;
                let (request, i) = super::drafts::from_active(&active, Some(rule))?;
                match adal_service::create_version(&state, &ctx, request).await {
                    Ok(draft) => Ok(redirect(
                        &v,
                        &format!("/t/{tenant}/rules/v/{}?created=1", draft.version),
                    )),
                    Err(e) => Ok(show(&problems_of(e, i)?, &Answer::None, None)),
                }
            }
            _ => Ok(show(&[], &Answer::Compiled, None)),
        }
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const FIXTURES: &str = r#"
[[fixtures]]
name = "big gift"
expect = "finding"
submission = { kind = "gift", payload = { value_kzt = "900000.00" } }
"#;

    #[test]
    fn pointers_land_on_their_inputs() {
        assert_eq!(field_of("/rules/0/script", 0), Some("script"));
        assert_eq!(field_of("/rules/2/kinds/0", 2), Some("kinds"));
        assert_eq!(field_of("/rules/0/fixtures/1/expect", 0), Some("fixtures"));
        // Another rule's pointer, or the rule as a whole, is no input.
        assert_eq!(field_of("/rules/1/id", 0), None);
        assert_eq!(field_of("/rules/10/id", 1), None);
        assert_eq!(field_of("/rules/0", 0), None);
        assert_eq!(field_of("/library_version", 0), None);
    }

    #[test]
    fn positions_and_excerpts() {
        let script = "let a = 1;\nlet b = ;\n";
        assert_eq!(line_col(script, 0), (1, 1));
        assert_eq!(line_col(script, 19), (2, 9));
        let (line, caret) = excerpt(script, 2, 9).unwrap();
        assert_eq!(line, "let b = ;");
        assert_eq!(caret, "        ^");
        assert_eq!(excerpt(script, 9, 1), None);
        assert_eq!(excerpt(script, 0, 1), None);
    }

    #[test]
    fn the_form_becomes_the_api_rule() {
        let (rule, problems) = rule_of(&form(&[
            ("id", " big-gift "),
            ("title", "Big gift"),
            ("area", "gifts"),
            ("kind.gift", "on"),
            ("severity", "high"),
            ("likelihood", "4"),
            ("impact", "2"),
            (
                "script",
                "if payload.value_kzt > \"1\" { finding(\"x\") }\r\n",
            ),
            ("fixtures", FIXTURES),
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rule.id, "big-gift");
        assert_eq!(rule.kinds, ["gift"]);
        assert_eq!((rule.likelihood, rule.impact), (4, 2));
        assert!(!rule.script.contains('\r'));
        assert_eq!(rule.fixtures.len(), 1);
        assert_eq!(rule.fixtures[0].name, "big gift");
        assert_eq!(rule.guideline_section, None, "blank is none");
    }

    #[test]
    fn a_guideline_section_is_carried_and_its_errors_land_on_it() {
        let (rule, _) = rule_of(&form(&[(
            "guideline_section",
            "  Conflict of interest: gifts ",
        )]));
        assert_eq!(
            rule.guideline_section.as_deref(),
            Some("Conflict of interest: gifts")
        );
        assert_eq!(
            field_of("/rules/0/guideline_section", 0),
            Some("guideline_section")
        );
    }

    #[test]
    fn bad_toml_is_shown_at_its_line() {
        let text = "[[fixtures]]\nname = \"a\"\nexpect = \n";
        let (_, problems) = rule_of(&form(&[
            ("fixtures", text),
            ("likelihood", "x"),
            ("impact", "3"),
        ]));
        let fx = problems
            .iter()
            .find(|p| p.field == Some("fixtures"))
            .unwrap();
        assert_eq!(fx.at.map(|(l, _)| l), Some(3), "{fx:?}");
        assert!(problems.iter().any(|p| p.field == Some("likelihood")));
    }

    #[test]
    fn a_compile_error_renders_under_the_script_at_its_line() {
        let tr = Tr::new(crate::Lang::En);
        let values = form(&[("script", "let a = 1;\nlet b = ;")]);
        let problems = vec![Problem {
            field: Some("script"),
            error: FieldError::new(
                "/rules/0/script",
                "rule r at line 2, column 9: expecting an expression",
            ),
            at: Some((2, 9)),
        }];
        let html = render(&tr, "/a", "c", &values, &problems, &Answer::None, None).into_string();
        let textarea = html.find(r#"id="r-script""#).unwrap();
        let error = html.find(r#"id="r-script-error""#).unwrap();
        let fixtures = html.find(r#"id="r-fixtures""#).unwrap();
        assert!(textarea < error && error < fixtures);
        assert!(html.contains(r#"data-line="2" data-column="9""#));
        assert!(html.contains("line 2, column 9</strong>: Syntax error (expecting an expression)"));
        assert!(html.contains("let b = ;\n        ^"));
        assert!(!html.contains(crate::MISSING));
    }
}
