//! Procurement red flags over OCDS compiled releases, with the output of
//! OCDS Cardinal's `indicators` command (see docs/redflags.md).
//!
//! One streaming pass reads each release (one JSON line) into the few
//! columns the indicators need ([`ocds`]). Per contracting process it
//! derives facts (the submission period, the tenderers sharing a price,
//! ...) and evaluates the per-process rules of `rules/procurement/` once
//! on them, through the same [`RuleEngine`] the tenants' rules run in. It
//! also appends to the dataset columns (the relative difference of the two
//! lowest valid bids, per-organisation counts); after the pass the dataset
//! rules compute quartiles and Tukey's fences over those columns natively
//! ([`stats`]), parameterised by their rule metadata.

pub mod ini;
pub mod ocds;
pub mod stats;

use crate::engine::{CompiledRule, RuleEngine};
use crate::library::{self, LibraryRule, ParamType};
use adal_sandbox_protocol::RuleOutcome;
use ocds::{Award, Bid, Release};
use rhai::Dynamic;
use serde_json::{Map, Value, json};
use stats::Column;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io::BufRead;
use std::path::Path;

/// The submission kind of a contracting process's facts.
pub const PROCESS_KIND: &str = "procurement_process";

/// The indicators computed natively over the whole data set.
pub const DATASET_RULES: [&str; 5] = ["R024", "R025", "R038", "R048", "R058"];

/// The procurement rules shipped with the engine (`rules/procurement/`),
/// used when no `--rules` directory is given.
const BUILTIN: [(&str, &str, &str); 11] = [
    builtin!("R003"),
    builtin!("R018"),
    builtin!("R024"),
    builtin!("R025"),
    builtin!("R028"),
    builtin!("R030"),
    builtin!("R035"),
    builtin!("R036"),
    builtin!("R038"),
    builtin!("R048"),
    builtin!("R058"),
];

macro_rules! builtin {
    ($id:literal) => {
        (
            $id,
            include_str!(concat!("../../../../rules/procurement/", $id, ".toml")),
            include_str!(concat!("../../../../rules/procurement/", $id, ".rhai")),
        )
    };
}
use builtin;

