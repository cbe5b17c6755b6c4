//! Adal's schema. Every tenant-owned table carries `tenant_id`; JSON is
//! stored as text so that the same migration and the same queries work on
//! SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_foundation;
mod m20261124_000002_submission_enqueued_at;
mod m20261124_000003_records;
mod m20261125_000010_rule_lifecycle;
mod m20261125_000020_finding_triage;
mod m20261125_000030_convicted_registry;
mod m20261126_000030_dataset_runs;
mod m20261126_000040_feedback_deadline;
mod m20261126_000050_user_person;
mod m20261127_000010_user_disabled;
mod m20261205_000010_outbox_lease;
mod m20261205_000020_sign_in_throttle;
mod m20261205_000030_token_last_used;
mod m20261205_000040_second_factor;
mod m20261205_000050_risk_counts;
mod m20261205_000060_submission_claim;
mod m20261206_000010_reports;
mod m20261207_000010_dataset_run_computed;
mod m20261207_000020_submissions_by_kind;
mod m20261207_000030_import_files;
mod m20261207_000040_second_factor_sealed;
mod m20261207_000050_personal_data;
mod m20261207_000060_row_level_security;
mod m20261207_000070_tenant_import_quota;
mod m20261207_000080_merkle_audit_log;
mod m20261207_000090_registry_details;
mod m20261207_000100_tenant_suspension;
mod m20261207_000110_messaging_bots;
mod m20261207_000120_account_lookup;
mod m20261207_000130_case_attachments;
mod m20261207_000140_case_links;
mod m20261207_000150_finding_facts;
mod m20261207_000160_user_language;
mod m20261208_000170_finding_due;
mod m20261209_000180_alert_digest;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_foundation::Migration),
            Box::new(m20261124_000002_submission_enqueued_at::Migration),
            Box::new(m20261124_000003_records::Migration),
            Box::new(m20261125_000010_rule_lifecycle::Migration),
            Box::new(m20261125_000020_finding_triage::Migration),
            Box::new(m20261125_000030_convicted_registry::Migration),
            Box::new(m20261126_000030_dataset_runs::Migration),
            Box::new(m20261126_000040_feedback_deadline::Migration),
            Box::new(m20261126_000050_user_person::Migration),
            Box::new(m20261127_000010_user_disabled::Migration),
            Box::new(m20261205_000010_outbox_lease::Migration),
            Box::new(m20261205_000020_sign_in_throttle::Migration),
            Box::new(m20261205_000030_token_last_used::Migration),
            Box::new(m20261205_000040_second_factor::Migration),
            Box::new(m20261205_000050_risk_counts::Migration),
            Box::new(m20261205_000060_submission_claim::Migration),
            Box::new(m20261206_000010_reports::Migration),
            Box::new(m20261207_000010_dataset_run_computed::Migration),
            Box::new(m20261207_000020_submissions_by_kind::Migration),
            Box::new(m20261207_000030_import_files::Migration),
            Box::new(m20261207_000040_second_factor_sealed::Migration),
            Box::new(m20261207_000050_personal_data::Migration),
            Box::new(m20261207_000060_row_level_security::Migration),
            Box::new(m20261207_000070_tenant_import_quota::Migration),
            Box::new(m20261207_000080_merkle_audit_log::Migration),
            Box::new(m20261207_000090_registry_details::Migration),
            Box::new(m20261207_000100_tenant_suspension::Migration),
            Box::new(m20261207_000110_messaging_bots::Migration),
            Box::new(m20261207_000120_account_lookup::Migration),
            Box::new(m20261207_000130_case_attachments::Migration),
            Box::new(m20261207_000140_case_links::Migration),
            Box::new(m20261207_000150_finding_facts::Migration),
            Box::new(m20261207_000160_user_language::Migration),
            Box::new(m20261208_000170_finding_due::Migration),
            Box::new(m20261209_000180_alert_digest::Migration),
        ]
    }
}
