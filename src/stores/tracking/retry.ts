/**
 * PostgreSQL deadlock_detected / serialization_failure, MySQL's deadlock and lock wait timeout
 * (InnoDB rolls the victim's whole transaction back for a deadlock; a timed-out statement's
 * transaction is rolled back by the caller): the victim may simply be redriven.
 */
const RETRYABLE = new Set(['40P01', '40001', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/** How many transactions were redriven after a deadlock / serialization failure (observability, tests). */
export const retryStats = { retries: 0 };

/** As SqlAlchemyStore._run_with_deadlock_retry: rerun the whole transaction a few times. */
export async function withDeadlockRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
      if (!RETRYABLE.has(code) || i >= attempts) throw err;
      retryStats.retries++;
      await new Promise((r) => setTimeout(r, 10 * 2 ** i * Math.random()));
    }
  }
}
