#!/usr/bin/env bash
# How fast `adal worker` drains the alert outbox to a real SMTP server, and
# that two workers send each alert once. Puts N pending alerts straight
# into a fresh PostgreSQL database (so the figure is the mailer's, not
# the evaluation's), starts aiosmtpd, then WORKERS `adal worker`
# processes, and waits until every row is `sent`. Reports emails per
# second (first claim to last row marked sent, polled every 50 ms), emails received by the
# SMTP server, and duplicates (received minus N; must be 0). Exits
# non-zero on a duplicate, a lost alert or a timeout. Figures:
# docs/performance.md, "Alert delivery".
#
#   tests/load/mail_drain.sh                      # 2000 alerts, 2 workers
#   N=20 WORKERS=2 ADAL=target/debug/adal tests/load/mail_drain.sh   # CI smoke
#
# Environment: N (2000), WORKERS (2), ADAL and ADAL_RULES_BIN (the adal
# and adal-rules binaries; default: release builds), PGHOST/PGPORT (127.0.0.1:5432, trust auth), TIMEOUT (s, 300).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
N=${N:-2000}
WORKERS=${WORKERS:-2}
TIMEOUT=${TIMEOUT:-300}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
if [[ -z "${ADAL:-}" ]]; then
  cargo build --release -q --manifest-path "$repo/Cargo.toml" -p adal-app --bin adal
  ADAL="$repo/target/release/adal"
fi
# The worker starts its sandbox processes even with nothing to evaluate.
if [[ -z "${ADAL_RULES_BIN:-}" ]]; then
  cargo build --release -q --manifest-path "$repo/crates/rules-engine/Cargo.toml" --bin adal-rules
  ADAL_RULES_BIN="$repo/crates/rules-engine/target/release/adal-rules"
fi
export ADAL_SANDBOX__BINARY="$ADAL_RULES_BIN"

work=$(mktemp -d /tmp/adal-mail-drain.XXXXXX)
db="adal_mail_$(date +%s)_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -h "$PGHOST" -p "$PGPORT" -U postgres -q -c "DROP DATABASE IF EXISTS $db" postgres >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Owned by an ordinary role, as in production, so row-level security holds.
psql -h "$PGHOST" -p "$PGPORT" -U postgres -q -v ON_ERROR_STOP=1 postgres \
  -c "DO \$\$ BEGIN CREATE ROLE adal_app LOGIN NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$" \
  -c "CREATE DATABASE $db OWNER adal_app"
sql() { psql -h "$PGHOST" -p "$PGPORT" -U postgres -d "$db" -qtAX -c "$1"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$work/maildir" \
  >/dev/null 2>&1 &
pids+=($!)

export ADAL_DATABASE_URL="postgres://adal_app@$PGHOST:$PGPORT/$db"
export ADAL_QUEUE__BACKEND=sqlite ADAL_QUEUE__SQLITE_PATH="$work/queue.sqlite"
export ADAL_DATA_DIR="$work" ADAL_SMTP__HOST=127.0.0.1 ADAL_SMTP__PORT="$port"
export ADAL_WORKER__MAIL_INTERVAL_SECS=1 ADAL_WORKER__DATASET_INTERVAL_SECS=0
export ADAL_LOG=warn
"$ADAL" migrate >/dev/null

sql "INSERT INTO outbox (id, tenant_id, dedupe_key, recipients, subject, body, status,
       attempts, next_attempt_at, created_at)
     SELECT gen_random_uuid(), gen_random_uuid(), 'bench/' || g,
       '[\"cu@bench.kz\"]', '[Adal] high finding: bench ' || g,
       'A high finding needs the compliance unit''s attention.', 'pending', 0, now(), now()
     FROM generate_series(1, $N) g"

for w in $(seq 1 "$WORKERS"); do
  "$ADAL" worker >"$work/worker-$w.log" 2>&1 &
  pids+=($!)
done

deadline=$((SECONDS + TIMEOUT))
timeout() {
  echo "timeout: $1" >&2
  tail -n 20 "$work"/worker-*.log >&2
  exit 1
}
# The drain's pace: from the first claim (a row leaves `pending`) to the
# last row marked sent, so the workers' start-up is not counted.
until [[ $(sql "SELECT count(*) FROM outbox WHERE status <> 'pending'") -gt 0 ]]; do
  ((SECONDS > deadline)) && timeout "no row claimed"
  sleep 0.05
done
start=$(date +%s.%N)
while :; do
  sent=$(sql "SELECT count(*) FROM outbox WHERE status = 'sent'")
  [[ "$sent" -ge "$N" ]] && break
  ((SECONDS > deadline)) && timeout "$sent of $N sent"
  sleep 0.05
done
secs=$(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')")
sleep 2 # a duplicate on its way would arrive by now
received=$(find "$work/maildir/new" "$work/maildir/cur" -type f 2>/dev/null | wc -l)
ids=$(cat "$work"/maildir/new/* 2>/dev/null | grep -i '^message-id:' | sort -u | wc -l)
rate=$(python3 -c "print(f'{$N / max($secs, 0.05):.0f}')")
echo "alerts=$N workers=$WORKERS drain_s=$secs emails_per_s=$rate received=$received distinct_message_ids=$ids duplicates=$((received - N))"
if [[ "$received" -ne "$N" || "$ids" -ne "$N" ]]; then
  echo "FAIL: expected $N emails with $N distinct Message-IDs" >&2
  exit 1
fi
