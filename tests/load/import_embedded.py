#!/usr/bin/env python3
"""A large OCDS import on the embedded default (SQLite, in-process worker
and queue) while a user keeps filing gifts: how long the other writes
wait for the import, and whether any fails.

On SQLite one transaction holds the only write lock; issue 12 found a
60 MiB import making other writes wait 1-10 s, some answered 500
"database is locked". Imports now size their batches to a lock budget
(`imports.lock_budget_ms`, 150 ms by default). With --compare the same
import runs twice in one go, with the budget and with an unreachable one
(100,000 ms: batches stay at their maximum, 100 releases, as before the
budget), so the two are measured side by side.

Usage:
  python3 tests/load/import_embedded.py [--processes 40000] [--compare]
Needs release builds of adal and adal-rules (or --adal/--rules). Prints a
Markdown table for docs/performance.md.
"""
import argparse, importlib, json, os, shutil, signal, socket, statistics, subprocess, sys
import tempfile, threading, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
bulk = importlib.import_module("import")  # tests/load/import.py: call, with_check_digit
call, with_check_digit, PASSWORD = bulk.call, bulk.with_check_digit, bulk.PASSWORD


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gift(i):
    return {
        "direction": "received", "giver_name": "Probe LLP", "giver_bin": with_check_digit("20054000077"),
        "description": f"Probe gift {i}", "value_kzt": "1000", "date": "2026-02-10",
        "occasion": "Probe", "decision": "accepted",
    }


