//! The "whole standard" workload: every rule of the library in `rules/`
//! (with its default parameters, loaded as `adal-rules` loads it) and a
//! deterministic mix of submissions of every kind those rules look at, each
//! with the context the worker builds for it (crates/jobs/src/evaluate.rs:
//! the tenant's MCI by year, the BINs of its open procurements and today's
//! date for every submission; the person's record for a submission about a
//! person; per-kind extras). Shapes follow the rules' fixtures; sizes follow
//! a mid-sized tenant (60 open procurement BINs, people with a few
//! relatives and interests, procurements with committees and parties).
//!
//! Shared by the `standard` benchmark (benches/standard/main.rs), the
//! request generator of tests/load/standard_sandbox.sh
//! (examples/standard_request.rs) and the test that keeps the workload
//! honest (tests/standard_workload.rs), each through `#[path]`.
#![allow(dead_code)]

use adal_rules_engine::library;
use adal_sandbox_protocol::{RuleSource, SubmissionInput};
use serde_json::{Value, json};
use std::path::PathBuf;

/// The kinds of submission the library's rules look at, with their weight
/// in the mix (per 100 submissions): filings people make dominate, the
/// derived records (one per person or giver or report per run) follow.
pub const MIX: [(&str, u32); 10] = [
    ("gift", 22),
    ("conflict_of_interest", 8),
    ("asset_declaration", 10),
    ("hr_action", 12),
    ("procurement", 10),
    ("declaration_obligation", 10),
    ("gift_giver_history", 5),
    ("training_status", 12),
    ("feedback_status", 6),
    ("governance_status", 5),
];

/// Where the library is: `rules/` at the repository root.
pub fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

/// Every rule of the library with its default parameters, as
/// `adal-rules eval --rules rules/` would compile them.
pub fn library_rules() -> Vec<RuleSource> {
    match library::load_dir(&rules_dir()) {
        Ok(rules) => rules.into_iter().map(|r| r.source).collect(),
        Err(errors) => {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("the rule library does not load:\n{}", lines.join("\n"))
        }
    }
}

/// `n` submissions in the mix of [`MIX`], interleaved.
pub fn mixed(n: usize, seed: u64) -> Vec<SubmissionInput> {
    let mut g = Gen::new(seed);
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    (0..n)
        .map(|i| {
            let mut pick = g.below(u64::from(total)) as u32;
            let kind = MIX
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or("gift", |(k, _)| k);
            g.submission(kind, i)
        })
        .collect()
}

/// [`mixed`] as a batch is sent since protocol 3: the tenant context (MCI,
/// open procurement BINs, today) once, as the request's `shared` context,
/// and only each submission's own keys in its `context`. Merged, the
/// contexts are those of [`mixed`] with the same `seed`.
pub fn mixed_shared(n: usize, seed: u64) -> (Value, Vec<SubmissionInput>) {
    // Same seed, same open procurements: `mixed` builds its generator so.
    let shared = Gen::new(seed).tenant_context();
    let mut subs = mixed(n, seed);
    if let Value::Object(tenant) = &shared {
        for s in &mut subs {
            if let Value::Object(own) = &mut s.context {
                own.retain(|k, _| !tenant.contains_key(k));
            }
        }
    }
    (shared, subs)
}

/// `n` submissions of one kind.
pub fn of_kind(kind: &str, n: usize, seed: u64) -> Vec<SubmissionInput> {
    let mut g = Gen::new(seed);
    (0..n).map(|i| g.submission(kind, i)).collect()
}

/// A small deterministic generator (xorshift64*), so the workload is the
/// same on every run without a dependency.
pub struct Gen {
    state: u64,
    open_bins: Vec<String>,
}

const FIRST: [&str; 12] = [
    "Marat", "Aigerim", "Dana", "Serik", "Saule", "Yerlan", "Aidos", "Gulnara", "Nurlan", "Madina",
    "Askar", "Zhanna",
];
const LAST: [&str; 12] = [
    "Ospanov",
    "Bekova",
    "Aliyeva",
    "Abdiuly",
    "Akhmetova",
    "Zhumabekov",
    "Serikov",
    "Nurpeisova",
    "Kassymov",
    "Tokayeva",
    "Ibraimov",
    "Sadykova",
];
const COMPANIES: [&str; 8] = [
    "Build LLP",
    "Alpha LLP",
    "Beta Trade LLP",
    "Steppe Logistics JSC",
    "Qazaq Med Supply LLP",
    "Astana IT Group LLP",
    "Caspian Service LLP",
    "Altyn Print LLP",
];
const MCI: [(&str, &str); 3] = [("2024", "3692"), ("2025", "3932"), ("2026", "4325")];
const TODAY: &str = "2026-11-24";

