//! The streaming pass over the input: chunks of lines, on the calling
//! thread or on workers, each release to its facts, the per-process rules
//! and the dataset columns.

use super::columns::{Columns, Interner, bid_ratio, r025_fold, r038_fold, r048_fold};
use super::facts::{Fact, Facts};
use super::ocds::Release;
use super::release::{
    identical_price_tenderers, is_status, late_winning_tenderers, lowest_bid, sole_valid_winner,
    submission_period_days,
};
use super::report::{Code, Report, record_finding};
use super::{Error, FastMap, Global, PROCESS_KIND};
use crate::engine::{CompiledRule, RuleEngine, RuleRun};
use adal_sandbox_protocol::RuleOutcome;
use rhai::Dynamic;
use std::collections::BTreeMap;
use std::io::BufRead;

/// Lines handed to a worker at a time: enough to make the hand-over cheap,
/// few enough to keep every worker busy to the end. Each chunk in flight
/// is held whole (about 1.5 KB a line for typical releases), so this also
/// bounds the memory of the input: 1,024 lines with up to 7 chunks in
/// flight cost 12 MiB more peak RSS with 2 workers than 256 lines with at
/// most 5, for the same wall time.
const CHUNK_LINES: usize = 256;

/// Rhai recurses on the native stack once per call and nesting level; this
/// is enough for every limit, also in debug builds.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Up to `CHUNK_LINES` lines, in one buffer: one allocation per chunk,
/// not one per line, whichever thread frees it.
pub(super) struct Chunk {
    pub(super) text: String,
    pub(super) lines: usize,
}

