#!/usr/bin/env bash
# The whole standard through the real sandbox process: `adal-rules serve`
# (release) reads a generated session from stdin (hello, load of every
# library rule with its default parameters, then BATCHES evaluate requests
# of BATCH submissions of the benchmark's mix, see
# crates/rules-engine/benches/standard/workload.rs) and answers on stdout.
# Reports, as medians of RUNS runs under /usr/bin/time: wall and CPU time,
# submissions per CPU-second (per core), and the process's peak RSS, with
# the same for a session that only loads the rules (the process's floor).
# Every answer is checked: one per request, every submission evaluated,
# no rule error. Figures: docs/performance.md, "Whole standard per
# submission".
#
#   tests/load/standard_sandbox.sh                     # 10 batches of 1000, 5 runs
#   BATCHES=1 BATCH=5000 RUNS=3 tests/load/standard_sandbox.sh
#   BASELINE=/path/to/older/adal-rules tests/load/standard_sandbox.sh
#
# Environment: BATCHES (10), BATCH (1000), RUNS (5), DATA (directory for
# the session and outputs; default /tmp/adal-standard-bench), BASELINE (an
# older adal-rules binary, measured the same way, runs interleaved).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BATCHES=${BATCHES:-10}
BATCH=${BATCH:-1000}
RUNS=${RUNS:-5}
DATA=${DATA:-/tmp/adal-standard-bench}
mkdir -p "$DATA"

manifest="$repo/crates/rules-engine/Cargo.toml"
cargo build --release -q --manifest-path "$manifest" --bin adal-rules --example standard_request
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$manifest" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
adal="$target/release/adal-rules"

session="$DATA/session-$BATCHES-$BATCH.jsonl"
"$target/release/examples/standard_request" "$BATCHES" "$BATCH" >"$session"
floor="$DATA/session-load-only.jsonl"
head -n 2 "$session" >"$floor"

# The sandboxes measured: this build, and BASELINE (an older adal-rules)
# when set. Runs are interleaved (every sandbox once per round, RUNS
# rounds) so that load from other programs falls on each alike.
names=(adal-rules)
bins=("$adal")
if [[ -n "${BASELINE:-}" ]]; then
    names+=(baseline)
    bins+=("$BASELINE")
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "session: $BATCHES evaluate requests of $BATCH submissions, $(python3 -c 'import os, sys; print(f"{os.path.getsize(sys.argv[1]) / 1e6:.1f} MB")' "$session"); $RUNS runs each, medians"
times="$DATA/times.txt"
: >"$times"
for _ in $(seq "$RUNS"); do
    for i in "${!names[@]}"; do
        for what in load-only session; do
            input=$session
            [[ $what == load-only ]] && input=$floor
            # The sandbox may not write files (RLIMIT_FSIZE 0): its answers
            # go through a pipe, as to the service.
            /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "${bins[$i]}" serve <"$input" |
                cat >"$DATA/answers-${names[$i]}-$what.jsonl"
            echo "${names[$i]} $what $(cat "$DATA/time.txt")" >>"$times"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$DATA" "$BATCHES" "$BATCH" "${names[@]}" <<'PY'
import json, statistics, sys
data, batches, batch, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
rows = [l.split() for l in open(f"{data}/times.txt") if l.strip()]
def med(name, what):
    rs = [r for r in rows if r[0] == name and r[1] == what]
    return (statistics.median(float(r[2]) for r in rs), statistics.median(int(r[3]) for r in rs),
            statistics.median(float(r[4]) + float(r[5]) for r in rs))
n = batches * batch
print(f"{'sandbox':<12} {'session':<22} {'wall (s)':>9} {'CPU (s)':>9} {'peak RSS (MiB)':>15} {'subs/CPU-s':>11} {'µs CPU/sub':>11}")
for name in names:
    answers = [json.loads(l) for l in open(f"{data}/answers-{name}-session.jsonl")]
    statuses = [a["status"] for a in answers]
    assert statuses == ["hello", "loaded"] + ["evaluated"] * batches, statuses
    results = [r for a in answers[2:] for r in a["results"]]
    assert len(results) == n, len(results)
    outcomes = [o for r in results for o in r["outcomes"]]
    errors = [o for o in outcomes if o["outcome"] == "error"]
    assert not errors, errors[:3]
    counts = {}
    for o in outcomes:
        counts[o["outcome"]] = counts.get(o["outcome"], 0) + 1
    fw, fm, fc = med(name, "load-only")
    w, m, c = med(name, "session")
    print(f"{name:<12} {'load only':<22} {fw:>9.3f} {fc:>9.3f} {fm / 1024:>15.1f}")
    print(f"{name:<12} {f'{batches} x {batch} submissions':<22} {w:>9.3f} {c:>9.3f} {m / 1024:>15.1f} {n / c:>11,.0f} {c / n * 1e6:>11.1f}")
    print(f"{'':<12} {answers[1]['rules']} rules; outcomes {counts}; {n / w:,.0f} submissions per wall second")
PY
if [[ -n "${BASELINE:-}" ]]; then
    # A faster build must give the very same answers.
    if cmp -s "$DATA/answers-adal-rules-session.jsonl" "$DATA/answers-baseline-session.jsonl"; then
        echo "answers: identical to the baseline's"
    else
        echo "answers: DIFFERENT from the baseline's"
        exit 1
    fi
fi
