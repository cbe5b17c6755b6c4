"""A fresh PostgreSQL database for a load script, as production runs it:
owned by an ordinary role (not a superuser, without BYPASSRLS), so the
service's row-level security is in force while it is measured
(docs/operations.md, "The database role")."""

import subprocess

ROLE = "adal_app"


def create(name):
    """Creates database `name` owned by the application role; its URL."""
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc",
         f"DO $$ BEGIN CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; "
         "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
         "-qc", f"CREATE DATABASE {name} OWNER {ROLE}"],
        check=True,
    )
    return f"postgres://{ROLE}@127.0.0.1:5432/{name}"
