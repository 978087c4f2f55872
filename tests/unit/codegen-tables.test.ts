import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { readTables, tablesFile } from '../../codegen/schema/emit-tables.js';
import type { Database, ExperimentsTable, MetricsTable, SpansTable } from '../../src/gen/sql/tables.js';
import { SQLITE_SCHEMA } from '../../src/gen/sql/sqlite.js';
import { POSTGRES_SCHEMA } from '../../src/gen/sql/postgres.js';

const SQLITE = [
  "CREATE TABLE things (\n\tid INTEGER NOT NULL, \n\tname VARCHAR(20), \n\tflag BOOLEAN DEFAULT '0' NOT NULL, " +
    '\n\tdoc JSON, \n\tspan BIGINT GENERATED ALWAYS AS (id * 2) STORED, \n\tCONSTRAINT things_pk PRIMARY KEY (id)\n)',
];
const POSTGRES = [
  'CREATE TABLE things (\n    id integer NOT NULL,\n    name character varying(20),\n    flag boolean DEFAULT false NOT NULL,\n    doc json,\n    span bigint GENERATED ALWAYS AS ((id * 2)) STORED\n)',
];

describe('generated table types (codegen/schema/emit-tables.ts)', () => {
  it('maps nullability, defaults, the rowid key, JSON and generated columns', () => {
    const file = tablesFile('// header\n', readTables(SQLITE, POSTGRES));
    expect(file).toContain(
      [
        'export interface ThingsTable {',
        '  id: Generated<number>;',
        '  name: string | null;',
        '  flag: Generated<DbBool>;',
        '  doc: ColumnType<unknown, string | null, string | null>;',
        '  span: ColumnType<number | null, never, never>;',
        '}',
      ].join('\n'),
    );
    expect(file).toContain('export interface Database {\n  things: ThingsTable;\n}');
  });

  it('refuses dialects that disagree on a table', () => {
    const pg = [POSTGRES[0]!.replace('    doc json,\n', '')];
    expect(() => readTables(SQLITE, pg)).toThrow(/things differs between dialects/);
  });

  it('covers every table of the pinned head, typed for Kysely', () => {
    const names = readTables(SQLITE_SCHEMA, POSTGRES_SCHEMA).map((t) => t.name);
    for (const t of ['registered_models', 'model_versions', 'webhooks', 'trace_info', 'logged_models']) {
      expect(names).toContain(t);
    }
    expect(names).toHaveLength(SQLITE_SCHEMA.filter((s) => s.startsWith('CREATE TABLE')).length);
    expectTypeOf<Database['webhooks']>().toHaveProperty('webhook_id');
    expectTypeOf<ExperimentsTable['experiment_id']>().toEqualTypeOf<Generated<number>>();
    expectTypeOf<Selectable<MetricsTable>['timestamp']>().toEqualTypeOf<number>();
    expectTypeOf<Insertable<MetricsTable>>().toHaveProperty('step');
    expectTypeOf<SpansTable['duration_ns']>().toEqualTypeOf<ColumnType<number | null, never, never>>();
  });
});
