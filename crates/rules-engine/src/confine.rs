//! OS-level confinement of `adal-rules serve`: a seccomp filter that leaves
//! the process only the system calls its request loop makes.
//!
//! Rhai's limits and the functions we register are the first wall around
//! tenant code; this is the second. Should a rule ever find a way out of
//! the engine (a bug in Rhai, in a registered function, in serde), the
//! process it is in can still not open a file, a socket or a process, nor
//! signal another: it can read its requests, write its answers, use memory
//! and time, and exit.
//!
//! The filter is installed once the process has read everything it needs
//! (it needs nothing from disk after exec) and before the first request,
//! on every thread at once. A call outside the list fails with `EPERM`
//! rather than killing the process, so that the library code that probes
//! for optional things (glibc's malloc reads
//! `/proc/sys/vm/overcommit_memory` the first time it trims a heap) goes
//! on without them, and a refused call shows in the process's own error
//! instead of as a mysterious death.
//!
//! Only Linux on x86_64 has a list; elsewhere [`confine`] does nothing
//! and says so, and the caller logs it.

/// What [`confine`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confinement {
    /// The filter is installed on every thread of the process.
    Confined,
    /// This target has no syscall list: the process runs unconfined.
    Unavailable,
}

#[derive(Debug)]
pub struct ConfineError(String);

impl std::fmt::Display for ConfineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot install the seccomp filter: {}", self.0)
    }
}

impl std::error::Error for ConfineError {}

/// Whether [`confine`] installs a filter on this target.
pub const AVAILABLE: bool = cfg!(all(target_os = "linux", target_arch = "x86_64"));

/// Installs the filter on every thread of this process. Irreversible.
pub fn confine() -> Result<Confinement, ConfineError> {
    imp::confine()
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod imp {
    use super::{ConfineError, Confinement};
    use seccompiler::{
        BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
        SeccompRule, TargetArch,
    };
    use std::collections::BTreeMap;

    fn err(e: impl std::fmt::Display) -> ConfineError {
        ConfineError(e.to_string())
    }

    /// A rule on one 32-bit argument (a descriptor, protection flags).
    fn arg_rule(arg: u8, op: SeccompCmpOp, value: u64) -> Result<SeccompRule, ConfineError> {
        let condition =
            SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(err)?;
        SeccompRule::new(vec![condition]).map_err(err)
    }

    fn on_fds(fds: &[u64]) -> Result<Vec<SeccompRule>, ConfineError> {
        fds.iter()
            .map(|&fd| arg_rule(0, SeccompCmpOp::Eq, fd))
            .collect()
    }

    /// Memory may be mapped and remapped, never made executable: nothing
    /// here loads code after exec, and executable memory is what an
    /// exploit in the engine would want next.
    fn never_exec(prot_arg: u8) -> Result<Vec<SeccompRule>, ConfineError> {
        let exec = u64::try_from(libc::PROT_EXEC).map_err(err)?;
        Ok(vec![arg_rule(prot_arg, SeccompCmpOp::MaskedEq(exec), 0)?])
    }

    /// Every call `serve` makes once it is serving (traced on a whole
    /// standard session and on the tests), and what the exit paths need.
    fn rules() -> Result<BTreeMap<i64, Vec<SeccompRule>>, ConfineError> {
        let any = Vec::new;
        Ok(BTreeMap::from([
            // Requests on stdin, answers on stdout, diagnostics on stderr:
            // no other descriptor, even one inherited by mistake.
            (libc::SYS_read, on_fds(&[0])?),
            (libc::SYS_write, on_fds(&[1, 2])?),
            // The allocator.
            (libc::SYS_brk, any()),
            (libc::SYS_mmap, never_exec(2)?),
            (libc::SYS_mprotect, never_exec(2)?),
            (libc::SYS_munmap, any()),
            (libc::SYS_mremap, any()),
            (libc::SYS_madvise, any()),
            // Locks and the clock (the per-rule time limit reads it; the
            // vDSO answers without a call, unless the kernel says otherwise).
            (libc::SYS_futex, any()),
            (libc::SYS_sched_yield, any()),
            // Rhai waits a few milliseconds for a contended shared value
            // (a closure's captured variable) before giving up; std's
            // sleep panics if the call is refused.
            (libc::SYS_nanosleep, any()),
            (libc::SYS_clock_nanosleep, any()),
            (libc::SYS_clock_gettime, any()),
            (libc::SYS_clock_getres, any()),
            (libc::SYS_gettimeofday, any()),
            // Hash map seeds.
            (libc::SYS_getrandom, any()),
            // Signal return and the stack-overflow guard's alternate stack,
            // which a thread takes down when it exits.
            (libc::SYS_rt_sigreturn, any()),
            (libc::SYS_rt_sigprocmask, any()),
            (libc::SYS_sigaltstack, any()),
            (libc::SYS_restart_syscall, any()),
            (libc::SYS_exit, any()),
            (libc::SYS_exit_group, any()),
        ]))
    }

    pub(super) fn confine() -> Result<Confinement, ConfineError> {
        let eperm = u32::try_from(libc::EPERM).map_err(err)?;
        let filter = SeccompFilter::new(
            rules()?,
            SeccompAction::Errno(eperm),
            SeccompAction::Allow,
            TargetArch::x86_64,
        )
        .map_err(err)?;
        let program = BpfProgram::try_from(filter).map_err(err)?;
        // Every thread, not just this one: they share one address space,
        // so a thread left unconfined would be a way out for the others.
        seccompiler::apply_filter_all_threads(&program).map_err(err)?;
        Ok(Confinement::Confined)
    }
}

#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
mod imp {
    use super::{ConfineError, Confinement};

    pub(super) fn confine() -> Result<Confinement, ConfineError> {
        Ok(Confinement::Unavailable)
    }
}
