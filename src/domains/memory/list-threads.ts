import { TABLE_THREADS, type StorageListThreadsInput, type StorageListThreadsOutput } from '@mastra/core/storage';
import { userError } from '../../errors';
import { eq, orderBy, pageQuery, pageWindow, raw, where, type Condition } from '../../sql/query';
import type { DomainContext } from '../base';
import { optionalText } from '../validation';
import { threadFromRow } from './rows';

/** The fields threads can be sorted by, and their columns. */
const THREAD_ORDER = { createdAt: 'createdAt', updatedAt: 'updatedAt' };

/**
 * Every filter key must match (AND), all keys in ONE bound JSON parameter so any number of keys fits
 * under the parameter limit. `json_each` and `json_extract` both give JSON booleans as 1/0 and JSON null
 * as NULL, so `IS NOT` compares exactly as LibSQLStore's per-key `=` / `IS NULL` does (a missing key
 * matches null). Keys were checked by core's `validateMetadataKeys`, so the built path is safe.
 */
function metadataCondition(operation: string, metadata: Record<string, unknown> | undefined): Condition | undefined {
  if (!metadata || Object.keys(metadata).length === 0) return undefined;
  for (const [key, value] of Object.entries(metadata)) {
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      const text = `Metadata filter value for key "${key}" must be a scalar type (string, number, boolean, or null), got ${typeof value}`;
      throw userError(operation, text, { key, valueType: typeof value }, 'INVALID_METADATA_VALUE');
    }
  }
  return raw(`NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE json_extract(metadata, '$.' || f.key) IS NOT f.value)`, JSON.stringify(metadata));
}

/**
 * A page of threads and the total in ONE round trip. `validateMetadataKeys` is core's, passed in from
 * the domain class that inherits it.
 */
export async function listThreads(
  ctx: DomainContext,
  args: StorageListThreadsInput,
  validateMetadataKeys: (metadata: Record<string, unknown> | undefined) => void,
): Promise<StorageListThreadsOutput> {
  const op = 'listThreads';
  const window = pageWindow(op, args?.page ?? 0, args?.perPage, { defaultPerPage: 100, strict: true });
  const metadata = args.filter?.metadata;
  try {
    validateMetadataKeys(metadata);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw userError(op, text, { metadataKeys: Object.keys(metadata ?? {}).join(', ') }, 'INVALID_METADATA_KEY');
  }
  // An empty resourceId filters nothing, as in LibSQLStore.
  const resourceId = optionalText(op, 'filter.resourceId', args.filter?.resourceId) || undefined;
  const order = orderBy(op, THREAD_ORDER, args.orderBy, { field: 'createdAt', direction: 'DESC' });
  const page = await pageQuery(ctx.driver, {
    select: '*',
    from: ctx.tables(TABLE_THREADS),
    where: where([eq('resourceId', resourceId), metadataCondition(op, metadata)]),
    order: order.sql,
    window,
  });
  return { threads: page.rows.map(threadFromRow), total: page.total, page: window.page, perPage: window.perPage, hasMore: page.hasMore };
}
