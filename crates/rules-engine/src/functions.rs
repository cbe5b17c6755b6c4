//! Functions registered for rule authors, on top of Rhai's standard library.
//!
//! Every function here is total: bad input becomes a Rhai runtime error (or
//! `false` for the `is_valid_*` predicates), never a panic, because the input
//! comes from tenants' submissions.

use chrono::{Datelike, NaiveDate};
use rhai::{Dynamic, Engine, EvalAltResult, INT, Map};
use rust_decimal::Decimal;
use std::str::FromStr;

type FnResult<T> = Result<T, Box<EvalAltResult>>;

/// Registers every rule-author function on `engine`.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("money", money_str)
        .register_fn("money", money_int)
        .register_fn("money", money_decimal)
        .register_fn("mci", mci)
        .register_fn("year", year)
        .register_fn("days_between", days_between)
        .register_fn("is_valid_iin", is_valid_iin)
        .register_fn("is_valid_bin", is_valid_bin)
        .register_fn("names_match", names_match)
        .register_fn("name_key", name_key)
        .register_fn("ocds_day", ocds_day)
        .register_fn("first_published", first_published)
        .register_fn("parties_with_role", parties_with_role)
        .register_fn("party_identifier", party_identifier);
}

/// `ocds_day("2026-03-01T10:00:00+05:00")` → `"2026-03-01"`: the day of an
/// OCDS timestamp, or `()` when the value is not one. Real publications
/// carry malformed dates, and a rule should read them as absent (as
/// cardinal does), not fail.
pub fn ocds_day(v: Dynamic) -> Dynamic {
    let Ok(s) = v.into_immutable_string() else {
        return Dynamic::UNIT;
    };
    match s.get(..10) {
        Some(d) if NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok() => Dynamic::from(d.to_owned()),
        _ => Dynamic::UNIT,
    }
}

/// `first_published(release.tender.documents, "tenderNotice")` → the
/// earliest `datePublished` day among the documents of that
/// `documentType`, or `()` if none has a readable one (or `documents` is
/// not an array).
pub fn first_published(documents: Dynamic, kind: &str) -> Dynamic {
    let Some(docs) = documents.try_cast::<rhai::Array>() else {
        return Dynamic::UNIT;
    };
    let mut first: Option<String> = None;
    for d in docs {
        let Some(m) = d.try_cast::<Map>() else {
            continue;
        };
        let of_kind = m
            .get("documentType")
            .and_then(|t| t.clone().into_immutable_string().ok())
            .is_some_and(|t| t.as_str() == kind);
        if !of_kind {
            continue;
        }
        let day = m.get("datePublished").cloned().map(ocds_day);
        if let Some(day) = day.and_then(|d| d.into_immutable_string().ok()) {
            let day = day.to_string();
            if first.as_ref().is_none_or(|f| day < *f) {
                first = Some(day);
            }
        }
    }
    first.map_or(Dynamic::UNIT, Dynamic::from)
}

/// `parties_with_role(release, "tenderer")` → the release's parties whose
/// `roles` include that role, in order; an empty array when it has none.
pub fn parties_with_role(release: Map, role: &str) -> rhai::Array {
    let Some(parties) = release
        .get("parties")
        .and_then(|p| p.clone().try_cast::<rhai::Array>())
    else {
        return rhai::Array::new();
    };
    parties
        .into_iter()
        .filter(|p| {
            p.clone()
                .try_cast::<Map>()
                .and_then(|m| m.get("roles").cloned())
                .and_then(|r| r.try_cast::<rhai::Array>())
                .is_some_and(|roles| {
                    roles.iter().any(|r| {
                        r.clone()
                            .into_immutable_string()
                            .is_ok_and(|r| r.as_str() == role)
                    })
                })
        })
        .collect()
}

/// `party_identifier(party, "KZ-BIN")` → the party's identifier `id` when
/// its scheme is that one (`"KZ-BIN"` for organisations, `"KZ-IIN"` for
/// individuals), else `()`.
pub fn party_identifier(party: Map, scheme: &str) -> Dynamic {
    let Some(ident) = party
        .get("identifier")
        .and_then(|i| i.clone().try_cast::<Map>())
    else {
        return Dynamic::UNIT;
    };
    let same = ident
        .get("scheme")
        .and_then(|s| s.clone().into_immutable_string().ok())
        .is_some_and(|s| s.as_str() == scheme);
    match ident.get("id") {
        Some(id) if same => id
            .clone()
            .into_immutable_string()
            .map_or(Dynamic::UNIT, |s| Dynamic::from(s.to_string())),
        _ => Dynamic::UNIT,
    }
}

/// `names_match("Оспанов Марат Серикович", "Marat Ospanov")`: whether two
/// full names can denote the same person despite case, spacing, word order,
/// ё/е, Kazakh letters and Cyrillic or Latin spelling (see `adal-names`).
pub fn names_match(a: &str, b: &str) -> bool {
    adal_names::names_match(a, b)
}

/// `name_key("Оспанов Марат Серікұлы")` → `"marat ospanov serik"`: the
/// normalised form `names_match` compares, for grouping and equality.
pub fn name_key(name: &str) -> String {
    adal_names::name_key(name)
}

