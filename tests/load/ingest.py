#!/usr/bin/env python3
"""Ingestion benchmark: POST gift declarations against `adal serve` on
PostgreSQL + Redis with a separate `adal worker`, then measure how long a
submission takes from 202 to finding stored.

Usage: python3 tests/load/ingest.py [--duration 20] [--connections 32] [--e2e 200]
                                    [--adal PATH] [--rules-bin PATH]
Needs builds of adal and adal-rules (release by default), wrk, PostgreSQL
and Redis. The tenant adopts the whole rule library.
Prints a Markdown table for docs/performance.md.
"""
import argparse, json, os, re, signal, statistics, subprocess, sys, tempfile, time, urllib.request, uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402
import pgtwo  # noqa: E402
import kzids  # noqa: E402
from datetime import datetime

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ADAL = os.path.join(ROOT, "target/release/adal")
RULES_BIN = os.path.join(ROOT, "crates/rules-engine/target/release/adal-rules")
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


def login(base, email):
    s, b = call("POST", base + "/api/v1/auth/login", body={"email": email, "password": PASSWORD})
    assert s == 200, b
    return b["token"]


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--e2e", type=int, default=200, help="submissions timed from 202 to finding")
    ap.add_argument("--adal", default=ADAL)
    ap.add_argument("--rules-bin", default=RULES_BIN)
    ap.add_argument("--pgbench-seconds", type=int, default=10,
                    help="pgbench of the same two-row transaction, with and without the per-tenant lock; 0: none")
    a = ap.parse_args()
    adal, rules_bin = a.adal, a.rules_bin

    db = "adal_load_" + uuid.uuid4().hex[:12]
    db_url = pgdb.create(db)
    tmp = tempfile.mkdtemp(prefix="adal-load-")
    # Apart from drain.py's 18500-18899: CI runs the two at once.
    port = 19000 + os.getpid() % 1000
    env = {
        "PATH": os.environ["PATH"],
        "ADAL_DATABASE_URL": db_url,
        "ADAL_QUEUE__BACKEND": "redis",
        "ADAL_QUEUE__NAMESPACE": "adal-load-" + uuid.uuid4().hex[:8],
        "ADAL_LISTEN": f"127.0.0.1:{port}",
        "ADAL_WORKER__LISTEN": "",
        "ADAL_DATA_DIR": tmp,
        "ADAL_SANDBOX__BINARY": rules_bin,
        "ADAL_SMTP__MAIL_DIR": os.path.join(tmp, "mail"),
        "ADAL_LOG": os.environ.get("ADAL_LOG", "warn"),
        # The backlog beyond the Redis limit reaches the queue through the
        # sweeper; sweep often so the drain measures the worker, not the wait.
        "ADAL_WORKER__SWEEP_INTERVAL_SECS": "2",
    }
    base = f"http://127.0.0.1:{port}"
    procs = []
    try:
        subprocess.run([adal, "migrate"], env=env, check=True)
        subprocess.run([adal, "create-admin", "--email", "ops@load.test"], env={**env, "ADAL_ADMIN_PASSWORD": PASSWORD}, check=True, stdout=subprocess.DEVNULL)
        procs.append(subprocess.Popen([adal, "serve", "--api-only"], env=env, cwd=ROOT))
        for _ in range(100):
            try:
                if urllib.request.urlopen(base + "/readyz").status == 200:
                    break
            except Exception:
                time.sleep(0.1)
        platform = login(base, "ops@load.test")
        s, t = call("POST", base + "/api/v1/tenants", platform, {
            "name": "Load JSC", "bin": kzids.bin_from("2501400", os.getpid() % 10000), "sector": "private", "region": "astana",
            "admin": {"email": "admin@load.test", "display_name": "Admin", "password": PASSWORD}})
        assert s == 201, t
        tenant = t["tenant"]["id"]
        admin = login(base, "admin@load.test")
        for role in ["compliance_officer", "employee"]:
            s, b = call("POST", f"{base}/api/v1/tenants/{tenant}/users", admin, {
                "email": f"{role}@load.test", "display_name": role, "password": PASSWORD, "role": role})
            assert s == 201, b
        compliance = login(base, "compliance_officer@load.test")
        employee = login(base, "employee@load.test")
        # The whole library, as a tenant adopts it (a version of one's own
        # rules needs fixtures; the library's come with theirs).
        s, lib = call("GET", f"{base}/api/v1/tenants/{tenant}/library", compliance)
        assert s == 200, lib
        s, b = call("POST", f"{base}/api/v1/tenants/{tenant}/rule-sets", compliance, {"library_version": lib["version"]})
        assert s == 201, b
        s, b = call("POST", f"{base}/api/v1/tenants/{tenant}/rule-sets/{b['version']}/activate", compliance, {})
        assert s == 200, b

        def post_gift(token, i, value="500000.00"):
            s, b = call("POST", f"{base}/api/v1/tenants/{tenant}/gifts", token, {
                "direction": "received", "giver_name": "E2E LLP", "description": f"e2e {i}",
                "value_kzt": value, "date": "2026-03-01", "occasion": "e2e"})
            assert s == 202, b
            return b["submission_id"]

        def wait_evaluated(ids):
            out = []
            for sid in ids:
                for _ in range(600):
                    s, b = call("GET", f"{base}/api/v1/tenants/{tenant}/submissions/{sid}", compliance)
                    if b["status"] == "evaluated":
                        out.append((parse_ts(b["evaluated_at"]) - parse_ts(b["received_at"])).total_seconds() * 1000)
                        break
                    time.sleep(0.05)
            return out

        # 1. End to end on an idle system: single gifts, timed from the 202
        #    to the finding stored (server timestamps).
        worker = subprocess.Popen([adal, "worker"], env=env, cwd=ROOT)
        time.sleep(2)
        ids = []
        for i in range(a.e2e):
            ids.append(post_gift(employee, i))
            time.sleep(0.02)
        e2e = wait_evaluated(ids)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

        # 2. Ingestion alone: no worker running, so the API, the database
        #    and the queue are what is measured.
        out = subprocess.run(["wrk", "-t2", f"-c{a.connections}", f"-d{a.duration}s", "--latency",
                              "-s", os.path.join(ROOT, "tests/load/post_gift.lua"), base],
                             env={**os.environ, "TOKEN": employee, "TENANT": tenant}, capture_output=True, text=True, check=True).stdout
        print(out, file=sys.stderr)
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        s, page = call("GET", f"{base}/api/v1/tenants/{tenant}/submissions?status=received&limit=1", compliance)
        stored = page["total"]
        # The database alone doing the same two rows, with nothing of Adal
        # in the way: without a lock (as a filing is written since the
        # sequencer) and with the tenant's lock (as the hash chain had it).
        s, me = call("GET", f"{base}/api/v1/me", employee)
        bench = pgtwo.two_row_tps(db, tenant, me["id"], a.pgbench_seconds)
        bench_locked = pgtwo.two_row_tps(db, tenant, me["id"], a.pgbench_seconds, lock=True)

        # 3. A worker drains the backlog (4,000 jobs wait in Redis at most;
        #    the sweeper feeds in the rest).
        procs.append(subprocess.Popen([adal, "worker"], env=env, cwd=ROOT))
        t0 = time.time()
        while True:
            s, page = call("GET", f"{base}/api/v1/tenants/{tenant}/submissions?status=received&limit=1", compliance)
            if page["total"] == 0:
                break
            time.sleep(0.5)
        drain = time.time() - t0
        # 4. The same single gifts right after the drain.
        ids = []
        for i in range(min(a.e2e, 50)):
            ids.append(post_gift(employee, 100000 + i))
            time.sleep(0.02)
        after = sorted(wait_evaluated(ids))
        e2e.sort()
        q = lambda p: e2e[min(len(e2e) - 1, int(p * len(e2e)))]
        print("| measure | value |\n|---|---|")
        print(f"| POST /gifts, {a.connections} connections, {a.duration} s | {rps:.0f} requests/s |")
        print(f"| latency p50 / p99 | {lat.get('50')} / {lat.get('99')} |")
        print(f"| non-2xx responses | {non2xx.group(1) if non2xx else 0} |")
        if bench:
            print(f"| pgbench, the same two-row transaction, 8 clients, same run | {bench:.0f}/s; POST is {rps / bench:.2f}x that |")
        if bench_locked:
            print(f"| the same with the tenant's advisory lock (the hash chain's) | {bench_locked:.0f}/s; POST is {rps / bench_locked:.2f}x that |")
        print(f"| submissions stored by the load | {stored} |")
        print(f"| worker drained the backlog ({stored} submissions) | {drain:.1f} s ({stored / drain:.0f}/s) |")
        print(f"| 202 to finding stored, idle system, {len(e2e)} single gifts, p50 / p99 / max | {q(0.5):.1f} / {q(0.99):.1f} / {e2e[-1]:.1f} ms |")
        if after:
            print(f"| the same right after the drain, {len(after)} gifts, p50 / max | {after[len(after) // 2]:.1f} / {after[-1]:.1f} ms |")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=15)
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])


if __name__ == "__main__":
    main()
