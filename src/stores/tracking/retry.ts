/** PostgreSQL deadlock_detected / serialization_failure: the victim may simply be redriven. */
const RETRYABLE = new Set(['40P01', '40001']);

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