/// `money("150000.00")` → the decimal amount. Accepts an optional sign and a
/// fractional part; rejects anything that is not a plain decimal number
/// (`"12.3.4"`, `"1e5"`, `""`, `"abc"`), so a malformed payload is an error
/// rather than a silently wrong comparison.
pub fn money_str(s: &str) -> FnResult<Decimal> {
    parse_decimal(s).ok_or_else(|| format!("money: not a decimal amount: {s:?}").into())
}

/// `money(150000)` → the integer as a decimal amount.
pub fn money_int(i: INT) -> Decimal {
    Decimal::from(i)
}

/// `money(d)` on a decimal returns it unchanged, so rules can call `money()`
/// on a parameter without knowing whether it arrived as a string or decimal.
pub fn money_decimal(d: Decimal) -> Decimal {
    d
}

/// Parses a plain decimal string: optional sign, digits, optional `.` and
/// digits. `Decimal::from_str` alone would also accept things like `"1_000"`.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits_ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(int_part) || frac_part.is_some_and(|f| !digits_ok(f)) {
        return None;
    }
    Decimal::from_str(t).ok()
}

/// `mci(context, "2026-03-01")` → the monthly calculation index (MCI) in KZT
/// for the year of that date, read from `context.mci`, a map from year
/// (string, e.g. `"2026"`) to amount (decimal string, integer or decimal).
/// Errors if the date is not `YYYY-MM-DD` or the year is missing, because a
/// limit computed from a guessed MCI would produce wrong findings.
pub fn mci(context: Map, date: &str) -> FnResult<Decimal> {
    let y = parse_date(date)?.year();
    let table = context
        .get("mci")
        .and_then(|v| v.read_lock::<Map>().map(|m| m.clone()))
        .ok_or("mci: context.mci is missing or not a map")?;
    let value = table
        .get(y.to_string().as_str())
        .ok_or_else(|| format!("mci: no MCI for year {y} in context.mci"))?;
    dynamic_to_decimal(value)
        .ok_or_else(|| format!("mci: MCI for year {y} is not a decimal amount").into())
}

fn dynamic_to_decimal(v: &Dynamic) -> Option<Decimal> {
    if let Some(d) = v.clone().try_cast::<Decimal>() {
        return Some(d);
    }
    if let Ok(i) = v.as_int() {
        return Some(Decimal::from(i));
    }
    v.clone()
        .into_immutable_string()
        .ok()
        .and_then(|s| parse_decimal(&s))
}

fn parse_date(s: &str) -> FnResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("not a date (YYYY-MM-DD): {s:?}").into())
}

/// `year("2026-03-01")` → `2026`.
pub fn year(date: &str) -> FnResult<INT> {
    Ok(INT::from(parse_date(date)?.year()))
}

/// `days_between("2026-03-01", "2026-03-31")` → `30`: days from the first
/// date to the second, negative if the second is earlier.
pub fn days_between(a: &str, b: &str) -> FnResult<INT> {
    Ok(parse_date(b)?
        .signed_duration_since(parse_date(a)?)
        .num_days())
}

