#!/usr/bin/env python3
"""Writes N contracting processes as JSON lines of OCDS compiled releases.

The shapes are those of the red-flag conformance fixtures
(shared/conformance/cardinal/indicators/): ocid, buyer, tender (status,
procurementMethod, procurementMethodDetails, tenderPeriod,
numberOfTenderers, procuringEntity), bids.details (status, date, value,
tenderers) and awards (status, suppliers, items with classifications).

The population is shaped so that each of the eleven shared indicators
fires on some fraction of it, with the conformance settings
(no_price_comparison_procurement_methods = NPC, exclusions = EXC):

- R003: about 6% of tenders have a submission period under 15 days.
- R018: about 12% of open or selective tenders have one tenderer.
- R024 / R058: the winner's margin over the second-lowest valid bid is
  mostly 5-15%, with a few near-identical (R024) and far-apart (R058) pairs.
- R025: a few "cover" bidders bid often and never win.
- R028: some bids copy another tenderer's price.
- R030: some winning bids arrive after the deadline.
- R035 / R036: disqualifications, sometimes of everyone but the winner,
  sometimes of the lowest bid.
- R038: a few buyers, procuring entities and tenderers with high shares of
  disqualified bids.
- R048: a few generalist suppliers win across many item divisions.

Deterministic for a given --seed. Python 3.11 standard library only.

    python3 tests/load/gen_ocds.py --processes 100000 --seed 1 > ocds.jsonl
"""

import argparse
import datetime as dt
import json
import random
import sys

