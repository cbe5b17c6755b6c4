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
#
# Environment: BATCHES (10), BATCH (1000), RUNS (5), DATA (directory for
# the session and outputs; default /tmp/adal-standard-bench).
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

# Runs the sandbox on a session RUNS times; prints the median wall time (s),
# peak RSS (KiB) and CPU time (user + system, s). The last run's answers
# are kept in $2.
measure() {
    local input=$1 out=$2
    local times=()
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "$adal" serve <"$input" >"$out"
        times+=("$(cat "$DATA/time.txt")")
    done
    printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin if l.strip()]
print(statistics.median(float(r[0]) for r in rows), int(statistics.median(int(r[1]) for r in rows)),
      statistics.median(float(r[2]) + float(r[3]) for r in rows))'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "session: $BATCHES evaluate requests of $BATCH submissions, $(python3 -c 'import os, sys; print(f"{os.path.getsize(sys.argv[1]) / 1e6:.1f} MB")' "$session"); $RUNS runs each, medians"
read -r fw fm fc < <(measure "$floor" "$DATA/answers-load-only.jsonl")
read -r w m c < <(measure "$session" "$DATA/answers.jsonl")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$DATA/answers.jsonl" "$BATCHES" "$BATCH" "$w" "$m" "$c" "$fw" "$fm" "$fc" <<'PY'
import json, sys
path, batches, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
w, m, c, fw, fm, fc = (float(x) for x in sys.argv[4:])
answers = [json.loads(l) for l in open(path)]
statuses = [a["status"] for a in answers]
assert statuses == ["hello", "loaded"] + ["evaluated"] * batches, statuses
results = [r for a in answers[2:] for r in a["results"]]
assert len(results) == batches * batch, len(results)
outcomes = [o for r in results for o in r["outcomes"]]
errors = [o for o in outcomes if o["outcome"] == "error"]
assert not errors, errors[:3]
counts = {}
for o in outcomes:
    counts[o["outcome"]] = counts.get(o["outcome"], 0) + 1
n = len(results)
print(f"rules loaded: {answers[1]['rules']}; outcomes: {counts}")
print(f"{'session':<22} {'wall (s)':>9} {'CPU (s)':>9} {'peak RSS (MiB)':>15}")
print(f"{'load only':<22} {fw:>9.3f} {fc:>9.3f} {fm / 1024:>15.1f}")
print(f"{f'{batches} x {batch} submissions':<22} {w:>9.3f} {c:>9.3f} {m / 1024:>15.1f}")
ec = c - fc
print(f"evaluation (minus load only): {ec:.3f} CPU-s for {n} submissions: "
      f"{n / ec:,.0f} submissions per CPU-second, {ec / n * 1e6:.1f} µs each")
print(f"whole session: {n / c:,.0f} submissions per CPU-second, {n / w:,.0f} per wall second")
PY
