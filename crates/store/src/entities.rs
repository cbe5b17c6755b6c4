//! sea-orm entities. The API maps them to its own response types, so the
//! database schema does not become the public contract.

pub mod audit_checkpoint;
pub mod audit_entry;
pub mod audit_tree;
pub mod casbin_rule;
pub mod case_recusal;
pub mod coi_decision;
pub mod convicted_person;
pub mod dataset_run;
pub mod department;
pub mod finding;
pub mod finding_comment;
pub mod finding_triage;
pub mod import;
pub mod import_file;
pub mod interest;
pub mod outbox;
pub mod person;
pub mod position;
pub mod pow_spent;
pub mod procurement_index;
pub mod recovery_code;
pub mod relative;
pub mod report;
pub mod report_message;
pub mod risk_count;
pub mod rule_error;
pub mod rule_set_version;
pub mod second_factor;
pub mod sign_in_throttle;
pub mod subject_key;
pub mod submission;
pub mod tenant;
pub mod token;
pub mod user;
