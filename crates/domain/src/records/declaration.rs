//! Annual declarations of assets, liabilities, income and property.
//!
//! Whether a declaration is on time is not part of what the person files:
//! it depends on the tenant's deadline and on when the declaration arrives,
//! so the service computes it on receipt and hands it to the rules beside
//! the payload.

use super::{Checks, Kind, Record};
use crate::org::closed_enum;
use crate::{Bin, Date, FieldError, Iin, Kzt, Label, Name, Note, Percent};
use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const MAX_ITEMS: usize = 200;

closed_enum!(
    RealEstateKind {
        Apartment => "apartment",
        House => "house",
        Land => "land",
        Commercial => "commercial",
        Other => "other",
    }
);

closed_enum!(
    VehicleKind {
        Car => "car",
        Truck => "truck",
        Motorcycle => "motorcycle",
        Boat => "boat",
        Aircraft => "aircraft",
        Other => "other",
    }
);

closed_enum!(
    SecurityKind {
        Shares => "shares",
        Bonds => "bonds",
        FundUnits => "fund_units",
        Other => "other",
    }
);

closed_enum!(
    LiabilityKind {
        Loan => "loan",
        Mortgage => "mortgage",
        PrivateLoan => "private_loan",
        Guarantee => "guarantee",
        Other => "other",
    }
);

closed_enum!(
    IncomeSource {
        Salary => "salary",
        Business => "business",
        Rental => "rental",
        Investment => "investment",
        Gift => "gift",
        Inheritance => "inheritance",
        SaleOfProperty => "sale_of_property",
        Other => "other",
    }
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RealEstate {
    pub kind: RealEstateKind,
    pub address: Note,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership_share: Option<Percent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired_on: Option<Date>,
    pub value_kzt: Kzt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vehicle {
    pub kind: VehicleKind,
    pub make_model: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<Label>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired_on: Option<Date>,
    pub value_kzt: Kzt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub kind: SecurityKind,
    pub issuer_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_bin: Option<Bin>,
    pub value_kzt: Kzt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    pub bank_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_bin: Option<Bin>,
    /// ISO 4217 code of the account's currency.
    pub currency: Label,
    /// Balance at the end of the year, converted to tenge.
    pub balance_kzt: Kzt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Liability {
    pub kind: LiabilityKind,
    pub creditor_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_bin: Option<Bin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_iin: Option<Iin>,
    pub amount_kzt: Kzt,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Income {
    pub source: IncomeSource,
    pub payer_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_bin: Option<Bin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_iin: Option<Iin>,
    pub amount_kzt: Kzt,
}

/// One person's declaration for one reporting year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetDeclaration {
    /// The calendar year the declaration reports on; a year that has ended.
    #[schemars(range(min = 2000, max = 2100))]
    pub year: i32,
    /// The declarant.
    pub person_iin: Iin,
    #[serde(default)]
    #[schemars(length(max = 200))]
    pub real_estate: Vec<RealEstate>,
    #[serde(default)]
    #[schemars(length(max = 200))]
    pub vehicles: Vec<Vehicle>,
    #[serde(default)]
    #[schemars(length(max = 200))]
    pub securities: Vec<Security>,
    #[serde(default)]
    #[schemars(length(max = 200))]
    pub accounts: Vec<Account>,
    #[serde(default)]
    #[schemars(length(max = 200))]
    pub liabilities: Vec<Liability>,
    #[serde(default)]
    #[schemars(length(max = 200))]
    pub income: Vec<Income>,
}

impl AssetDeclaration {
    /// Total declared income.
    pub fn total_income(&self) -> rust_decimal::Decimal {
        self.income.iter().map(|i| i.amount_kzt.amount()).sum()
    }

    /// Total value of real estate, vehicles, securities and accounts.
    pub fn total_assets(&self) -> rust_decimal::Decimal {
        self.real_estate
            .iter()
            .map(|r| r.value_kzt.amount())
            .sum::<rust_decimal::Decimal>()
            + self
                .vehicles
                .iter()
                .map(|v| v.value_kzt.amount())
                .sum::<rust_decimal::Decimal>()
            + self
                .securities
                .iter()
                .map(|s| s.value_kzt.amount())
                .sum::<rust_decimal::Decimal>()
            + self
                .accounts
                .iter()
                .map(|a| a.balance_kzt.amount())
                .sum::<rust_decimal::Decimal>()
    }

    /// Total declared liabilities.
    pub fn total_liabilities(&self) -> rust_decimal::Decimal {
        self.liabilities.iter().map(|l| l.amount_kzt.amount()).sum()
    }

    /// The totals rules compare between years, as decimal strings (the
    /// sandbox turns them into money with `money()`).
    pub fn totals(&self) -> serde_json::Value {
        let assets = self.total_assets();
        let liabilities = self.total_liabilities();
        serde_json::json!({
            "assets": assets.normalize().to_string(),
            "liabilities": liabilities.normalize().to_string(),
            "income": self.total_income().normalize().to_string(),
            "net_worth": (assets - liabilities).normalize().to_string(),
        })
    }
}

impl Record for AssetDeclaration {
    const KIND: Kind = Kind::AssetDeclaration;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        if self.year < 2000 || self.year >= today.year() {
            c.fail(
                "/year",
                "range.year",
                format!(
                    "must be a year that has ended: 2000 to {}",
                    today.year() - 1
                ),
            );
        }
        c.max_items("/real_estate", &self.real_estate, MAX_ITEMS);
        c.max_items("/vehicles", &self.vehicles, MAX_ITEMS);
        c.max_items("/securities", &self.securities, MAX_ITEMS);
        c.max_items("/accounts", &self.accounts, MAX_ITEMS);
        c.max_items("/liabilities", &self.liabilities, MAX_ITEMS);
        c.max_items("/income", &self.income, MAX_ITEMS);
        for (i, r) in self.real_estate.iter().enumerate() {
            if let Some(d) = r.acquired_on {
                c.not_future(format!("/real_estate/{i}/acquired_on"), d, today);
            }
        }
        for (i, v) in self.vehicles.iter().enumerate() {
            if let Some(d) = v.acquired_on {
                c.not_future(format!("/vehicles/{i}/acquired_on"), d, today);
            }
        }
        for (i, a) in self.accounts.iter().enumerate() {
            let code = a.currency.as_str();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                c.fail(
                    format!("/accounts/{i}/currency"),
                    "currency.format",
                    "must be an ISO 4217 code such as KZT or USD",
                );
            }
        }
        for (i, l) in self.liabilities.iter().enumerate() {
            if l.creditor_bin.is_some() && l.creditor_iin.is_some() {
                c.fail(
                    format!("/liabilities/{i}/creditor_iin"),
                    "party.iin_and_bin",
                    "a creditor is a person (iin) or an organisation (bin), not both",
                );
            }
        }
        for (i, l) in self.income.iter().enumerate() {
            if l.payer_bin.is_some() && l.payer_iin.is_some() {
                c.fail(
                    format!("/income/{i}/payer_iin"),
                    "party.iin_and_bin",
                    "a payer is a person (iin) or an organisation (bin), not both",
                );
            }
        }
        c.done()
    }
}

/// Where a person's declaration for a year stands, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
}

