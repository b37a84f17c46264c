import type { StorageColumn } from '@mastra/core/storage';
import type { SqlStatement } from '../client/types';
import { prefixedName, quoteIdentifier, type TableNamer } from './identifiers';

/**
 * An index on a table. A column may carry a direction, e.g. `createdAt DESC`; `{ expression }` indexes
 * a value inside a JSON column, written in code exactly as the queries that should use it write it.
 */
export interface IndexSpec {
  /** Suffix of the index name; the full name is `{prefix}{table}_{name}`. */
  name: string;
  columns: (string | { expression: string })[];
  unique?: boolean;
  /** A partial-index condition over this table's own columns, written in code. */
  where?: string;
}

/** Everything `init()` needs to create one table idempotently. */
export interface TableSpec {
  /** Core's table name, e.g. `mastra_threads`, before the prefix. */
  name: string;
  columns: Record<string, StorageColumn>;
  /** A composite primary key; single-column keys come from `primaryKey` on the column. */
  primaryKey?: string[];
  /** Makes a single INTEGER primary key AUTOINCREMENT, so a deleted row's key is never handed out again. */
  autoIncrement?: boolean;
  uniques?: string[][];
  indexes?: IndexSpec[];
  /**
   * Migration steps run after the tables exist and before the indexes are created, in the same DDL
   * batch: e.g. removing rows a new UNIQUE index would reject. Given the prefixed, quoted table name and
   * the quoted full name of one of this table's indexes by suffix. They must be safe to repeat.
   */
  beforeIndexes?: (table: string, indexName: (name: string) => string) => string[];
}

/**
 * SQLite storage classes for core's column types, chosen explicitly: timestamps are ISO-8601 TEXT and
 * JSON is TEXT (as `@mastra/cloudflare-d1` stored them), booleans are 0/1 INTEGERs.
 */
export function columnType(type: StorageColumn['type']): string {
  switch (type) {
    case 'integer':
    case 'bigint':
    case 'boolean':
      return 'INTEGER';
    case 'float':
      return 'REAL';
    case 'text':
    case 'timestamp':
    case 'jsonb':
    case 'uuid':
    default:
      return 'TEXT';
  }
}

function quoteIndexColumn(column: string | { expression: string }): string {
  if (typeof column !== 'string') return column.expression;
  const [name, direction] = column.split(/\s+/);
  return direction ? `${quoteIdentifier(name!)} ${direction.toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}` : quoteIdentifier(name!);
}

/** `CREATE TABLE IF NOT EXISTS` for one spec. */
export function createTableSql(tables: TableNamer, spec: TableSpec): string {
  const composite = new Set(spec.primaryKey ?? []);
  const columns = Object.entries(spec.columns).map(([name, column]) => {
    const parts = [quoteIdentifier(name), columnType(column.type)];
    if (column.nullable === false) parts.push('NOT NULL');
    if (column.primaryKey && composite.size === 0) parts.push(spec.autoIncrement ? 'PRIMARY KEY AUTOINCREMENT' : 'PRIMARY KEY');
    return parts.join(' ');
  });
  if (spec.primaryKey?.length) columns.push(`PRIMARY KEY (${spec.primaryKey.map(quoteIdentifier).join(', ')})`);
  for (const unique of spec.uniques ?? []) columns.push(`UNIQUE (${unique.map(quoteIdentifier).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${tables(spec.name)} (${columns.join(', ')})`;
}

const indexName = (tables: TableNamer, spec: TableSpec, name: string) => quoteIdentifier(prefixedName(tables.prefix, `${spec.name}_${name}`));

/** `CREATE [UNIQUE] INDEX IF NOT EXISTS` for each index of one spec. */
export function createIndexSql(tables: TableNamer, spec: TableSpec): string[] {
  return (spec.indexes ?? []).map((index) => {
    const name = indexName(tables, spec, index.name);
    const columns = index.columns.map(quoteIndexColumn).join(', ');
    const where = index.where ? ` WHERE ${index.where}` : '';
    return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ON ${tables(spec.name)} (${columns})${where}`;
  });
}

/** A spec's `beforeIndexes` steps, then its `CREATE INDEX` statements. */
export function indexPhaseSql(tables: TableNamer, spec: TableSpec): string[] {
  const steps = spec.beforeIndexes?.(tables(spec.name), (name) => indexName(tables, spec, name)) ?? [];
  return [...steps, ...createIndexSql(tables, spec)];
}

/** Reads a table's current column names, bound as a parameter so it can share the DDL batch. */
export function columnProbe(tables: TableNamer, spec: TableSpec): SqlStatement {
  return { sql: 'SELECT name FROM pragma_table_info(?)', params: [prefixedName(tables.prefix, spec.name)] };
}

/**
 * `ALTER TABLE ... ADD COLUMN` for a column the schema has and the table lacks. SQLite cannot add a
 * NOT NULL column without a default, so added columns are nullable, as every core migration expects.
 */
export function addColumnSql(tables: TableNamer, spec: TableSpec, column: string): string {
  const type = columnType(spec.columns[column]!.type);
  return `ALTER TABLE ${tables(spec.name)} ADD COLUMN ${quoteIdentifier(column)} ${type}`;
}
