//! Exports as Excel workbooks on the production path (PostgreSQL, Redis,
//! the API and the worker as separate processes): the XLSX of people and
//! of findings holds, cell for cell, what the JSON export of the same
//! list holds; a formula-looking name stays text; the answers say what
//! file they are; an unknown list and a role that may not read the list
//! are refused as the CSV and JSON exports refuse them.

use super::records::{adopt_library, gift_body, iin, start_with, tenant};
use adal_blackbox::*;
use anyhow::Result;
use calamine::{Data, Reader, Xlsx};
use serde_json::json;
use std::io::Cursor;
use std::time::Duration;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The one sheet of a workbook as text, row by row: strings as they are,
/// numbers as the JSON export writes them (`4`, `180000.5`), blanks
/// empty. Fails if any cell is a formula.
fn sheet_rows(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<String>> {
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an XLSX file");
    assert_eq!(book.sheet_names(), vec![sheet.to_owned()]);
    let formulas = book.worksheet_formula(sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell may be a formula: {formulas:?}"
    );
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect()
}

/// The XLSX of `list` must equal its JSON export: the same header (the
/// JSON keys), the same rows in the same order, the same text in every
/// cell. Returns the rows.
async fn xlsx_matches_json(api: &Api, token: &str, tid: &str, list: &str) -> Vec<Vec<String>> {
    let (status, headers, bytes) = api
        .get_file(token, &format!("/tenants/{tid}/exports/xlsx/{list}"))
        .await
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], XLSX);
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"{list}.xlsx\"").as_str()
    );
    let rows = sheet_rows(bytes, list);
    let json = api
        .get(token, &format!("/tenants/{tid}/exports/json/{list}"))
        .await
        .unwrap();
    assert_eq!(
        json.headers["content-disposition"],
        format!("attachment; filename=\"{list}.json\"").as_str()
    );
    let items = json.body.as_array().unwrap();
    assert_eq!(rows.len(), items.len() + 1, "header and one row each");
    let header = &rows[0];
    for (row, item) in rows[1..].iter().zip(items) {
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), header.len(), "{item}");
        for (h, cell) in header
            .iter()
            .zip(row.iter().chain(std::iter::repeat(&String::new())))
        {
            assert_eq!(
                item[h].as_str(),
                Some(cell.as_str()),
                "{list}: {h} of {item}"
            );
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn xlsx_exports_hold_what_the_json_exports_hold() -> Result<()> {
    let run = start_with(&[]).await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "qazexport", "09054000111").await?;
    let tid = &t.id;
    adopt_library(api, &t, json!({})).await?;
    // People, one with a name planted to run as a formula.
    let planted = "=HYPERLINK(\"http://evil.example\",\"open\")";
    for (first, name) in [("85050540001", "Serik Abdiuly"), ("90021540002", planted)] {
        let r = api
            .post(
                &t.hr,
                &format!("/tenants/{tid}/people"),
                &json!({"iin": iin(first), "full_name": name, "department_id": t.department_id,
                        "position_id": t.high_risk_position, "started_on": "2020-01-15"}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    // A gift over the library's limit gives a finding.
    let r = api
        .post(&t.employee, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    api.get_until(
        &t.compliance,
        &format!("/tenants/{tid}/findings"),
        Duration::from_secs(60),
        "a finding",
        |b| b["total"].as_u64().is_some_and(|n| n > 0),
    )
    .await?;

    let people = xlsx_matches_json(api, &t.admin, tid, "people").await;
    assert_eq!(
        people[0],
        [
            "iin",
            "full_name",
            "department_id",
            "position_id",
            "started_on",
            "ended_on"
        ]
    );
    assert_eq!(people.len(), 3, "{people:?}");
    // The planted formula is the name as typed, a string cell; the CSV
    // neutralises it with an apostrophe instead.
    assert!(people.iter().any(|r| r[1] == planted), "{people:?}");
    let csv = api
        .get(&t.admin, &format!("/tenants/{tid}/exports/csv/people"))
        .await?;
    assert!(csv.text.contains("\"'=HYPERLINK("), "{}", csv.text);
    assert_eq!(
        csv.headers["content-disposition"],
        "attachment; filename=\"people.csv\""
    );

    let findings = xlsx_matches_json(api, &t.compliance, tid, "findings").await;
    assert_eq!(findings[0][0], "id");
    assert!(findings.len() >= 2, "{findings:?}");
    // Scores are numbers in the workbook (read back as "4", not "4.0").
    let likelihood = findings[0].iter().position(|h| h == "likelihood").unwrap();
    let (_, _, bytes) = api
        .get_file(
            &t.compliance,
            &format!("/tenants/{tid}/exports/xlsx/findings"),
        )
        .await?;
    let mut book = Xlsx::new(Cursor::new(bytes))?;
    let range = book.worksheet_range("findings")?;
    assert!(
        matches!(
            range.get_value((1, likelihood as u32)),
            Some(Data::Float(_))
        ),
        "{:?}",
        range.get_value((1, likelihood as u32))
    );

    // Refusals as in the other formats: an unknown list names itself, a
    // role that may not read people is refused, another tenant is 404.
    let r = api
        .get(&t.admin, &format!("/tenants/{tid}/exports/xlsx/horses"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(r.text.contains("horses"), "{}", r.text);
    let r = api
        .get(&t.employee, &format!("/tenants/{tid}/exports/xlsx/people"))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let other = uuid::Uuid::now_v7();
    let r = api
        .get(&t.admin, &format!("/tenants/{other}/exports/xlsx/people"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    // An employee's findings export holds only what they may read.
    let mine = xlsx_matches_json(api, &t.employee2, tid, "findings").await;
    assert_eq!(mine.len(), 1, "only the header: {mine:?}");
    Ok(())
}
