//! Every column that can hold personal data, classified: what kind of
//! personal data it is and how it is protected at rest. docs/privacy.md
//! explains the classes; a test on both backends reads the migrated
//! schema and fails when a table or column is added without being placed
//! here (a table holding nothing personal is listed in
//! [`NOT_PERSONAL_TABLES`]), so the classification cannot fall behind the
//! schema.

/// What a column holds about people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Nothing about a person (ids of records, statuses, timestamps of
    /// processing, hashes of the log).
    None,
    /// Names a person directly: IIN, full name, email address.
    Identifier,
    /// Points at a person through another table (an account id, an author
    /// id): personal once joined.
    Link,
    /// Where and since when someone works.
    Employment,
    /// Relatives and their business interests.
    Family,
    /// Assets, income and liabilities (asset declarations).
    Financial,
    /// What a person did or is suspected of: gifts, disclosures, findings,
    /// comments, reports of corruption, the audit trail of actions.
    Conduct,
    /// Credentials and key material (stored hashed, sealed or wrapped).
    Secret,
    /// Published by law (the convicted-persons registry).
    Public,
}

/// How a column is protected at rest beyond access control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtRest {
    /// Stored as written; roles and per-record checks guard it.
    Plain,
    /// Sealed under a key kept outside the database (a person's data key or
    /// a report key; for declarations, only that kind's payload).
    Sealed,
    /// Only a one-way hash is stored.
    Hashed,
}

/// (column, class, protection) for one table.
pub type Columns = &'static [(&'static str, Class, AtRest)];

use AtRest::{Hashed, Plain, Sealed};
use Class::*;

