import { D1QueryError } from '../client/errors';
import type { D1Driver, SqlStatement } from '../client/types';
import { addColumnSql, columnProbe, createIndexSql, createTableSql, type TableSpec } from './ddl';
import type { TableNamer } from './identifiers';

const ddl = (sql: string): SqlStatement => ({ sql, params: [] });

/** Every DDL statement `init()` runs for these specs, in order: tables first, then indexes. */
export function schemaStatements(tables: TableNamer, specs: readonly TableSpec[]): string[] {
  return [...specs.map((spec) => createTableSql(tables, spec)), ...specs.flatMap((spec) => createIndexSql(tables, spec))];
}

function missingColumns(tables: TableNamer, specs: readonly TableSpec[], probeRows: Record<string, unknown>[][]): SqlStatement[] {
  return specs.flatMap((spec, i) => {
    const existing = new Set(probeRows[i]!.map((row) => String(row.name)));
    return Object.keys(spec.columns)
      .filter((column) => !existing.has(column))
      .map((column) => ddl(addColumnSql(tables, spec, column)));
  });
}

const isMessage = (error: unknown, fragment: string) => error instanceof D1QueryError && error.message.includes(fragment);

/**
 * Creates every table and index idempotently in ONE batch that also reads each table's columns, so on
 * an up-to-date database `init()` is exactly one round trip. A table from an older schema gets its
 * missing columns added (and then its indexes) in a second batch.
 */
export async function ensureSchema(driver: D1Driver, tables: TableNamer, specs: readonly TableSpec[]): Promise<void> {
  const creates = specs.map((spec) => ddl(createTableSql(tables, spec)));
  const indexes = specs.flatMap((spec) => createIndexSql(tables, spec)).map(ddl);
  const probes = specs.map((spec) => columnProbe(tables, spec));

  let probeRows: Record<string, unknown>[][];
  try {
    const results = await driver.batch([...creates, ...indexes, ...probes], { idempotent: true });
    probeRows = results.slice(creates.length + indexes.length).map((r) => r.rows);
  } catch (error) {
    // An index over a column an older table lacks fails the whole batch: create tables, then migrate.
    if (!isMessage(error, 'no such column')) throw error;
    const results = await driver.batch([...creates, ...probes], { idempotent: true });
    probeRows = results.slice(creates.length).map((r) => r.rows);
    const migrations = missingColumns(tables, specs, probeRows);
    await driver.batch([...migrations, ...indexes]);
    return;
  }

  const migrations = missingColumns(tables, specs, probeRows);
  if (migrations.length === 0) return;
  try {
    await driver.batch(migrations);
  } catch (error) {
    // Another instance migrating at the same moment added the column first; its work is ours.
    if (!isMessage(error, 'duplicate column')) throw error;
    await ensureSchema(driver, tables, specs);
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