/// The 12 digits of an IIN/BIN with a correct check digit, or `None`.
fn checked_digits(s: &str) -> Option<[u32; 12]> {
    let bytes = s.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut d = [0u32; 12];
    for (slot, b) in d.iter_mut().zip(bytes) {
        *slot = u32::from(b - b'0');
    }
    // First pass weights 1..=11; if that yields 10 the second pass uses
    // 3..=11,1,2; a second 10 means no valid number has these 11 digits.
    let weighted = |w: &[u32]| d.iter().zip(w).map(|(x, w)| x * w).sum::<u32>() % 11;
    let mut check = weighted(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if check == 10 {
        check = weighted(&[3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
        if check == 10 {
            return None;
        }
    }
    (check == d[11]).then_some(d)
}

/// `is_valid_iin("900101300017")`: a Kazakhstan individual identification
/// number: 12 digits, a correct check digit, digit 7 (century and sex) in
/// 1..=6, and digits 1-6 a real birth date (YYMMDD) in that century.
pub fn is_valid_iin(s: &str) -> bool {
    let Some(d) = checked_digits(s) else {
        return false;
    };
    let century = match d[6] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        _ => return false,
    };
    let yy = i32::try_from(d[0] * 10 + d[1]).unwrap_or(0);
    NaiveDate::from_ymd_opt(century + yy, d[2] * 10 + d[3], d[4] * 10 + d[5]).is_some()
}

/// `is_valid_bin("050540000000")`: a Kazakhstan business identification
/// number: 12 digits, a correct check digit, and digit 5 (the kind of
/// entity) 4, 5 or 6.
pub fn is_valid_bin(s: &str) -> bool {
    checked_digits(s).is_some_and(|d| matches!(d[4], 4..=6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval<T: Clone + Send + Sync + 'static>(script: &str) -> T {
        let mut e = Engine::new();
        register(&mut e);
        e.eval::<T>(script).unwrap()
    }

    #[test]
    fn ocds_dates_read_as_days_or_as_absent() {
        assert_eq!(
            eval::<String>(r#"ocds_day("2026-03-01T10:00:00+05:00")"#),
            "2026-03-01"
        );
        assert!(eval::<bool>(r#"ocds_day("invalid") == ()"#));
        assert!(eval::<bool>(r#"ocds_day("2026-13-01") == ()"#));
        assert!(eval::<bool>("ocds_day(42) == ()"));
    }

    #[test]
    fn the_first_publication_of_a_kind_of_document() {
        let docs = r#"[#{documentType: "awardNotice", datePublished: "2026-03-09T00:00:00Z"},
                        #{documentType: "awardNotice", datePublished: "2026-03-05T12:00:00Z"},
                        #{documentType: "awardNotice", datePublished: "invalid"},
                        #{documentType: "contractNotice", datePublished: "2026-01-01T00:00:00Z"},
                        "not a document"]"#;
        assert_eq!(
            eval::<String>(&format!(r#"first_published({docs}, "awardNotice")"#)),
            "2026-03-05"
        );
        assert!(eval::<bool>(&format!(
            r#"first_published({docs}, "procurementPlan") == ()"#
        )));
        assert!(eval::<bool>(r#"first_published((), "awardNotice") == ()"#));
    }

    #[test]
    fn parties_by_role_and_identifier() {
        let release = r#"#{parties: [
            #{id: "b", roles: ["buyer"]},
            #{id: "t1", roles: ["tenderer", "supplier"], identifier: #{scheme: "KZ-BIN", id: "120440001234"}},
            #{id: "t2", roles: ["tenderer"], identifier: #{scheme: "KZ-IIN", id: "900101300011"}},
            #{id: "x", roles: "tenderer"}]}"#;
        assert_eq!(
            eval::<INT>(&format!(
                r#"parties_with_role({release}, "tenderer").len()"#
            )),
            2
        );
        assert_eq!(
            eval::<String>(&format!(
                r#"party_identifier(parties_with_role({release}, "supplier")[0], "KZ-BIN")"#
            )),
            "120440001234"
        );
        assert!(eval::<bool>(&format!(
            r#"party_identifier(parties_with_role({release}, "tenderer")[1], "KZ-BIN") == ()"#
        )));
        assert_eq!(eval::<INT>(r#"parties_with_role(#{}, "buyer").len()"#), 0);
    }

    /// Appends the check digit, for building test numbers.
    fn with_check(first11: &str) -> Option<String> {
        (0..10)
            .map(|c| format!("{first11}{c}"))
            .find(|s| checked_digits(s).is_some())
    }

    #[test]
    fn money_parses_plain_decimals_only() {
        assert_eq!(money_str("150000.00").ok(), Some(Decimal::new(15000000, 2)));
        assert_eq!(money_str(" -3 ").ok(), Some(Decimal::from(-3)));
        for bad in ["12.3.4", "", "abc", "1e5", "1_000", ".5", "5."] {
            assert!(money_str(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn check_digit_and_structure() {
        // Built from the algorithm, then tampered with.
        let iin = with_check("90010130001").unwrap_or_default();
        assert!(is_valid_iin(&iin), "{iin}");
        let mut tampered = iin.clone().into_bytes();
        tampered[11] = b'0' + (tampered[11] - b'0' + 1) % 10;
        assert!(!is_valid_iin(
            &String::from_utf8(tampered).unwrap_or_default()
        ));
        // Month 13 is not a birth date even with a correct check digit.
        let bad_month = with_check("90130130001").unwrap_or_default();
        assert!(bad_month.is_empty() || !is_valid_iin(&bad_month));
        let bin = with_check("05054000000").unwrap_or_default();
        assert!(is_valid_bin(&bin), "{bin}");
        // Digit 5 must be 4, 5 or 6.
        let bad_kind = with_check("05051000000").unwrap_or_default();
        assert!(bad_kind.is_empty() || !is_valid_bin(&bad_kind));
        assert!(!is_valid_bin("12345"));
        assert!(!is_valid_bin("abcdefghijkl"));
    }

    #[test]
    fn names_are_matched_through_rhai() {
        let mut engine = Engine::new();
        register(&mut engine);
        let same: bool = engine
            .eval(r#"names_match("ОСПАНОВ Марат Серікұлы", "Marat Ospanov Serikovich")"#)
            .unwrap_or(false);
        assert!(same);
        let other: bool = engine
            .eval(r#"names_match("Оспанов Марат", "Оспанова Марат")"#)
            .unwrap_or(true);
        assert!(!other);
        let key: String = engine
            .eval(r#"name_key("Jūmabek  Qairat")"#)
            .unwrap_or_default();
        assert_eq!(key, "jumabek kairat");
    }

    #[test]
    fn dates() {
        assert_eq!(year("2026-03-01").ok(), Some(2026));
        assert_eq!(days_between("2026-03-01", "2026-03-31").ok(), Some(30));
        assert_eq!(days_between("2026-03-31", "2026-03-01").ok(), Some(-30));
        assert!(year("2026-13-01").is_err());
    }
}
