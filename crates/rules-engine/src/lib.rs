//! Adal's rule engine: Rhai with every limit on, the functions rule authors
//! use, rule libraries on disk with their fixtures, and the sandbox's
//! request loop. `main.rs` is a thin CLI over this library so benchmarks and
//! tests can drive the same code.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod confine;
pub mod convert;
pub mod engine;
pub mod functions;
pub mod library;
pub mod redflags;
pub mod serve;

pub use engine::{CompiledRule, ContextNotAnObject, Limits, RuleEngine, RuleRun};
pub use serve::Server;
