#!/usr/bin/env bash
# Red flags over N generated contracting processes: wall time and peak RSS
# of `adal-rules redflags` (release build), of the reference, and whether
# their outputs agree. Figures: docs/performance.md, "Red flags over
# 100,000 contracting processes".
#
#   tests/load/redflags_bench.sh                 # 100,000 processes, 5 rounds
#   N=10000 RUNS=3 tests/load/redflags_bench.sh
#   CARDINAL=/path/to/ocdscardinal tests/load/redflags_bench.sh
#
# The reference is OCDS Cardinal's `ocdscardinal indicators` when CARDINAL
# names its binary (or it is on PATH). Its lower bound is always measured:
# the json_floor example parses every line into a serde_json::Value on
# every core, which cardinal must do before computing anything.
# BASELINE=/path/to/older/adal-rules adds an older build to the table and
# compares its output with this one's.
#
# Environment: N (100000), SEED (1), RUNS (5 rounds), DATA (directory for the
# generated file and outputs; default /tmp/adal-redflags-bench).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
N=${N:-100000}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
DATA=${DATA:-/tmp/adal-redflags-bench}
settings="$here/redflags.ini"
mkdir -p "$DATA"
input="$DATA/ocds-$N-$SEED.jsonl"

if [[ ! -s "$input" ]]; then
    echo "generating $N processes (seed $SEED) into $input" >&2
    python3 "$here/gen_ocds.py" --processes "$N" --seed "$SEED" --output "$input.tmp"
    mv "$input.tmp" "$input"
fi

manifest="$repo/crates/rules-engine/Cargo.toml"
cargo build --release -q --manifest-path "$manifest" --bin adal-rules --example json_floor
target=$(cargo metadata --format-version 1 --no-deps --manifest-path "$manifest" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
adal="$target/release/adal-rules"
floor="$target/release/examples/json_floor"

cardinal=${CARDINAL:-$(command -v ocdscardinal || true)}

# The rows of the table, each with its command (argv) and where its
# standard output goes (out).
rows=(adal-rules "adal-rules --threads 1" json_floor "json_floor --threads 1")
[[ -n "${BASELINE:-}" ]] && rows+=(baseline)
[[ -n "$cardinal" ]] && rows+=(ocdscardinal)
command_of() {
    case $1 in
    adal-rules) argv=("$adal" redflags --settings "$settings" "$input") out=$DATA/adal.json ;;
    "adal-rules --threads 1") argv=("$adal" redflags --threads 1 --settings "$settings" "$input") out=$DATA/adal-1.json ;;
    json_floor) argv=("$floor" "$input") out=/dev/null ;;
    "json_floor --threads 1") argv=("$floor" --threads 1 "$input") out=/dev/null ;;
    baseline) argv=("$BASELINE" redflags --settings "$settings" "$input") out=$DATA/baseline.json ;;
    ocdscardinal) argv=("$cardinal" indicators --settings "$settings" "$input") out=$DATA/cardinal.json ;;
    esac
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $input ($(wc -l <"$input") lines, $(python3 -c 'import os, sys; print(f"{os.path.getsize(sys.argv[1]) / 1e6:.0f} MB")' "$input")), $RUNS rounds, medians"
# Round by round, every row once per round: on a shared machine the load
# changes within seconds, and interleaving spreads it over all rows alike
# (one row's runs back to back could all fall in a busy spell). Wall time
# still includes waiting for a core; CPU time (user + system) does not.
# Each row's last standard output is kept in its `out`.
for i in "${!rows[@]}"; do : >"$DATA/row-$i.times"; done
for _ in $(seq "$RUNS"); do
    for i in "${!rows[@]}"; do
        command_of "${rows[$i]}"
        /usr/bin/time -f "%e %M %U %S" -a -o "$DATA/row-$i.times" "${argv[@]}" >"$out" 2>"$DATA/row-$i.stderr"
    done
done
printf '%-34s %10s %10s %16s\n' tool "wall (s)" "CPU (s)" "peak RSS (MiB)"
declare -A wall rss cpu
for i in "${!rows[@]}"; do
    read -r w m c < <(python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print(statistics.median(float(r[0]) for r in rows), int(statistics.median(int(r[1]) for r in rows)),
      statistics.median(float(r[2]) + float(r[3]) for r in rows))' "$DATA/row-$i.times")
    name=${rows[$i]}
    wall[$name]=$w
    rss[$name]=$m
    cpu[$name]=$c
    printf '%-34s %10.2f %10.2f %16.1f\n' "$name" "$w" "$c" "$(echo "$m / 1024" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
echo "adal-rules / json_floor: wall $(ratio "${wall[adal-rules]}" "${wall[json_floor]}")x, CPU $(ratio "${cpu[adal-rules]}" "${cpu[json_floor]}")x"
echo "adal-rules --threads 1 / json_floor --threads 1: wall $(ratio "${wall[adal-rules --threads 1]}" "${wall[json_floor --threads 1]}")x, CPU $(ratio "${cpu[adal-rules --threads 1]}" "${cpu[json_floor --threads 1]}")x"
status=0
cmp -s "$DATA/adal.json" "$DATA/adal-1.json" || { echo "--threads 1 output differs"; status=1; }
if [[ -n "${BASELINE:-}" ]]; then
    echo "adal-rules vs baseline:"
    python3 "$here/compare_redflags.py" "$DATA/adal.json" "$DATA/baseline.json" | tail -1 || status=1
fi
if [[ -n "$cardinal" ]]; then
    echo "adal-rules / ocdscardinal: wall $(ratio "${wall[adal-rules]}" "${wall[ocdscardinal]}")x, CPU $(ratio "${cpu[adal-rules]}" "${cpu[ocdscardinal]}")x"
    # This build of cardinal prints no Meta; the fences are compared through
    # the flags they produce.
    python3 "$here/compare_redflags.py" --no-meta "$DATA/adal.json" "$DATA/cardinal.json" || status=1
else
    echo "ocdscardinal not found (set CARDINAL): compared with its lower bound only"
fi
exit $status
