//! Procurement as OCDS compiled releases, and the packaging OCDS data
//! arrives in (release packages, record packages, JSON lines).
//!
//! A compiled release is kept whole: OCDS is meant to be extended, so
//! unknown fields are data, not mistakes, and refusing them would refuse
//! real publications. The fields Adal reads are checked where they are,
//! except dates: publications carry malformed dates (the conformance
//! fixtures include `"invalid"`), and like cardinal, Adal keeps them as
//! published and reads them as absent.

use super::{Checks, Kind, Record};
use crate::{Bin, FieldError, Iin, Text};
use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The org-id.guide scheme of Kazakhstan's business identification numbers.
pub const SCHEME_BIN: &str = "KZ-BIN";
/// Adal's scheme for individuals' identification numbers (sole traders and
/// committee members are people).
pub const SCHEME_IIN: &str = "KZ-IIN";

/// One contracting process, as the merge of its releases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompiledRelease {
    pub ocid: Text<200>,
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

impl JsonSchema for CompiledRelease {
    fn schema_name() -> Cow<'static, str> {
        "CompiledRelease".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let money = json!({"type": "object", "properties": {"amount": {"type": "number", "minimum": 0}, "currency": {"type": "string"}}});
        let org_ref = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}});
        let date = json!({"type": "string", "format": "date-time"});
        json_schema!({
            "description": "An OCDS compiled release. Other OCDS fields and extensions are accepted and kept; the fields listed are checked. Parties identified with scheme KZ-BIN (or KZ-IIN) have their check digit verified and are matched to the tenant's people and organisations.",
            "type": "object",
            "required": ["ocid"],
            "additionalProperties": true,
            "properties": {
                "ocid": {"type": "string", "minLength": 1, "maxLength": 200},
                "date": date,
                "buyer": org_ref,
                "parties": {"type": "array", "items": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"},
                    "identifier": {"type": "object", "properties": {"scheme": {"type": "string"}, "id": {"type": "string"}}},
                    "roles": {"type": "array", "items": {"type": "string"}}
                }}},
                "tender": {"type": "object", "properties": {
                    "id": {"type": "string"}, "status": {"type": "string"},
                    "procurementMethod": {"type": "string"}, "procurementMethodDetails": {"type": "string"},
                    "value": money, "procuringEntity": org_ref,
                    "tenderPeriod": {"type": "object", "properties": {"startDate": date, "endDate": date}},
                    "committee": {"type": "array", "description": "Adal extension: the tender committee's members.", "items": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "iin": {"type": "string", "pattern": "^[0-9]{12}$"}, "role": {"type": "string"}
                    }}}
                }},
                "bids": {"type": "object", "properties": {"details": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": ["string", "integer"]}, "status": {"type": "string"}, "date": date, "value": money,
                    "tenderers": {"type": "array", "items": org_ref}
                }}}}},
                "awards": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": ["string", "integer"]}, "status": {"type": "string"}, "date": date, "value": money,
                    "suppliers": {"type": "array", "items": org_ref}
                }}},
                "contracts": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": ["string", "integer"]}, "status": {"type": "string"}, "value": money, "dateSigned": date
                }}}
            }
        })
    }
}

use serde_json::json;

fn at<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object().and_then(|o| o.get(key))
}

fn items<'a>(
    c: &mut Checks,
    v: Option<&'a Value>,
    pointer: &str,
) -> Vec<(String, &'a Map<String, Value>)> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, x)| match x {
                Value::Object(o) => Some((format!("{pointer}/{i}"), o)),
                _ => {
                    c.fail(format!("{pointer}/{i}"), "ocds.type", "must be an object");
                    None
                }
            })
            .collect(),
        Some(_) => {
            c.fail(pointer, "ocds.type", "must be an array");
            Vec::new()
        }
    }
}

