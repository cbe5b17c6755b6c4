//! The dataset columns: what the pass appends per contracting process for
//! the dataset rules (R024, R025, R038, R048, R058) to judge at the end.

use super::id::Id;
use super::ocds::{self, Release};
use super::release::{final_awards, is_status, is_submitted, sole_supplier, sole_tenderer};
use super::{FastMap, FastSet};
use std::sync::Arc;

/// A fraction summed over contracting processes (the mediant, as cardinal
/// sums its ratios).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Fraction {
    num: usize,
    pub(super) den: usize,
}

impl Fraction {
    fn add(&mut self, num: usize, den: usize) {
        self.num += num;
        self.den += den;
    }

    /// Adds `num / den` to `id`'s fraction in `column`, copying `id` only
    /// the first time it is seen.
    fn add_to(column: &mut FastMap<Id, Fraction>, id: &str, num: usize, den: usize) {
        match column.get_mut(id) {
            Some(f) => f.add(num, den),
            None => {
                column.insert(Id::new(id), Fraction { num, den });
            }
        }
    }
    #[allow(clippy::cast_precision_loss)]
    pub(super) fn ratio(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// One row of the second-lowest-bid column (R024, R058). A large data
/// set has a row for most of its processes, so rows are kept small: the
/// tenderers, who recur across processes, are shared ([`Interner`]).
pub(super) struct BidRatio {
    pub(super) ocid: Box<str>,
    pub(super) ratio: f64,
    pub(super) winner: Arc<str>,
    pub(super) second: Arc<str>,
}

/// One shared copy of each identifier seen (per worker: copies of one
/// identifier on two workers are equal, so rows from both merge as is).
#[derive(Default)]
pub(super) struct Interner(FastSet<Arc<str>>);

impl Interner {
    pub(super) fn get(&mut self, id: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(id) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(id);
        self.0.insert(Arc::clone(&shared));
        shared
    }
}

/// The dataset columns, filled during the pass.
#[derive(Default)]
pub(super) struct Columns {
    pub(super) bid_ratios: Vec<BidRatio>,
    pub(super) r025_tenderer: FastMap<Id, Fraction>,
    pub(super) r038_buyer: FastMap<Id, Fraction>,
    pub(super) r038_procuring_entity: FastMap<Id, Fraction>,
    pub(super) r038_tenderer: FastMap<Id, Fraction>,
    pub(super) r048_supplier: FastMap<Id, (usize, FastSet<String>)>,
}

impl Columns {
    /// Appends the rows of `c` and adds up its counts. Sums do not depend
    /// on the order, so the smaller map is added into the larger (into an
    /// empty one, the other is taken whole rather than copied entry by
    /// entry, which held both at once).
    pub(super) fn merge(&mut self, mut c: Columns) {
        if self.bid_ratios.is_empty() {
            self.bid_ratios = c.bid_ratios;
        } else {
            self.bid_ratios.append(&mut c.bid_ratios);
        }
        for (mine, mut theirs) in [
            (&mut self.r025_tenderer, c.r025_tenderer),
            (&mut self.r038_buyer, c.r038_buyer),
            (&mut self.r038_procuring_entity, c.r038_procuring_entity),
            (&mut self.r038_tenderer, c.r038_tenderer),
        ] {
            if mine.len() < theirs.len() {
                std::mem::swap(mine, &mut theirs);
            }
            for (id, f) in theirs {
                mine.entry(id).or_default().add(f.num, f.den);
            }
        }
        let mut theirs = c.r048_supplier;
        if self.r048_supplier.len() < theirs.len() {
            std::mem::swap(&mut self.r048_supplier, &mut theirs);
        }
        for (id, (count, codes)) in theirs {
            let (n, all) = self.r048_supplier.entry(id).or_default();
            *n += count;
            all.extend(codes);
        }
    }
}

/// The relative difference between the winning bid and the lowest valid
/// bid of another tenderer, when all awards are final, one is active and
/// has one supplier, and the winner's bid is the lowest.
pub(super) fn bid_ratio(
    release: &Release,
    ocid: &str,
    currency: &mut Option<String>,
    ids: &mut Interner,
) -> Option<BidRatio> {
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
        ocid: ocid.into(),
        ratio: (s - w) / w,
        winner: ids.get(supplier),
        second: ids.get(second_id),
    })
}

pub(super) fn r025_fold(release: &Release, column: &mut FastMap<Id, Fraction>) {
    let Some((active, details)) = final_awards(release) else {
        return;
    };
    let [award] = active.as_slice() else {
        return;
    };
    let Some(supplier) = sole_supplier(award) else {
        return;
    };
    let valid: FastSet<&str> = details
        .iter()
        .filter(|b| is_status(&b.status, "valid"))
        .filter_map(sole_tenderer)
        .collect();
    // Each tenderer counts once per contracting process.
    for id in valid {
        Fraction::add_to(column, id, usize::from(id == supplier), 1);
    }
}

pub(super) fn r038_fold(release: &Release, columns: &mut Columns) {
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
            Fraction::add_to(&mut columns.r038_tenderer, id, dq, 1);
        }
    }
    if submitted == 0 {
        return;
    }
    if let Some(id) = release.buyer.get().and_then(ocds::Org::id) {
        Fraction::add_to(&mut columns.r038_buyer, id, disqualified, submitted);
    }
    if let Some(id) = release
        .tender
        .get()
        .and_then(|t| t.procuring_entity.get())
        .and_then(ocds::Org::id)
    {
        Fraction::add_to(
            &mut columns.r038_procuring_entity,
            id,
            disqualified,
            submitted,
        );
    }
}

pub(super) fn r048_fold(
    release: &Release,
    digits: usize,
    column: &mut FastMap<Id, (usize, FastSet<String>)>,
) {
    let mut seen: FastSet<&str> = FastSet::default();
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
            // A supplier counts once per contracting process.
            let first = seen.insert(supplier);
            let (count, codes) = match column.get_mut(supplier) {
                Some(entry) => entry,
                None => column.entry(Id::new(supplier)).or_default(),
            };
            if first {
                *count += 1;
            }
            // The first `digits` characters, copied only when new.
            let division = code
                .char_indices()
                .nth(digits)
                .map_or(code, |(end, _)| &code[..end]);
            if !codes.contains(division) {
                codes.insert(division.to_owned());
            }
        }
    }
}
