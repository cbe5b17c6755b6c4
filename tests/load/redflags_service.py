#!/usr/bin/env python3
"""Red flags in the service (issue 13): the dataset red flags over N
procurement processes of one tenant on PostgreSQL + Redis, against
`adal-rules redflags` on the same releases as JSON lines, in the same run.

A fresh database; a tenant that adopted the whole library; N processes
from tests/load/gen_ocds.py imported as OCDS by a procurement officer. The
import asks for a dataset run (the schedule is off), whose last step feeds
the tenant's releases to a confined `adal-rules redflags` pass. Measured:

- the import (the worker's own started/finished stamps);
- the dataset run (its stamps), and within it the red-flag pass process's
  lifetime and peak resident memory (polled from /proc);
- the worker's peak resident memory;
- from the run's end until every red-flag record is a finding;
- the command line on the same file, with the settings the run wrote, on
  one thread and on the default threads: wall time and peak memory
  (/usr/bin/time), median of --runs.

The flags the run raised must equal the command line's, indicator by
indicator, or the script exits 1.

Usage:
  python3 tests/load/redflags_service.py [--processes 100000] [--seed 1] [--runs 3]
      [--adal target/release/adal]
      [--rules-bin crates/rules-engine/target/release/adal-rules] [--timeout 1800]
Prints a Markdown table for docs/performance.md.
"""
import argparse, json, os, signal, statistics, subprocess, sys, tempfile, threading, time, urllib.request, uuid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pgdb  # noqa: E402
from datetime import datetime

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "load-test-password"
GROUPS = ["OCID", "Buyer", "ProcuringEntity", "Tenderer"]
# Processes per uploaded file (about 30 MB of generated releases).
CHUNK = 20_000


def with_check_digit(s):
    d = [int(c) for c in s]
    a = sum(x * (i + 1) for i, x in enumerate(d)) % 11
    if a == 10:
        w = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        a = sum(x * w[i] for i, x in enumerate(d)) % 11
        if a == 10:
            return None
    return s + str(a)


