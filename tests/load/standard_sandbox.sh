#!/usr/bin/env bash
# The whole standard through the real sandbox process: `adal-rules serve`
# reads a generated session from stdin (hello, load of every library rule
# with its default parameters, then BATCHES evaluate requests of BATCH
# submissions of the benchmark's mix, see
# crates/rules-engine/benches/standard/workload.rs) and answers on stdout.
#
# Each session is written twice, as the two ways protocol 3 allows:
#   shared  the tenant context (MCI, open procurement BINs, today) once per
#           request as `shared`, each submission with its own keys only (what
#           the batching worker sends);
#   copies  the tenant context copied into every submission's `context`
#           (what the worker sent before protocol 3).
# Both must give the very same answers. Reports, as medians of RUNS runs
# under /usr/bin/time: wall and CPU time, submissions per CPU-second (per
# core), the process's peak RSS, and the bytes of requests and answers per
# submission, with the same for a session that only loads the rules (the
# process's floor). Every answer is checked: one per request, every
# submission evaluated, no rule error. Figures: docs/performance.md,
# "Whole standard per submission".
#
#   tests/load/standard_sandbox.sh                     # 10 batches of 1000, 5 runs
#   BATCHES=1 BATCH=5000 RUNS=3 tests/load/standard_sandbox.sh
#   BATCHES=1 BATCH=5 RUNS=1 PROFILE=debug tests/load/standard_sandbox.sh   # CI smoke
#   BASELINE=/path/to/older/adal-rules tests/load/standard_sandbox.sh
#
# Environment: BATCHES (10), BATCH (1000), RUNS (5), PROFILE (release, or
# debug: a debug build, far slower, for a cheap smoke run), DATA (directory
# for the sessions and outputs; default /tmp/adal-standard-bench), BASELINE
# (an older adal-rules binary of the same protocol version, measured the
# same way, runs interleaved; it must answer byte for byte the same). To
# compare with a build of an older protocol, run that commit's copy of
# this script with it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
BATCHES=${BATCHES:-10}
BATCH=${BATCH:-1000}
RUNS=${RUNS:-5}
PROFILE=${PROFILE:-release}
DATA=${DATA:-/tmp/adal-standard-bench}
mkdir -p "$DATA"

manifest="$repo/crates/rules-engine/Cargo.toml"
case $PROFILE in
    release) cargo build --release -q --manifest-path "$manifest" --bin adal-rules --example standard_request ;;
    debug) cargo build -q --manifest-path "$manifest" --bin adal-rules --example standard_request ;;
    *) echo "PROFILE must be release or debug, not $PROFILE" >&2; exit 2 ;;
esac
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$manifest" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
adal="$target/$PROFILE/adal-rules"

sessions=(shared copies)
for s in "${sessions[@]}"; do
    "$target/$PROFILE/examples/standard_request" "$BATCHES" "$BATCH" "$s" >"$DATA/session-$s.jsonl"
done
# hello + load: the same in both.
head -n 2 "$DATA/session-shared.jsonl" >"$DATA/session-load-only.jsonl"

# The sandboxes measured: this build, and BASELINE when set. Runs are
# interleaved (every sandbox and session once per round, RUNS rounds) so
# that load from other programs falls on each alike.
names=(adal-rules)
bins=("$adal")
if [[ -n "${BASELINE:-}" ]]; then
    names+=(baseline)
    bins+=("$BASELINE")
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "sessions: $BATCHES evaluate requests of $BATCH submissions ($PROFILE build); $RUNS runs each, medians"
times="$DATA/times.txt"
: >"$times"
for _ in $(seq "$RUNS"); do
    for i in "${!names[@]}"; do
        for what in load-only "${sessions[@]}"; do
            # The sandbox may not write files (RLIMIT_FSIZE 0): its answers
            # go through a pipe, as to the service.
            /usr/bin/time -f "%e %M %U %S" -o "$DATA/time.txt" "${bins[$i]}" serve <"$DATA/session-$what.jsonl" |
                cat >"$DATA/answers-${names[$i]}-$what.jsonl"
            echo "${names[$i]} $what $(cat "$DATA/time.txt")" >>"$times"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$DATA" "$BATCHES" "$BATCH" "${names[@]}" <<'PY'
import json, os, statistics, sys
data, batches, batch, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
sessions = ["shared", "copies"]
rows = [l.split() for l in open(f"{data}/times.txt") if l.strip()]
def med(name, what):
    rs = [r for r in rows if r[0] == name and r[1] == what]
    return (statistics.median(float(r[2]) for r in rs), statistics.median(int(r[3]) for r in rs),
            statistics.median(float(r[4]) + float(r[5]) for r in rs))
def size(path):
    return os.path.getsize(path)
n = batches * batch
print(f"{'sandbox':<12} {'session':<10} {'wall (s)':>9} {'CPU (s)':>9} {'peak RSS (MiB)':>15} "
      f"{'subs/CPU-s':>11} {'µs CPU/sub':>11} {'request B/sub':>14} {'answer B/sub':>13}")
for name in names:
    fw, fm, fc = med(name, "load-only")
    print(f"{name:<12} {'load only':<10} {fw:>9.3f} {fc:>9.3f} {fm / 1024:>15.1f}")
    for what in sessions:
        path = f"{data}/answers-{name}-{what}.jsonl"
        answers = [json.loads(l) for l in open(path)]
        statuses = [a["status"] for a in answers]
        assert statuses == ["hello", "loaded"] + ["evaluated"] * batches, (what, statuses[:5])
        results = [r for a in answers[2:] for r in a["results"]]
        assert len(results) == n, len(results)
        outcomes = [o for r in results for o in r["outcomes"]]
        errors = [o for o in outcomes if o["outcome"] != "finding"]
        assert not errors, errors[:3]
        clear = sum(len(r["clear"]) for r in results)
        w, m, c = med(name, what)
        request = size(f"{data}/session-{what}.jsonl") - size(f"{data}/session-load-only.jsonl")
        answer = size(path) - size(f"{data}/answers-{name}-load-only.jsonl")
        print(f"{name:<12} {what:<10} {w:>9.3f} {c:>9.3f} {m / 1024:>15.1f} {n / c if c else 0:>11,.0f} "
              f"{c / n * 1e6:>11.1f} {request / n:>14,.0f} {answer / n:>13,.0f}")
    print(f"{'':<12} {answers[1]['rules']} rules; {len(outcomes)} findings, {clear} clear "
          f"(skipped rules are not on the wire); {n} submissions")
    # The shared context is a way of sending the same contexts: the answers
    # must not depend on it.
    if open(f"{data}/answers-{name}-shared.jsonl", "rb").read() != open(f"{data}/answers-{name}-copies.jsonl", "rb").read():
        sys.exit(f"{name}: answers DIFFER between the shared and the copied context")
print("answers: identical with the shared context and with copies")
PY
if [[ -n "${BASELINE:-}" ]]; then
    # A faster build must give the very same answers.
    if cmp -s "$DATA/answers-adal-rules-shared.jsonl" "$DATA/answers-baseline-shared.jsonl"; then
        echo "answers: identical to the baseline's"
    else
        echo "answers: DIFFERENT from the baseline's"
        exit 1
    fi
fi
