import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { TrackingDatabase } from '../../tables.js';

/** A synchronous connection (better-sqlite3) as writeSync hands it over. */
export interface SyncDb {
  get<R>(sql: string, ...params: unknown[]): R | undefined;
  run(sql: string, ...params: unknown[]): void;
}

/** Runs `fn` on the raw connection inside BEGIN IMMEDIATE ... COMMIT (group commit, see ./index.ts). */
export type WriteSync = <T>(fn: (db: SyncDb) => T) => Promise<T>;

interface PendingWrite {
  fn: (d: SyncDb) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Runs `fn` synchronously on the raw connection inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when
 * it throws), holding Kysely's connection so no other transaction interleaves, with group commit: the writes that arrive while the event loop is busy
 * (concurrent requests) run in one BEGIN IMMEDIATE ... COMMIT, each inside its own savepoint, so
 * one that throws is rolled back alone (all or nothing per write) and the others still commit.
 * The commit's fsync (WAL, synchronous=FULL) is then paid once per group instead of once per
 * request; every caller is answered only after the commit that holds its write. Kysely's
 * connection() waits for the single connection (its mutex), so no Kysely transaction is open
 * while the group runs, and the group is synchronous, so nothing else runs in between either.
 */
export function groupCommit(
  db: Kysely<TrackingDatabase>,
  raw: Database.Database,
  stmt: (text: string) => Database.Statement,
  syncDb: SyncDb,
): WriteSync {
  let queue: PendingWrite[] = [];
  const flush = (): Promise<void> =>
    db.connection().execute(async () => {
      const group = queue;
      queue = [];
      if (group.length === 0) return;
      const results: { ok: boolean; value: unknown }[] = [];
      try {
        stmt('BEGIN IMMEDIATE').run();
        const single = group.length === 1;
        for (const w of group) {
          if (!single) stmt('SAVEPOINT group_write').run();
          try {
            results.push({ ok: true, value: w.fn(syncDb) });
            if (!single) stmt('RELEASE group_write').run();
          } catch (err) {
            // An error SQLite answers by rolling back the whole transaction ends the group.
            if (!raw.inTransaction) throw err;
            if (single) {
              stmt('ROLLBACK').run();
            } else {
              stmt('ROLLBACK TO group_write').run();
              stmt('RELEASE group_write').run();
            }
            results.push({ ok: false, value: err });
          }
        }
        if (raw.inTransaction) stmt('COMMIT').run();
      } catch (err) {
        if (raw.inTransaction) stmt('ROLLBACK').run();
        // Nothing of the group was committed: the writes that had succeeded fail with the cause.
        for (let i = 0; i < group.length; i++) {
          const r = results[i];
          group[i]!.reject(r && !r.ok ? r.value : err);
        }
        return;
      }
      group.forEach((w, i) => (results[i]!.ok ? w.resolve(results[i]!.value) : w.reject(results[i]!.value)));
    });
  return <T>(fn: (d: SyncDb) => T) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      // Writes queued from now until this runs join the same group.
      if (queue.length === 1) {
        setImmediate(() =>
          flush().catch((err: unknown) => {
            // The connection could not be had (database closed): fail what is waiting.
            const waiting = queue;
            queue = [];
            for (const w of waiting) w.reject(err);
          }),
        );
      }
    });
}