METHODS = [("open", 55), ("selective", 15), ("limited", 15), ("direct", 15)]
DETAILS = [
    ("Open tender", 40),
    ("Request for quotations", 25),
    ("Two-stage tender", 10),
    ("Auction", 10),
    ("Single source", 10),
    ("NPC", 3),  # prices not compared (conformance settings)
    ("EXC", 2),  # excluded processes (conformance settings)
]
BID_STATUS = [("valid", 80), ("disqualified", 10), ("pending", 3), ("invited", 4), ("withdrawn", 3)]
AWARD_STATUS_ODD = ["pending", "cancelled", "unsuccessful"]
EPOCH = dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Population:
    """The organisations and item classifications the processes draw on."""

    def __init__(self, rng, processes):
        scale = max(1, processes // 100)
        self.buyers = [f"KZ-BIN-B{i:05d}" for i in range(max(20, scale * 3))]
        self.entities = [f"KZ-BIN-P{i:05d}" for i in range(max(20, scale * 4))]
        self.tenderers = [f"KZ-BIN-T{i:05d}" for i in range(max(60, scale * 4))]
        # A few organisations with unusual behaviour.
        self.cover = set(rng.sample(self.tenderers, max(2, len(self.tenderers) // 200)))
        self.often_disqualified = set(rng.sample(self.tenderers, max(2, len(self.tenderers) // 100)))
        self.strict_buyers = set(rng.sample(self.buyers, max(1, len(self.buyers) // 40)))
        self.strict_entities = set(rng.sample(self.entities, max(1, len(self.entities) // 40)))
        self.generalists = set(rng.sample(self.tenderers, max(2, len(self.tenderers) // 150)))
        # Each tenderer works in one to three CPV divisions.
        divisions = [f"{d:02d}" for d in range(3, 99)]
        self.divisions = {t: rng.sample(divisions, rng.randint(1, 3)) for t in self.tenderers}
        self.all_divisions = divisions
        # Some tenderers bid more than others, within a factor of four, so
        # that most have enough processes for the per-tenderer ratios.
        self.weights = [rng.uniform(1.0, 4.0) for _ in self.tenderers]

    def pick_tenderers(self, rng, n):
        chosen = set()
        while len(chosen) < n:
            chosen.update(rng.choices(self.tenderers, weights=self.weights, k=n - len(chosen)))
        # Cover bidders join often.
        if rng.random() < 0.08:
            chosen.add(rng.choice(sorted(self.cover)))
        return sorted(chosen)

    def classification(self, rng, supplier):
        if supplier in self.generalists:
            division = rng.choice(self.all_divisions)
        else:
            division = rng.choice(self.divisions[supplier])
        return division + f"{rng.randint(0, 999999):06d}"


def margin(rng):
    """The winner's relative margin over the second-lowest valid bid."""
    x = rng.random()
    if x < 0.03:
        return rng.uniform(0.0, 0.01)  # suspiciously close (R024)
    if x < 0.05:
        return rng.uniform(0.4, 2.0)  # suspiciously far (R058)
    return rng.uniform(0.05, 0.15)


def process(rng, pop, i):
    ocid = f"ocds-adal01-{i:07d}"
    buyer = rng.choice(pop.buyers)
    entity = rng.choice(pop.entities)
    method = weighted(rng, METHODS)
    details = weighted(rng, DETAILS)
    start = EPOCH + dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
    days = rng.randint(3, 14) if rng.random() < 0.06 else rng.randint(15, 45)
    end = start + dt.timedelta(days=days, hours=rng.randint(0, 23))

    single = method in ("open", "selective") and rng.random() < 0.12
    n = 1 if single else rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6])
    tenderers = pop.pick_tenderers(rng, n)
    strict = buyer in pop.strict_buyers or entity in pop.strict_entities
    # Winners are chosen first, among tenderers that are not cover bidders.
    eligible = [t for t in tenderers if t not in pop.cover] or tenderers
    winner = rng.choice(eligible)
    currency = "KZT" if rng.random() < 0.995 else "USD"
    base = round(rng.lognormvariate(14, 1.5), 2)

    bids = []
    all_but_winner_disqualified = rng.random() < 0.03
    lowest_disqualified = rng.random() < 0.03
    winner_amount = base
    for t in tenderers:
        if t == winner:
            status, amount = "valid", winner_amount
        else:
            status = weighted(rng, BID_STATUS)
            if strict and rng.random() < 0.5:
                status = "disqualified"
            if t in pop.often_disqualified and rng.random() < 0.6:
                status = "disqualified"
            if all_but_winner_disqualified:
                status = "disqualified"
            amount = round(winner_amount * (1 + margin(rng)) * rng.uniform(1.0, 1.05), 2)
            if status == "disqualified" and lowest_disqualified:
                amount = round(winner_amount * rng.uniform(0.8, 0.99), 2)
        bid_date = start + dt.timedelta(hours=rng.randint(1, max(1, days * 24 - 1)))
        if t == winner and rng.random() < 0.02:
            bid_date = end + dt.timedelta(hours=rng.randint(1, 72))  # late (R030)
        bid = {
            "id": f"{ocid}-bid-{len(bids) + 1}",
            "status": status,
            "date": iso(bid_date),
            "tenderers": [{"id": t, "name": f"Tenderer {t[-5:]}"}],
        }
        if status not in ("invited", "withdrawn"):
            bid["value"] = {"amount": amount, "currency": currency}
        bids.append(bid)
    # Identical prices (R028): a losing bid copies another's amount.
    if len(bids) >= 2 and rng.random() < 0.03:
        a, b = rng.sample(range(len(bids)), 2)
        if "value" in bids[a] and "value" in bids[b]:
            bids[b]["value"] = dict(bids[a]["value"])
    # A consortium bid now and then.
    if len(bids) >= 2 and rng.random() < 0.01:
        extra = rng.choice(pop.tenderers)
        if all(extra != t["id"] for t in bids[-1]["tenderers"]):
            bids[-1]["tenderers"].append({"id": extra})

    release = {
        "ocid": ocid,
        "id": f"{ocid}-compiled",
        "date": iso(end + dt.timedelta(days=rng.randint(1, 30))),
        "tag": ["compiled"],
        "initiationType": "tender",
        "buyer": {"id": buyer, "name": f"Buyer {buyer[-5:]}"},
        "tender": {
            "id": f"{ocid}-tender",
            "status": "cancelled" if rng.random() < 0.02 else "complete",
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "mainProcurementCategory": rng.choice(["goods", "works", "services"]),
            "value": {"amount": round(base * 1.1, 2), "currency": currency},
            "tenderPeriod": {"startDate": iso(start), "endDate": iso(end)},
            "numberOfTenderers": len(tenderers),
            "procuringEntity": {"id": entity, "name": f"Entity {entity[-5:]}"},
        },
    }
    if rng.random() < 0.02:
        del release["tender"]["tenderPeriod"]
    if rng.random() < 0.01:
        del release["tender"]["numberOfTenderers"]
    if rng.random() < 0.95:
        release["bids"] = {"details": bids}

    if rng.random() < 0.9:
        award_status = "active" if rng.random() < 0.93 else rng.choice(AWARD_STATUS_ODD)
        items = [
            {"id": str(k + 1), "classification": {"scheme": "CPV", "id": pop.classification(rng, winner)}}
            for k in range(rng.choice([1, 1, 1, 2, 2, 3]))
        ]
        awards = [
            {
                "id": f"{ocid}-award-1",
                "status": award_status,
                "date": iso(end + dt.timedelta(days=rng.randint(1, 20))),
                "value": {"amount": winner_amount, "currency": currency},
                "suppliers": [{"id": winner, "name": f"Tenderer {winner[-5:]}"}],
                "items": items,
            }
        ]
        # Now and then a second award: an earlier unsuccessful attempt, or a
        # second lot won by another tenderer.
        if len(tenderers) >= 2 and rng.random() < 0.05:
            other = rng.choice([t for t in tenderers if t != winner])
            awards.append(
                {
                    "id": f"{ocid}-award-2",
                    "status": rng.choice(["unsuccessful", "active"]),
                    "suppliers": [{"id": other}],
                    "items": [{"id": "9", "classification": {"id": pop.classification(rng, other)}}],
                }
            )
        release["awards"] = awards
    return release


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", "-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", "-o", default="-", help="file to write (default: standard output)")
    args = parser.parse_args()
    if args.processes < 1:
        parser.error("--processes must be positive")
    rng = random.Random(args.seed)
    pop = Population(rng, args.processes)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    try:
        for i in range(args.processes):
            out.write(json.dumps(process(rng, pop, i), separators=(",", ":")))
            out.write("\n")
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