def call(base, method, path, token=None, body=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1" + path, method=method, data=data)
    req.add_header("content-type", content_type)
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PassWatcher(threading.Thread):
    """Polls /proc for `adal-rules redflags` processes: each one's first
    and last sighting and its peak resident memory (VmHWM)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seen = {}  # pid -> [first, last, hwm KiB]
        self.stop = False

    def run(self):
        while not self.stop:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                except OSError:
                    continue
                if len(argv) > 1 and argv[0].endswith(b"adal-rules") and argv[1] == b"redflags":
                    now = time.time()
                    hwm = status_kib(pid, "VmHWM")
                    entry = self.seen.setdefault(pid, [now, now, 0])
                    entry[1] = now
                    entry[2] = max(entry[2], hwm)
            time.sleep(0.05)


# The service's processes: a wait ends at once when one of them has died.
PROCS = []


def wait_for(what, timeout, probe):
    deadline = time.time() + timeout
    while time.time() < deadline:
        dead = [p.args for p in PROCS if p.poll() is not None]
        if dead:
            sys.exit(f"{dead[0]} exited while waiting for {what}")
        got = probe()
        if got:
            return got
        time.sleep(0.2)
    sys.exit(f"timed out after {timeout}s waiting for {what}")


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of one run, and its stdout."""
    with tempfile.NamedTemporaryFile(mode="r") as t:
        start = time.time()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, check=True, capture_output=True)
        wall = time.time() - start
        return wall, int(t.read().split()[-1]) / 1024, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--adal", default=os.path.join(ROOT, "target/release/adal"))
    ap.add_argument("--rules-bin", default=os.path.join(ROOT, "crates/rules-engine/target/release/adal-rules"))
    ap.add_argument("--timeout", type=int, default=1800)
    a = ap.parse_args()
    adal, rules_bin = os.path.abspath(a.adal), os.path.abspath(a.rules_bin)

    db = "adal_rfsvc_" + uuid.uuid4().hex[:12]
    db_url = pgdb.create(db)
    tmp = tempfile.mkdtemp(prefix="adal-rfsvc-")
    # 18900-18999: between drain.py's ports and ingest.py's, so CI's smokes
    # never meet.
    port = 18900 + os.getpid() % 100
    env = {
        "PATH": os.environ["PATH"],
        "ADAL_DATABASE_URL": db_url,
        "ADAL_QUEUE__BACKEND": "redis",
        "ADAL_QUEUE__NAMESPACE": "adal-rfsvc-" + uuid.uuid4().hex[:8],
        "ADAL_LISTEN": f"127.0.0.1:{port}",
        # No probe port: CI runs this beside other benchmarks' workers.
        "ADAL_WORKER__LISTEN": "",
        "ADAL_DATA_DIR": tmp,
        "ADAL_SANDBOX__BINARY": rules_bin,
        "ADAL_SMTP__MAIL_DIR": os.path.join(tmp, "mail"),
        "ADAL_WORKER__DATASET_INTERVAL_SECS": "0",
        "ADAL_LOG": "warn",
    }
    base = f"http://127.0.0.1:{port}"
    procs = PROCS
    watcher = PassWatcher()
    try:
        releases = os.path.join(tmp, "releases.jsonl")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/load/gen_ocds.py"), "--processes", str(a.processes),
                        "--seed", str(a.seed), "--output", releases], check=True)
        subprocess.run([adal, "migrate"], env=env, check=True)
        subprocess.run([adal, "create-admin", "--email", "ops@rfsvc.test"],
                       env={**env, "ADAL_ADMIN_PASSWORD": PASSWORD}, check=True, stdout=subprocess.DEVNULL)
        procs.append(subprocess.Popen([adal, "serve", "--api-only"], env=env, cwd=ROOT))
        for _ in range(300):
            try:
                if urllib.request.urlopen(base + "/readyz").status == 200:
                    break
            except Exception:
                time.sleep(0.1)
        login = lambda email: call(base, "POST", "/auth/login", body={"email": email, "password": PASSWORD})[1]["token"]
        platform = login("ops@rfsvc.test")
        s, t = call(base, "POST", "/tenants", platform, {
            "name": "Red Flags JSC", "bin": with_check_digit("02044000115"), "sector": "quasi_public", "region": "astana",
            "admin": {"email": "admin@rfsvc.test", "display_name": "Admin", "password": PASSWORD}})
        assert s == 201, t
        tenant = t["tenant"]["id"]
        admin = login("admin@rfsvc.test")
        for role in ["compliance_officer", "procurement_officer"]:
            s, b = call(base, "POST", f"/tenants/{tenant}/users", admin, {
                "email": f"{role}@rfsvc.test", "display_name": role, "password": PASSWORD, "role": role})
            assert s == 201, b
        compliance = login("compliance_officer@rfsvc.test")
        buyer = login("procurement_officer@rfsvc.test")
        s, lib = call(base, "GET", f"/tenants/{tenant}/library", compliance)
        assert s == 200, lib
        s, v = call(base, "POST", f"/tenants/{tenant}/rule-sets", compliance, {"library_version": lib["version"]})
        assert s == 201, v
        s, v = call(base, "POST", f"/tenants/{tenant}/rule-sets/{v['version']}/activate", compliance, {})
        assert s == 200, v

        worker = subprocess.Popen([adal, "worker"], env=env, cwd=ROOT)
        procs.append(worker)
        watcher.start()
        with open(releases, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        # An upload is at most 64 MiB (MAX_UPLOAD): a tenant imports 100,000
        # processes as several files, each of which asks for a dataset run.
        imp_secs = 0.0
        for n, start in enumerate(range(0, len(lines), CHUNK)):
            body = b"".join(lines[start:start + CHUNK])
            s, i = call(base, "POST", f"/tenants/{tenant}/imports/ocds?file_name=part-{n}.jsonl", buyer, body,
                        "application/x-ndjson")
            assert s == 202, i
            imp = wait_for("the import", a.timeout, lambda: (
                lambda r: r if r["status"] in ("done", "failed") else None)(
                call(base, "GET", f"/tenants/{tenant}/imports/{i['id']}", buyer)[1]))
            assert imp["status"] == "done" and imp["rejected"] == 0, imp
            imp_secs += (ts(imp["finished_at"]) - ts(imp["started_at"])).total_seconds()
        last_import = ts(imp["finished_at"])

        def import_run():
            # The run the last import asked for (or joined): one that
            # started after it finished, so it read every process.
            s, runs = call(base, "GET", f"/tenants/{tenant}/dataset-runs", compliance)
            mine = [r for r in runs if r["trigger"] == "import" and r["started_at"]
                    and ts(r["started_at"]) >= last_import and r["status"] in ("done", "failed")]
            return mine[0] if mine else None

        run = wait_for("the dataset run the last import asked for", a.timeout, import_run)
        assert run["status"] == "done", run
        run_ended = time.time()
        rf = run["computed"]["red_flags"]
        assert rf["processes"] == a.processes, rf

        def evaluated():
            s, p = call(base, "GET",
                        f"/tenants/{tenant}/submissions?kind=procurement_red_flag&status=received&limit=1", compliance)
            return s == 200 and p["total"] == 0

        wait_for("every red-flag record evaluated", a.timeout, evaluated)
        to_findings = time.time() - run_ended
        worker_hwm = status_kib(worker.pid, "VmHWM") / 1024
        passes = list(watcher.seen.values())
        # A pass over CI's few processes can start and end between two
        # polls of /proc; one over a real size cannot, and its figures are
        # the point of the benchmark.
        assert passes or a.processes < 10_000, "no red-flag pass was seen"
        import_pass = passes[-1] if passes else None

        # The same pass on a settled system: the import's run competes with
        # the evaluation of every imported process for the cores; a run
        # asked for once all is evaluated reads the same data (and files
        # nothing new).
        def idle():
            s, p = call(base, "GET", f"/tenants/{tenant}/submissions?status=received&limit=1", compliance)
            return s == 200 and p["total"] == 0

        wait_for("every submission evaluated", a.timeout, idle)
        s, manual = call(base, "POST", f"/tenants/{tenant}/dataset-runs", compliance, {})
        assert s == 202, manual

        def manual_done():
            s, r = call(base, "GET", f"/tenants/{tenant}/dataset-runs/{manual['id']}", compliance)
            return r if r["status"] in ("done", "failed") else None

        manual = wait_for("the run on settled data", a.timeout, manual_done)
        assert manual["status"] == "done" and manual["created"] == 0, manual
        watcher.stop = True
        watcher.join()
        later = list(watcher.seen.values())[len(passes):]
        assert later or a.processes < 10_000, "no red-flag pass was seen on settled data"
        settled_pass = later[-1] if later else None
        settled_run = (ts(manual["finished_at"]) - ts(manual["started_at"])).total_seconds()

        settings = os.path.join(tmp, "settings.ini")
        with open(settings, "w") as f:
            f.write(rf["settings"])
        cli = {}
        for label, extra in [("one thread", ["--threads", "1"]), ("default threads", [])]:
            runs = [timed([rules_bin, "redflags", "--no-meta", "--settings", settings] + extra + [releases])
                    for _ in range(a.runs)]
            cli[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), runs[0][2])
        want = json.loads(cli["one thread"][2])
        per = {}
        for g in GROUPS:
            for codes in want.get(g, {}).values():
                for code in codes:
                    per[code] = per.get(code, 0) + 1
        if per != rf["flags"]:
            sys.exit(f"the service raised {rf['flags']}, the command line {per}")

        run_secs = (ts(run["finished_at"]) - ts(run["started_at"])).total_seconds()
        flags = sum(per.values())
        print(f"\n{a.processes:,} processes (seed {a.seed}), {flags:,} flags raised, identical to the command line's\n")
        print("| measure | wall | peak memory |\n|---|---|---|")
        print(f"| OCDS import, worker time | {imp_secs:.1f} s ({a.processes / imp_secs:,.0f} rows/s) | |")
        print(f"| dataset run, whole (every derived kind, red flags filed) | {run_secs:.2f} s | worker {worker_hwm:.0f} MiB |")

        def seen(p):
            if p is None:
                return "not seen (it ended between two 50 ms polls of /proc) | |"
            first, last, hwm = p
            return f"**{last - first:.2f} s** | **{hwm / 1024:.0f} MiB** |"

        print(f"| the red-flag pass in it (confined adal-rules, one thread; process lifetime) | {seen(import_pass)}")
        print(f"| red-flag records to findings, after the run (behind the imported processes' evaluation) | {to_findings:.1f} s | |")
        print(f"| dataset run on settled data, whole | {settled_run:.2f} s | |")
        print(f"| the red-flag pass in it | {seen(settled_pass)}")
        for label, (wall, rss, _) in cli.items():
            print(f"| `adal-rules redflags` on the same file, {label} (median of {a.runs}) | {wall:.2f} s | {rss:.0f} MiB |")
    finally:
        watcher.stop = True
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
