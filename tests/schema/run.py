#!/usr/bin/env python3
"""Schemathesis against the API: every operation, as every role and as
nobody, checked for server errors and for answers the OpenAPI document
does not describe (status codes, bodies, content types).

Starts `adal demo` (the embedded default with the demo tenant, so every
role has an account and the tenant has records of every kind), signs in
each demo account, and runs `st run` once per caller, the tenant admin
last (what they change, such as settings and accounts, would change what
the others may do). Operations that end or change the caller's own
sign-in (signing out, the password, API tokens, the second factor) are
left out: fuzzing them would sign the run itself out.

Usage: python3 tests/schema/run.py [--examples 5] [--adal target/debug/adal]
       [--rules crates/rules-engine/target/debug/adal-rules]
Needs schemathesis (`pip install schemathesis==4.32.5`; .ci/run installs
it). Exits 1 when any check failed, printing schemathesis' report.
"""
import argparse, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = "adal-demo-password"
# The caller's role, and the demo account (None: no token at all).
CALLERS = [
    ("nobody", None),
    ("employee", "employee@demo.kz"),
    ("hr_officer", "hr@demo.kz"),
    ("procurement_officer", "procurement@demo.kz"),
    ("compliance_officer", "compliance@demo.kz"),
    ("agency_auditor", "auditor@agency.demo"),
    ("platform_admin", "platform@adal.demo"),
    ("tenant_admin", "admin@demo.kz"),
]
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
OWN_SIGN_IN = r"^/auth/(logout|password|tokens/|second-factor)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, token=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def get(url, token):
    req = urllib.request.Request(url)
    req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=5)
    ap.add_argument("--adal", default=os.path.join(ROOT, "target/debug/adal"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "crates/rules-engine/target/debug/adal-rules"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    try:
        import schemathesis  # noqa: F401 (only whether it is there)
    except ImportError:
        raise SystemExit("schemathesis is not installed: pip install schemathesis==4.32.5")
    # The same interpreter's schemathesis, whatever is on PATH.
    st = [sys.executable, "-m", "schemathesis.cli"]
    tmp = tempfile.mkdtemp(prefix="adal-schemathesis-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ["PATH"],
        "ADAL_DATABASE_URL": f"sqlite://{tmp}/adal.sqlite?mode=rwc",
        "ADAL_QUEUE__SQLITE_PATH": f"{tmp}/queue.sqlite",
        "ADAL_DATA_DIR": tmp,
        "ADAL_LISTEN": f"127.0.0.1:{port}",
        "ADAL_PUBLIC_URL": base,
        "ADAL_WORKER__LISTEN": "",
        "ADAL_SANDBOX__BINARY": a.rules,
        "ADAL_SMTP__MAIL_DIR": os.path.join(tmp, "mail"),
        # The limits answer 429, which the document describes; without
        # them the run reaches past them into every operation.
        "ADAL_PUBLIC_REQUESTS_PER_MINUTE": "0",
        "ADAL_REPORTING__REPORTS_PER_HOUR_PER_TENANT": "0",
        "ADAL_REPORTING__REPORTS_PER_HOUR": "0",
        "ADAL_LOG": "warn",
    }
    log = open(os.path.join(tmp, "adal.log"), "w")
    proc = subprocess.Popen([a.adal, "demo"], env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    failed = []
    try:
        for _ in range(600):
            try:
                if urllib.request.urlopen(base + "/readyz").status == 200:
                    break
            except Exception:
                if proc.poll() is not None:
                    raise SystemExit(f"adal demo exited with {proc.returncode}; log in {tmp}/adal.log")
                time.sleep(0.2)
        tokens = {}
        for role, email in CALLERS:
            if email:
                tokens[role] = post(base + "/api/v1/auth/login", {"email": email, "password": PASSWORD})["token"]
        tenant = get(base + "/api/v1/me", tokens["compliance_officer"])["tenant_id"]
        with open(os.path.join(tmp, "schemathesis.toml"), "w") as f:
            # Every tenant path names the demo tenant (a random id is a
            # 404 and tests nothing else); other ids stay generated.
            # The caller is who the run says, never an account schemathesis
            # signs up for itself.
            f.write(f'[auth]\nauto-signup = false\n\n[parameters]\n"path.tenant_id" = "{tenant}"\n')
        for role, _ in CALLERS:
            cmd = st + ["run", base + "/api/v1/openapi.json", "--url", base + "/api/v1",
                   "--checks", CHECKS, "--max-examples", str(a.examples), "--seed", str(a.seed),
                   "--workers", "1", "--exclude-path-regex", OWN_SIGN_IN, "--warnings", "off",
                   "--generation-deterministic"]
            if role in tokens:
                cmd += ["-H", f"Authorization: Bearer {tokens[role]}"]
            t0 = time.time()
            r = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
            summary = [l for l in r.stdout.splitlines() if "generated" in l or "failures" in l]
            print(f"--- as {role}: exit {r.returncode}, {time.time() - t0:.0f} s: {'; '.join(summary)}", flush=True)
            if r.returncode != 0:
                failed.append(role)
                print(r.stdout[-20000:])
                print(r.stderr[-2000:])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    if proc.returncode not in (0, -signal.SIGTERM, None) and not failed:
        print(open(os.path.join(tmp, "adal.log")).read()[-5000:])
    if failed:
        print(f"schemathesis found failures as: {', '.join(failed)}; adal's log: {tmp}/adal.log")
        sys.exit(1)
    shutil.rmtree(tmp, ignore_errors=True)
    print("schemathesis: no failures as any caller")


if __name__ == "__main__":
    main()
