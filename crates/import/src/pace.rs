//! How many rows go into one transaction, and running a batch again when
//! PostgreSQL rolled it back to break a deadlock.
//!
//! On the embedded database a write transaction holds the only write lock:
//! every other write (a gift filed, a finding stored, a sign-in recorded)
//! waits for it. A fixed number of rows per batch does not bound that wait,
//! because rows cost very different amounts (a person is one row, a
//! procurement release with its parties, lots and awards is dozens). So
//! the batch size is steered by how long the last batches held the lock:
//! each transaction aims at [`LOCK_BUDGET`], whatever the rows cost.

use crate::Failure;
use std::future::Future;
use std::time::Duration;

/// How long one import transaction should hold the write lock, unless
/// configured otherwise (`imports.lock_budget_ms`). A few hundred
/// milliseconds at most: other writers wait at most about this long for an
/// import, far inside the store's 10 s busy timeout.
pub const LOCK_BUDGET: Duration = Duration::from_millis(150);

/// Times a batch is tried when PostgreSQL rolls it back for a deadlock.
pub const BATCH_ATTEMPTS: u32 = 5;

/// The size of the next batch, from how long the previous ones took.
#[derive(Debug, Clone)]
pub struct Pace {
    size: usize,
    max: usize,
    budget: Duration,
}

impl Pace {
    /// Starts at `start` rows (clamped to 1..=max), never above `max`.
    pub fn new(start: usize, max: usize, budget: Duration) -> Self {
        let max = max.max(1);
        Pace {
            size: start.clamp(1, max),
            max,
            budget,
        }
    }

    /// Rows to put in the next transaction.
    pub fn next(&self) -> usize {
        self.size
    }

    /// Records that `rows` rows took `took` inside the transaction, and
    /// sizes the next batch to fill about 80% of the budget at that rate
    /// (the margin absorbs the row-to-row spread). It grows at most
    /// twofold per batch, so one cheap batch (all rows unchanged) does not
    /// jump straight to the maximum, and shrinks as far as the rate says
    /// at once, since a batch over budget already made others wait.
    pub fn record(&mut self, rows: usize, took: Duration) {
        if rows == 0 {
            return;
        }
        let per_row = took.as_secs_f64() / rows as f64;
        let fits = if per_row > 0.0 {
            (self.budget.as_secs_f64() * 0.8 / per_row).floor()
        } else {
            f64::INFINITY
        };
        let grown = self.size.saturating_mul(2) as f64;
        // `as` saturates a float to the integer range, and the clamp
        // keeps the result in 1..=max.
        self.size = (fits.min(grown) as usize).clamp(1, self.max);
    }
}

/// Runs `write` (one batch in one transaction) until it commits, or fails
/// for a reason other than a transient conflict, or has been tried
/// [`BATCH_ATTEMPTS`] times. A batch PostgreSQL rolled back to break a
/// deadlock with the evaluation or a dataset run wrote nothing, so it is
/// safe to run it again.
pub(crate) async fn with_retries<T, F, Fut>(
    import_id: uuid::Uuid,
    mut write: F,
) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut attempt = 0;
    loop {
        match write().await {
            Err(Failure::Store(e)) if e.is_transient_conflict() && attempt < BATCH_ATTEMPTS => {
                attempt += 1;
                tracing::info!(%import_id, attempt, error = %e, "import batch rolled back; running it again");
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUDGET: Duration = Duration::from_millis(100);

    #[test]
    fn slow_rows_shrink_the_batch_to_the_budget_at_once() {
        let mut p = Pace::new(500, 500, BUDGET);
        // 500 rows in 1 s: 2 ms a row, so 40 rows fill 80 ms.
        p.record(500, Duration::from_secs(1));
        assert_eq!(p.next(), 40);
    }

    #[test]
    fn cheap_rows_grow_the_batch_at_most_twofold_up_to_the_maximum() {
        let mut p = Pace::new(10, 500, BUDGET);
        p.record(10, Duration::from_micros(10));
        assert_eq!(p.next(), 20);
        for _ in 0..10 {
            let n = p.next();
            p.record(n, Duration::from_micros(10));
        }
        assert_eq!(p.next(), 500);
    }

    #[test]
    fn the_batch_is_never_empty_nor_past_the_maximum() {
        let p = Pace::new(0, 0, BUDGET);
        assert_eq!(p.next(), 1);
        let mut p = Pace::new(50, 100, BUDGET);
        p.record(1, Duration::from_secs(60));
        assert_eq!(p.next(), 1);
        p.record(1, Duration::ZERO);
        assert_eq!(p.next(), 2);
        p.record(0, Duration::from_secs(60));
        assert_eq!(p.next(), 2, "an empty batch says nothing about the rate");
        let p = Pace::new(1000, 100, BUDGET);
        assert_eq!(p.next(), 100);
    }
}