/// Every table that holds personal data, every column of it classified.
pub const PERSONAL_TABLES: &[(&str, Columns)] = &[
    (
        "people",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("iin", Identifier, Plain),
            ("full_name", Identifier, Plain),
            ("department_id", Employment, Plain),
            ("position_id", Employment, Plain),
            ("started_on", Employment, Plain),
            ("ended_on", Employment, Plain),
            ("content_hash", None, Plain),
            ("created_at", None, Plain),
            ("updated_at", None, Plain),
        ],
    ),
    (
        "relatives",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("person_id", Link, Plain),
            ("natural_key", Family, Plain),
            ("relation", Family, Plain),
            ("full_name", Family, Plain),
            ("iin", Family, Plain),
        ],
    ),
    (
        "interests",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("person_id", Link, Plain),
            ("company_bin", Family, Plain),
            ("company_name", Family, Plain),
            ("role", Family, Plain),
            ("share_percent", Financial, Plain),
            ("since", Family, Plain),
        ],
    ),
    (
        "users",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("email", Identifier, Plain),
            ("display_name", Identifier, Plain),
            ("password_hash", Secret, Hashed),
            ("role", Employment, Plain),
            ("department_id", Employment, Plain),
            ("position_id", Employment, Plain),
            ("person_iin", Identifier, Plain),
            ("created_at", None, Plain),
            ("disabled_at", None, Plain),
            ("lang", None, Plain),
        ],
    ),
    (
        "submissions",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("kind", None, Plain),
            ("schema_version", None, Plain),
            ("submitted_by", Link, Plain),
            ("department_id", Employment, Plain),
            ("position_id", Employment, Plain),
            // Sealed for asset declarations; the other kinds are searched.
            ("payload", Conduct, Sealed),
            ("status", None, Plain),
            ("rule_set_version_id", None, Plain),
            ("attempts", None, Plain),
            ("received_at", None, Plain),
            ("evaluated_at", None, Plain),
            ("enqueued_at", None, Plain),
            ("reference", Identifier, Plain),
            ("supersedes", None, Plain),
            ("superseded_by", None, Plain),
            ("subject_iin", Identifier, Plain),
            ("claimed_until", None, Plain),
        ],
    ),
    (
        "alert_digest_entries",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("finding_id", Link, Plain),
            ("title", None, Plain),
            ("period", None, Plain),
            ("due_at", None, Plain),
            ("created_at", None, Plain),
            ("digest_id", None, Plain),
            ("digested_at", None, Plain),
        ],
    ),
    (
        "findings",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("submission_id", Link, Plain),
            ("rule_set_version_id", None, Plain),
            ("rule_id", None, Plain),
            ("area", None, Plain),
            ("severity", Conduct, Plain),
            ("likelihood", Conduct, Plain),
            ("impact", Conduct, Plain),
            ("explanation", Conduct, Plain),
            ("facts", Conduct, Plain),
            ("department_id", Employment, Plain),
            ("position_id", Employment, Plain),
            ("status", Conduct, Plain),
            ("created_at", None, Plain),
            ("due_at", None, Plain),
        ],
    ),
    (
        "finding_comments",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("finding_id", Link, Plain),
            ("author_id", Link, Plain),
            ("body", Conduct, Plain),
            ("created_at", None, Plain),
        ],
    ),
    (
        "finding_triage",
        &[
            ("finding_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("assigned_to", Link, Plain),
            ("reason", Conduct, Plain),
            ("decided_by", Link, Plain),
            ("decided_at", None, Plain),
            ("updated_at", None, Plain),
        ],
    ),
    (
        "coi_decisions",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("submission_id", Link, Plain),
            ("decision", Conduct, Plain),
            ("note", Conduct, Plain),
            ("decided_by", Link, Plain),
            ("decided_at", None, Plain),
        ],
    ),
    (
        "audit_log",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("seq", None, Plain),
            ("at", None, Plain),
            ("actor", Link, Plain),
            ("action", Conduct, Plain),
            ("object", Link, Plain),
            // A person's record and an account's link to one are sealed
            // under the person's key; other details name no one.
            ("detail", Conduct, Sealed),
            ("leaf_hash", None, Plain),
        ],
    ),
    (
        "subject_keys",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("subject", Identifier, Plain),
            ("wrapped", Secret, Sealed),
            ("kek_id", None, Plain),
            ("created_at", None, Plain),
        ],
    ),
    (
        "reports",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("channel", None, Plain),
            ("source", None, Plain),
            ("receipt_hash", Secret, Hashed),
            ("kek_id", None, Plain),
            ("wrapped_key", Secret, Sealed),
            ("content", Conduct, Sealed),
            ("has_contact", None, Plain),
            ("status", None, Plain),
            ("assignee_id", Link, Plain),
            ("outcome", Conduct, Plain),
            ("received_on", None, Plain),
            ("ack_due", None, Plain),
            ("feedback_due", None, Plain),
            ("acknowledged_at", None, Plain),
            ("closed_at", None, Plain),
            ("escalated_at", None, Plain),
            ("escalation", Conduct, Sealed),
            ("updated_at", None, Plain),
            ("measures", Conduct, Sealed),
        ],
    ),
    (
        "report_messages",
        &[
            ("id", None, Plain),
            ("report_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("seq", None, Plain),
            ("author", None, Plain),
            ("author_id", Link, Plain),
            ("body", Conduct, Sealed),
            ("created_at", None, Plain),
        ],
    ),
    // Attachments: name and content sealed under the report's key; the
    // kind and size are plain so limits hold without opening anything.
    (
        "report_attachments",
        &[
            ("id", None, Plain),
            ("report_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("seq", None, Plain),
            ("author", None, Plain),
            ("author_id", Link, Plain),
            ("internal", None, Plain),
            ("kind", None, Plain),
            ("size_bytes", None, Plain),
            ("name", Conduct, Sealed),
            ("content", Conduct, Sealed),
            ("created_at", None, Plain),
            ("removed_at", None, Plain),
        ],
    ),
    (
        "case_links",
        &[
            ("id", None, Plain),
            ("report_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("kind", None, Plain),
            ("target_id", Link, Plain),
            ("linked_by", Link, Plain),
            ("created_at", None, Plain),
        ],
    ),
    (
        "case_approvals",
        &[
            ("id", None, Plain),
            ("report_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("action", None, Plain),
            ("target_id", Link, Plain),
            ("reason", Conduct, Sealed),
            ("requested_by", Link, Plain),
            ("requested_at", None, Plain),
            ("decided_by", Link, Plain),
            ("decided_at", None, Plain),
            ("approved", None, Plain),
        ],
    ),
    // The messaging bots: the sender only as a keyed HMAC (to find the
    // conversation) and sealed (to answer); texts and drafts sealed.
    (
        "bot_inbox",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("channel", None, Plain),
            ("message_id", None, Plain),
            ("sender_key", Identifier, Hashed),
            ("sender", Identifier, Sealed),
            ("body", Conduct, Sealed),
            ("received_at", None, Plain),
            ("attempts", None, Plain),
            ("lease_until", None, Plain),
            ("processed_at", None, Plain),
            ("failure", None, Plain),
        ],
    ),
    (
        "bot_conversations",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("channel", None, Plain),
            ("sender_key", Identifier, Hashed),
            ("state", Conduct, Sealed),
            ("updated_at", None, Plain),
        ],
    ),
    (
        "bot_report_links",
        &[
            ("report_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("channel", None, Plain),
            ("recipient", Identifier, Sealed),
            ("created_at", None, Plain),
        ],
    ),
    (
        "bot_outbox",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("channel", None, Plain),
            ("recipient", Identifier, Sealed),
            ("body", Conduct, Sealed),
            ("status", None, Plain),
            ("attempts", None, Plain),
            ("next_attempt_at", None, Plain),
            ("claim_token", None, Plain),
            ("last_error", None, Plain),
            ("created_at", None, Plain),
            ("sent_at", None, Plain),
        ],
    ),
    (
        "case_recusals",
        &[
            ("report_id", Link, Plain),
            ("user_id", Link, Plain),
            ("tenant_id", None, Plain),
            ("reason", Conduct, Plain),
            ("created_at", None, Plain),
        ],
    ),
    (
        "second_factors",
        &[
            ("user_id", Link, Plain),
            ("secret", Secret, Sealed),
            ("confirmed_at", None, Plain),
            ("last_step", None, Plain),
            ("created_at", None, Plain),
        ],
    ),
    (
        "recovery_codes",
        &[
            ("id", None, Plain),
            ("user_id", Link, Plain),
            ("digest", Secret, Hashed),
            ("used_at", None, Plain),
        ],
    ),
    (
        "tokens",
        &[
            ("id", None, Plain),
            ("user_id", Link, Plain),
            ("token_hash", Secret, Hashed),
            ("kind", None, Plain),
            ("name", None, Plain),
            ("created_at", None, Plain),
            ("expires_at", None, Plain),
            ("revoked_at", None, Plain),
            ("last_used_at", None, Plain),
        ],
    ),
    (
        "sign_in_throttle",
        &[
            // A SHA-256 digest of the account or client address.
            ("key", Identifier, Hashed),
            ("failures", None, Plain),
            ("locked_until", None, Plain),
            ("last_failure_at", None, Plain),
        ],
    ),
    (
        "outbox",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("dedupe_key", None, Plain),
            ("recipients", Identifier, Plain),
            ("subject", Conduct, Plain),
            ("body", Conduct, Plain),
            ("status", None, Plain),
            ("attempts", None, Plain),
            ("next_attempt_at", None, Plain),
            ("last_error", None, Plain),
            ("created_at", None, Plain),
            ("sent_at", None, Plain),
            ("claim_token", None, Plain),
        ],
    ),
    (
        "convicted_persons",
        &[
            ("id", None, Plain),
            ("full_name", Public, Plain),
            ("name_key", Public, Plain),
            ("iin", Public, Plain),
            ("date_of_birth", Public, Plain),
            ("offence_article", Public, Plain),
            ("convicted_on", Public, Plain),
            ("court", Public, Plain),
            ("applies_until", Public, Plain),
            ("workplace", Public, Plain),
            ("position_held", Public, Plain),
            ("offence_description", Public, Plain),
            ("case_number", Public, Plain),
            ("ruling_in_force_on", Public, Plain),
            ("punishment", Public, Plain),
            ("punishment_term", Public, Plain),
            ("source", Public, Plain),
            ("created_by", Link, Plain),
            ("created_at", None, Plain),
            ("removed_by", Link, Plain),
            ("removed_at", None, Plain),
            ("removal_reason", None, Plain),
        ],
    ),
    (
        "imports",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("kind", None, Plain),
            ("file_name", None, Plain),
            ("status", None, Plain),
            ("total_rows", None, Plain),
            ("processed_rows", None, Plain),
            ("accepted", None, Plain),
            ("unchanged", None, Plain),
            ("rejected", None, Plain),
            // Row numbers, fields and messages; a message may quote a value.
            ("report", Identifier, Plain),
            ("error", None, Plain),
            ("created_by", Link, Plain),
            ("created_at", None, Plain),
            ("started_at", None, Plain),
            ("heartbeat_at", None, Plain),
            ("finished_at", None, Plain),
        ],
    ),
    // Deleted when its import ends (imports::finish).
    (
        "import_files",
        &[("import_id", None, Plain), ("file", Identifier, Plain)],
    ),
    (
        "procurement_index",
        &[
            ("id", None, Plain),
            ("tenant_id", None, Plain),
            ("ocid", None, Plain),
            ("submission_id", None, Plain),
            ("content_hash", None, Plain),
            ("title", None, Plain),
            ("buyer_id", None, Plain),
            ("buyer_name", None, Plain),
            ("status", None, Plain),
            ("method", None, Plain),
            ("value_amount", None, Plain),
            ("currency", None, Plain),
            ("tender_end", None, Plain),
            ("counterparty_bins", None, Plain),
            // Committee members and individual parties named in the process.
            ("person_iins", Identifier, Plain),
            ("updated_at", None, Plain),
        ],
    ),
];

/// Tables that hold nothing about a person beyond which account did
/// something (an account id, personal only once joined with `users`):
/// configuration, the organisation's structure, rules, queues and
/// aggregates.
pub const NOT_PERSONAL_TABLES: &[&str] = &[
    // A log's size, frontier and signed roots: hashes, which open nothing.
    "audit_checkpoints",
    "audit_trees",
    "casbin_rule",
    "dataset_runs",
    "departments",
    "positions",
    "pow_spent",
    "risk_counts",
    "rule_errors",
    "rule_set_versions",
    "seaql_migrations",
    "tenants",
];

/// The classification of `table`'s columns, if it holds personal data.
pub fn columns_of(table: &str) -> Option<Columns> {
    PERSONAL_TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, c)| *c)
}