impl Gen {
    pub fn new(seed: u64) -> Self {
        let mut g = Gen {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            open_bins: Vec::new(),
        };
        g.open_bins = (0..60).map(|_| g.bin()).collect();
        g
    }

    fn next(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }

    fn digits(&mut self, prefix: &str) -> String {
        let mut s = prefix.to_string();
        while s.len() < 12 {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }

    fn bin(&mut self) -> String {
        let p = format!("{:02}0{}4", 10 + self.below(15), self.below(2));
        self.digits(&p)
    }

    fn iin(&mut self) -> String {
        let p = format!(
            "{:02}{:02}{:02}",
            60 + self.below(40),
            1 + self.below(12),
            1 + self.below(28)
        );
        self.digits(&p)
    }

    fn name(&mut self) -> String {
        format!("{} {}", self.pick(&FIRST), self.pick(&LAST))
    }

    fn date_in(&mut self, from: u64, years: u64) -> String {
        let year = from + self.below(years);
        format!("{year}-{:02}-{:02}", 1 + self.below(12), 1 + self.below(28))
    }

    fn kzt(&mut self, max: u64) -> String {
        format!("{}.{:02}", 1000 + self.below(max), self.below(100))
    }

    /// A BIN of an open procurement with probability `pct`, another otherwise.
    fn maybe_open_bin(&mut self, pct: u64) -> String {
        if self.chance(pct) {
            let i = self.below(self.open_bins.len() as u64) as usize;
            self.open_bins[i].clone()
        } else {
            self.bin()
        }
    }

    fn uuid(&mut self) -> String {
        format!(
            "0190a0a0-{:04x}-7000-8000-{:012x}",
            self.below(1 << 16),
            self.below(1 << 48)
        )
    }

    /// What every submission's context carries (RuleContext::load).
    fn tenant_context(&self) -> Value {
        let mci: serde_json::Map<String, Value> = MCI
            .iter()
            .map(|(y, v)| ((*y).to_string(), Value::from(*v)))
            .collect();
        json!({ "mci": mci, "open_procurement_bins": self.open_bins, "today": TODAY })
    }

    /// A person's record as `people::context_of` gives it.
    fn person(&mut self, iin: &str, full_name: &str) -> Value {
        let relations = ["spouse", "parent", "child", "sibling", "sibling_in_law"];
        let relatives: Vec<Value> = (0..2 + self.below(4))
            .map(|_| {
                let iin = if self.chance(80) {
                    json!(self.iin())
                } else {
                    Value::Null
                };
                json!({ "relation": self.pick(&relations), "full_name": self.name(), "iin": iin })
            })
            .collect();
        let interests: Vec<Value> = (0..self.below(3))
            .map(|_| {
                json!({
                    "company_bin": self.maybe_open_bin(15),
                    "company_name": self.pick(&COMPANIES),
                    "role": self.pick(&["shareholder", "director", "founder"]),
                    "share_percent": format!("{}", 1 + self.below(100)),
                    "since": self.date_in(2015, 10),
                })
            })
            .collect();
        json!({
            "iin": iin,
            "full_name": full_name,
            "department_id": self.uuid(),
            "position_id": self.uuid(),
            "started_on": self.date_in(2010, 15),
            "ended_on": null,
            "relatives": relatives,
            "interests": interests,
        })
    }

    /// One submission of `kind` with its context.
    pub fn submission(&mut self, kind: &str, i: usize) -> SubmissionInput {
        let mut context = self.tenant_context();
        let iin = self.iin();
        let full_name = self.name();
        let payload = match kind {
            "gift" => self.gift(),
            "conflict_of_interest" => self.conflict_of_interest(),
            "asset_declaration" => self.asset_declaration(&iin, &mut context),
            "hr_action" => self.hr_action(&iin, &full_name, &mut context),
            "procurement" => self.procurement(&mut context),
            "declaration_obligation" => self.declaration_obligation(&iin, &full_name),
            "gift_giver_history" => self.gift_giver_history(),
            "training_status" => json!({
                "person_iin": iin,
                "full_name": full_name,
                "last_training_on": if self.chance(70) { json!(self.date_in(2025, 1)) } else { Value::Null },
                "trained_within_year": self.chance(75),
            }),
            "feedback_status" => self.feedback_status(i),
            "governance_status" => self.governance_status(),
            other => panic!("no generator for kind {other:?}"),
        };
        // Records filed from (or, HR, about) a position carry it.
        if matches!(kind, "gift" | "conflict_of_interest" | "hr_action") {
            let high_risk = self.chance(40);
            context["position"] = json!({
                "id": self.uuid(),
                "title": if high_risk { "Buyer" } else { "Clerk" },
                "risk_level": if high_risk { 4 } else { 1 },
                "high_risk": high_risk,
            });
        }
        // Records about a person carry the person's record.
        if !matches!(
            kind,
            "procurement" | "gift_giver_history" | "feedback_status" | "governance_status"
        ) {
            context["person"] = self.person(&iin, &full_name);
        }
        SubmissionInput {
            id: format!("{kind}-{i}"),
            kind: kind.to_string(),
            payload: strip_nulls(payload),
            context,
        }
    }

    fn gift(&mut self) -> Value {
        let individual = self.chance(20);
        let decision = ["accepted", "returned", "handed_over"];
        let max = if self.chance(70) { 15_000 } else { 400_000 };
        json!({
            "direction": if self.chance(85) { "received" } else { "given" },
            "giver_name": if individual { self.name() } else { self.pick(&COMPANIES).to_string() },
            "giver_bin": if individual { Value::Null } else { json!(self.maybe_open_bin(20)) },
            "description": self.pick(&["Flowers", "Watch", "Book", "Dinner", "Pen set", "Tickets to a concert", "Basket of sweets"]),
            "value_kzt": self.kzt(max),
            "date": self.date_in(2024, 3),
            "occasion": self.pick(&["8 March", "New year", "Birthday", "Contract signed", "Nauryz"]),
            "decision": if self.chance(25) { Value::Null } else { json!(self.pick(&decision)) },
        })
    }

    fn conflict_of_interest(&mut self) -> Value {
        let situation = self.pick(&[
            "relative_in_procurement",
            "relative_in_reporting_line",
            "post_employment_offer",
            "outside_employment",
            "commercial_activity",
            "shareholding",
        ]);
        let parties: Vec<Value> = (0..1 + self.below(3))
            .map(|_| {
                if situation == "post_employment_offer" {
                    json!({ "name": self.pick(&COMPANIES), "bin": self.maybe_open_bin(30), "role": "prospective employer" })
                } else {
                    json!({ "name": self.name(), "relation": self.pick(&["sibling", "spouse", "parent"]) })
                }
            })
            .collect();
        json!({
            "situation": situation,
            "description": "Disclosed by the employee on their own initiative",
            "parties": parties,
            "procurement_ocid": if situation == "relative_in_procurement" { json!(format!("ocds-b5fd17-{}", self.below(100_000))) } else { Value::Null },
            "arose_on": self.date_in(2026, 1),
            "proposed_resolution": self.pick(&["no_conflict", "recusal", "transfer", "divestment"]),
        })
    }

    fn asset_declaration(&mut self, iin: &str, context: &mut Value) -> Value {
        let assets: Vec<Value> = (0..1 + self.below(4))
            .map(|_| {
                json!({
                    "kind": self.pick(&["real_estate", "vehicle", "deposit", "securities"]),
                    "description": "As registered",
                    "value_kzt": self.kzt(60_000_000),
                })
            })
            .collect();
        let liabilities: Vec<Value> = (0..self.below(3))
            .map(|_| {
                json!({
                    "kind": self.pick(&["mortgage", "private_loan", "consumer_loan"]),
                    "creditor_name": self.pick(&COMPANIES),
                    "creditor_bin": self.maybe_open_bin(5),
                    "amount_kzt": self.kzt(20_000_000),
                })
            })
            .collect();
        let income: Vec<Value> = (0..1 + self.below(3))
            .map(|_| {
                json!({
                    "source": self.pick(&["salary", "business", "rent", "dividends"]),
                    "payer_name": self.pick(&COMPANIES),
                    "payer_bin": self.maybe_open_bin(5),
                    "amount_kzt": self.kzt(12_000_000),
                })
            })
            .collect();
        let net_worth = 5_000_000 + self.below(80_000_000);
        let filed_on = if self.chance(85) {
            "2026-05-20"
        } else {
            "2026-06-12"
        };
        context["declaration"] = json!({
            "due_on": "2026-05-31",
            "filed_on": filed_on,
            "late": filed_on > "2026-05-31",
            "totals": {
                "assets": net_worth.to_string(),
                "liabilities": "0",
                "income": (3_000_000 + self.below(9_000_000)).to_string(),
                "net_worth": net_worth.to_string(),
            },
        });
        if self.chance(70) {
            let prev = net_worth
                .saturating_sub(self.below(20_000_000))
                .max(1_000_000);
            context["previous_declaration"] = json!({
                "year": 2024,
                "submission_id": self.uuid(),
                "totals": { "assets": prev.to_string(), "liabilities": "0", "income": "5000000", "net_worth": prev.to_string() },
            });
        }
        json!({
            "year": 2025,
            "person_iin": iin,
            "assets": assets,
            "liabilities": liabilities,
            "income": income,
        })
    }

    fn hr_action(&mut self, iin: &str, full_name: &str, context: &mut Value) -> Value {
        let action = self.pick(&["hiring", "hiring", "promotion", "transfer", "dismissal"]);
        let makers: Vec<Value> = (0..1 + self.below(3))
            .map(|_| json!({
                "full_name": self.name(),
                "iin": self.iin(),
                "role": self.pick(&["director", "head of department", "HR officer"]),
                "relation_to_subject": if self.chance(5) { json!("parent") } else { Value::Null },
            }))
            .collect();
        let history: Vec<Value> = (0..self.below(4))
            .map(|_| json!({
                "submission_id": self.uuid(),
                "action": self.pick(&["hiring", "transfer", "dismissal"]),
                "effective_on": self.date_in(2018, 9),
                "position_id": self.uuid(),
                "reason": if self.chance(30) { json!("Breach of the code of ethics") } else { Value::Null },
            }))
            .collect();
        context["hr_history"] = strip_nulls(json!(history));
        context["registry_matches"] = if self.chance(5) {
            json!([{
                "full_name": full_name,
                "iin": iin,
                "date_of_birth": null,
                "offence_article": "366 part 2",
                "convicted_on": "2023-04-10",
                "court": "Astana specialised criminal court",
                "applies_until": if self.chance(50) { json!("2027-04-10") } else { Value::Null },
                "matched_by": "iin",
            }])
        } else {
            json!([])
        };
        context["registry_matches"] = strip_nulls(context["registry_matches"].take());
        json!({
            "action": action,
            "person": { "iin": iin, "full_name": full_name },
            "position_id": self.uuid(),
            "previous_position_id": if action == "hiring" { Value::Null } else { json!(self.uuid()) },
            "effective_on": self.date_in(2026, 1),
            "decided_on": self.date_in(2026, 1),
            "decision_makers": makers,
            // One hiring in ten arrived without the screening the API
            // requires now (an older record, a position listed later).
            "screening": if action == "hiring" && self.chance(90) {
                json!({
                    "completed_on": self.date_in(2026, 1),
                    "checks": ["convicted_registry", "relatives"],
                    "result": if self.chance(10) { "concerns" } else { "clear" },
                    "note": if self.chance(50) { json!("See the file") } else { Value::Null },
                })
            } else { Value::Null },
        })
    }

    fn procurement(&mut self, context: &mut Value) -> Value {
        let ocid = format!("ocds-b5fd17-{}", self.below(1_000_000));
        let committee: Vec<(String, String)> = (0..3 + self.below(3))
            .map(|_| (self.name(), self.iin()))
            .collect();
        let mut parties = vec![json!({
            "id": "buyer", "name": "Akimat", "identifier": { "scheme": "KZ-BIN", "id": self.bin() }, "roles": ["buyer", "procuringEntity"],
        })];
        let mut counterparty_bins = Vec::new();
        for n in 0..2 + self.below(5) {
            let individual = self.chance(15);
            let id = if individual {
                self.iin()
            } else {
                self.maybe_open_bin(60)
            };
            if !individual {
                counterparty_bins.push(id.clone());
            }
            parties.push(json!({
                "id": format!("p{n}"),
                "name": if individual { format!("IE {}", self.name()) } else { self.pick(&COMPANIES).to_string() },
                "identifier": { "scheme": if individual { "KZ-IIN" } else { "KZ-BIN" }, "id": id },
                "roles": if n == 0 { json!(["tenderer", "supplier"]) } else { json!(["tenderer"]) },
            }));
        }
        let interests: Vec<Value> = (0..self.below(3))
            .map(|_| {
                let i = self.below(counterparty_bins.len() as u64) as usize;
                let bin = counterparty_bins.get(i).cloned().unwrap_or_else(|| self.bin());
                let who = if self.chance(20) { committee[0].clone() } else { (self.name(), self.iin()) };
                json!({ "person_iin": who.1, "full_name": who.0, "company_bin": bin, "company_name": self.pick(&COMPANIES), "role": "shareholder" })
            })
            .collect();
        let people: Vec<Value> = committee.iter().map(|(n, i)| self.person(i, n)).collect();
        context["parties"] = strip_nulls(json!({
            "counterparty_bins": counterparty_bins,
            "interests": interests,
            "people": people,
        }));
        let award_day = 1 + self.below(20);
        let lag = self.below(6);
        json!({
            "ocid": ocid,
            "date": "2026-06-30T09:00:00Z",
            "planning": { "documents": [{ "id": "plan", "documentType": "procurementPlan", "datePublished": "2026-02-01T09:00:00+05:00" }] },
            "parties": parties,
            "tender": {
                "id": "t1",
                "title": "Office supplies",
                "value": { "amount": 12_500_000, "currency": "KZT" },
                "procurementMethod": "open",
                "tenderPeriod": { "startDate": "2026-03-01T09:00:00+05:00", "endDate": "2026-03-20T18:00:00+05:00" },
                "committee": committee.iter().map(|(n, i)| json!({ "name": n, "iin": i })).collect::<Vec<_>>(),
            },
            "awards": [{
                "id": "a1",
                "status": "active",
                "date": format!("2026-05-{award_day:02}T10:00:00+05:00"),
                "suppliers": [{ "id": "p0" }],
                "documents": [{ "id": "d1", "documentType": "awardNotice", "datePublished": format!("2026-05-{:02}T09:00:00+05:00", award_day + lag) }],
            }],
        })
    }

    fn declaration_obligation(&mut self, iin: &str, full_name: &str) -> Value {
        let state = self.pick(&["filed", "filed", "filed", "late", "missing"]);
        json!({
            "person_iin": iin,
            "full_name": full_name,
            "year": 2025,
            "due_on": "2026-05-31",
            "state": state,
            "filed_on": match state { "filed" => json!("2026-05-20"), "late" => json!("2026-06-10"), _ => Value::Null },
        })
    }

    fn gift_giver_history(&mut self) -> Value {
        let n = 2 + self.below(6);
        let gifts: Vec<Value> = (0..n)
            .map(|k| json!({
                "submission_id": self.uuid(),
                // Oldest first, as the dataset lists them.
                "date": format!("{}-{:02}-{:02}", 2024 + k / 3, 1 + (k % 3) * 4, 1 + self.below(28)),
                "value_kzt": format!("{}", 5000 + self.below(40_000)),
            }))
            .collect();
        json!({
            "giver_key": format!("bin:{}", self.bin()),
            "giver_name": self.pick(&COMPANIES),
            "count": n,
            "total_value_kzt": "90000",
            "receivers": 1 + self.below(3),
            "gifts": gifts,
        })
    }

    fn feedback_status(&mut self, i: usize) -> Value {
        let state = self.pick(&["answered", "answered", "open", "overdue", "answered_late"]);
        json!({
            "receipt_code": format!("HL-{i}"),
            "category": self.pick(&["complaint", "corruption_report", "suggestion"]),
            "received_on": "2026-10-01",
            "answer_days": 15,
            "due_on": "2026-10-16",
            "answered_on": match state { "answered" => json!("2026-10-10"), "answered_late" => json!("2026-10-20"), _ => Value::Null },
            "state": state,
        })
    }

    fn governance_status(&mut self) -> Value {
        json!({
            "sector": self.pick(&["private", "quasi_public", "public_body"]),
            "policy_adopted_on": if self.chance(70) { json!("2024-02-01") } else { Value::Null },
            "compliance_unit_since": if self.chance(60) { json!("2023-09-01") } else { Value::Null },
            "last_risk_assessment_on": if self.chance(80) { json!(self.date_in(2025, 1)) } else { Value::Null },
            "risk_assessment_within_year": self.chance(60),
        })
    }
}

/// Absent optional fields are left out, as the service stores them.
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}
