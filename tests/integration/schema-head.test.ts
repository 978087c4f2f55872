/**
 * The schema mlflow-ts creates on an empty database is the pinned `mlflow db upgrade`'s, on both
 * dialects (compared by SQLAlchemy's inspector: tables, columns, types, nullability, defaults, keys,
 * indexes, constraints, triggers, stamped revision); a database at head opens as is; an older
 * revision is refused with MLflow's guidance.
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { ALEMBIC_HEAD } from '../../src/gen/sql/alembic.js';
import { openStores } from '../../src/stores/index.js';
import {
  backendNames,
  mlflowDbUpgrade,
  newBackend,
  runPython,
  type TestBackend,
} from '../helpers/store-backends.js';

const cleanups: TestBackend[] = [];
afterAll(async () => {
  for (const b of cleanups) await b.drop();
});

describe.each(backendNames)('schema on %s', (dialect) => {
  it('creates exactly what `mlflow db upgrade` creates', async () => {
    const ours = await newBackend(dialect, 'schema_ts');
    const theirs = await newBackend(dialect, 'schema_py');
    cleanups.push(ours, theirs);

    const stores = await openStores(ours.uri, { defaultArtifactRoot: '/tmp/mlflow-ts-artifacts' });
    await stores.close();
    mlflowDbUpgrade(theirs.pythonUri);

    const a = runPython('store_introspect.py', [ours.pythonUri]) as Record<string, unknown>;
    const b = runPython('store_introspect.py', [theirs.pythonUri]) as Record<string, unknown>;
    expect(Object.keys(a.tables as object).length).toBeGreaterThan(60);
    expect(a).toEqual(b);
    expect(a.alembic_version).toEqual([ALEMBIC_HEAD]);
  });

  it('opens a database created by `mlflow db upgrade` without touching its schema', async () => {
    const b = await newBackend(dialect, 'schema_at_head');
    cleanups.push(b);
    mlflowDbUpgrade(b.pythonUri);
    const before = runPython('store_introspect.py', [b.pythonUri]);
    const stores = await openStores(b.uri, { defaultArtifactRoot: 'mlflow-artifacts:/' });
    const exp = await stores.tracking.getExperiment('0');
    expect(exp).toMatchObject({
      experiment_id: '0',
      name: 'Default',
      artifact_location: 'mlflow-artifacts:/0',
    });
    await stores.close();
    expect(runPython('store_introspect.py', [b.pythonUri])).toEqual(before);
  });

  it("refuses an older revision with MLflow's guidance", async () => {
    const b = await newBackend(dialect, 'schema_old');
    cleanups.push(b);
    const stores = await openStores(b.uri, { defaultArtifactRoot: '/tmp/x' });
    await sql`UPDATE alembic_version SET version_num = 'abc123'`.execute(stores.tracking.db);
    await stores.close();
    await expect(openStores(b.uri, { defaultArtifactRoot: '/tmp/x' })).rejects.toThrow(
      `Detected out-of-date database schema (found version abc123, but expected ${ALEMBIC_HEAD}). ` +
        "Take a backup of your database, then run 'mlflow db upgrade <database_uri>' to migrate your database " +
        'to the latest schema. NOTE: schema migration may result in database downtime - please consult your ' +
        "database's documentation for more detail.",
    );
  });

  it('refuses, as a single-tenant store, experiments of other workspaces', async () => {
    const b = await newBackend(dialect, 'schema_ws');
    cleanups.push(b);
    const stores = await openStores(b.uri, { defaultArtifactRoot: '/tmp/x' });
    await sql`INSERT INTO experiments (name, workspace, lifecycle_stage) VALUES ('w', 'team-a', 'active')`.execute(
      stores.tracking.db,
    );
    await stores.close();
    await expect(openStores(b.uri, { defaultArtifactRoot: '/tmp/x' })).rejects.toThrow(
      'Cannot disable workspaces because experiments exist outside the default workspace',
    );
  });

  it('refuses, as a single-tenant registry, models of other workspaces', async () => {
    const b = await newBackend(dialect, 'schema_rm_ws');
    cleanups.push(b);
    const stores = await openStores(b.uri, { defaultArtifactRoot: '/tmp/x' });
    await sql`INSERT INTO registered_models (name, workspace) VALUES ('m', 'team-b')`.execute(
      stores.tracking.db,
    );
    await stores.close();
    await expect(openStores(b.uri, { defaultArtifactRoot: '/tmp/x' })).rejects.toThrow(
      "Cannot disable workspaces because registered models exist outside the default workspace (for example, model 'm' in workspace 'team-b').",
    );
  });

  it('creates the schema once when several processes open an empty database at the same time', async () => {
    const b = await newBackend(dialect, 'schema_race');
    cleanups.push(b);
    const opened = await Promise.all(
      [1, 2, 3].map(() => openStores(b.uri, { defaultArtifactRoot: '/tmp/x' })),
    );
    for (const s of opened) {
      expect((await s.tracking.getExperiment('0')).name).toBe('Default');
      await s.close();
    }
  });
});
