#!/usr/bin/env python3
"""Worker drain benchmark (issue 13): how fast one `adal worker` evaluates
a backlog of gift declarations against the whole rule library, on
PostgreSQL + Redis, with 0 and more open findings already in the tenant,
and pgbench's rate for the same two-row transaction (a submission and its
audit entry) in the same run, as the reference.

For each level of open findings: a fresh database, a tenant that adopted
the whole library, that many open findings seeded by SQL (with their risk
counters), N gifts inserted as `received` and never enqueued (as an import
leaves them), then a worker started and timed until none is left.

Usage:
  python3 tests/load/drain.py [--submissions 5000] [--open 0,50000,200000]
                              [--batch-size 200] [--pgbench-seconds 10]
                              [--adal target/release/adal]
                              [--rules-bin crates/rules-engine/target/release/adal-rules]
Prints a Markdown table for docs/performance.md; exits non-zero when a
drain does not finish or leaves a submission unevaluated.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time, urllib.request, uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402
import pgtwo  # noqa: E402
import kzids  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "load-test-password"


def call(method, url, token=None, body=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def psql(db, sql):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def wait_ready(base):
    for _ in range(300):
        try:
            if urllib.request.urlopen(base + "/readyz").status == 200:
                return
        except Exception:
            time.sleep(0.1)
    sys.exit("the API did not become ready")


def one_level(a, open_findings):
    db = "adal_drain_" + uuid.uuid4().hex[:12]
    db_url = pgdb.create(db)
    tmp = tempfile.mkdtemp(prefix="adal-drain-")
    port = 18500 + os.getpid() % 400
    env = {
        "PATH": os.environ["PATH"],
        "ADAL_DATABASE_URL": db_url,
        "ADAL_QUEUE__BACKEND": "redis",
        "ADAL_QUEUE__NAMESPACE": "adal-drain-" + uuid.uuid4().hex[:8],
        "ADAL_LISTEN": f"127.0.0.1:{port}",
        "ADAL_WORKER__LISTEN": "",
        "ADAL_DATA_DIR": tmp,
        "ADAL_SANDBOX__BINARY": a.rules_bin,
        "ADAL_SMTP__MAIL_DIR": os.path.join(tmp, "mail"),
        "ADAL_LOG": "warn",
        "ADAL_WORKER__SWEEP_INTERVAL_SECS": "1",
        "ADAL_WORKER__BATCH_SIZE": str(a.batch_size),
    }
    base = f"http://127.0.0.1:{port}"
    api = None
    try:
        subprocess.run([a.adal, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([a.adal, "create-admin", "--email", "ops@load.test"], env={**env, "ADAL_ADMIN_PASSWORD": PASSWORD},
                       check=True, stdout=subprocess.DEVNULL)
        api = subprocess.Popen([a.adal, "serve", "--api-only"], env=env, cwd=ROOT)
        wait_ready(base)
        s, b = call("POST", base + "/api/v1/auth/login", body={"email": "ops@load.test", "password": PASSWORD})
        platform = b["token"]
        s, t = call("POST", base + "/api/v1/tenants", platform, {
            "name": "Drain JSC", "bin": kzids.bin_from("2501400", os.getpid() % 10000), "sector": "private", "region": "astana",
            "admin": {"email": "admin@load.test", "display_name": "Admin", "password": PASSWORD}})
        assert s == 201, t
        tenant = t["tenant"]["id"]
        s, b = call("POST", base + "/api/v1/auth/login", body={"email": "admin@load.test", "password": PASSWORD})
        admin = b["token"]
        s, b = call("POST", f"{base}/api/v1/tenants/{tenant}/users", admin, {
            "email": "officer@load.test", "display_name": "Officer", "password": PASSWORD, "role": "compliance_officer"})
        assert s == 201, b
        s, b = call("POST", base + "/api/v1/auth/login", body={"email": "officer@load.test", "password": PASSWORD})
        officer = b["token"]
        s, lib = call("GET", f"{base}/api/v1/tenants/{tenant}/library", officer)
        assert s == 200, lib
        s, v = call("POST", f"{base}/api/v1/tenants/{tenant}/rule-sets", officer, {"library_version": lib["version"]})
        assert s == 201, v
        s, b = call("POST", f"{base}/api/v1/tenants/{tenant}/rule-sets/{v['version']}/activate", officer, {})
        assert s == 200, b
        rules = len(lib["rules"])
        user = psql(db, "SELECT id FROM users WHERE email = 'officer@load.test'")
        version_id = psql(db, f"SELECT id FROM rule_set_versions WHERE tenant_id = '{tenant}' AND status = 'active'")
        # Open findings already in the tenant, each on its own evaluated
        # submission, and the risk counter that holds them.
        if open_findings:
            psql(db, f"""
                INSERT INTO submissions (id, tenant_id, kind, schema_version, submitted_by, payload, status,
                    attempts, received_at, evaluated_at, enqueued_at)
                SELECT md5('s' || g)::uuid, '{tenant}', 'gift', 1, '{user}', '{{}}', 'evaluated', 1, now(), now(), now()
                FROM generate_series(1, {open_findings}) g;
                INSERT INTO findings (id, tenant_id, submission_id, rule_set_version_id, rule_id, area, severity,
                    likelihood, impact, explanation, status, created_at)
                SELECT md5('f' || g)::uuid, '{tenant}', md5('s' || g)::uuid, '{version_id}', 'gift-over-mci-limit',
                    'gifts', 'high', 3, 4, 'seeded', 'open', now()
                FROM generate_series(1, {open_findings}) g;
                INSERT INTO risk_counts (tenant_id, area, likelihood, impact, open_count, updated_at)
                VALUES ('{tenant}', 'gifts', 3, 4, {open_findings}, now());
                ANALYZE;""")
        # The backlog: gifts over the limit (each gets a finding), received
        # and never enqueued, so the sweeper hands them to the queue.
        payload = json.dumps({"direction": "received", "giver_name": "Drain LLP", "description": "Watch",
                              "value_kzt": "500000.00", "date": "2026-03-01", "occasion": "drain"})
        psql(db, f"""
            INSERT INTO submissions (id, tenant_id, kind, schema_version, submitted_by, payload, status,
                attempts, received_at)
            SELECT gen_random_uuid(), '{tenant}', 'gift', 1, '{user}', '{payload}', 'received', 0,
                now() + g * interval '1 microsecond'
            FROM generate_series(1, {a.submissions}) g; ANALYZE;""")
        t0 = time.time()
        worker = subprocess.Popen([a.adal, "worker"], env=env, cwd=ROOT)
        try:
            while True:
                left = int(psql(db, f"SELECT count(*) FROM submissions WHERE tenant_id = '{tenant}' AND status = 'received'"))
                if left == 0:
                    break
                if time.time() - t0 > a.timeout:
                    sys.exit(f"drain with {open_findings} open findings: {left} left after {a.timeout} s")
                time.sleep(0.2)
            drain = time.time() - t0
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        failed = int(psql(db, f"SELECT count(*) FROM submissions WHERE tenant_id = '{tenant}' AND status <> 'evaluated'"))
        found = int(psql(db, f"SELECT count(*) FROM findings WHERE tenant_id = '{tenant}' AND explanation <> 'seeded'"))
        counted = int(psql(db, f"SELECT COALESCE(sum(open_count), 0) FROM risk_counts WHERE tenant_id = '{tenant}'"))
        if failed or found < a.submissions or counted != open_findings + found:
            sys.exit(f"drain with {open_findings} open findings: {failed} not evaluated, {found} findings, "
                     f"risk map counts {counted} (expected {open_findings + found})")
        pgbench = run_pgbench(a, db, tenant, user) if open_findings == a.levels[-1] else None
        return rules, drain, found, pgbench
    finally:
        if api:
            api.send_signal(signal.SIGTERM)
            api.wait(timeout=15)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                       check=False)


def run_pgbench(a, db, tenant, user):
    """The same two-row transaction pgbench can do (tests/load/pgtwo.py),
    8 clients."""
    return pgtwo.two_row_tps(db, tenant, user, a.pgbench_seconds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--submissions", type=int, default=5000)
    ap.add_argument("--open", default="0,50000,200000", help="open findings seeded before each drain")
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--pgbench-seconds", type=int, default=10)
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("--adal", default=os.path.join(ROOT, "target/release/adal"))
    ap.add_argument("--rules-bin", default=os.path.join(ROOT, "crates/rules-engine/target/release/adal-rules"))
    a = ap.parse_args()
    a.levels = [int(x) for x in a.open.split(",")]
    rows = []
    pg = None
    for k in a.levels:
        rules, drain, found, bench = one_level(a, k)
        pg = bench or pg
        rows.append((k, drain, found))
        print(f"open findings {k}: {a.submissions} drained in {drain:.1f} s", file=sys.stderr)
    print(f"Whole library ({rules} rules), {a.submissions} gifts, batch size {a.batch_size}, one worker process\n")
    print("| open findings in the tenant | drain | rate | new findings |\n|---|---|---|---|")
    for k, drain, found in rows:
        print(f"| {k:,} | {drain:.1f} s | {a.submissions / drain:.0f}/s | {found} |")
    if pg:
        print(f"\npgbench, the same two-row transaction, 8 clients, same run: {pg:.0f}/s; "
              f"the drain at 0 open findings is {a.submissions / rows[0][1] / pg:.2f}x that")


if __name__ == "__main__":
    main()