def run(a, ocds, budget_ms):
    """One deployment: the import with `budget_ms` (None: the default)."""
    tmp = tempfile.mkdtemp(prefix="adal-import-embedded-")
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "ADAL_DATABASE_URL": f"sqlite://{tmp}/adal.sqlite?mode=rwc",
        "ADAL_QUEUE__SQLITE_PATH": f"{tmp}/queue.sqlite",
        "ADAL_LISTEN": f"127.0.0.1:{port}",
        "ADAL_WORKER__LISTEN": "",
        "ADAL_DATA_DIR": tmp,
        "ADAL_SANDBOX__BINARY": a.rules,
        "ADAL_SMTP__MAIL_DIR": os.path.join(tmp, "mail"),
        "ADAL_LOG": "warn",
    }
    if budget_ms is not None:
        env["ADAL_IMPORTS__LOCK_BUDGET_MS"] = str(budget_ms)
    for kv in a.set:
        k, _, v = kv.partition("=")
        env[k] = v
    base = f"http://127.0.0.1:{port}"
    proc = None
    try:
        subprocess.run([a.adal, "migrate"], env=env, check=True)
        subprocess.run([a.adal, "create-admin", "--email", "ops@embedded.test"],
                       env={**env, "ADAL_ADMIN_PASSWORD": PASSWORD}, check=True, stdout=subprocess.DEVNULL)
        proc = subprocess.Popen([a.adal, "serve"], env=env, cwd=ROOT)
        for _ in range(300):
            try:
                if urllib.request.urlopen(base + "/readyz").status == 200:
                    break
            except Exception:
                if proc.poll() is not None:
                    raise SystemExit(f"adal serve exited with {proc.returncode}")
                time.sleep(0.1)
        login = lambda email: call(base, "POST", "/auth/login", body={"email": email, "password": PASSWORD})[1]["token"]
        platform = login("ops@embedded.test")
        s, t = call(base, "POST", "/tenants", platform, {
            "name": "Embedded JSC", "bin": with_check_digit("02044000115"), "sector": "quasi_public",
            "region": "astana",
            "admin": {"email": "admin@embedded.test", "display_name": "Admin", "password": PASSWORD}})
        assert s == 201, t
        tenant = t["tenant"]["id"]
        admin = login("admin@embedded.test")
        for role in ["procurement_officer", "employee"]:
            s, b = call(base, "POST", f"/tenants/{tenant}/users", admin, {
                "email": f"{role}@embedded.test", "display_name": role, "password": PASSWORD, "role": role})
            assert s == 201, b
        buyer, employee = login("procurement_officer@embedded.test"), login("employee@embedded.test")

        # The probe: one gift after another, each timed, until the import
        # is done.
        done = threading.Event()
        latencies, failures, slow = [], [], []
        started = time.time()

        def probe():
            i = 0
            while not done.is_set():
                i += 1
                t0 = time.perf_counter()
                s, b = call(base, "POST", f"/tenants/{tenant}/gifts", employee, gift(i))
                latencies.append((time.perf_counter() - t0) * 1000)
                slow.append((latencies[-1], time.time() - started))
                if s >= 300:
                    failures.append((s, b))
                time.sleep(0.02)

        prober = threading.Thread(target=probe)
        prober.start()
        t0 = time.time()
        s, i = call(base, "POST", f"/tenants/{tenant}/imports/ocds?file_name=big.jsonl", buyer, ocds,
                    "application/x-ndjson")
        upload = time.time() - t0
        assert s == 202, i
        while i["status"] not in ("done", "failed"):
            if proc.poll() is not None or time.time() - t0 > a.timeout:
                done.set()
                raise SystemExit(f"the import did not finish (adal serve exit: {proc.poll()}): {i}")
            time.sleep(0.2)
            s, i = call(base, "GET", f"/tenants/{tenant}/imports/{i['id']}", buyer)
        wall = time.time() - t0
        done.set()
        prober.join()
        assert i["status"] == "done", {k: i[k] for k in ("status", "error")}
        assert i["rejected"] == 0, i["report"][:3]
        return {
            "budget": "default (150 ms)" if budget_ms is None else f"{budget_ms:,} ms",
            "rows": i["accepted"] + i["unchanged"],
            "upload": upload,
            "wall": wall,
            "writes": len(latencies),
            "failures": failures,
            "lat": sorted(latencies),
            # The slowest writes, with when they started (seconds after
            # the upload began), to tell what they waited for.
            "slowest": sorted(slow, reverse=True)[:3],
        }
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=40000)
    ap.add_argument("--timeout", type=float, default=900, help="seconds the import may take")
    ap.add_argument("--compare", action="store_true",
                    help="also run with an unreachable lock budget (fixed batches, as before)")
    ap.add_argument("--set", action="append", default=[], metavar="ADAL_KEY=VALUE",
                    help="another setting for the service (repeatable)")
    ap.add_argument("--adal", default=os.path.join(ROOT, "target/release/adal"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "crates/rules-engine/target/release/adal-rules"))
    a = ap.parse_args()
    ocds = subprocess.run([sys.executable, os.path.join(HERE, "gen_ocds.py"), "--processes", str(a.processes),
                           "--seed", "1"], check=True, capture_output=True, text=True).stdout
    results = [run(a, ocds, None)]
    if a.compare:
        results.append(run(a, ocds, 100_000))
    print(f"{len(ocds) / 2**20:.1f} MiB of OCDS JSON lines, {a.processes:,} processes\n")
    print("| lock budget | import, upload to done | probe writes | p50 / p99 / max wait of a write | failed writes |")
    print("|---|---|---|---|---|")
    for r in results:
        lat = r["lat"]
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
        print(f"| {r['budget']} | {r['wall']:.1f} s ({r['rows'] / r['wall']:,.0f} rows/s; upload {r['upload']:.1f} s) "
              f"| {r['writes']:,} | {statistics.median(lat) if lat else float('nan'):.0f} / {q(0.99):.0f} / {lat[-1] if lat else float('nan'):.0f} ms "
              f"| {len(r['failures'])} |")
        print("  slowest writes (ms, at s): " + ", ".join(f"{ms:.0f} at {at:.1f}" for ms, at in r["slowest"]))
        for s, b in r["failures"][:3]:
            print(f"  failed: {s} {json.dumps(b)[:200]}")
    if any(r["failures"] for r in results[:1]):
        raise SystemExit("writes failed during the import with the default lock budget")


if __name__ == "__main__":
    main()
