import { MessageList } from '@mastra/core/agent';
import type { MastraDBMessage } from '@mastra/core/memory';
import {
  TABLE_MESSAGES,
  validateStorageMetadataFilter,
  type StorageListMessagesByResourceIdInput,
  type StorageListMessagesInput,
  type StorageListMessagesOutput,
  type StorageMetadataFilter,
} from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { userError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import { inJsonList, jsonList } from '../../sql/params';
import { compare, eq, orderBy, pageQuery, pageWindow, raw, where, type Condition, type Direction, type MaybeCondition, type OrderByInput, type PageWindow } from '../../sql/query';
import type { DomainContext } from '../base';
import { isoTimestamp, optionalText, requireText } from '../validation';
import { MESSAGE_COLUMNS, messageFromRow } from './rows';

type IncludeItem = NonNullable<StorageListMessagesInput['include']>[number];

/** Messages are sorted by creation only. */
const MESSAGE_ORDER = { createdAt: 'createdAt' };

/**
 * The messages around one included message, in its own thread (whatever thread it is in), found by id
 * inside the statement so no lookup round trip is needed: `before` takes the target and the `count - 1`
 * messages before it, `after` the `count` messages after it, each side as LibSQLStore walks it. With
 * `resourceId`, everything stays inside it.
 */
function includeWindow(tables: TableNamer, id: string, resourceId: string | undefined, side: 'before' | 'after', count: number): SqlStatement {
  const messages = tables(TABLE_MESSAGES);
  const inResource = resourceId ? ' AND +"resourceId" = ?' : '';
  const [comparison, direction] = side === 'before' ? ['<=', 'DESC'] : ['>', 'ASC'];
  return {
    sql: `WITH target AS (SELECT thread_id, "createdAt" FROM ${messages} WHERE id = ?${inResource})
      SELECT ${MESSAGE_COLUMNS} FROM ${messages}
      WHERE thread_id = (SELECT thread_id FROM target) AND "createdAt" ${comparison} (SELECT "createdAt" FROM target)${inResource}
      ORDER BY "createdAt" ${direction}, id ${direction} LIMIT ?`,
    params: resourceId ? [id, resourceId, resourceId, count] : [id, count],
  };
}

/**
 * A content-metadata filter as LibSQLStore applies it (each key present in `content.metadata` with the
 * same JSON type, numbers integer or real, and the same value), for any number of keys in ONE bound
 * JSON parameter. Keys were checked by core's `validateStorageMetadataFilter`, so the built path is safe.
 */
function metadataCondition(filter: StorageMetadataFilter | undefined): Condition | undefined {
  if (!filter) return undefined;
  const stored = `json_type(content, '$.metadata.' || f.key)`;
  const value = `json_extract(content, '$.metadata.' || f.key)`;
  const matches = `CASE f.type WHEN 'null' THEN ${stored} = 'null'
      WHEN 'integer' THEN ${stored} IN ('integer', 'real') AND ${value} = f.value
      WHEN 'real' THEN ${stored} IN ('integer', 'real') AND ${value} = f.value
      ELSE ${stored} = f.type AND ${value} = f.value END`;
  return raw(`CASE WHEN json_valid(content) THEN NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE NOT COALESCE(${matches}, 0)) ELSE 0 END`, JSON.stringify(filter));
}

/** The date range and metadata conditions both list calls share. */
function filterConditions(operation: string, filter: StorageListMessagesInput['filter'], metadata: StorageMetadataFilter | undefined): MaybeCondition[] {
  const range = filter?.dateRange;
  const start = range?.start ? isoTimestamp(operation, 'filter.dateRange.start', range.start) : undefined;
  const end = range?.end ? isoTimestamp(operation, 'filter.dateRange.end', range.end) : undefined;
  return [compare('createdAt', range?.startExclusive ? '>' : '>=', start), compare('createdAt', range?.endExclusive ? '<' : '<=', end), metadataCondition(metadata)];
}

function checkedMetadataFilter(operation: string, filter: StorageListMessagesInput['filter']): StorageMetadataFilter | undefined {
  try {
    return validateStorageMetadataFilter(filter?.metadata);
  } catch (error) {
    throw userError(operation, error instanceof Error ? error.message : String(error));
  }
}

function includeStatements(operation: string, tables: TableNamer, include: unknown, resourceId: string | undefined): SqlStatement[] {
  if (include === undefined) return [];
  if (!Array.isArray(include)) throw userError(operation, 'include must be an array');
  return (include as IncludeItem[]).flatMap((item, index) => {
    const id = requireText(operation, `include[${index}].id`, item?.id);
    const before = item.withPreviousMessages ?? 0;
    const after = item.withNextMessages ?? 0;
    if (![before, after].every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw userError(operation, `include[${index}]: withPreviousMessages and withNextMessages must be integers >= 0`, { messageId: id });
    }
    const windows = [includeWindow(tables, id, resourceId, 'before', before + 1)];
    if (after > 0) windows.push(includeWindow(tables, id, resourceId, 'after', after));
    return windows;
  });
}

/** Included rows in LibSQLStore's order (createdAt, then id, ascending), each message once. */
function includedMessages(rows: Record<string, unknown>[]): MastraDBMessage[] {
  const sorted = [...rows].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)) || String(a.id).localeCompare(String(b.id)));
  const seen = new Set<string>();
  return sorted.filter((row) => !seen.has(row.id as string) && seen.add(row.id as string)).map(messageFromRow);
}

