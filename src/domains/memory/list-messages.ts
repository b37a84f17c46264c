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
import type { DomainContext } from '../base';
import { MESSAGE_COLUMNS, messageFromRow } from './rows';
import { isoTimestamp, optionalText, requireText } from '../validation';
import { pageWindow, type PageWindow } from '../../sql/query';

/** A SQL condition with its parameters. */
type Where = SqlStatement;

type IncludeItem = NonNullable<StorageListMessagesInput['include']>[number];
/** Messages only have `createdAt`, so only the direction of core's `orderBy` matters. */
type Order = { direction: 'ASC' | 'DESC' };

const countMessages = (tables: TableNamer, where: Where): SqlStatement => ({
  sql: `SELECT COUNT(*) AS total FROM ${tables(TABLE_MESSAGES)} WHERE ${where.sql}`,
  params: where.params,
});

const pageOfMessages = (tables: TableNamer, where: Where, direction: string, window: PageWindow): SqlStatement => ({
  sql: `SELECT ${MESSAGE_COLUMNS} FROM ${tables(TABLE_MESSAGES)} WHERE ${where.sql} ORDER BY "createdAt" ${direction}, id ${direction} LIMIT ? OFFSET ?`,
  params: [...where.params, window.limit, window.offset],
});

/**
 * The messages around one included message, in its own thread (whatever thread it is in), found by id
 * inside the statement so no lookup round trip is needed: `before` takes the target and the `count - 1`
 * messages before it, `after` the `count` messages after it. With `resourceId`, everything stays inside it.
 */
function includeWindow(tables: TableNamer, id: string, resourceId: string | undefined, side: 'before' | 'after', count: number): SqlStatement {
  const messages = tables(TABLE_MESSAGES);
  const inResource = resourceId ? ' AND +"resourceId" = ?' : '';
  const [compare, direction] = side === 'before' ? ['<=', 'DESC'] : ['>', 'ASC'];
  return {
    sql: `WITH target AS (SELECT thread_id, "createdAt" FROM ${messages} WHERE id = ?${inResource})
      SELECT ${MESSAGE_COLUMNS} FROM ${messages}
      WHERE thread_id = (SELECT thread_id FROM target) AND "createdAt" ${compare} (SELECT "createdAt" FROM target)${inResource}
      ORDER BY "createdAt" ${direction}, id ${direction} LIMIT ?`,
    params: resourceId ? [id, resourceId, resourceId, count] : [id, count],
  };
}

/**
 * A content-metadata filter as LibSQLStore applies it (each key present in `content.metadata` with the
 * same JSON type, numbers integer or real, and the same value), for any number of keys in ONE bound
 * JSON parameter. Keys were checked by core's `validateStorageMetadataFilter`, so the built path is safe.
 */
function metadataCondition(filter: StorageMetadataFilter): Where {
  const stored = `json_type(content, '$.metadata.' || f.key)`;
  const value = `json_extract(content, '$.metadata.' || f.key)`;
  const matches = `CASE f.type WHEN 'null' THEN ${stored} = 'null'
      WHEN 'integer' THEN ${stored} IN ('integer', 'real') AND ${value} = f.value
      WHEN 'real' THEN ${stored} IN ('integer', 'real') AND ${value} = f.value
      ELSE ${stored} = f.type AND ${value} = f.value END`;
  return {
    sql: `CASE WHEN json_valid(content) THEN NOT EXISTS (SELECT 1 FROM json_each(?) AS f WHERE NOT COALESCE(${matches}, 0)) ELSE 0 END`,
    params: [JSON.stringify(filter)],
  };
}

function filterConditions(operation: string, filter: StorageListMessagesInput['filter'], metadata: StorageMetadataFilter | undefined): Where[] {
  const conditions: Where[] = [];
  const range = filter?.dateRange;
  if (range?.start) {
    const start = isoTimestamp(operation, 'filter.dateRange.start', range.start);
    conditions.push({ sql: `"createdAt" ${range.startExclusive ? '>' : '>='} ?`, params: [start] });
  }
  if (range?.end) {
    const end = isoTimestamp(operation, 'filter.dateRange.end', range.end);
    conditions.push({ sql: `"createdAt" ${range.endExclusive ? '<' : '<='} ?`, params: [end] });
  }
  if (metadata) conditions.push(metadataCondition(metadata));
  return conditions;
}

const and = (conditions: Where[]): Where => ({ sql: conditions.map((c) => c.sql).join(' AND '), params: conditions.flatMap((c) => c.params) });

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

/** MessageList normalization, then a stable sort by time, exactly as LibSQLStore returns a page. */
function finalOrder(messages: MastraDBMessage[], order: Order): MastraDBMessage[] {
  const sign = order.direction === 'ASC' ? 1 : -1;
  const time = (m: MastraDBMessage) => new Date(m.createdAt).getTime();
  return new MessageList()
    .add(messages, 'memory')
    .get.all.db()
    .sort((a, b) => sign * (time(a) - time(b)));
}