fn check_object(c: &mut Checks, v: Option<&Value>, pointer: &str) {
    if let Some(x) = v
        && !x.is_object()
        && !x.is_null()
    {
        c.fail(pointer, "ocds.type", "must be an object");
    }
}

fn check_money(c: &mut Checks, o: &Map<String, Value>, pointer: &str) {
    let Some(value) = o.get("value") else { return };
    check_object(c, Some(value), &format!("{pointer}/value"));
    match at(value, "amount") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f >= 0.0) => {}
        Some(_) => c.fail(
            format!("{pointer}/value/amount"),
            "ocds.amount",
            "must be a number, not negative",
        ),
    }
}

impl Record for CompiledRelease {
    const KIND: Kind = Kind::Procurement;

    fn check(&self, _today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        check_object(&mut c, self.rest.get("buyer"), "/buyer");
        for (p, party) in items(&mut c, self.rest.get("parties"), "/parties") {
            if !party
                .get("id")
                .is_some_and(|i| i.is_string() || i.is_number())
            {
                c.fail(
                    format!("{p}/id"),
                    "field.required",
                    "every party needs an id",
                );
            }
            let ident = party.get("identifier");
            check_object(&mut c, ident, &format!("{p}/identifier"));
            let scheme = ident.and_then(|i| at(i, "scheme")).and_then(Value::as_str);
            let id = ident.and_then(|i| at(i, "id")).and_then(Value::as_str);
            match (scheme, id) {
                (Some(SCHEME_BIN), Some(id)) => {
                    if let Err(e) = Bin::parse(id) {
                        c.fail(
                            format!("{p}/identifier/id"),
                            e.bin_code(),
                            format!("invalid BIN: {e}"),
                        );
                    }
                }
                (Some(SCHEME_IIN), Some(id)) => {
                    if let Err(e) = Iin::parse(id) {
                        c.fail(
                            format!("{p}/identifier/id"),
                            e.iin_code(),
                            format!("invalid IIN: {e}"),
                        );
                    }
                }
                (Some(SCHEME_BIN | SCHEME_IIN), None) => {
                    c.fail(
                        format!("{p}/identifier/id"),
                        "field.required",
                        "required with a KZ scheme",
                    );
                }
                _ => {}
            }
        }
        if let Some(tender) = self.rest.get("tender") {
            check_object(&mut c, Some(tender), "/tender");
            if let Some(t) = tender.as_object() {
                check_money(&mut c, t, "/tender");

                for (p, m) in items(&mut c, t.get("committee"), "/tender/committee") {
                    if !m.get("name").is_some_and(Value::is_string) {
                        c.fail(
                            format!("{p}/name"),
                            "field.required",
                            "a committee member needs a name",
                        );
                    }
                    match m.get("iin") {
                        None | Some(Value::Null) => {}
                        Some(Value::String(s)) => {
                            if let Err(e) = Iin::parse(s) {
                                c.fail(
                                    format!("{p}/iin"),
                                    e.iin_code(),
                                    format!("invalid IIN: {e}"),
                                );
                            }
                        }
                        Some(_) => c.fail(format!("{p}/iin"), "ocds.type", "must be a string"),
                    }
                }
            }
        }
        if let Some(bids) = self.rest.get("bids") {
            check_object(&mut c, Some(bids), "/bids");
            for (p, b) in items(&mut c, at(bids, "details"), "/bids/details") {
                check_money(&mut c, b, &p);
                items(&mut c, b.get("tenderers"), &format!("{p}/tenderers"));
            }
        }
        for (p, a) in items(&mut c, self.rest.get("awards"), "/awards") {
            check_money(&mut c, a, &p);
            items(&mut c, a.get("suppliers"), &format!("{p}/suppliers"));
        }
        for (p, k) in items(&mut c, self.rest.get("contracts"), "/contracts") {
            check_money(&mut c, k, &p);
        }
        c.done()
    }
}