/// The shipped procurement rules.
pub fn builtin_rules() -> Result<Vec<LibraryRule>, String> {
    BUILTIN
        .iter()
        .map(|(id, meta, script)| {
            let path = Path::new("rules/procurement").join(format!("{id}.toml"));
            library::parse_rule(meta, id, Ok((*script).to_owned()), &path)
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Settings that apply to every indicator (cardinal's global keys and
/// `[exclusions]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Global {
    /// The main currency; `None`: the first currency observed.
    pub currency: Option<String>,
    /// Procurement method details whose prices are not compared.
    pub no_price_comparison_procurement_methods: HashSet<String>,
    /// If not empty, the only procurement method details whose prices are.
    pub price_comparison_procurement_methods: HashSet<String>,
    /// Contracting processes with these procurement method details are
    /// skipped entirely.
    pub excluded_procurement_method_details: HashSet<String>,
}

/// What to compute: global settings and the enabled rules, their
/// parameters already resolved (defaults overridden by the settings file).
#[derive(Debug, Clone)]
pub struct Config {
    pub global: Global,
    pub rules: Vec<LibraryRule>,
    /// Worker threads for the pass (1: everything on the calling thread).
    /// The output does not depend on it.
    pub threads: usize,
}

impl Config {
    /// Every rule enabled with its defaults, no global settings, one
    /// worker per available core.
    pub fn new(rules: Vec<LibraryRule>) -> Self {
        Config {
            global: Global::default(),
            rules,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// Applies a cardinal settings file: global keys, `[exclusions]`, and
    /// one section per indicator. As in cardinal, only the indicators
    /// with a section are enabled. Returns warnings (sections of
    /// indicators not implemented here, which are skipped).
    pub fn with_settings(mut self, text: &str) -> Result<(Self, Vec<String>), String> {
        let ini = ini::parse(text)?;
        let mut warnings = Vec::new();
        for (k, v) in &ini.global {
            match k.as_str() {
                "currency" => self.global.currency = Some(v.clone()).filter(|v| !v.is_empty()),
                "no_price_comparison_procurement_methods" => {
                    self.global.no_price_comparison_procurement_methods =
                        ini::pipe_list(v).into_iter().collect();
                }
                "price_comparison_procurement_methods" => {
                    self.global.price_comparison_procurement_methods =
                        ini::pipe_list(v).into_iter().collect();
                }
                _ => return Err(format!("unknown setting {k:?}")),
            }
        }
        let mut enabled = BTreeSet::new();
        for (section, keys) in &ini.sections {
            let (head, sub) = match section.split_once('.') {
                Some((h, s)) => (h, Some(s)),
                None => (section.as_str(), None),
            };
            if head == "exclusions" {
                for (k, v) in keys {
                    if k != "procurement_method_details" {
                        return Err(format!("[exclusions]: unknown setting {k:?}"));
                    }
                    self.global.excluded_procurement_method_details =
                        ini::pipe_list(v).into_iter().collect();
                }
                continue;
            }
            // Sections of cardinal's `prepare` command.
            if matches!(
                head,
                "defaults" | "redactions" | "corrections" | "modifications" | "codelists"
            ) {
                continue;
            }
            let Some(rule) = self.rules.iter_mut().find(|r| r.meta.id == head) else {
                if is_indicator_code(head) {
                    warnings.push(format!(
                        "[{section}]: indicator {head} is not implemented; skipped"
                    ));
                    continue;
                }
                return Err(format!("unknown section [{section}]"));
            };
            enabled.insert(head.to_owned());
            match sub {
                None => {
                    for (k, v) in keys {
                        set_param(rule, k, v)?;
                    }
                }
                Some(name) => set_table_param(rule, name, keys)?,
            }
        }
        self.rules.retain(|r| enabled.contains(&r.meta.id));
        Ok((self, warnings))
    }
}

fn is_indicator_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 4 && matches!(b[0], b'R' | b'U') && b[1..].iter().all(u8::is_ascii_digit)
}

fn set_param(rule: &mut LibraryRule, key: &str, raw: &str) -> Result<(), String> {
    let id = &rule.meta.id;
    let spec = rule
        .meta
        .params
        .get(key)
        .ok_or_else(|| format!("[{id}]: unknown setting {key:?}"))?;
    let value = match spec.ty {
        ParamType::Integer => Value::from(
            raw.parse::<i64>()
                .map_err(|_| format!("[{id}] {key}: {raw:?} is not an integer"))?,
        ),
        ParamType::Bool => Value::from(
            raw.parse::<bool>()
                .map_err(|_| format!("[{id}] {key}: {raw:?} is not true or false"))?,
        ),
        ParamType::IntegerMap => {
            return Err(format!(
                "[{id}] {key}: set it in a [{id}.{key}] section of `name = integer` lines"
            ));
        }
        ParamType::Money | ParamType::Decimal | ParamType::OptionalDecimal | ParamType::String => {
            Value::String(raw.to_owned())
        }
    };
    let value = library::check_param(spec, &value).map_err(|e| format!("[{id}] {key}: {e}"))?;
    rule.source.params.insert(key.to_owned(), value);
    Ok(())
}

fn set_table_param(
    rule: &mut LibraryRule,
    name: &str,
    keys: &BTreeMap<String, String>,
) -> Result<(), String> {
    let id = &rule.meta.id;
    let spec = rule
        .meta
        .params
        .get(name)
        .filter(|s| s.ty == ParamType::IntegerMap)
        .ok_or_else(|| format!("unknown section [{id}.{name}]"))?;
    let mut table = Map::new();
    for (k, v) in keys {
        let i = v
            .parse::<i64>()
            .map_err(|_| format!("[{id}.{name}] {k}: {v:?} is not an integer"))?;
        table.insert(k.clone(), Value::from(i));
    }
    let value = library::check_param(spec, &Value::Object(table))
        .map_err(|e| format!("[{id}.{name}]: {e}"))?;
    rule.source.params.insert(name.to_owned(), value);
    Ok(())
}

/// A problem that stops a run.
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    /// A per-process rule does not compile.
    Compile(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "i/o error: {e}"),
            Error::Compile(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

/// The groups of results, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Ocid,
    Buyer,
    ProcuringEntity,
    Tenderer,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Ocid => "OCID",
            Group::Buyer => "Buyer",
            Group::ProcuringEntity => "ProcuringEntity",
            Group::Tenderer => "Tenderer",
        }
    }
}

/// The results of a run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Group → identifier → indicator code → value.
    pub results: BTreeMap<Group, BTreeMap<String, BTreeMap<String, f64>>>,
    /// Indicator code → quartiles and fences used.
    pub meta: BTreeMap<String, BTreeMap<String, f64>>,
    /// Lines that were not JSON objects with a string `ocid` (skipped).
    pub skipped_lines: Vec<(usize, String)>,
    /// Per-process rule errors (the process is then not flagged by it).
    pub rule_errors: Vec<String>,
}

impl Report {
    fn set(&mut self, group: Group, id: &str, code: &str, value: f64) {
        self.results
            .entry(group)
            .or_default()
            .entry(id.to_owned())
            .or_default()
            .insert(code.to_owned(), value);
    }

    fn meta(&mut self, code: &str, key: &str, value: f64) {
        self.meta
            .entry(code.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
    }

    /// The output object of cardinal's `indicators` command, with its
    /// `Meta` key (values rounded to 4 decimals) unless `no_meta`.
    pub fn to_json(&self, no_meta: bool) -> Value {
        let mut out = Map::new();
        for (group, ids) in &self.results {
            out.insert(group.as_str().to_owned(), json!(ids));
        }
        if !no_meta {
            let meta: Map<String, Value> = self
                .meta
                .iter()
                .map(|(code, m)| {
                    let m: Map<String, Value> = m
                        .iter()
                        .map(|(k, v)| (k.clone(), json!((v * 10_000.0).round() / 10_000.0)))
                        .collect();
                    (code.clone(), Value::Object(m))
                })
                .collect();
            out.insert("Meta".into(), Value::Object(meta));
        }
        Value::Object(out)
    }
}

/// A fraction summed over contracting processes (the mediant, as cardinal
/// sums its ratios).
#[derive(Debug, Default, Clone, Copy)]
struct Fraction {
    num: usize,
    den: usize,
}

impl Fraction {
    fn add(&mut self, num: usize, den: usize) {
        self.num += num;
        self.den += den;
    }
    #[allow(clippy::cast_precision_loss)]
    fn ratio(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// One row of the second-lowest-bid column (R024, R058).
struct BidRatio {
    ocid: String,
    ratio: f64,
    winner: String,
    second: String,
}

/// The dataset columns, filled during the pass.
#[derive(Default)]
struct Columns {
    bid_ratios: Vec<BidRatio>,
    r025_tenderer: HashMap<String, Fraction>,
    r038_buyer: HashMap<String, Fraction>,
    r038_procuring_entity: HashMap<String, Fraction>,
    r038_tenderer: HashMap<String, Fraction>,
    r048_supplier: HashMap<String, (usize, HashSet<String>)>,
}

/// Resolved parameters of one rule.
struct Params<'a>(&'a BTreeMap<String, Value>);

impl Params<'_> {
    fn int(&self, k: &str, default: i64) -> i64 {
        self.0.get(k).and_then(Value::as_i64).unwrap_or(default)
    }
    fn usize(&self, k: &str, default: usize) -> usize {
        self.0
            .get(k)
            .and_then(Value::as_i64)
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(default)
    }
    /// An `optional_decimal`: `None` when unset (`""`).
    fn fixed(&self, k: &str) -> Option<f64> {
        self.0
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .and_then(|s| s.parse::<f64>().ok())
    }
}

/// Runs the enabled rules over JSON lines of compiled releases.
pub fn run(mut input: impl BufRead, config: &Config, engine: &RuleEngine) -> Result<Report, Error> {
    let per_process: Vec<&LibraryRule> = config
        .rules
        .iter()
        .filter(|r| !DATASET_RULES.contains(&r.meta.id.as_str()))
        .filter(|r| r.source.kinds.is_empty() || r.source.kinds.iter().any(|k| k == PROCESS_KIND))
        .collect();
    let sources: Vec<_> = per_process.iter().map(|r| r.source.clone()).collect();
    let compiled = engine.compile_all(&sources).map_err(|errors| {
        Error::Compile(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.rule_id, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    // Rules that declare their inputs are evaluated once per distinct
    // combination of them; the others once per process, on every fact.
    let mut plain = Vec::new();
    let mut memoized = Vec::new();
    for (rule, meta) in compiled.into_iter().zip(&per_process) {
        if meta.meta.inputs.is_empty() {
            plain.push(rule);
            continue;
        }
        let inputs = meta
            .meta
            .inputs
            .iter()
            .map(|name| {
                Fact::parse(name).ok_or_else(|| {
                    Error::Compile(format!(
                        "{}: input {name:?} is not a fact of a contracting process",
                        meta.meta.id
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        memoized.push(Memoized { rule, inputs });
    }
    let dataset: HashMap<&str, Params<'_>> = config
        .rules
        .iter()
        .filter(|r| DATASET_RULES.contains(&r.meta.id.as_str()))
        .map(|r| (r.meta.id.as_str(), Params(&r.source.params)))
        .collect();
    let enabled = |id: &str| config.rules.iter().any(|r| r.meta.id == id);
    let pass = Pass {
        global: &config.global,
        plain: &plain,
        memoized: &memoized,
        engine,
        bid_ratios: dataset.contains_key("R024") || dataset.contains_key("R058"),
        r025: dataset.contains_key("R025"),
        r038: dataset.contains_key("R038"),
        r048_digits: dataset.get("R048").map(|p| p.usize("digits", 2)),
        r036: enabled("R036"),
    };
    let mut state = State::new(config.global.currency.clone());
    let mut first_line = 0;
    let mut worker = Worker::default();
    // Which currency is observed first decides which amounts count
    // everywhere after it, so until it is known the pass runs here, in file
    // order. From then on chunks are independent and go to the workers.
    let observes_currency = pass.bid_ratios || pass.r036;
    while config.threads <= 1 || (observes_currency && state.currency.is_none()) {
        let chunk = read_chunk(&mut input)?;
        if chunk.lines == 0 {
            break;
        }
        pass.chunk(&chunk.text, first_line, &mut state, &mut worker);
        first_line += chunk.lines;
    }
    state.columns.merge(worker.counts);
    if config.threads > 1 {
        state = pass.parallel(input, first_line, state, config.threads)?;
    }
    let State {
        mut report,
        columns,
        ..
    } = state;
    finalize(&dataset, columns, &mut report);
    Ok(report)
}

/// Lines handed to a worker at a time: enough to make the hand-over cheap,
/// few enough to keep every worker busy to the end.
const CHUNK_LINES: usize = 1024;

/// Rhai recurses on the native stack once per call and nesting level; this
/// is enough for every limit, also in debug builds.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Up to `CHUNK_LINES` lines, in one buffer: one allocation per chunk,
/// not one per line, whichever thread frees it.
struct Chunk {
    text: String,
    lines: usize,
}

fn read_chunk(input: &mut impl BufRead) -> Result<Chunk, Error> {
    let mut chunk = Chunk {
        text: String::with_capacity(2 * 1024 * 1024),
        lines: 0,
    };
    while chunk.lines < CHUNK_LINES {
        // Not UTF-8 is an error here, as for `BufRead::lines`.
        if input.read_line(&mut chunk.text).map_err(Error::Io)? == 0 {
            break;
        }
        chunk.lines += 1;
    }
    Ok(chunk)
}

struct Pass<'a> {
    global: &'a Global,
    plain: &'a [CompiledRule],
    memoized: &'a [Memoized],
    engine: &'a RuleEngine,
    bid_ratios: bool,
    r025: bool,
    r038: bool,
    r048_digits: Option<usize>,
    r036: bool,
}

struct State {
    /// The main currency, once known.
    currency: Option<String>,
    columns: Columns,
    report: Report,
}

/// Outcomes of memoized rules, per worker: (index in `Pass::memoized`, key
/// of the inputs' values) → outcome.
type Memo = HashMap<(usize, String), RuleOutcome>;

/// What a worker keeps across its chunks: the per-organisation counts,
/// whose sums do not depend on the order of the lines (so one map per
/// worker, not per chunk), and its memo.
#[derive(Default)]
struct Worker {
    counts: Columns,
    memo: Memo,
}

/// Bound on the outcomes remembered per worker (then forgotten at once):
/// enough for every distinct combination the shipped rules see in a
/// large data set, with memory bounded whatever the rules declare.
const MEMO_ENTRIES: usize = 1 << 16;

/// A per-process rule that declared its inputs, with them resolved.
struct Memoized {
    rule: CompiledRule,
    inputs: Vec<Fact>,
}

impl State {
    fn new(currency: Option<String>) -> Self {
        State {
            currency,
            columns: Columns::default(),
            report: Report::default(),
        }
    }

    /// Adds the results of the lines after this state's, as if one pass
    /// had read both: later values win, counts add up.
    fn merge(&mut self, later: State) {
        self.columns.merge(later.columns);
        let r = later.report;
        for (group, ids) in r.results {
            let mine = self.report.results.entry(group).or_default();
            for (id, codes) in ids {
                mine.entry(id).or_default().extend(codes);
            }
        }
        self.report.skipped_lines.extend(r.skipped_lines);
        self.report.rule_errors.extend(r.rule_errors);
    }
}

impl Columns {
    /// Appends the rows of `c` and adds up its counts.
    fn merge(&mut self, c: Columns) {
        self.bid_ratios.extend(c.bid_ratios);
        for (mine, theirs) in [
            (&mut self.r025_tenderer, c.r025_tenderer),
            (&mut self.r038_buyer, c.r038_buyer),
            (&mut self.r038_procuring_entity, c.r038_procuring_entity),
            (&mut self.r038_tenderer, c.r038_tenderer),
        ] {
            for (id, f) in theirs {
                mine.entry(id).or_default().add(f.num, f.den);
            }
        }
        for (id, (count, codes)) in c.r048_supplier {
            let (n, all) = self.r048_supplier.entry(id).or_default();
            *n += count;
            all.extend(codes);
        }
    }
}

fn is_submitted(bid: &Bid) -> bool {
    bid.status
        .get()
        .is_some_and(|s| s != "invited" && s != "withdrawn")
}

fn is_status(status: &ocds::Str, want: &str) -> bool {
    status.get() == Some(want)
}

/// The active awards, if every award with a status is final (active,
/// cancelled or unsuccessful) and the release has awards and bids.
fn final_awards(release: &Release) -> Option<(Vec<&Award>, &ocds::List<Bid>)> {
    let details = &release.bids.get()?.details;
    if !release.awards.present || !details.present {
        return None;
    }
    let mut active = Vec::new();
    for award in release.awards.iter() {
        match award.status.get() {
            Some("active") => active.push(award),
            Some("cancelled" | "unsuccessful") | None => {}
            Some(_) => return None,
        }
    }
    Some((active, details))
}

/// The single supplier id of an award, if it has exactly one.
fn sole_supplier(award: &Award) -> Option<&str> {
    if award.suppliers.len() != 1 {
        return None;
    }
    award.suppliers.items.first()?.as_ref()?.id()
}

/// The single tenderer id of a bid, if it has exactly one.
fn sole_tenderer(bid: &Bid) -> Option<&str> {
    if bid.tenderers.len() != 1 {
        return None;
    }
    bid.tenderers.items.first()?.as_ref()?.id()
}

impl Pass<'_> {
    /// Lines `first + 1 ..` of the input.
    fn chunk(&self, text: &str, first: usize, state: &mut State, worker: &mut Worker) {
        for (i, line) in text.lines().enumerate() {
            if line.bytes().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            match serde_json::from_str::<Release>(line) {
                Ok(release) => self.process(&release, state, worker),
                Err(e) => state
                    .report
                    .skipped_lines
                    .push((first + i + 1, e.to_string())),
            }
        }
    }

    /// The rest of the input on `threads` workers, each chunk into a state
    /// of its own; the states are merged in file order, so the result is
    /// the sequential pass's.
    fn parallel(
        &self,
        mut input: impl BufRead,
        mut first_line: usize,
        mut state: State,
        threads: usize,
    ) -> Result<State, Error> {
        use std::sync::{Mutex, mpsc};
        let currency = state.currency.clone();
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, usize, Chunk)>(threads * 2);
        let work_rx = Mutex::new(work_rx);
        let (done_tx, done_rx) = mpsc::channel::<(usize, State)>();
        std::thread::scope(|scope| {
            let mut handles = Vec::with_capacity(threads);
            for n in 0..threads {
                let (work_rx, done_tx, currency) = (&work_rx, done_tx.clone(), currency.clone());
                let handle = std::thread::Builder::new()
                    .name(format!("redflags-{n}"))
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, move || {
                        let mut worker = Worker::default();
                        loop {
                            // The lock is held only to take the next chunk.
                            let job = match work_rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => break,
                            };
                            let Ok((seq, first, chunk)) = job else { break };
                            let mut part = State::new(currency.clone());
                            self.chunk(&chunk.text, first, &mut part, &mut worker);
                            if done_tx.send((seq, part)).is_err() {
                                break;
                            }
                        }
                        worker.counts
                    })
                    .map_err(Error::Io)?;
                handles.push(handle);
            }
            drop(done_tx);
            let mut pending = BTreeMap::new();
            let mut next = 0;
            let mut merge_ready = |pending: &mut BTreeMap<usize, State>, state: &mut State| {
                while let Some(part) = pending.remove(&next) {
                    state.merge(part);
                    next += 1;
                }
            };
            let mut seq = 0;
            let read = loop {
                let chunk = match read_chunk(&mut input) {
                    Ok(c) => c,
                    Err(e) => break Err(e),
                };
                if chunk.lines == 0 {
                    break Ok(());
                }
                let len = chunk.lines;
                if work_tx.send((seq, first_line, chunk)).is_err() {
                    break Ok(());
                }
                seq += 1;
                first_line += len;
                pending.extend(done_rx.try_iter());
                merge_ready(&mut pending, &mut state);
            };
            // Workers stop once the queue is closed and empty.
            drop(work_tx);
            pending.extend(done_rx.iter());
            merge_ready(&mut pending, &mut state);
            for handle in handles {
                // Library code does not panic; should a worker all the
                // same, its counts are lost, so the run fails.
                match handle.join() {
                    Ok(counts) => state.columns.merge(counts),
                    Err(_) => {
                        return Err(Error::Io(std::io::Error::other("a worker thread failed")));
                    }
                }
            }
            read.map(|()| state)
        })
    }

    fn process(&self, release: &Release, state: &mut State, worker: &mut Worker) {
        let Some(ocid) = release.ocid.get() else {
            return;
        };
        let tender = release.tender.get();
        if tender.is_some_and(|t| is_status(&t.status, "cancelled")) {
            return;
        }
        let details = tender.and_then(|t| t.procurement_method_details.get());
        if details.is_some_and(|d| self.global.excluded_procurement_method_details.contains(d)) {
            return;
        }
        let price_comparison = match details {
            Some(d) if self.global.price_comparison_procurement_methods.is_empty() => !self
                .global
                .no_price_comparison_procurement_methods
                .contains(d),
            Some(d) => self.global.price_comparison_procurement_methods.contains(d),
            None => self.global.price_comparison_procurement_methods.is_empty(),
        };
        // The order of currency observations follows cardinal's: the bid
        // ratio column first, then R036.
        if self.bid_ratios
            && price_comparison
            && let Some(row) = bid_ratio(release, ocid, &mut state.currency)
        {
            state.columns.bid_ratios.push(row);
        }
        if self.r025 {
            r025_fold(release, &mut worker.counts.r025_tenderer);
        }
        if self.r038 {
            r038_fold(release, &mut worker.counts);
        }
        if let Some(digits) = self.r048_digits {
            r048_fold(release, digits, &mut worker.counts.r048_supplier);
        }
        if self.plain.is_empty() && self.memoized.is_empty() {
            return;
        }
        let facts = self.facts(release, ocid, price_comparison, &mut state.currency);
        let context = Dynamic::from_map(rhai::Map::new());
        let report = &mut state.report;
        let mut record = |outcome: RuleOutcome| match outcome {
            RuleOutcome::Finding { rule_id, .. } => record_finding(report, &rule_id, &facts),
            RuleOutcome::Error {
                rule_id, message, ..
            } => report
                .rule_errors
                .push(format!("{rule_id} on {ocid}: {message}")),
            RuleOutcome::Clear { .. } | RuleOutcome::Skipped { .. } => {}
        };
        if !self.plain.is_empty() {
            let payload = facts.to_dynamic(None);
            self.engine
                .evaluate_dynamic(self.plain, PROCESS_KIND, &payload, &context, &mut record);
        }
        let memo = &mut worker.memo;
        if memo.len() > MEMO_ENTRIES {
            memo.clear();
        }
        for (i, m) in self.memoized.iter().enumerate() {
            let key = (i, facts.key(&m.inputs));
            let outcome = match memo.get(&key) {
                Some(o) => o.clone(),
                None => {
                    let payload = facts.to_dynamic(Some(&m.inputs));
                    let mut first = None;
                    self.engine.evaluate_dynamic(
                        std::slice::from_ref(&m.rule),
                        PROCESS_KIND,
                        &payload,
                        &context,
                        |o| first = Some(o),
                    );
                    let Some(o) = first else { continue };
                    memo.insert(key, o.clone());
                    o
                }
            };
            record(outcome);
        }
    }

    /// The facts the per-process rules decide on (see docs/redflags.md).
    fn facts<'r>(
        &self,
        release: &'r Release,
        ocid: &'r str,
        price_comparison: bool,
        currency: &mut Option<String>,
    ) -> Facts<'r> {
        let tender = release.tender.get();
        let (sole, others) = sole_valid_winner(release);
        let has_active_award = release
            .awards
            .iter()
            .any(|a| is_status(&a.status, "active"));
        let (valid_with_amount, lowest_disqualified) =
            if self.r036 && price_comparison && has_active_award {
                lowest_bid(release, currency)
            } else {
                (false, false)
            };
        Facts {
            ocid,
            price_comparison,
            procurement_method: tender.and_then(|t| t.procurement_method.get()),
            procurement_method_details: tender.and_then(|t| t.procurement_method_details.get()),
            number_of_tenderers: tender.and_then(|t| t.number_of_tenderers.u),
            submission_period_days: tender.and_then(submission_period_days),
            identical_price_tenderers: identical_price_tenderers(release),
            late_winning_tenderers: late_winning_tenderers(release),
            sole_valid_tenderer_awarded: sole,
            disqualified_other_tenderers: others,
            has_active_award,
            has_valid_bid_with_amount: valid_with_amount,
            lowest_submitted_bid_disqualified: lowest_disqualified,
        }
    }
}

/// What the per-process rules see of a contracting process, as
/// `submission` (see docs/redflags.md for each key).
struct Facts<'r> {
    ocid: &'r str,
    price_comparison: bool,
    procurement_method: Option<&'r str>,
    procurement_method_details: Option<&'r str>,
    number_of_tenderers: Option<u64>,
    submission_period_days: Option<i64>,
    identical_price_tenderers: Vec<String>,
    late_winning_tenderers: Vec<String>,
    sole_valid_tenderer_awarded: Option<String>,
    disqualified_other_tenderers: usize,
    has_active_award: bool,
    has_valid_bid_with_amount: bool,
    lowest_submitted_bid_disqualified: bool,
}

/// The facts of a contracting process, by the names rules use for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fact {
    Ocid,
    PriceComparison,
    ProcurementMethod,
    ProcurementMethodDetails,
    NumberOfTenderers,
    SubmissionPeriodDays,
    IdenticalPriceTenderers,
    LateWinningTenderers,
    SoleValidTendererAwarded,
    DisqualifiedOtherTenderers,
    HasActiveAward,
    HasValidBidWithAmount,
    LowestSubmittedBidDisqualified,
}

impl Fact {
    const ALL: [Fact; 13] = [
        Fact::Ocid,
        Fact::PriceComparison,
        Fact::ProcurementMethod,
        Fact::ProcurementMethodDetails,
        Fact::NumberOfTenderers,
        Fact::SubmissionPeriodDays,
        Fact::IdenticalPriceTenderers,
        Fact::LateWinningTenderers,
        Fact::SoleValidTendererAwarded,
        Fact::DisqualifiedOtherTenderers,
        Fact::HasActiveAward,
        Fact::HasValidBidWithAmount,
        Fact::LowestSubmittedBidDisqualified,
    ];

    fn name(self) -> &'static str {
        match self {
            Fact::Ocid => "ocid",
            Fact::PriceComparison => "price_comparison",
            Fact::ProcurementMethod => "procurement_method",
            Fact::ProcurementMethodDetails => "procurement_method_details",
            Fact::NumberOfTenderers => "number_of_tenderers",
            Fact::SubmissionPeriodDays => "submission_period_days",
            Fact::IdenticalPriceTenderers => "identical_price_tenderers",
            Fact::LateWinningTenderers => "late_winning_tenderers",
            Fact::SoleValidTendererAwarded => "sole_valid_tenderer_awarded",
            Fact::DisqualifiedOtherTenderers => "disqualified_other_tenderers",
            Fact::HasActiveAward => "has_active_award",
            Fact::HasValidBidWithAmount => "has_valid_bid_with_amount",
            Fact::LowestSubmittedBidDisqualified => "lowest_submitted_bid_disqualified",
        }
    }

    fn parse(name: &str) -> Option<Fact> {
        Fact::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Facts<'_> {
    /// The value of one fact (`()` when missing), as a JSON payload of
    /// the same facts would convert to: integers as `i64`, lists of
    /// identifiers as arrays of strings.
    fn value(&self, fact: Fact) -> Dynamic {
        let text = |s: &str| Dynamic::from(s.to_owned());
        let ids = |v: &[String]| Dynamic::from_array(v.iter().map(|s| text(s)).collect());
        let int = |n: usize| Dynamic::from_int(i64::try_from(n).unwrap_or(i64::MAX));
        match fact {
            Fact::Ocid => text(self.ocid),
            Fact::PriceComparison => Dynamic::from_bool(self.price_comparison),
            Fact::ProcurementMethod => self.procurement_method.map_or(Dynamic::UNIT, text),
            Fact::ProcurementMethodDetails => {
                self.procurement_method_details.map_or(Dynamic::UNIT, text)
            }
            Fact::NumberOfTenderers => self.number_of_tenderers.map_or(Dynamic::UNIT, |n| {
                i64::try_from(n).map_or_else(
                    |_| Dynamic::from_decimal(rust_decimal::Decimal::from(n)),
                    Dynamic::from_int,
                )
            }),
            Fact::SubmissionPeriodDays => self
                .submission_period_days
                .map_or(Dynamic::UNIT, Dynamic::from_int),
            Fact::IdenticalPriceTenderers => ids(&self.identical_price_tenderers),
            Fact::LateWinningTenderers => ids(&self.late_winning_tenderers),
            Fact::SoleValidTendererAwarded => self
                .sole_valid_tenderer_awarded
                .as_deref()
                .map_or(Dynamic::UNIT, text),
            Fact::DisqualifiedOtherTenderers => int(self.disqualified_other_tenderers),
            Fact::HasActiveAward => Dynamic::from_bool(self.has_active_award),
            Fact::HasValidBidWithAmount => Dynamic::from_bool(self.has_valid_bid_with_amount),
            Fact::LowestSubmittedBidDisqualified => {
                Dynamic::from_bool(self.lowest_submitted_bid_disqualified)
            }
        }
    }

    /// The `submission` map: every fact, or only `inputs`; missing facts
    /// are left out, as a JSON payload would leave them out.
    fn to_dynamic(&self, inputs: Option<&[Fact]>) -> Dynamic {
        let facts = inputs.unwrap_or(&Fact::ALL);
        let map: rhai::Map = facts
            .iter()
            .map(|f| (f.name().into(), self.value(*f)))
            .filter(|(_, v)| !v.is_unit())
            .collect();
        Dynamic::from_map(map)
    }

    /// A key that is equal for two processes exactly when `inputs` have
    /// equal values (type-tagged, so "1" and 1 differ).
    fn key(&self, inputs: &[Fact]) -> String {
        use std::fmt::Write;
        let mut key = String::new();
        for f in inputs {
            let v = self.value(*f);
            // Display of strings, numbers and arrays of strings is
            // unambiguous once tagged with the type and length.
            let shown = if v.is_array() {
                v.clone()
                    .into_array()
                    .unwrap_or_default()
                    .iter()
                    .map(|s| format!("{}:{s}", s.to_string().len()))
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                v.to_string()
            };
            let _ = write!(key, "{}:{}:{shown};", v.type_name(), shown.len());
        }
        key
    }
}

/// Maps a per-process finding to cardinal's output values.
fn record_finding(report: &mut Report, code: &str, facts: &Facts<'_>) {
    let ocid = facts.ocid;
    match code {
        "R035" => {
            #[allow(clippy::cast_precision_loss)]
            let n = facts.disqualified_other_tenderers as f64;
            report.set(Group::Ocid, ocid, code, n);
            if let Some(id) = &facts.sole_valid_tenderer_awarded {
                report.set(Group::Tenderer, id, code, 0.0);
            }
        }
        "R028" | "R030" => {
            report.set(Group::Ocid, ocid, code, 1.0);
            let ids = if code == "R028" {
                &facts.identical_price_tenderers
            } else {
                &facts.late_winning_tenderers
            };
            for id in ids {
                report.set(Group::Tenderer, id, code, 1.0);
            }
        }
        _ => report.set(Group::Ocid, ocid, code, 1.0),
    }
}

/// Whole days from the tender period's start to its end (RFC 3339 dates),
/// truncated toward zero.
fn submission_period_days(tender: &ocds::Tender) -> Option<i64> {
    let period = tender.tender_period.get()?;
    let start = chrono::DateTime::parse_from_rfc3339(period.start_date.get()?).ok()?;
    let end = chrono::DateTime::parse_from_rfc3339(period.end_date.get()?).ok()?;
    Some((end - start).num_days())
}

/// Tenderers whose submitted bids share a price (amount and currency) with
/// another tenderer's (or set of tenderers') bid, sorted.
fn identical_price_tenderers(release: &Release) -> Vec<String> {
    let mut flagged = BTreeSet::new();
    let Some(bids) = release.bids.get() else {
        return Vec::new();
    };
    let mut prices: HashMap<(u64, &str), BTreeSet<&str>> = HashMap::new();
    for bid in bids.details.iter().filter(|b| is_submitted(b)) {
        let Some(value) = bid.value.get() else {
            continue;
        };
        let (Some(amount), Some(currency)) = (value.amount.f, value.currency.get()) else {
            continue;
        };
        if !bid.tenderers.present {
            continue;
        }
        let ids: BTreeSet<&str> = bid.tenderers.iter().filter_map(ocds::Org::id).collect();
        if ids.is_empty() {
            continue;
        }
        // -0.0 and 0.0 are one price.
        let key = ((amount + 0.0).to_bits(), currency);
        if let Some(other) = prices.get(&key)
            && *other != ids
        {
            flagged.extend(ids.iter().copied());
            flagged.extend(other.iter().copied());
        }
        // The latest set of tenderers at a price is what later bids are
        // compared with.
        prices.insert(key, ids);
    }
    flagged.into_iter().map(str::to_owned).collect()
}

/// Suppliers of active awards whose valid bids arrived after the tender
/// period's end date (dates compared as strings, as cardinal does), sorted.
fn late_winning_tenderers(release: &Release) -> Vec<String> {
    let Some(end) = release
        .tender
        .get()
        .and_then(|t| t.tender_period.get())
        .and_then(|p| p.end_date.get())
    else {
        return Vec::new();
    };
    let Some(bids) = release.bids.get() else {
        return Vec::new();
    };
    if !release.awards.present || !bids.details.present {
        return Vec::new();
    }
    let winners: HashSet<&str> = release
        .awards
        .iter()
        .filter(|a| is_status(&a.status, "active") && a.suppliers.present)
        .flat_map(|a| a.suppliers.iter().filter_map(ocds::Org::id))
        .collect();
    let mut late = BTreeSet::new();
    for bid in bids.details.iter() {
        if is_status(&bid.status, "valid")
            && bid.date.get().is_some_and(|d| d > end)
            && bid.tenderers.present
        {
            late.extend(
                bid.tenderers
                    .iter()
                    .filter_map(ocds::Org::id)
                    .filter(|id| winners.contains(id)),
            );
        }
    }
    late.into_iter().map(str::to_owned).collect()
}

/// R035's facts: the single tenderer with valid bids, if it is exactly the
/// set of suppliers of the active awards (all awards final), and how many
/// other tenderers had disqualified bids.
fn sole_valid_winner(release: &Release) -> (Option<String>, usize) {
    let Some((active, details)) = final_awards(release) else {
        return (None, 0);
    };
    let suppliers: HashSet<&str> = active
        .iter()
        .filter(|a| a.suppliers.present)
        .flat_map(|a| a.suppliers.iter().filter_map(ocds::Org::id))
        .collect();
    let mut valid = HashSet::new();
    let mut disqualified = HashSet::new();
    for bid in details.iter() {
        let set = match bid.status.get() {
            Some("valid") => &mut valid,
            Some("disqualified") => &mut disqualified,
            _ => continue,
        };
        if bid.tenderers.present {
            set.extend(bid.tenderers.iter().filter_map(ocds::Org::id));
        }
    }
    if valid.len() != 1 || valid != suppliers {
        return (None, 0);
    }
    let others = disqualified.difference(&valid).count();
    (valid.into_iter().next().map(str::to_owned), others)
}

/// R036's facts: whether a valid bid has an amount, and whether the lowest
/// submitted bid (first among equals, main currency only) is disqualified.
fn lowest_bid(release: &Release, currency: &mut Option<String>) -> (bool, bool) {
    let mut lowest: Option<f64> = None;
    let mut lowest_disqualified = false;
    let mut valid_with_amount = false;
    let Some(bids) = release.bids.get() else {
        return (false, false);
    };
    for bid in bids.details.iter().filter(|b| is_submitted(b)) {
        let Some(status) = bid.status.get() else {
            continue;
        };
        let Some(value) = bid.value.get() else {
            continue;
        };
        let (Some(amount), Some(cur)) = (value.amount.f, value.currency.get()) else {
            continue;
        };
        if cur != currency.get_or_insert_with(|| cur.to_owned()) {
            continue;
        }
        if lowest.is_none_or(|l| amount < l) {
            lowest = Some(amount);
            lowest_disqualified = status == "disqualified";
        }
        if status == "valid" {
            valid_with_amount = true;
        }
    }
    (valid_with_amount, lowest_disqualified)
}

/// The relative difference between the winning bid and the lowest valid
/// bid of another tenderer, when all awards are final, one is active and
/// has one supplier, and the winner's bid is the lowest.
fn bid_ratio(release: &Release, ocid: &str, currency: &mut Option<String>) -> Option<BidRatio> {
    let (active, details) = final_awards(release)?;
    let [award] = active.as_slice() else {
        return None;
    };
    let supplier = sole_supplier(award)?;
    let mut winner: Option<f64> = None;
    let mut second: Option<(f64, &str)> = None;
    for bid in details.iter() {
        let Some(value) = bid.value.get() else {
            continue;
        };
        let (Some(amount), Some(cur)) = (value.amount.f, value.currency.get()) else {
            continue;
        };
        let Some(tenderer) = sole_tenderer(bid) else {
            continue;
        };
        if !is_status(&bid.status, "valid") {
            continue;
        }
        if cur != currency.get_or_insert_with(|| cur.to_owned()) {
            continue;
        }
        if tenderer == supplier {
            if winner.is_none_or(|w| amount < w) {
                winner = Some(amount);
            }
        } else if second.is_none_or(|(s, _)| amount < s) {
            second = Some((amount, tenderer));
        }
    }
    let (w, (s, second_id)) = (winner?, second?);
    (s >= w).then(|| BidRatio {
        ocid: ocid.to_owned(),
        ratio: (s - w) / w,
        winner: supplier.to_owned(),
        second: second_id.to_owned(),
    })
}

fn r025_fold(release: &Release, column: &mut HashMap<String, Fraction>) {
    let Some((active, details)) = final_awards(release) else {
        return;
    };
    let [award] = active.as_slice() else {
        return;
    };
    let Some(supplier) = sole_supplier(award) else {
        return;
    };
    let valid: HashSet<&str> = details
        .iter()
        .filter(|b| is_status(&b.status, "valid"))
        .filter_map(sole_tenderer)
        .collect();
    // Each tenderer counts once per contracting process.
    for id in valid {
        column
            .entry(id.to_owned())
            .or_default()
            .add(usize::from(id == supplier), 1);
    }
}

fn r038_fold(release: &Release, columns: &mut Columns) {
    let Some(bids) = release.bids.get() else {
        return;
    };
    let mut submitted = 0;
    let mut disqualified = 0;
    for bid in bids.details.iter().filter(|b| is_submitted(b)) {
        submitted += 1;
        let dq = usize::from(is_status(&bid.status, "disqualified"));
        disqualified += dq;
        for id in bid.tenderers.iter().filter_map(ocds::Org::id) {
            columns
                .r038_tenderer
                .entry(id.to_owned())
                .or_default()
                .add(dq, 1);
        }
    }
    if submitted == 0 {
        return;
    }
    if let Some(id) = release.buyer.get().and_then(ocds::Org::id) {
        columns
            .r038_buyer
            .entry(id.to_owned())
            .or_default()
            .add(disqualified, submitted);
    }
    if let Some(id) = release
        .tender
        .get()
        .and_then(|t| t.procuring_entity.get())
        .and_then(ocds::Org::id)
    {
        columns
            .r038_procuring_entity
            .entry(id.to_owned())
            .or_default()
            .add(disqualified, submitted);
    }
}

fn r048_fold(
    release: &Release,
    digits: usize,
    column: &mut HashMap<String, (usize, HashSet<String>)>,
) {
    let mut seen: HashSet<&str> = HashSet::new();
    for award in release.awards.iter() {
        if !is_status(&award.status, "active") || !award.items.present {
            continue;
        }
        let Some(supplier) = sole_supplier(award) else {
            continue;
        };
        for item in award.items.iter() {
            let Some(code) = item.classification.get().and_then(|c| c.id.get()) else {
                continue;
            };
            let (count, codes) = column.entry(supplier.to_owned()).or_default();
            // A supplier counts once per contracting process.
            if seen.insert(supplier) {
                *count += 1;
            }
            codes.insert(code.chars().take(digits).collect());
        }
    }
}

/// The dataset rules, over the columns filled during the pass.
fn finalize(dataset: &HashMap<&str, Params<'_>>, columns: Columns, report: &mut Report) {
    let ratios = || Column::new(columns.bid_ratios.iter().map(|r| r.ratio).collect());
    if let Some(p) = dataset.get("R024") {
        let (lower, q1) = match p.fixed("threshold") {
            // With a fixed fence, q1 does not gate the flags.
            Some(t) => (t, 1.0),
            None => {
                let c = ratios();
                let (q1, q3) = (c.q1(), c.q3());
                report.meta("R024", "q1", q1);
                report.meta("R024", "q3", q3);
                (stats::lower_fence(q1, q3), q1)
            }
        };
        report.meta("R024", "lower_fence", lower);
        // Ratios are never negative: when Q1 is 0, a quarter of the data
        // set has equal bids and the fence would flag it wholesale.
        if q1 > 0.0 && lower > 0.0 {
            for r in columns.bid_ratios.iter().filter(|r| r.ratio <= lower) {
                report.set(Group::Ocid, &r.ocid, "R024", r.ratio);
                report.set(Group::Tenderer, &r.winner, "R024", 0.0);
                report.set(Group::Tenderer, &r.second, "R024", 0.0);
            }
        }
    }
    if let Some(p) = dataset.get("R058") {
        let upper = p.fixed("threshold").unwrap_or_else(|| {
            let c = ratios();
            let (q1, q3) = (c.q1(), c.q3());
            report.meta("R058", "q1", q1);
            report.meta("R058", "q3", q3);
            stats::upper_fence(q1, q3)
        });
        report.meta("R058", "upper_fence", upper);
        if upper > 0.0 {
            for r in columns.bid_ratios.iter().filter(|r| r.ratio >= upper) {
                report.set(Group::Ocid, &r.ocid, "R058", r.ratio);
                report.set(Group::Tenderer, &r.winner, "R058", 0.0);
            }
        }
    }
    if let Some(p) = dataset.get("R025") {
        #[allow(clippy::cast_precision_loss)]
        let processes = Column::new(
            columns
                .r025_tenderer
                .values()
                .map(|f| f.den as f64)
                .collect(),
        );
        let percentile = u32::try_from(p.int("percentile", 75).clamp(0, 100)).unwrap_or(75);
        let upper = processes.percentile(percentile);
        let (lower, q1) = match p.fixed("threshold") {
            Some(t) => (t, 1.0),
            None => {
                let c = Column::new(columns.r025_tenderer.values().map(|f| f.ratio()).collect());
                let (q1, q3) = (c.q1(), c.q3());
                report.meta("R025", "q1", q1);
                report.meta("R025", "q3", q3);
                (stats::lower_fence(q1, q3), q1)
            }
        };
        report.meta("R025", "upper_fence", upper);
        report.meta("R025", "lower_fence", lower);
        if q1 > 0.0 && lower > 0.0 {
            for (id, f) in &columns.r025_tenderer {
                #[allow(clippy::cast_precision_loss)]
                let enough = f.den as f64 >= upper;
                if enough && f.ratio() <= lower {
                    report.set(Group::Tenderer, id, "R025", f.ratio());
                }
            }
        }
    }
    if let Some(p) = dataset.get("R038") {
        let min_processes = p.usize("minimum_contracting_processes", 2);
        let min_bids = p.usize("minimum_submitted_bids", 2);
        let fixed = p.fixed("threshold");
        for (group, column, minimum) in [
            (Group::Buyer, &columns.r038_buyer, min_processes),
            (
                Group::ProcuringEntity,
                &columns.r038_procuring_entity,
                min_processes,
            ),
            (Group::Tenderer, &columns.r038_tenderer, min_bids),
        ] {
            let ratios: Vec<(&String, f64)> = column
                .iter()
                .filter(|(_, f)| f.den >= minimum)
                .map(|(id, f)| (id, f.ratio()))
                .collect();
            if ratios.is_empty() {
                continue;
            }
            let g = group.as_str();
            let upper = fixed.unwrap_or_else(|| {
                let c = Column::new(ratios.iter().map(|(_, r)| *r).collect());
                let (q1, q3) = (c.q1(), c.q3());
                report.meta("R038", &format!("{g}_q1"), q1);
                report.meta("R038", &format!("{g}_q3"), q3);
                stats::upper_fence(q1, q3)
            });
            report.meta("R038", &format!("{g}_upper_fence"), upper);
            if upper > 0.0 {
                for (id, ratio) in ratios.into_iter().filter(|(_, r)| *r >= upper) {
                    report.set(group, id, "R038", ratio);
                }
            }
        }
    }
    if let Some(p) = dataset.get("R048") {
        let minimum = p.usize("minimum_contracting_processes", 20);
        #[allow(clippy::cast_precision_loss)]
        let lengths: Vec<(&String, f64)> = columns
            .r048_supplier
            .iter()
            .filter(|(_, (count, _))| *count >= minimum)
            .map(|(id, (_, codes))| (id, codes.len() as f64))
            .collect();
        let upper = p.fixed("threshold").unwrap_or_else(|| {
            let c = Column::new(lengths.iter().map(|(_, l)| *l).collect());
            let (q1, q3) = (c.q1(), c.q3());
            report.meta("R048", "q1", q1);
            report.meta("R048", "q3", q3);
            stats::upper_fence(q1, q3)
        });
        report.meta("R048", "upper_fence", upper);
        for (id, length) in lengths.into_iter().filter(|(_, l)| *l >= upper) {
            report.set(Group::Tenderer, id, "R048", length);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(ids: &[&str], days: Option<i64>) -> Facts<'static> {
        Facts {
            ocid: "x",
            price_comparison: true,
            procurement_method: Some("open"),
            procurement_method_details: None,
            number_of_tenderers: Some(1),
            submission_period_days: days,
            identical_price_tenderers: ids.iter().map(|s| (*s).to_owned()).collect(),
            late_winning_tenderers: Vec::new(),
            sole_valid_tenderer_awarded: None,
            disqualified_other_tenderers: 0,
            has_active_award: false,
            has_valid_bid_with_amount: false,
            lowest_submitted_bid_disqualified: false,
        }
    }

    #[test]
    fn memo_keys_tell_apart_what_a_rule_can_tell_apart() {
        let ids = [Fact::IdenticalPriceTenderers];
        // Identifiers containing the separators are not confused.
        assert_ne!(
            facts(&["a,b"], None).key(&ids),
            facts(&["a", "b"], None).key(&ids)
        );
        assert_ne!(
            facts(&["a:1"], None).key(&ids),
            facts(&["a"], None).key(&ids)
        );
        assert_eq!(
            facts(&["a", "b"], None).key(&ids),
            facts(&["a", "b"], None).key(&ids)
        );
        // A missing fact is not an empty string or zero.
        let days = [Fact::SubmissionPeriodDays, Fact::ProcurementMethodDetails];
        assert_ne!(facts(&[], None).key(&days), facts(&[], Some(0)).key(&days));
        // Facts a rule does not declare do not split its memo.
        let mut other = facts(&["z"], Some(3));
        other.ocid = "y";
        assert_eq!(
            facts(&[], Some(3)).key(&[Fact::SubmissionPeriodDays]),
            other.key(&[Fact::SubmissionPeriodDays])
        );
    }

    #[test]
    fn a_rule_with_inputs_gets_only_them() {
        let f = facts(&["a"], Some(3));
        let m = f
            .to_dynamic(Some(&[
                Fact::SubmissionPeriodDays,
                Fact::ProcurementMethodDetails,
            ]))
            .cast::<rhai::Map>();
        // Missing facts are absent, as in a JSON payload.
        assert_eq!(m.len(), 1);
        assert_eq!(m["submission_period_days"].as_int(), Ok(3));
        let all = f.to_dynamic(None).cast::<rhai::Map>();
        // Thirteen facts, two of them missing here.
        assert_eq!(all.len(), 11);
        assert!(Fact::ALL.iter().all(|x| Fact::parse(x.name()) == Some(*x)));
        assert_eq!(Fact::parse("tenderers"), None);
    }
}
