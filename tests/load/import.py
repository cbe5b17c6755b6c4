#!/usr/bin/env python3
"""Bulk import benchmark: 10,000 people as CSV and 1,000 tenders as OCDS
JSON lines, uploaded to `adal serve --api-only` and applied by a separate
`adal worker`, on PostgreSQL + Redis.

Usage: python3 tests/load/import.py [--people 10000] [--tenders 1000]
Needs release builds of adal and adal-rules (or --adal/--rules), PostgreSQL
and Redis. Reports rows/second of each import (the import's own
`started_at`/`finished_at`, stamped by the worker), the time from upload to
done, and the worker's peak resident memory (VmHWM from /proc). Prints a
Markdown table for docs/performance.md.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time, urllib.request, uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402
from kzids import with_check_digit  # noqa: E402
from datetime import datetime

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "load-test-password"


def call(base, method, path, token=None, body=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1" + path, method=method, data=data)
    req.add_header("content-type", content_type)
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def parse_ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def vm_hwm_kib(pid):
    """Peak resident set size of a live process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def people_csv(n):
    out = ["iin,full_name,department,position,started_on"]
    serial = 0
    seen = set()
    while len(out) - 1 < n:
        serial += 1
        day, month, year = serial % 28 + 1, (serial // 28) % 12 + 1, 70 + (serial // 336) % 28
        iin = with_check_digit(f"{year:02}{month:02}{day:02}3{serial % 10000:04}")
        if iin and iin not in seen:
            seen.add(iin)
            out.append(f"{iin},Employee {len(out)},Procurement,Clerk,2020-01-{len(out) % 28 + 1:02}")
    return "\n".join(out) + "\n"


def tenders_jsonl(n, supplier):
    lines = []
    for i in range(n):
        lines.append(json.dumps({
            "ocid": f"ocds-kz-load-{i:05}",
            "buyer": {"id": "ktz", "name": "KTZ"},
            "parties": [{"id": "s", "name": "Supplier", "identifier": {"scheme": "KZ-BIN", "id": supplier}, "roles": ["tenderer"]}],
            "tender": {"id": f"T-{i}", "title": f"Tender {i}", "status": "active",
                       "value": {"amount": 1000 + i, "currency": "KZT"}, "procurementMethod": "open"},
            "bids": {"details": [{"id": "b", "status": "valid", "tenderers": [{"id": "s"}],
                                  "value": {"amount": 900 + i, "currency": "KZT"}}]},
        }))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10000)
    ap.add_argument("--tenders", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=600, help="seconds each import may take")
    ap.add_argument("--adal", default=os.path.join(ROOT, "target/release/adal"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "crates/rules-engine/target/release/adal-rules"))
    a = ap.parse_args()

    db = "adal_import_" + uuid.uuid4().hex[:12]
    db_url = pgdb.create(db)
    tmp = tempfile.mkdtemp(prefix="adal-import-")
    port = 19000 + os.getpid() % 1000
    env = {
        "PATH": os.environ["PATH"],
        "ADAL_DATABASE_URL": db_url,
        "ADAL_QUEUE__BACKEND": "redis",
        "ADAL_QUEUE__NAMESPACE": "adal-import-" + uuid.uuid4().hex[:8],
        "ADAL_LISTEN": f"127.0.0.1:{port}",
        "ADAL_DATA_DIR": tmp,
        "ADAL_SANDBOX__BINARY": a.rules,
        "ADAL_SMTP__MAIL_DIR": os.path.join(tmp, "mail"),
        "ADAL_LOG": "warn",
        # No probe port: CI runs this beside other benchmarks' workers,
        # and a second worker on the default port exits at once.
        "ADAL_WORKER__LISTEN": "",
    }
    base = f"http://127.0.0.1:{port}"
    procs = []
    try:
        subprocess.run([a.adal, "migrate"], env=env, check=True)
        subprocess.run([a.adal, "create-admin", "--email", "ops@import.test"],
                       env={**env, "ADAL_ADMIN_PASSWORD": PASSWORD}, check=True, stdout=subprocess.DEVNULL)
        procs.append(subprocess.Popen([a.adal, "serve", "--api-only"], env=env, cwd=ROOT))
        for _ in range(300):
            try:
                if urllib.request.urlopen(base + "/readyz").status == 200:
                    break
            except Exception:
                time.sleep(0.1)
        login = lambda email: call(base, "POST", "/auth/login", body={"email": email, "password": PASSWORD})[1]["token"]
        platform = login("ops@import.test")
        s, t = call(base, "POST", "/tenants", platform, {
            "name": "Import JSC", "bin": with_check_digit("02044000115"), "sector": "quasi_public", "region": "astana",
            "admin": {"email": "admin@import.test", "display_name": "Admin", "password": PASSWORD}})
        assert s == 201, t
        tenant = t["tenant"]["id"]
        admin = login("admin@import.test")
        s, d = call(base, "POST", f"/tenants/{tenant}/departments", admin, {"name": "Procurement"})
        assert s == 201, d
        s, p = call(base, "POST", f"/tenants/{tenant}/positions", admin,
                    {"title": "Clerk", "department_id": d["id"], "risk_level": 1, "high_risk": False})
        assert s == 201, p
        for role in ["hr_officer", "procurement_officer"]:
            s, b = call(base, "POST", f"/tenants/{tenant}/users", admin, {
                "email": f"{role}@import.test", "display_name": role, "password": PASSWORD, "role": role})
            assert s == 201, b
        hr = login("hr_officer@import.test")
        buyer = login("procurement_officer@import.test")

        worker = subprocess.Popen([a.adal, "worker"], env=env, cwd=ROOT)
        procs.append(worker)
        time.sleep(2)
        idle_rss = vm_rss_kib(worker.pid)

        def run_import(token, kind, name, body, content_type, rows):
            t0 = time.time()
            s, i = call(base, "POST", f"/tenants/{tenant}/imports/{kind}?file_name={name}", token, body, content_type)
            assert s == 202, i
            while True:
                s, i = call(base, "GET", f"/tenants/{tenant}/imports/{i['id']}", token)
                if i["status"] in ("done", "failed"):
                    break
                if worker.poll() is not None:
                    raise SystemExit(f"adal worker exited with {worker.returncode}")
                if time.time() - t0 > a.timeout:
                    raise SystemExit(f"the {kind} import did not finish in {a.timeout} s: {i}")
                time.sleep(0.1)
            wall = time.time() - t0
            assert i["status"] == "done", i
            assert (i["accepted"], i["rejected"]) == (rows, 0), {k: i[k] for k in ("accepted", "unchanged", "rejected")}
            secs = (parse_ts(i["finished_at"]) - parse_ts(i["started_at"])).total_seconds()
            return secs, wall

        supplier = with_check_digit("20054000077")
        people = run_import(hr, "people", "people.csv", people_csv(a.people), "text/csv", a.people)
        hwm_people = vm_hwm_kib(worker.pid)
        tenders = run_import(buyer, "ocds", "tenders.jsonl", tenders_jsonl(a.tenders, supplier), "application/x-ndjson", a.tenders)
        hwm = vm_hwm_kib(worker.pid)
        # Re-importing the same people changes nothing; time it too.
        t0 = time.time()
        s, i = call(base, "POST", f"/tenants/{tenant}/imports/people?file_name=again.csv", hr, people_csv(a.people), "text/csv")
        while i["status"] not in ("done", "failed"):
            if worker.poll() is not None or time.time() - t0 > a.timeout:
                raise SystemExit(f"the re-import did not finish: {i}")
            time.sleep(0.1)
            s, i = call(base, "GET", f"/tenants/{tenant}/imports/{i['id']}", hr)
        assert (i["accepted"], i["unchanged"]) == (0, a.people), i
        again = (parse_ts(i["finished_at"]) - parse_ts(i["started_at"])).total_seconds()

        print("| measure | value |\n|---|---|")
        print(f"| {a.people:,} people (CSV), worker time | {people[0]:.2f} s (**{a.people / people[0]:,.0f} rows/s**) |")
        print(f"| the same, upload to done | {people[1]:.2f} s |")
        print(f"| {a.people:,} people re-imported (all unchanged) | {again:.2f} s ({a.people / again:,.0f} rows/s) |")
        print(f"| {a.tenders:,} tenders (OCDS JSON lines), worker time | {tenders[0]:.2f} s (**{a.tenders / tenders[0]:,.0f} rows/s**) |")
        print(f"| the same, upload to done | {tenders[1]:.2f} s |")
        print(f"| worker resident memory idle / peak after people / peak after tenders (VmRSS, VmHWM) | "
              f"{idle_rss / 1024:.0f} / {hwm_people / 1024:.0f} / **{hwm / 1024:.0f} MiB** |")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])


if __name__ == "__main__":
    main()