/// What Adal indexes of a contracting process to find and match it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Summary {
    pub ocid: String,
    pub title: Option<String>,
    pub buyer_id: Option<String>,
    pub buyer_name: Option<String>,
    pub status: Option<String>,
    pub method: Option<String>,
    pub value_amount: Option<String>,
    pub currency: Option<String>,
    pub tender_end: Option<String>,
    /// BINs (scheme KZ-BIN) of tenderers and suppliers, sorted, unique.
    pub counterparty_bins: Vec<String>,
    /// IINs of committee members and individual parties.
    pub person_iins: Vec<String>,
}

fn s(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl CompiledRelease {
    /// The fields Adal lists and filters procurements by, and the
    /// identifiers it matches parties with.
    pub fn summary(&self) -> Summary {
        let r = &self.rest;
        let tender = r.get("tender");
        let mut bins = Vec::new();
        let mut iins = Vec::new();
        // Parties identified by BIN whose roles make them counterparties.
        let mut party_bin = std::collections::HashMap::new();
        for p in r
            .get("parties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let scheme = p
                .get("identifier")
                .and_then(|i| at(i, "scheme"))
                .and_then(Value::as_str);
            let Some(id) = p.get("identifier").and_then(|i| s(at(i, "id"))) else {
                continue;
            };
            match scheme {
                Some(SCHEME_BIN) => {
                    if let Some(pid) = s(p.get("id")) {
                        party_bin.insert(pid, id.clone());
                    }
                    let roles = p.get("roles").and_then(Value::as_array);
                    if roles.is_some_and(|rs| {
                        rs.iter()
                            .any(|x| matches!(x.as_str(), Some("tenderer" | "supplier")))
                    }) {
                        bins.push(id);
                    }
                }
                Some(SCHEME_IIN) => iins.push(id),
                _ => {}
            }
        }
        let mut via_ref = |org: &Value| {
            if let Some(b) = s(org.get("id")).and_then(|id| party_bin.get(&id).cloned()) {
                bins.push(b);
            }
        };
        for b in r
            .get("bids")
            .and_then(|b| at(b, "details"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for t in b
                .get("tenderers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                via_ref(t);
            }
        }
        for a in r
            .get("awards")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for t in a
                .get("suppliers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                via_ref(t);
            }
        }
        for m in tender
            .and_then(|t| at(t, "committee"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(i) = s(m.get("iin")) {
                iins.push(i);
            }
        }
        bins.sort();
        bins.dedup();
        iins.sort();
        iins.dedup();
        Summary {
            ocid: self.ocid.as_str().to_owned(),
            title: tender.and_then(|t| s(at(t, "title"))),
            buyer_id: r.get("buyer").and_then(|b| s(at(b, "id"))),
            buyer_name: r.get("buyer").and_then(|b| s(at(b, "name"))),
            status: tender.and_then(|t| s(at(t, "status"))),
            method: tender.and_then(|t| s(at(t, "procurementMethod"))),
            value_amount: tender
                .and_then(|t| at(t, "value"))
                .and_then(|v| s(at(v, "amount"))),
            currency: tender
                .and_then(|t| at(t, "value"))
                .and_then(|v| s(at(v, "currency"))),
            tender_end: tender
                .and_then(|t| at(t, "tenderPeriod"))
                .and_then(|p| s(at(p, "endDate"))),
            counterparty_bins: bins,
            person_iins: iins,
        }
    }
}

/// One item found in an OCDS upload: where it was, and the compiled
/// release (or why it could not be read).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// 1-based line for JSON lines, 1-based release or record number in a
    /// package.
    pub row: usize,
    pub release: Result<Value, FieldError>,
}

/// Reads an upload: a release package (releases of the same `ocid` are
/// merged in date order), a record package (each record's compiled release,
/// or the merge of its releases), a single compiled release, or JSON lines
/// of compiled releases. A package that does not parse is one error; JSON
/// lines are read line by line so that one bad line rejects only itself.
pub fn read_upload(data: &[u8]) -> Result<Vec<Item>, FieldError> {
    let text = std::str::from_utf8(data)
        .map_err(|e| FieldError::coded("", "body.not_utf8", format!("not UTF-8: {e}")))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        && let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(text)
    {
        if let Some(releases) = doc.get("releases") {
            let releases = releases.as_array().ok_or_else(|| {
                FieldError::coded("/releases", "shape.invalid_type", "must be an array")
            })?;
            return Ok(merge_releases(releases));
        }
        if let Some(records) = doc.get("records") {
            let records = records.as_array().ok_or_else(|| {
                FieldError::coded("/records", "shape.invalid_type", "must be an array")
            })?;
            return Ok(records
                .iter()
                .enumerate()
                .map(|(i, rec)| Item {
                    row: i + 1,
                    release: compiled_of_record(rec, i),
                })
                .collect());
        }
        if doc.contains_key("ocid") {
            return Ok(vec![Item {
                row: 1,
                release: Ok(Value::Object(doc)),
            }]);
        }
        return Err(FieldError::coded(
            "",
            "ocds.package",
            "a JSON object must be a release package (releases), a record package (records) or a compiled release (ocid)",
        ));
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Item {
            row: i + 1,
            release: serde_json::from_str::<Value>(l).map_err(|e| {
                FieldError::coded("", "shape.malformed_json", format!("malformed JSON: {e}"))
            }),
        })
        .collect())
}

