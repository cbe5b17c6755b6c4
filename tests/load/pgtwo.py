"""pgbench running the transaction a filing is: one submission row and one
audit entry, in scratch tables shaped like Adal's, on the benchmark's own
database, so a load script can print the service's rate beside the
database's for the same work in the same run.

`lock=True` adds what the hash-chained audit log took before the sequencer
(issue 15): the tenant's advisory lock for the length of the transaction.
"""
import os, subprocess, tempfile


def psql(db, sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql, db],
                   check=True, capture_output=True)


def two_row_tps(db, tenant, user, seconds, clients=8, lock=False):
    if seconds <= 0:
        return None
    psql(db, """CREATE TABLE IF NOT EXISTS bench_submissions (LIKE submissions INCLUDING DEFAULTS);
                CREATE TABLE IF NOT EXISTS bench_audit (LIKE audit_log INCLUDING DEFAULTS);""")
    locked = f"SELECT pg_advisory_xact_lock(hashtext('{tenant}'));\n" if lock else ""
    script = os.path.join(tempfile.mkdtemp(prefix="adal-pgbench-"), "two_rows.sql")
    with open(script, "w") as f:
        f.write(f"""BEGIN;
{locked}INSERT INTO bench_submissions (id, tenant_id, kind, schema_version, submitted_by, payload, status, attempts, received_at)
  VALUES (gen_random_uuid(), '{tenant}', 'gift', 1, '{user}', '{{"value_kzt":"500000.00"}}', 'received', 0, now());
INSERT INTO bench_audit (id, tenant_id, at, actor, action, object, detail)
  VALUES (gen_random_uuid(), '{tenant}', now(), 'bench', 'submission.create', 'submission/x', '{{}}');
END;
""")
    out = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(clients), "-j", "2",
                          "-T", str(seconds), "-f", script, db], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("tps"):
            return float(line.split("=")[1].split()[0])
    return None
