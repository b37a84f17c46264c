import type { StorageListThreadsInput, StorageListThreadsOutput } from '@mastra/core/storage';
import { TABLE_THREADS } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { userError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import type { DomainContext } from '../base';
import { threadFromRow } from './rows';
import { optionalText } from '../validation';
import { pageWindow, type PageWindow } from '../../sql/query';

/** A SQL condition with its parameters. */
type Where = SqlStatement;

const countThreads = (tables: TableNamer, where: Where): SqlStatement => ({
  sql: `SELECT COUNT(*) AS total FROM ${tables(TABLE_THREADS)}${where.sql}`,
  params: where.params,
});

const pageOfThreads = (tables: TableNamer, where: Where, order: string, window: PageWindow): SqlStatement => ({
  sql: `SELECT * FROM ${tables(TABLE_THREADS)}${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
  params: [...where.params, window.limit, window.offset],
});

/**
 * Every filter key must match (AND), all keys in ONE bound JSON parameter so any number of keys fits
 * under the parameter limit. `json_each` and `json_extract` both give JSON booleans as 1/0 and JSON null
 * as NULL, so `IS NOT` compares exactly as LibSQLStore's per-key `=` / `IS NULL` does (a missing key
 * matches null). Keys were checked by core's `validateMetadataKeys`, so the built path is safe.
 */
function metadataCondition(metadata: Record<string, unknown>): Where {
  for (const [key, value] of Object.entries(metadata)) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw userError('listThreads', `Metadata filter value for key "${key}" must be a scalar type (string, number, boolean, or null), got ${typeof value}`, {
        key,
        valueType: typeof value,
      });
    }
  }
  return {
    sql: `NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE json_extract(metadata, '$.' || f.key) IS NOT f.value)`,
    params: [JSON.stringify(metadata)],
  };
}

function whereClause(operation: string, filter: StorageListThreadsInput['filter']): Where {
  const conditions: Where[] = [];
  const resourceId = optionalText(operation, 'filter.resourceId', filter?.resourceId);
  if (resourceId) conditions.push({ sql: '"resourceId" = ?', params: [resourceId] });
  if (filter?.metadata && Object.keys(filter.metadata).length > 0) conditions.push(metadataCondition(filter.metadata));
  if (conditions.length === 0) return { sql: '', params: [] };
  return { sql: ` WHERE ${conditions.map((c) => c.sql).join(' AND ')}`, params: conditions.flatMap((c) => c.params) };
}

/**
 * A page of threads and the total in ONE round trip (a batch of count + page). `validateMetadataKeys`
 * and `parseOrderBy` are core's, passed in from the domain class that inherits them.
 */
export async function listThreads(
  ctx: DomainContext,
  args: StorageListThreadsInput,
  core: { validateMetadataKeys(metadata: Record<string, unknown> | undefined): void; orderBy: { field: string; direction: string } },
): Promise<StorageListThreadsOutput> {
  const op = 'listThreads';
  const window = pageWindow(op, args?.page ?? 0, args?.perPage, { defaultPerPage: 100, strict: true });
  try {
    core.validateMetadataKeys(args.filter?.metadata);
  } catch (error) {
    throw userError(op, error instanceof Error ? error.message : String(error), { metadataKeys: Object.keys(args.filter?.metadata ?? {}).join(', ') });
  }
  const where = whereClause(op, args.filter);
  // The id tie-break makes pages stable when timestamps collide; the column and direction come from core's allow-list.
  const order = `"${core.orderBy.field}" ${core.orderBy.direction}, id ${core.orderBy.direction}`;
  const [count, page] = await ctx.driver.batch([countThreads(ctx.tables, where), pageOfThreads(ctx.tables, where, order, window)], { idempotent: true });
  const total = Number(count!.rows[0]?.total ?? 0);
  return {
    threads: total === 0 ? [] : page!.rows.map(threadFromRow),
    total,
    page: window.page,
    perPage: window.perPage,
    hasMore: window.perPage !== false && window.offset + window.perPage < total,
  };
}
