//! The asset, liability, income and property declaration form.
//!
//! A declaration holds lists of items (real estate, vehicles, …), so it is
//! not a flat form spec like the other filings. Without JavaScript a form cannot
//! grow rows in the browser, so each section shows a number of rows that
//! travels with the form (`<section>.rows`), and its "add a row" button
//! posts the form back to be drawn again with one more, keeping what was
//! typed. A row whose cells are all blank is not part of the declaration.
//!
//! The fields are named `<section>.<row>.<column>`. The domain's errors
//! name JSON pointers into the declaration (`/income/1/amount_kzt`), whose
//! index counts only the filled rows; [`field_of`] turns a pointer back
//! into the name of the input it is about.

use crate::i18n::Tr;
use crate::kit::{error_summary, error_text, value};
use adal_domain::FieldError;
use adal_domain::records::declaration::{
    Account, AssetDeclaration, Income, Liability, RealEstate, Security, Vehicle,
};
use maud::{Markup, html};
use std::collections::HashMap;

/// How a cell is typed in and sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// One of fixed values; an option's label is `decl-opt-<value>`.
    Choice(&'static [&'static str]),
    Text(usize),
    /// Tenge: digits with group spaces allowed, up to two decimals.
    Money,
    Date,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The JSON member name; its label is `decl-f-<name>`.
    pub name: &'static str,
    pub cell: Cell,
    /// Sent even when blank, so that the domain reports it as empty.
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The JSON member name; its heading is `decl-s-<name>`.
    pub name: &'static str,
    pub columns: &'static [Column],
    /// Checks one row on its own, so that every row's first error is
    /// shown at once (a whole declaration stops at its first bad value).
    check_row: fn(&serde_json::Value) -> Option<FieldError>,
}

const fn col(name: &'static str, cell: Cell, required: bool) -> Column {
    Column {
        name,
        cell,
        required,
    }
}

fn row_error<T: serde::de::DeserializeOwned>(row: &serde_json::Value) -> Option<FieldError> {
    adal_domain::parse::from_json_value::<T>(row).err()
}

const BIN: Cell = Cell::Text(12);

/// The sections, in the order of the form.
pub const SECTIONS: [Section; 6] = [
    Section {
        name: "real_estate",
        columns: &[
            col(
                "kind",
                Cell::Choice(&["apartment", "house", "land", "commercial", "other"]),
                true,
            ),
            col("address", Cell::Text(2000), true),
            col("ownership_share", Cell::Text(6), false),
            col("acquired_on", Cell::Date, false),
            col("value_kzt", Cell::Money, true),
        ],
        check_row: row_error::<RealEstate>,
    },
    Section {
        name: "vehicles",
        columns: &[
            col(
                "kind",
                Cell::Choice(&["car", "truck", "motorcycle", "boat", "aircraft", "other"]),
                true,
            ),
            col("make_model", Cell::Text(300), true),
            col("registration", Cell::Text(100), false),
            col("acquired_on", Cell::Date, false),
            col("value_kzt", Cell::Money, true),
        ],
        check_row: row_error::<Vehicle>,
    },
    Section {
        name: "securities",
        columns: &[
            col(
                "kind",
                Cell::Choice(&["shares", "bonds", "fund_units", "other"]),
                true,
            ),
            col("issuer_name", Cell::Text(300), true),
            col("issuer_bin", BIN, false),
            col("value_kzt", Cell::Money, true),
        ],
        check_row: row_error::<Security>,
    },
    Section {
        name: "accounts",
        columns: &[
            col("bank_name", Cell::Text(300), true),
            col("bank_bin", BIN, false),
            col("currency", Cell::Text(3), true),
            col("balance_kzt", Cell::Money, true),
        ],
        check_row: row_error::<Account>,
    },
    Section {
        name: "liabilities",
        columns: &[
            col(
                "kind",
                Cell::Choice(&["loan", "mortgage", "private_loan", "guarantee", "other"]),
                true,
            ),
            col("creditor_name", Cell::Text(300), true),
            col("creditor_bin", BIN, false),
            col("creditor_iin", BIN, false),
            col("amount_kzt", Cell::Money, true),
        ],
        check_row: row_error::<Liability>,
    },
    Section {
        name: "income",
        columns: &[
            col(
                "source",
                Cell::Choice(&[
                    "salary",
                    "business",
                    "rental",
                    "investment",
                    "gift",
                    "inheritance",
                    "sale_of_property",
                    "other",
                ]),
                true,
            ),
            col("payer_name", Cell::Text(300), true),
            col("payer_bin", BIN, false),
            col("payer_iin", BIN, false),
            col("amount_kzt", Cell::Money, true),
        ],
        check_row: row_error::<Income>,
    },
];