fn compiled_of_record(rec: &Value, i: usize) -> Result<Value, FieldError> {
    if let Some(c) = at(rec, "compiledRelease") {
        return Ok(c.clone());
    }
    match at(rec, "releases").and_then(Value::as_array) {
        Some(rs) if !rs.is_empty() => {
            let mut sorted: Vec<&Value> = rs.iter().collect();
            sorted.sort_by_key(|a| date_of(a));
            let mut out = Value::Object(Map::new());
            for r in sorted {
                merge(&mut out, r);
            }
            Ok(out)
        }
        _ => Err(FieldError::coded(
            format!("/records/{i}"),
            "ocds.record",
            "a record needs a compiledRelease or embedded releases",
        )),
    }
}

fn date_of(v: &Value) -> String {
    s(at(v, "date")).unwrap_or_default()
}

fn merge_releases(releases: &[Value]) -> Vec<Item> {
    // Group by ocid, keeping the first row each ocid appeared at.
    let mut order: Vec<String> = Vec::new();
    let mut groups: std::collections::HashMap<String, (usize, Vec<&Value>)> = Default::default();
    let mut bad = Vec::new();
    for (i, r) in releases.iter().enumerate() {
        match at(r, "ocid").and_then(Value::as_str) {
            Some(ocid) => {
                let e = groups.entry(ocid.to_owned()).or_insert_with(|| {
                    order.push(ocid.to_owned());
                    (i + 1, Vec::new())
                });
                e.1.push(r);
            }
            None => bad.push(Item {
                row: i + 1,
                release: Err(FieldError::coded(
                    format!("/releases/{i}/ocid"),
                    "field.required",
                    "every release needs an ocid",
                )),
            }),
        }
    }
    let mut out: Vec<Item> = order
        .into_iter()
        .filter_map(|ocid| groups.remove(&ocid))
        .map(|(row, mut rs)| {
            rs.sort_by_key(|a| date_of(a));
            let mut compiled = Value::Object(Map::new());
            for r in rs {
                merge(&mut compiled, r);
            }
            Item {
                row,
                release: Ok(compiled),
            }
        })
        .collect();
    out.extend(bad);
    out.sort_by_key(|i| i.row);
    out
}

