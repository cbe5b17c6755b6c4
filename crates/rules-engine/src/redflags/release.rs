//! What the per-process facts and the dataset columns read off one
//! compiled release: bid and award statuses, and the facts of R028, R030,
//! R035, R036 and the submission period.

use super::ocds::{self, Award, Bid, Release};
use super::{FastMap, FastSet};
use std::collections::BTreeSet;

pub(super) fn is_submitted(bid: &Bid) -> bool {
    bid.status
        .get()
        .is_some_and(|s| s != "invited" && s != "withdrawn")
}

pub(super) fn is_status(status: &ocds::Str, want: &str) -> bool {
    status.get() == Some(want)
}

/// The active awards, if every award with a status is final (active,
/// cancelled or unsuccessful) and the release has awards and bids.
pub(super) fn final_awards<'r, 'a>(
    release: &'r Release<'a>,
) -> Option<(Vec<&'r Award<'a>>, &'r ocds::List<Bid<'a>>)> {
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
pub(super) fn sole_supplier<'r>(award: &'r Award<'_>) -> Option<&'r str> {
    if award.suppliers.len() != 1 {
        return None;
    }
    award.suppliers.items.first()?.as_ref()?.id()
}

/// The single tenderer id of a bid, if it has exactly one.
pub(super) fn sole_tenderer<'r>(bid: &'r Bid<'_>) -> Option<&'r str> {
    if bid.tenderers.len() != 1 {
        return None;
    }
    bid.tenderers.items.first()?.as_ref()?.id()
}

/// Whole days from the tender period's start to its end (RFC 3339 dates),
/// truncated toward zero.
pub(super) fn submission_period_days(tender: &ocds::Tender) -> Option<i64> {
    let period = tender.tender_period.get()?;
    let start = chrono::DateTime::parse_from_rfc3339(period.start_date.get()?).ok()?;
    let end = chrono::DateTime::parse_from_rfc3339(period.end_date.get()?).ok()?;
    Some((end - start).num_days())
}

/// Tenderers whose submitted bids share a price (amount and currency) with
/// another tenderer's (or set of tenderers') bid, sorted.
pub(super) fn identical_price_tenderers(release: &Release) -> Vec<String> {
    let mut flagged = BTreeSet::new();
    let Some(bids) = release.bids.get() else {
        return Vec::new();
    };
    let mut prices: FastMap<(u64, &str), BTreeSet<&str>> = FastMap::default();
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
pub(super) fn late_winning_tenderers(release: &Release) -> Vec<String> {
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
    let winners: FastSet<&str> = release
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
pub(super) fn sole_valid_winner(release: &Release) -> (Option<String>, usize) {
    let Some((active, details)) = final_awards(release) else {
        return (None, 0);
    };
    let suppliers: FastSet<&str> = active
        .iter()
        .filter(|a| a.suppliers.present)
        .flat_map(|a| a.suppliers.iter().filter_map(ocds::Org::id))
        .collect();
    let mut valid = FastSet::default();
    let mut disqualified = FastSet::default();
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
pub(super) fn lowest_bid(release: &Release, currency: &mut Option<String>) -> (bool, bool) {
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