/**
 * MessageList normalization, then a stable sort by time, exactly as LibSQLStore returns a page: rows
 * with equal timestamps keep the page's order (`id` ascending), included context after them.
 */
function finalOrder(messages: MastraDBMessage[], direction: Direction): MastraDBMessage[] {
  const sign = direction === 'ASC' ? 1 : -1;
  const time = (m: MastraDBMessage) => new Date(m.createdAt).getTime();
  return new MessageList()
    .add(messages, 'memory')
    .get.all.db()
    .sort((a, b) => sign * (time(a) - time(b)));
}

/** What both list calls read: the scope's conditions, the page, the include windows and the order. */
interface MessageQuery {
  scope: MaybeCondition[];
  window: PageWindow;
  includes: SqlStatement[];
  order: { sql: string; direction: Direction };
}

/** A page merged with its included context, as LibSQLStore returns it. */
interface MessagePage {
  messages: MastraDBMessage[];
  total: number;
  /** The kit's `hasMore` over the page itself, before included context is considered. */
  hasMore: boolean;
}

/**
 * The page, its total and every include window in ONE batch. Included messages not already on the page
 * are added, then the whole set is normalized and ordered as LibSQLStore does. With `perPage: 0` only
 * the included messages are read, and the total is 0, as in LibSQLStore.
 */
async function fetchPage(ctx: DomainContext, query: MessageQuery): Promise<MessagePage> {
  const { window, includes, order } = query;
  if (window.limit === 0) {
    const results = includes.length === 0 ? [] : await ctx.driver.batch(includes, { idempotent: true });
    return { messages: finalOrder(includedMessages(results.flatMap((r) => r.rows)), order.direction), total: 0, hasMore: false };
  }
  const page = await pageQuery(ctx.driver, { select: MESSAGE_COLUMNS, from: ctx.tables(TABLE_MESSAGES), where: where(query.scope), order: order.sql, window, extra: includes });
  const rows = page.rows.map(messageFromRow);
  const onPage = new Set(rows.map((m) => m.id));
  const extra = includedMessages(page.extras.flat()).filter((m) => !onPage.has(m.id));
  return { messages: finalOrder([...rows, ...extra], order.direction), total: page.total, hasMore: page.hasMore };
}

/** Page, `perPage` and the order of a list call, checked before anything is sent. */
function listWindow(operation: string, args: { page?: unknown; perPage?: unknown; orderBy?: OrderByInput }) {
  return {
    window: pageWindow(operation, args.page ?? 0, args.perPage, { defaultPerPage: 40 }),
    order: orderBy(operation, MESSAGE_ORDER, args.orderBy, { field: 'createdAt', direction: 'ASC' }),
  };
}

/** Messages of one or several threads: a page with its total and any `include` context, in one round trip. */
export async function listMessages(ctx: DomainContext, args: StorageListMessagesInput): Promise<StorageListMessagesOutput> {
  const op = 'listMessages';
  const threadIds: unknown[] = Array.isArray(args?.threadId) ? args.threadId : [args?.threadId];
  const badThreadId = threadIds.length === 0 || threadIds.some((id) => typeof id !== 'string' || id.trim() === '');
  if (badThreadId) throw userError(op, 'threadId must be a non-empty string or array of non-empty strings', {}, 'INVALID_THREAD_ID');
  const ids = threadIds as string[];
  const { window, order } = listWindow(op, args);
  const metadata = checkedMetadataFilter(op, args.filter);
  const resourceId = optionalText(op, 'resourceId', args.resourceId) || undefined;
  const inThreads = ids.length === 1 ? eq('thread_id', ids[0]) : raw(inJsonList('thread_id'), jsonList(ids));
  // `+` makes the resource test unindexable, so SQLite walks the thread index instead of the
  // (resourceId, createdAt) one, which would read the user's whole history to find one thread's page.
  const inResource = resourceId === undefined ? undefined : raw('+"resourceId" = ?', resourceId);
  const scope = [inThreads, inResource, ...filterConditions(op, args.filter, metadata)];
  const includes = includeStatements(op, ctx.tables, args.include, resourceId);

  const { messages, total, hasMore } = await fetchPage(ctx, { scope, window, includes, order });
  // LibSQLStore's rule: when the included context already holds every message of the threads there is
  // nothing more to page through. Under a metadata filter only the page counts (its `offset + rows <
  // total` is the kit's rule, the count and the page coming from one batch).
  const wanted = new Set(ids);
  const allReturned = messages.filter((m) => m.threadId && wanted.has(m.threadId)).length >= total;
  return { messages, total, page: window.page, perPage: window.perPage, hasMore: hasMore && (metadata !== undefined || !allReturned) };
}

/** Messages of every thread of one resource: a page with its total and any `include` context, in one round trip. */
export async function listMessagesByResourceId(ctx: DomainContext, args: StorageListMessagesByResourceIdInput): Promise<StorageListMessagesOutput> {
  const op = 'listMessagesByResourceId';
  const resourceId = args?.resourceId;
  if (typeof resourceId !== 'string' || resourceId.trim() === '') throw userError(op, 'resourceId is required', { field: 'resourceId' }, 'INVALID_QUERY');
  const { window, order } = listWindow(op, args);
  const metadata = checkedMetadataFilter(op, args.filter);
  const scope = [eq('resourceId', resourceId), ...filterConditions(op, args.filter, metadata)];
  const includes = includeStatements(op, ctx.tables, args.include, resourceId);

  const { messages, total, hasMore } = await fetchPage(ctx, { scope, window, includes, order });
  return { messages, total, page: window.page, perPage: window.perPage, hasMore };
}