pub(super) fn read_chunk(input: &mut impl BufRead) -> Result<Chunk, Error> {
    let mut chunk = Chunk {
        text: String::with_capacity(512 * 1024),
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

pub(super) struct Pass<'a> {
    pub(super) global: &'a Global,
    pub(super) plain: &'a [CompiledRule],
    pub(super) memoized: &'a [Memoized],
    pub(super) engine: &'a RuleEngine,
    pub(super) bid_ratios: bool,
    pub(super) r025: bool,
    pub(super) r038: bool,
    pub(super) r048_digits: Option<usize>,
    pub(super) r036: bool,
    /// The ids of the rules, shared by the results that name them.
    pub(super) codes: &'a [Code],
}

pub(super) struct State {
    /// The main currency, once known.
    pub(super) currency: Option<String>,
    pub(super) columns: Columns,
    pub(super) report: Report,
}

/// Outcomes of memoized rules, per worker: for each rule of
/// `Pass::memoized`, the key of its inputs' values (`Facts::write_key`) →
/// the finding or error, boxed, or `None` when there is nothing to record
/// (most entries): a `RuleRun` inline would make every entry as large as
/// a finding.
#[derive(Default)]
struct Memo {
    rules: Vec<FastMap<String, Option<Box<RuleRun>>>>,
    entries: usize,
    /// The key being looked up, reused from process to process.
    key: String,
}

impl Memo {
    /// Makes room for the outcomes of `rules` rules: once the bound is
    /// reached, every outcome is forgotten at once.
    fn prepare(&mut self, rules: usize) {
        if self.entries > MEMO_ENTRIES || self.rules.len() != rules {
            self.rules.clear();
            self.rules.resize_with(rules, FastMap::default);
            self.entries = 0;
        }
    }
}

/// What a worker keeps across its chunks: the per-organisation counts,
/// whose sums do not depend on the order of the lines (so one map per
/// worker, not per chunk), its memo, and the identifiers its bid-ratio
/// rows share.
#[derive(Default)]
pub(super) struct Worker {
    pub(super) counts: Columns,
    memo: Memo,
    ids: Interner,
}

/// Bound on the outcomes remembered per worker (then forgotten at once):
/// enough for every distinct combination the shipped rules see in a
/// large data set, with memory bounded whatever the rules declare.
const MEMO_ENTRIES: usize = 1 << 16;

/// A per-process rule that declared its inputs, with them resolved.
pub(super) struct Memoized {
    pub(super) rule: CompiledRule,
    pub(super) inputs: Vec<Fact>,
}

impl State {
    pub(super) fn new(currency: Option<String>) -> Self {
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
        self.report.merge_results(r.results);
        self.report.skipped_lines.extend(r.skipped_lines);
        self.report.rule_errors.extend(r.rule_errors);
    }
}

impl Pass<'_> {
    /// Lines `first + 1 ..` of the input.
    pub(super) fn chunk(&self, text: &str, first: usize, state: &mut State, worker: &mut Worker) {
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
    pub(super) fn parallel(
        &self,
        mut input: impl BufRead,
        mut first_line: usize,
        mut state: State,
        threads: usize,
    ) -> Result<State, Error> {
        use std::sync::{Mutex, mpsc};
        let currency = state.currency.clone();
        // One chunk queued per worker keeps them busy while the next is
        // read; each more queued is only held memory.
        let (work_tx, work_rx) = mpsc::sync_channel::<(usize, usize, Chunk)>(threads);
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
                        // An engine of its own: rhai's `sync` string
                        // interner is one lock per engine, and a thread
                        // that finds it taken sleeps 10 ms (51 times over
                        // 100,000 processes on 2 workers sharing one, which
                        // made them slower than one thread).
                        let engine = RuleEngine::new(self.engine.limits());
                        let pass = Pass {
                            engine: &engine,
                            ..*self
                        };
                        let mut worker = Worker::default();
                        loop {
                            // The lock is held only to take the next chunk.
                            let job = match work_rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => break,
                            };
                            let Ok((seq, first, chunk)) = job else { break };
                            let mut part = State::new(currency.clone());
                            pass.chunk(&chunk.text, first, &mut part, &mut worker);
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
            && let Some(row) = bid_ratio(release, ocid, &mut state.currency, &mut worker.ids)
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
        let mut record = |run: &RuleRun| match run {
            RuleRun::Reported(RuleOutcome::Finding { rule_id, .. }) => {
                let code = match self.codes.iter().find(|c| ***c == **rule_id) {
                    Some(c) => Code::clone(c),
                    None => Code::from(rule_id.as_str()),
                };
                record_finding(report, &code, &facts);
            }
            RuleRun::Reported(RuleOutcome::Error {
                rule_id, message, ..
            }) => report
                .rule_errors
                .push(format!("{rule_id} on {ocid}: {message}")),
            RuleRun::Clear | RuleRun::Skipped => {}
        };
        if !self.plain.is_empty() {
            let payload = facts.to_dynamic(None);
            self.engine
                .evaluate_dynamic(self.plain, PROCESS_KIND, &payload, &context, |_, run| {
                    record(&run);
                });
        }
        let memo = &mut worker.memo;
        memo.prepare(self.memoized.len());
        let Memo {
            rules,
            entries,
            key,
        } = memo;
        for (m, outcomes) in self.memoized.iter().zip(rules) {
            key.clear();
            facts.write_key(&m.inputs, key);
            // Outcomes are recorded from the memo as they are: a copy of
            // one per process would only be thrown away.
            if let Some(o) = outcomes.get(key.as_str()) {
                if let Some(o) = o {
                    record(o);
                }
                continue;
            }
            let payload = facts.to_dynamic(Some(&m.inputs));
            let mut first = None;
            self.engine.evaluate_dynamic(
                std::slice::from_ref(&m.rule),
                PROCESS_KIND,
                &payload,
                &context,
                |_, run| first = Some(run),
            );
            let Some(o) = first else { continue };
            let remembered = match o {
                RuleRun::Clear | RuleRun::Skipped => None,
                reported => {
                    record(&reported);
                    Some(Box::new(reported))
                }
            };
            outcomes.insert(key.clone(), remembered);
            *entries += 1;
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
