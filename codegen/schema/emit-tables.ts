/**
 * Kysely table types from the pinned alembic head's DDL: the SQLite statements are replayed into an
 * in-memory database and read back with `PRAGMA table_xinfo` (column order, declared type, NOT
 * NULL, default, primary key, generated columns); the PostgreSQL statements add what only they
 * spell out (sequence / identity defaults) and must name the same tables and columns.
 */
import Database from 'better-sqlite3';

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  /** 0 plain; 2 / 3 generated (VIRTUAL / STORED). */
  hidden: number;
}

interface Column {
  name: string;
  /** Select, insert and update types. */
  select: string;
  insert: string;
  update: string;
}

interface Table {
  name: string;
  columns: Column[];
}

/** A declared SQLite type (SQLAlchemy's spelling) as [select, insert/update] TypeScript types. */
function baseType(table: string, column: string, declared: string): [string, string] {
  const t = declared.toUpperCase().replace(/\(.*\)$/, '');
  switch (t) {
    case 'VARCHAR':
    case 'CHAR':
    case 'TEXT':
      return ['string', 'string'];
    case 'INTEGER':
    case 'BIGINT':
    case 'SMALLINT':
    case 'FLOAT':
    case 'REAL':
    case 'DOUBLE':
      return ['number', 'number'];
    case 'BOOLEAN':
      return ['DbBool', 'DbBool'];
    case 'JSON':
      return ['unknown', 'string'];
    case 'DATE':
      return ['DbDate', 'DbDate'];
    case 'BLOB':
      return ['Buffer', 'Buffer'];
    default:
      throw new Error(`emit-tables: no TypeScript type for ${table}.${column} ${declared}`);
  }
}

const orNull = (t: string): string => (t === 'unknown' ? t : `${t} | null`);

/** Columns PostgreSQL fills itself (serial / identity) that the SQLite DDL does not show. */
function postgresDefaults(statements: readonly string[]): Set<string> {
  const out = new Set<string>();
  const re = /^ALTER TABLE (?:ONLY )?(\w+) ALTER COLUMN (\w+) (?:SET DEFAULT|ADD GENERATED)/;
  for (const s of statements) {
    const m = re.exec(s);
    if (m) out.add(`${m[1]}.${m[2]}`);
  }
  return out;
}

/** Table name -> column names, from PostgreSQL's CREATE TABLE statements. */
function postgresColumns(statements: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of statements) {
    const m = /^CREATE TABLE (\w+) \(\n([\s\S]*)\n\)$/.exec(s);
    if (!m) continue;
    const cols = m[2]!
      .split(',\n')
      .map((line) => line.trim())
      .filter((line) => !line.startsWith('CONSTRAINT '))
      .map((line) => line.split(' ')[0]!.replace(/"/g, ''));
    out.set(m[1]!, cols);
  }
  return out;
}

export function readTables(sqlite: readonly string[], postgres: readonly string[]): Table[] {
  const db = new Database(':memory:');
  try {
    for (const s of sqlite) db.exec(s);
    const names = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    const pgDefaults = postgresDefaults(postgres);
    const pgColumns = postgresColumns(postgres);
    const tables = names.map((name): Table => {
      const info = db.prepare(`PRAGMA table_xinfo("${name}")`).all() as ColumnInfo[];
      const pkCount = info.filter((c) => c.pk > 0).length;
      const columns = info.map((c): Column => {
        const [sel, ins] = baseType(name, c.name, c.type);
        const nullable = c.notnull === 0 && c.pk === 0;
        // A lone INTEGER PRIMARY KEY is SQLite's rowid: filled in when omitted.
        const rowid = c.pk > 0 && pkCount === 1 && c.type.toUpperCase() === 'INTEGER';
        const select = nullable ? orNull(sel) : sel;
        const write = nullable ? orNull(ins) : ins;
        if (c.hidden === 2 || c.hidden === 3) {
          return { name: c.name, select, insert: 'never', update: 'never' };
        }
        const defaulted = c.dflt_value !== null || rowid || pgDefaults.has(`${name}.${c.name}`);
        return { name: c.name, select, insert: defaulted ? `${write} | undefined` : write, update: write };
      });
      const pg = pgColumns.get(name);
      const sqliteCols = columns.map((c) => c.name);
      if (!pg || [...pg].sort().join() !== [...sqliteCols].sort().join()) {
        throw new Error(
          `emit-tables: ${name} differs between dialects: sqlite [${sqliteCols.join(', ')}], ` +
            `postgres [${pg?.join(', ') ?? 'missing'}]`,
        );
      }
      return { name, columns };
    });
    const extra = [...pgColumns.keys()].filter((t) => !names.includes(t));
    if (extra.length > 0) throw new Error(`emit-tables: only in postgres: ${extra.join(', ')}`);
    return tables;
  } finally {
    db.close();
  }
}

function columnType(c: Column): string {
  if (c.select === c.insert && c.select === c.update) return c.select;
  if (c.insert === `${c.select} | undefined` && c.update === c.select) return `Generated<${c.select}>`;
  return `ColumnType<${c.select}, ${c.insert}, ${c.update}>`;
}

export const interfaceName = (table: string): string =>
  table
    .split('_')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('') + 'Table';

const PROPERTY = /^[A-Za-z_$][\w$]*$/;

export function tablesFile(header: string, tables: readonly Table[]): string {
  const parts = [
    header,
    "import type { ColumnType, Generated } from 'kysely';",
    '',
    '/** BOOLEAN: `boolean` from PostgreSQL, 0 / 1 from SQLite (which cannot bind a JS boolean either). */',
    'export type DbBool = boolean | number;',
    '/** DATE: a `Date` from PostgreSQL, the ISO text from SQLite. */',
    'export type DbDate = Date | string;',
  ];
  for (const t of tables) {
    parts.push('', `export interface ${interfaceName(t.name)} {`);
    for (const c of t.columns) {
      const key = PROPERTY.test(c.name) ? c.name : JSON.stringify(c.name);
      parts.push(`  ${key}: ${columnType(c)};`);
    }
    parts.push('}');
  }
  parts.push('', '/** Every table of the pinned alembic head, as Kysely sees the database. */');
  parts.push('export interface Database {');
  for (const t of tables) parts.push(`  ${t.name}: ${interfaceName(t.name)};`);
  parts.push('}', '');
  return parts.join('\n');
}
