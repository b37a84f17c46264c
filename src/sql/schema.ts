import { D1QueryError } from '../client/errors';
import type { D1Driver, SqlStatement } from '../client/types';
import { addColumnSql, columnProbe, createTableSql, indexPhaseSql, type TableSpec } from './ddl';
import { prefixedName, quoteIdentifier, type TableNamer } from './identifiers';

/**
 * The table that records which schema a database (one prefix) was last brought up to: one row per scope
 * (`store` for a whole `D1Store`, a domain key for a domain class built on its own) holding the hash of
 * every DDL statement of that scope. The hash covers the prefixed names, so each prefix has its own.
 */
export const SCHEMA_MARKER_TABLE = 'mastra_d1_schema';

const ddl = (sql: string): SqlStatement => ({ sql, params: [] });

/** Every DDL statement `init()` runs for these specs, in order: tables first, then each table's `beforeIndexes` steps and indexes. */
export function schemaStatements(tables: TableNamer, specs: readonly TableSpec[]): string[] {
  return [...specs.map((spec) => createTableSql(tables, spec)), ...specs.flatMap((spec) => indexPhaseSql(tables, spec))];
}

/** 64-bit FNV-1a of the DDL, as 16 hex digits: any change to a table, column or index changes it. */
export function schemaHash(statements: readonly string[]): string {
  let hash = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(statements.join(';\n'));
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

const createMarkerSql = (tables: TableNamer) =>
  `CREATE TABLE IF NOT EXISTS ${tables(SCHEMA_MARKER_TABLE)} (scope TEXT PRIMARY KEY, hash TEXT NOT NULL, "tablePrefix" TEXT NOT NULL, "updatedAt" TEXT NOT NULL)`;

const readMarker = (tables: TableNamer, scope: string): SqlStatement => ({
  sql: `SELECT hash FROM ${tables(SCHEMA_MARKER_TABLE)} WHERE scope = ?`,
  params: [scope],
});

const writeMarker = (tables: TableNamer, scope: string, hash: string): SqlStatement => ({
  sql: `INSERT INTO ${tables(SCHEMA_MARKER_TABLE)} (scope, hash, "tablePrefix", "updatedAt") VALUES (?, ?, ?, ?)
    ON CONFLICT (scope) DO UPDATE SET hash = excluded.hash, "tablePrefix" = excluded."tablePrefix", "updatedAt" = excluded."updatedAt"`,
  params: [scope, hash, tables.prefix, new Date().toISOString()],
});

/** SQL text for a literal the package itself produced (a scope name, a hex hash or a checked prefix). */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The DDL of `schemaSql()`: every table and index, then the marker, so a database created from these
 * statements is recognised as current and a new store's `init()` on it is a single read.
 */
export function schemaScript(tables: TableNamer, specs: readonly TableSpec[], scope: string): string[] {
  const statements = schemaStatements(tables, specs);
  const hash = schemaHash(statements);
  return [
    ...statements,
    createMarkerSql(tables),
    `INSERT INTO ${tables(SCHEMA_MARKER_TABLE)} (scope, hash, "tablePrefix", "updatedAt") VALUES (${literal(scope)}, ${literal(hash)}, ${literal(tables.prefix)}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ON CONFLICT (scope) DO UPDATE SET hash = excluded.hash, "tablePrefix" = excluded."tablePrefix", "updatedAt" = excluded."updatedAt"`,
  ];
}

// SQLite compares column names without regard to letter case, so the probe must too: a legacy
// `resourceid` column already is `resourceId`, and adding it again fails "duplicate column".
function missingColumns(tables: TableNamer, specs: readonly TableSpec[], probeRows: Record<string, unknown>[][]): SqlStatement[] {
  return specs.flatMap((spec, i) => {
    const existing = new Set(probeRows[i]!.map((row) => String(row.name).toLowerCase()));
    return Object.keys(spec.columns)
      .filter((column) => !existing.has(column.toLowerCase()))
      .map((column) => ddl(addColumnSql(tables, spec, column)));
  });
}

const isMessage = (error: unknown, fragment: string) => error instanceof D1QueryError && error.message.includes(fragment);

/** How many times a migration is redone when another instance migrated the same tables at the same moment. */
const MIGRATION_ATTEMPTS = 3;

/**
 * A statement that fails with "no such column" when the table lacks one of the spec's columns, so a batch
 * can check a table's shape without a round trip to read it: `SELECT <every column> ... LIMIT 0`.
 */
function columnsAssert(tables: TableNamer, spec: TableSpec): SqlStatement {
  // Qualified by the table: SQLite reads an unknown unqualified "name" as a string literal, never an error.
  const table = tables(spec.name);
  return ddl(`SELECT ${Object.keys(spec.columns).map((column) => `${table}.${quoteIdentifier(column)}`).join(', ')} FROM ${table} LIMIT 0`);
}

/**
 * Brings the tables of `specs` up to date, cheaply when they already are: ONE statement reads the
 * schema marker, and when its hash is this package's the work is done, however many domains there are.
 * Otherwise (a new database, a new package version, a missing marker) the full DDL runs as one batch,
 * which D1 applies all or nothing: tables, a check that every column exists, indexes, then the marker.
 * Tables from an older schema fail that check, and are migrated by `addMissingColumns` instead.
 */
export async function ensureSchema(driver: D1Driver, tables: TableNamer, specs: readonly TableSpec[], scope: string): Promise<void> {
  const hash = schemaHash(schemaStatements(tables, specs));
  try {
    const [marker] = await driver.all<{ hash: string }>(readMarker(tables, scope));
    if (marker?.hash === hash) return;
  } catch (error) {
    if (!isMessage(error, `no such table: ${prefixedName(tables.prefix, SCHEMA_MARKER_TABLE)}`)) throw error;
  }
  const creates = [ddl(createMarkerSql(tables)), ...specs.map((spec) => ddl(createTableSql(tables, spec)))];
  const indexes = specs.flatMap((spec) => indexPhaseSql(tables, spec)).map(ddl);
  try {
    await driver.batch([...creates, ...specs.map((spec) => columnsAssert(tables, spec)), ...indexes, writeMarker(tables, scope, hash)], { idempotent: true });
  } catch (error) {
    if (!isMessage(error, 'no such column')) throw error;
    await addMissingColumns(driver, tables, specs, creates, [...indexes, writeMarker(tables, scope, hash)]);
  }
}

/**
 * Adds the columns older tables lack (SQLite cannot add a NOT NULL column without a default, so added
 * columns are nullable, as every core migration expects): one batch creates the tables and reads their
 * columns, a second adds what is missing and runs `finish` (the indexes and the marker).
 */
async function addMissingColumns(driver: D1Driver, tables: TableNamer, specs: readonly TableSpec[], creates: SqlStatement[], finish: SqlStatement[]): Promise<void> {
  const probes = specs.map((spec) => columnProbe(tables, spec));
  for (let attempt = 1; ; attempt++) {
    const results = await driver.batch([...creates, ...probes], { idempotent: true });
    const migrations = missingColumns(
      tables,
      specs,
      results.slice(creates.length).map((r) => r.rows),
    );
    try {
      // An ALTER repeated after an unknown outcome fails "duplicate column", which the loop handles.
      await driver.batch([...migrations, ...finish], { idempotent: true });
      return;
    } catch (error) {
      // Another instance migrating at the same moment added a column first: read the columns again.
      if (!isMessage(error, 'duplicate column') || attempt >= MIGRATION_ATTEMPTS) throw error;
    }
  }
}

/**
 * Wraps an initializer so concurrent callers share one run and a failed run can be retried:
 * the promise is kept on success and dropped on failure.
 */
export function initOnce(run: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= run().catch((error) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