interface PageResult {
  messages: MastraDBMessage[];
  total: number;
  /** How many rows the page query itself returned (before included context was added). */
  pageCount: number;
}

/**
 * The page, its total and every include window in ONE batch. Included messages not already on the page
 * are added, then the whole set is normalized and ordered as LibSQLStore does.
 */
async function fetchPage(ctx: DomainContext, scope: Where, window: PageWindow, includes: SqlStatement[], order: Order): Promise<PageResult | undefined> {
  if (window.limit === 0) {
    if (includes.length === 0) return undefined;
    const results = await ctx.driver.batch(includes, { idempotent: true });
    const included = includedMessages(results.flatMap((r) => r.rows));
    return included.length === 0 ? undefined : { messages: finalOrder(included, order), total: 0, pageCount: 0 };
  }
  // With `perPage: false` the page is every matching row, so its length is the total: no COUNT needed.
  const counted = window.limit !== -1;
  const statements = [...(counted ? [countMessages(ctx.tables, scope)] : []), pageOfMessages(ctx.tables, scope, order.direction, window), ...includes];
  const results = await ctx.driver.batch(statements, { idempotent: true });
  const pageResult = results[counted ? 1 : 0]!;
  const page = pageResult.rows.map(messageFromRow);
  const total = counted ? Number(results[0]!.rows[0]?.total ?? 0) : page.length;
  if (total === 0 && page.length === 0 && includes.length === 0) return undefined;
  const onPage = new Set(page.map((m) => m.id));
  const extra = includedMessages(results.slice(counted ? 2 : 1).flatMap((r) => r.rows)).filter((m) => !onPage.has(m.id));
  return { messages: finalOrder([...page, ...extra], order), total, pageCount: page.length };
}

const emptyPage = (window: PageWindow): StorageListMessagesOutput => ({ messages: [], total: 0, page: window.page, perPage: window.perPage, hasMore: false });

/** Messages of one or several threads: a page with its total and any `include` context, in one round trip. */
export async function listMessages(ctx: DomainContext, args: StorageListMessagesInput, order: Order): Promise<StorageListMessagesOutput> {
  const op = 'listMessages';
  const threadIds = Array.isArray(args?.threadId) ? args.threadId : [args?.threadId];
  if (threadIds.length === 0) throw userError(op, 'threadId must be a non-empty string or array of non-empty strings');
  threadIds.forEach((id) => requireText(op, 'threadId', id));
  const window = pageWindow(op, args.page ?? 0, args.perPage, { defaultPerPage: 40 });
  const metadata = checkedMetadataFilter(op, args.filter);
  const inThreads: Where = threadIds.length === 1 ? { sql: 'thread_id = ?', params: [threadIds[0]!] } : { sql: inJsonList('thread_id'), params: [jsonList(threadIds as string[])] };
  // `+` makes the resource test unindexable, so SQLite walks the thread index instead of the
  // (resourceId, createdAt) one, which would read the user's whole history to find one thread's page.
  const resourceId = optionalText(op, 'resourceId', args.resourceId);
  const inResource = resourceId ? [{ sql: '+"resourceId" = ?', params: [resourceId] }] : [];
  const scope = and([inThreads, ...inResource, ...filterConditions(op, args.filter, metadata)]);
  const includes = includeStatements(op, ctx.tables, args.include, args.resourceId);

  const result = await fetchPage(ctx, scope, window, includes, order);
  if (!result) return emptyPage(window);
  const { messages, total, pageCount } = result;
  const wanted = new Set<string>(threadIds as string[]);
  const allReturned = messages.filter((m) => m.threadId && wanted.has(m.threadId)).length >= total;
  const all = window.perPage === false;
  // LibSQLStore's rule, kept as is: with a metadata filter only the page itself counts.
  const hasMore = metadata ? !all && window.offset + pageCount < total : !all && !allReturned && window.offset + window.limit < total;
  return { messages, total, page: window.page, perPage: window.perPage, hasMore };
}

/** Messages of every thread of one resource: a page with its total and any `include` context, in one round trip. */
export async function listMessagesByResourceId(ctx: DomainContext, args: StorageListMessagesByResourceIdInput, order: Order): Promise<StorageListMessagesOutput> {
  const op = 'listMessagesByResourceId';
  const resourceId = requireText(op, 'resourceId', args?.resourceId);
  const window = pageWindow(op, args.page ?? 0, args.perPage, { defaultPerPage: 40 });
  const metadata = checkedMetadataFilter(op, args.filter);
  const scope = and([{ sql: '"resourceId" = ?', params: [resourceId] }, ...filterConditions(op, args.filter, metadata)]);
  const includes = includeStatements(op, ctx.tables, args.include, resourceId);

  const result = await fetchPage(ctx, scope, window, includes, order);
  if (!result) return emptyPage(window);
  const hasMore = window.perPage !== false && window.offset + window.limit < result.total;
  return { messages: result.messages, total: result.total, page: window.page, perPage: window.perPage, hasMore };
}