/// OCDS's merge: objects merge field by field, `null` removes a field,
/// arrays of objects with `id` merge item by item, other values replace.
fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                if v.is_null() {
                    t.remove(k);
                } else if let Some(existing) = t.get_mut(k) {
                    merge(existing, v);
                } else {
                    t.insert(k.clone(), v.clone());
                }
            }
        }
        (Value::Array(t), Value::Array(u))
            if u.iter().all(|x| at(x, "id").is_some()) && !u.is_empty() =>
        {
            for item in u {
                let id = at(item, "id");
                match t.iter_mut().find(|x| at(x, "id") == id) {
                    Some(existing) => merge(existing, item),
                    None => t.push(item.clone()),
                }
            }
        }
        (t, u) => *t = u.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::with_check_digit;
    use crate::records::parse_value;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    #[test]
    fn release_packages_merge_by_ocid_in_date_order() {
        let pkg = br#"{"releases":[
            {"ocid":"ocds-1","id":"2","date":"2026-02-01T00:00:00Z","tender":{"status":"complete"},"awards":[{"id":"a1","status":"active"}]},
            {"ocid":"ocds-1","id":"1","date":"2026-01-01T00:00:00Z","tender":{"status":"active","title":"Roads"},"awards":[{"id":"a1","status":"pending","value":{"amount":5}}]},
            {"ocid":"ocds-2","id":"1","date":"2026-01-01T00:00:00Z"}
        ]}"#;
        let items = read_upload(pkg).unwrap();
        assert_eq!(items.len(), 2);
        let c = items[0].release.as_ref().unwrap();
        assert_eq!(c["tender"]["status"], "complete");
        assert_eq!(c["tender"]["title"], "Roads");
        assert_eq!(c["awards"][0]["status"], "active");
        assert_eq!(c["awards"][0]["value"]["amount"], 5);
    }

    #[test]
    fn json_lines_reject_only_the_bad_line() {
        let items = read_upload(b"{\"ocid\":\"a\"}\n{oops\n\n{\"ocid\":\"b\"}\n").unwrap();
        assert_eq!(items.len(), 3);
        assert!(items[1].release.is_err());
        assert_eq!(items[1].row, 2);
        assert_eq!(items[2].row, 4);
    }

    #[test]
    fn kz_identifiers_are_checked_and_indexed() {
        let bin = with_check_digit("12044000123").unwrap();
        let mut bad = bin.clone();
        bad.replace_range(11.., if bin.ends_with('0') { "1" } else { "0" });
        let v = json!({"ocid": "ocds-1", "parties": [
            {"id": "p1", "identifier": {"scheme": "KZ-BIN", "id": bin}, "roles": ["tenderer"]},
            {"id": "p2", "identifier": {"scheme": "KZ-BIN", "id": bad}, "roles": ["supplier"]}
        ], "tender": {"value": {"amount": -1}}});
        let e = parse_value::<CompiledRelease>(&v, today()).unwrap_err();
        let p: Vec<_> = e.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(p, ["/parties/1/identifier/id", "/tender/value/amount"]);

        let v = json!({"ocid": "ocds-1", "parties": [
            {"id": "p1", "identifier": {"scheme": "KZ-BIN", "id": bin}, "roles": ["buyer"]}
        ], "bids": {"details": [{"id": 1, "tenderers": [{"id": "p1"}]}]}, "extension": {"kept": true}});
        let r = parse_value::<CompiledRelease>(&v, today()).unwrap();
        assert_eq!(r.summary().counterparty_bins, vec![bin]);
        assert_eq!(serde_json::to_value(&r).unwrap()["extension"]["kept"], true);
    }

    #[test]
    fn every_conformance_fixture_is_accepted() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/conformance/cardinal/indicators");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "jsonl") {
                for item in read_upload(&std::fs::read(&path).unwrap()).unwrap() {
                    let v = item.release.unwrap();
                    parse_value::<CompiledRelease>(&v, today())
                        .unwrap_or_else(|e| panic!("{}:{}: {e:?}", path.display(), item.row));
                    n += 1;
                }
            }
        }
        assert!(n >= 100, "read only {n} releases from {}", dir.display());
    }
}