impl Timeliness {
    /// A declaration received on `received` against the deadline `due`
    /// (inclusive: filing on the due date is on time).
    pub fn of(received: NaiveDate, due: NaiveDate) -> Self {
        if received > due {
            Self::Late
        } else {
            Self::OnTime
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::with_check_digit;
    use crate::records::parse;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn iin() -> String {
        with_check_digit("90010130001").unwrap()
    }

    #[test]
    fn accepts_a_full_declaration_and_totals_it() {
        let body = format!(
            r#"{{"year":2025,"person_iin":"{}",
              "real_estate":[{{"kind":"apartment","address":"Astana, Mangilik El 1","value_kzt":"45000000.00","ownership_share":"50"}}],
              "vehicles":[{{"kind":"car","make_model":"Toyota Camry","value_kzt":"12000000"}}],
              "accounts":[{{"bank_name":"Halyk","currency":"USD","balance_kzt":"500000.50"}}],
              "liabilities":[{{"kind":"mortgage","creditor_name":"Otbasy","amount_kzt":"20000000"}}],
              "income":[{{"source":"salary","payer_name":"Employer","amount_kzt":"9600000"}}]}}"#,
            iin()
        );
        let d: AssetDeclaration = parse(body.as_bytes(), today()).unwrap();
        assert_eq!(d.total_assets().to_string(), "57500000.50");
        assert_eq!(d.total_income().to_string(), "9600000");
    }

    #[test]
    fn the_year_must_have_ended_and_currencies_be_codes() {
        let body = format!(
            r#"{{"year":2026,"person_iin":"{}","accounts":[{{"bank_name":"B","currency":"dollars","balance_kzt":"1"}}]}}"#,
            iin()
        );
        let e = parse::<AssetDeclaration>(body.as_bytes(), today()).unwrap_err();
        let p: Vec<_> = e.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(p, ["/year", "/accounts/0/currency"]);
    }

    #[test]
    fn money_with_three_decimals_is_located() {
        let body = format!(
            r#"{{"year":2025,"person_iin":"{}","income":[{{"source":"salary","payer_name":"E","amount_kzt":"1.005"}}]}}"#,
            iin()
        );
        let e = parse::<AssetDeclaration>(body.as_bytes(), today()).unwrap_err();
        assert_eq!(e[0].pointer, "/income/0/amount_kzt");
        assert!(e[0].message.contains("two digits"), "{}", e[0].message);
    }

    #[test]
    fn deadline_is_inclusive() {
        let due = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        assert_eq!(Timeliness::of(due, due), Timeliness::OnTime);
        assert_eq!(
            Timeliness::of(due.succ_opt().unwrap(), due),
            Timeliness::Late
        );
    }
}