/// Rows a section shows on an empty form.
pub const DEFAULT_ROWS: usize = 1;
/// Rows a section can show; the domain allows 200 items, a form of more
/// than this is better filed through the API.
pub const MAX_FORM_ROWS: usize = 50;

type Values = HashMap<String, String>;

/// The input name of a cell.
pub fn cell_name(section: &str, row: usize, column: &str) -> String {
    format!("{section}.{row}.{column}")
}

/// How many rows `section` shows: what the form carried, within bounds.
pub fn rows_of(values: &Values, section: &str) -> usize {
    values
        .get(&format!("{section}.rows"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(DEFAULT_ROWS)
        .clamp(1, MAX_FORM_ROWS)
}

/// The form values with one more row in `section` (the "add a row"
/// button); an unknown section changes nothing.
pub fn with_row_added(mut values: Values, section: &str) -> Values {
    if SECTIONS.iter().any(|s| s.name == section) {
        let n = (rows_of(&values, section) + 1).min(MAX_FORM_ROWS);
        values.insert(format!("{section}.rows"), n.to_string());
    }
    values
}

/// Money as typed (`1 250 000,50` or `1,250,000.50` are not guessed at:
/// only group spaces are removed, the domain judges the rest).
fn money(s: &str) -> String {
    s.replace([' ', '\u{a0}', '\u{202f}'], "")
}

/// The form's values for a declaration on file, to correct it: the
/// inverse of [`build`]. `None` when a section holds more items than the
/// form shows ([`MAX_FORM_ROWS`]): such a declaration is corrected through
/// the API, never by a form that would drop rows.
pub fn values_of(payload: &serde_json::Value) -> Option<Values> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut values = Values::new();
    for head in ["year", "person_iin"] {
        if let Some(v) = payload.get(head) {
            values.insert(head.to_owned(), text(v));
        }
    }
    for s in &SECTIONS {
        let items = payload
            .get(s.name)
            .and_then(serde_json::Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        if items.len() > MAX_FORM_ROWS {
            return None;
        }
        for (r, item) in items.iter().enumerate() {
            for c in s.columns {
                if let Some(v) = item.get(c.name) {
                    values.insert(cell_name(s.name, r, c.name), text(v));
                }
            }
        }
        values.insert(
            format!("{}.rows", s.name),
            items.len().max(DEFAULT_ROWS).to_string(),
        );
    }
    Some(values)
}

/// The declaration as JSON, and for each section which form row each of
/// its items came from.
#[derive(Debug)]
pub struct Built {
    pub body: serde_json::Value,
    pub rows: HashMap<&'static str, Vec<usize>>,
}

pub fn build(values: &Values) -> Built {
    let mut body = serde_json::Map::new();
    let year = value(values, "year");
    body.insert(
        "year".into(),
        match year.parse::<i64>() {
            Ok(n) => n.into(),
            // Sent as text so that the domain reports it at /year.
            Err(_) => year.into(),
        },
    );
    body.insert("person_iin".into(), value(values, "person_iin").into());
    let mut rows = HashMap::new();
    for s in &SECTIONS {
        let mut items = Vec::new();
        let mut from = Vec::new();
        for r in 0..rows_of(values, s.name) {
            let cells: Vec<(&Column, &str)> = s
                .columns
                .iter()
                .map(|c| (c, value(values, &cell_name(s.name, r, c.name))))
                .collect();
            if cells.iter().all(|(_, v)| v.is_empty()) {
                continue;
            }
            let mut item = serde_json::Map::new();
            for (c, v) in cells {
                if v.is_empty() && !c.required {
                    continue;
                }
                let v = if c.cell == Cell::Money {
                    money(v)
                } else {
                    v.to_owned()
                };
                item.insert(c.name.into(), v.into());
            }
            items.push(serde_json::Value::Object(item));
            from.push(r);
        }
        body.insert(s.name.into(), items.into());
        rows.insert(s.name, from);
    }
    Built {
        body: serde_json::Value::Object(body),
        rows,
    }
}

/// The input a JSON pointer of the declaration is about: `/year`,
/// `/income/1/amount_kzt` → `income.<form row>.amount_kzt`. An item
/// without a member (`/income/1`) is its row's first cell. `None` for a
/// pointer that names no input (a whole section, or the whole body).
pub fn field_of(pointer: &str, rows: &HashMap<&'static str, Vec<usize>>) -> Option<String> {
    let mut parts = pointer.strip_prefix('/')?.split('/');
    let head = parts.next()?;
    if head == "year" || head == "person_iin" {
        return Some(head.to_owned());
    }
    let section = SECTIONS.iter().find(|s| s.name == head)?;
    let index: usize = parts.next()?.parse().ok()?;
    let row = *rows.get(section.name)?.get(index)?;
    let column = match parts.next() {
        Some(c) => section.columns.iter().find(|x| x.name == c)?.name,
        None => section.columns.first()?.name,
    };
    Some(cell_name(section.name, row, column))
}

/// An error located on the form: the input's name, or `None` for the
/// form as a whole.
#[derive(Debug, Clone)]
pub struct FormError {
    pub field: Option<String>,
    pub error: FieldError,
}

pub fn locate(errors: Vec<FieldError>, rows: &HashMap<&'static str, Vec<usize>>) -> Vec<FormError> {
    errors
        .into_iter()
        .map(|e| FormError {
            field: field_of(&e.pointer, rows),
            error: e,
        })
        .collect()
}

/// Checks the form with the domain's rules. Every filled row is checked
/// on its own first, so all rows' errors show at once; then the whole
/// declaration (the year, the IIN, the cross-field checks).
pub fn validate(
    values: &Values,
    today: chrono::NaiveDate,
) -> Result<(serde_json::Value, Built), Vec<FormError>> {
    let built = build(values);
    let mut errors = Vec::new();
    for s in &SECTIONS {
        let items = built
            .body
            .get(s.name)
            .and_then(|v| v.as_array())
            .map_or(&[][..], Vec::as_slice);
        for (i, item) in items.iter().enumerate() {
            if let Some(e) = (s.check_row)(item) {
                errors.push(FieldError::new(
                    format!("/{}/{i}{}", s.name, e.pointer),
                    e.message,
                ));
            }
        }
    }
    if !errors.is_empty() {
        // The year and the IIN checked too, on an otherwise empty body.
        let mut head = serde_json::Map::new();
        for k in ["year", "person_iin"] {
            if let Some(v) = built.body.get(k) {
                head.insert(k.into(), v.clone());
            }
        }
        if let Err(es) = adal_domain::records::parse_value::<AssetDeclaration>(
            &serde_json::Value::Object(head),
            today,
        ) {
            errors.splice(0..0, es);
        }
        return Err(locate(errors, &built.rows));
    }
    match adal_domain::records::parse_value::<AssetDeclaration>(&built.body, today) {
        Ok(d) => match serde_json::to_value(d) {
            Ok(v) => Ok((v, built)),
            Err(e) => Err(vec![FormError {
                field: None,
                error: FieldError::new("", e.to_string()),
            }]),
        },
        Err(es) => Err(locate(es, &built.rows)),
    }
}

/// One input of the form.
struct Input<'a> {
    id: &'a str,
    name: &'a str,
    cell: Cell,
    value: &'a str,
    label: &'a str,
    required: bool,
}

fn input(tr: &Tr, i: &Input<'_>, errs: &[String]) -> Markup {
    let Input {
        id,
        name,
        cell,
        value,
        label,
        required,
    } = *i;
    let err_id = format!("{id}-error");
    let invalid = !errs.is_empty();
    html! {
        div class={ "field" @if invalid { " invalid" } } {
            label for=(id) { (label) @if required { " " abbr title=(tr.t("required")) { "*" } } }
            @match cell {
                Cell::Choice(options) => {
                    select id=(id) name=(name)
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=[invalid.then_some(&err_id)] {
                        option value="" { (tr.t("decl-choose")) }
                        @for o in options {
                            option value=(o) selected[value == *o] { (tr.t(&format!("decl-opt-{o}"))) }
                        }
                    }
                }
                Cell::Date => {
                    input type="date" id=(id) name=(name) value=(value)
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=[invalid.then_some(&err_id)];
                }
                Cell::Money => {
                    input type="text" inputmode="decimal" id=(id) name=(name) value=(value)
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=[invalid.then_some(&err_id)];
                }
                Cell::Text(max) => {
                    input type="text" id=(id) name=(name) value=(value) maxlength=(max)
                        aria-invalid=[invalid.then_some("true")]
                        aria-describedby=[invalid.then_some(&err_id)];
                }
            }
            @if invalid {
                p class="field-error" id=(err_id) data-field=(name) { @for e in errs { (e) " " } }
            }
        }
    }
}

/// The form with what was typed, and each error beside its input.
pub fn render(tr: &Tr, action: &str, csrf: &str, values: &Values, errors: &[FormError]) -> Markup {
    let errs_for = |name: &str| -> Vec<String> {
        errors
            .iter()
            .filter(|e| e.field.as_deref() == Some(name))
            .map(|e| error_text(tr, &e.error))
            .collect()
    };
    let orphans: Vec<String> = errors
        .iter()
        .filter(|e| e.field.is_none())
        .map(|e| error_text(tr, &e.error))
        .collect();
    html! {
        (error_summary(tr, !errors.is_empty(), &orphans))
        form method="post" action=(action) class="filing declaration" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            (input(tr, &Input { id: "d-year", name: "year", cell: Cell::Text(4), value: value(values, "year"), label: &tr.t("decl-year"), required: true }, &errs_for("year")))
            (input(tr, &Input { id: "d-person_iin", name: "person_iin", cell: BIN, value: value(values, "person_iin"), label: &tr.t("decl-person-iin"), required: true }, &errs_for("person_iin")))
            @for s in &SECTIONS {
                @let rows = rows_of(values, s.name);
                section class="decl-section" id={ "s-" (s.name) } {
                    h2 { (tr.t(&format!("decl-s-{}", s.name))) }
                    input type="hidden" name={ (s.name) ".rows" } value=(rows);
                    @for r in 0..rows {
                        fieldset class="decl-row" data-row=(r) {
                            legend { (tr.t_args("decl-row", &[("n", (r + 1).to_string().into())])) }
                            @for c in s.columns {
                                @let name = cell_name(s.name, r, c.name);
                                (input(tr, &Input {
                                    id: &format!("d-{}-{r}-{}", s.name, c.name),
                                    name: &name,
                                    cell: c.cell,
                                    value: value(values, &name),
                                    label: &tr.t(&format!("decl-f-{}", c.name)),
                                    required: c.required,
                                }, &errs_for(&name)))
                            }
                        }
                    }
                    @if rows < MAX_FORM_ROWS {
                        button type="submit" class="secondary" name="add" value=(s.name) id={ "add-" (s.name) } { (tr.t("decl-add-row")) }
                    }
                }
            }
            p class="hint" { (tr.t("decl-blank-rows")) }
            button type="submit" id="decl-submit" { (tr.t("decl-submit")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn form(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn iin() -> String {
        adal_domain::with_check_digit("90010130001").unwrap()
    }

    #[test]
    fn blank_rows_are_skipped_and_pointers_map_back_to_their_rows() {
        let iin = iin();
        let values = form(&[
            ("year", "2025"),
            ("person_iin", &iin),
            ("income.rows", "3"),
            // Row 0 left blank: the first item is form row 1.
            ("income.1.source", "salary"),
            ("income.1.payer_name", "Employer"),
            ("income.1.amount_kzt", "9 600 000"),
            ("income.2.source", "rental"),
            ("income.2.payer_name", "Tenant"),
            ("income.2.amount_kzt", "1.005"),
        ]);
        let b = build(&values);
        assert_eq!(b.rows["income"], [1, 2]);
        assert_eq!(b.body["income"][0]["amount_kzt"], "9600000");
        // Optional cells left blank are not sent.
        assert!(b.body["income"][0].get("payer_bin").is_none());
        assert_eq!(b.body["year"], 2025);
        assert_eq!(
            field_of("/income/1/amount_kzt", &b.rows).as_deref(),
            Some("income.2.amount_kzt")
        );
        assert_eq!(
            field_of("/income/0", &b.rows).as_deref(),
            Some("income.1.source")
        );
        assert_eq!(field_of("/year", &b.rows).as_deref(), Some("year"));
        for nowhere in [
            "/income",
            "/income/7/amount_kzt",
            "/income/0/nope",
            "",
            "/x/0",
        ] {
            assert_eq!(field_of(nowhere, &b.rows), None, "{nowhere}");
        }
        let errors = validate(&values, today()).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field.as_deref(), Some("income.2.amount_kzt"));
        assert_eq!(
            crate::kit::errors::error_key(&errors[0].error),
            Some("err-money")
        );
    }

    #[test]
    fn every_bad_row_is_reported_at_once_with_the_head() {
        let values = form(&[
            ("year", "2026"),
            ("person_iin", "123"),
            ("real_estate.0.kind", "apartment"),
            ("real_estate.0.address", "Astana"),
            ("real_estate.0.value_kzt", "lots"),
            ("vehicles.0.kind", "spaceship"),
            ("vehicles.0.make_model", "X"),
            ("vehicles.0.value_kzt", "1"),
            ("accounts.0.bank_name", "Halyk"),
            ("accounts.0.currency", "USD"),
            ("accounts.0.balance_kzt", ""),
        ]);
        let errors = validate(&values, today()).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                // The year and the IIN stop at the first bad one, as a
                // whole declaration does; every row is reported.
                Some("person_iin"),
                Some("real_estate.0.value_kzt"),
                Some("vehicles.0.kind"),
                Some("accounts.0.balance_kzt"),
            ],
            "{errors:?}"
        );
        for e in &errors {
            assert!(
                crate::kit::errors::error_key(&e.error).is_some(),
                "no key for {e:?}"
            );
        }
    }

    #[test]
    fn a_good_declaration_passes_and_cross_field_checks_are_located() {
        let iin = iin();
        let mut values = form(&[
            ("year", "2025"),
            ("person_iin", &iin),
            ("accounts.0.bank_name", "Halyk"),
            ("accounts.0.currency", "usd"),
            ("accounts.0.balance_kzt", "500000.50"),
        ]);
        let errors = validate(&values, today()).unwrap_err();
        assert_eq!(errors[0].field.as_deref(), Some("accounts.0.currency"));
        assert_eq!(
            crate::kit::errors::error_key(&errors[0].error),
            Some("err-currency")
        );
        values.insert("accounts.0.currency".into(), "USD".into());
        let (payload, _) = validate(&values, today()).unwrap();
        assert_eq!(payload["accounts"][0]["balance_kzt"], "500000.50");
        assert_eq!(payload["real_estate"], serde_json::json!([]));
    }

    #[test]
    fn a_declaration_on_file_fills_the_form_that_files_it_again() {
        let values = form(&[
            ("year", "2025"),
            ("person_iin", &iin()),
            ("income.rows", "3"),
            ("income.0.source", "salary"),
            ("income.0.payer_name", "Demo Energy JSC"),
            ("income.0.amount_kzt", "7200000"),
            ("income.2.source", "rental"),
            ("income.2.payer_name", "A tenant"),
            ("income.2.amount_kzt", "1200000.00"),
            ("real_estate.0.kind", "apartment"),
            ("real_estate.0.address", "Astana"),
            ("real_estate.0.value_kzt", "45000000"),
            ("real_estate.0.ownership_share", "50"),
        ]);
        let built = build(&values);
        let again = values_of(&built.body).unwrap();
        // The blank middle row is gone; what was filed comes back, and
        // files the same declaration.
        assert_eq!(again.get("income.rows").map(String::as_str), Some("2"));
        assert_eq!(
            again.get("income.1.payer_name").map(String::as_str),
            Some("A tenant")
        );
        assert_eq!(again.get("vehicles.rows").map(String::as_str), Some("1"));
        assert_eq!(build(&again).body, built.body);
        // More items than the form shows: not for the form.
        let many: Vec<serde_json::Value> = (0..MAX_FORM_ROWS + 1)
            .map(|i| serde_json::json!({"source": "salary", "payer_name": format!("P{i}"), "amount_kzt": "1"}))
            .collect();
        assert!(values_of(&serde_json::json!({"year": 2025, "income": many})).is_none());
    }

    #[test]
    fn rows_grow_within_bounds() {
        let v = with_row_added(Values::new(), "vehicles");
        assert_eq!(rows_of(&v, "vehicles"), 2);
        assert_eq!(rows_of(&v, "income"), DEFAULT_ROWS);
        let v = with_row_added(form(&[("income.rows", "9999")]), "income");
        assert_eq!(rows_of(&v, "income"), MAX_FORM_ROWS);
        let v = with_row_added(Values::new(), "no_such_section");
        assert!(v.is_empty());
    }

    #[test]
    fn the_form_keeps_values_and_shows_errors_by_their_inputs() {
        let tr = Tr::new(Lang::En);
        let values = form(&[
            ("vehicles.rows", "2"),
            ("vehicles.1.make_model", "<i>Lada</i>"),
        ]);
        let errors = vec![FormError {
            field: Some("vehicles.1.value_kzt".into()),
            error: FieldError::new("/vehicles/0/value_kzt", "must not be negative"),
        }];
        let html = render(&tr, "/x", "tok", &values, &errors).into_string();
        assert!(html.contains("&lt;i&gt;Lada&lt;/i&gt;"));
        assert!(
            html.contains(r#"id="d-vehicles-1-value_kzt-error" data-field="vehicles.1.value_kzt""#)
        );
        assert!(html.contains(r#"aria-describedby="d-vehicles-1-value_kzt-error""#));
        assert!(html.contains(r#"name="vehicles.rows" value="2""#));
        assert!(!html.contains(crate::i18n::MISSING), "{html}");
        // Every input has its label.
        for s in &SECTIONS {
            for c in s.columns {
                assert!(html.contains(&format!(r#"for="d-{}-0-{}""#, s.name, c.name)));
            }
        }
    }
}
