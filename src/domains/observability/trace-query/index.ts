import {
  buildInputPreview,
  createTraceQueryObservedFieldDescriptor,
  encodeTraceQueryCursor,
  encodeTraceQueryDeltaCursor,
  getTraceQueryDeltaWatermark,
  TraceQueryCursorError,
  type GetTraceQueryValuesResponse,
  type QueryThreadsResult,
  type SpanRecord,
  type TraceQueryObservedFieldsResult,
  type TraceQueryResponse,
  type TraceQueryTrace,
  type TrustedThreadQueryPlan,
  type TrustedTraceQueryDeltaTracesPlan,
  type TrustedTraceQueryObservedFieldsPlan,
  type TrustedTraceQueryPaginatedTracesPlan,
  type TrustedTraceQueryPlan,
  type TrustedTraceQueryValuesPlan,
} from '@mastra/core/storage';
import type { D1Driver } from '../../../client/types';
import { storageOperation } from '../../../errors';
import { pageQuery, pageWindow } from '../../../sql/query';
import { toSpanRecord } from '../columns';
import { deltaPage } from '../cursors';
import type { CompileContext } from './predicate';
import * as statements from './statements';

type Row = Record<string, unknown>;

/** The adapter name sealed into this store's trace-query delta cursors. */
const ADAPTER = 'd1';

/** What the trace-query methods run on: the domain's driver and table namer. */
export interface TraceQueryStore {
  driver: D1Driver;
  tables: (name: string) => string;
}

const iso = (value: unknown) => (value as Date).toISOString();

/** A root span row as core's trace-query result row. */
function toTrace(row: Row): TraceQueryTrace {
  const span = toSpanRecord<SpanRecord>(row);
  const metadata = span.metadata;
  return {
    traceId: span.traceId,
    rootSpanId: span.spanId,
    name: span.name,
    entityId: span.entityId ?? null,
    parentSpanId: span.parentSpanId ?? null,
    createdAt: iso(span.createdAt),
    metadata: metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : null,
    inputPreview: buildInputPreview(span.input) ?? null,
    threadId: span.threadId ?? null,
    resourceId: span.resourceId ?? null,
    startedAt: iso(span.startedAt),
    endedAt: iso(span.endedAt),
    entityName: span.entityName ?? null,
    entityType: span.entityType ?? null,
    environment: span.environment ?? null,
    status: span.error == null ? 'success' : 'error',
  };
}

/** The rows of a keyset page and whether another page follows (the statement asked for `limit + 1`). */
function keyset(rows: Row[], limit: number): { rows: Row[]; more: boolean } {
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}

function run<T>(store: TraceQueryStore, operation: string, scope: CompileContext['scope'], body: (context: CompileContext) => Promise<T>): Promise<T> {
  return storageOperation(operation, {}, () => body({ operation, table: store.tables, scope }));
}

/** `queryTraces` for keyset, page, delta and (deprecated) groups plans, each one round trip. */
export function queryTraces(store: TraceQueryStore, plan: TrustedTraceQueryPlan): Promise<TraceQueryResponse> {
  if (plan.paginationMode === 'delta') return traceDelta(store, plan);
  return run(store, 'queryTraces', plan.scope, async (context) => {
    if (plan.result === 'groups') {
      const page = keyset(await store.driver.all<Row>(statements.traceGroups(context, plan)), plan.limit);
      const last = page.rows.at(-1);
      const groups = page.rows.map((row) => ({ threadId: String(row.threadId) }));
      return { groups, page: { next: page.more && last ? encodeTraceQueryCursor(plan, { result: 'groups', threadId: String(last.threadId) }) : null } };
    }
    if (plan.paginationMode === 'page') return tracePage(store, context, plan);
    const page = keyset(await store.driver.all<Row>(statements.keysetTraces(context, plan)), plan.limit);
    const traces = page.rows.map(toTrace);
    const last = traces.at(-1);
    const next = page.more && last ? encodeTraceQueryCursor(plan, { result: 'traces', sortValue: last[plan.orderBy.field], traceId: last.traceId }) : null;
    return { traces, page: { next } };
  });
}

/**
 * A delta poll: traces that ended after the cursor's watermark (an `ended` cursor id), oldest first. A
 * cursor from another adapter or with a malformed watermark is core's cursor error, before any query.
 */
async function traceDelta(store: TraceQueryStore, plan: TrustedTraceQueryDeltaTracesPlan): Promise<TraceQueryResponse> {
  const watermark = getTraceQueryDeltaWatermark(plan, ADAPTER);
  if (watermark !== undefined && !/^\d{1,15}$/.test(watermark)) throw new TraceQueryCursorError('TRACE_QUERY_CURSOR_MALFORMED');
  return run(store, 'queryTraces', plan.scope, async (context) => {
    const [head, page] = await store.driver.batch(statements.deltaTraces(context, plan, watermark === undefined ? undefined : Number(watermark)), { idempotent: true });
    const { rows, delta, deltaCursor } = deltaPage(page?.rows ?? [], plan.limit, head!.rows[0]?.stream);
    return { traces: rows.map(toTrace), delta, deltaCursor: encodeTraceQueryDeltaCursor(plan, ADAPTER, deltaCursor) };
  });
}

/** A numbered page of traces and their total: one batch. */
async function tracePage(store: TraceQueryStore, context: CompileContext, plan: TrustedTraceQueryPaginatedTracesPlan): Promise<TraceQueryResponse> {
  const window = pageWindow(context.operation, plan.page, plan.perPage);
  const where = statements.bind([statements.selection(context, plan.timeRange, plan.where)], (w) => ` WHERE ${w}`, [], 2);
  const { rows, total, hasMore } = await pageQuery(store.driver, {
    select: statements.traceSelect,
    from: statements.traceFrom(context),
    where: { sql: where.sql, params: [...where.params] },
    order: statements.traceOrder(plan.orderBy).sql,
    window,
  });
  return { traces: rows.map(toTrace), pagination: { total, page: window.page, perPage: plan.perPage, hasMore } };
}

/** `queryThreads`: one keyset page of thread ids. */
export function queryThreads(store: TraceQueryStore, plan: TrustedThreadQueryPlan): Promise<QueryThreadsResult> {
  return run(store, 'queryThreads', plan.scope, async (context) => {
    const page = keyset(await store.driver.all<Row>(statements.threads(context, plan)), plan.limit);
    const threads = page.rows.map((row) => ({ threadId: String(row.threadId) }));
    const last = threads.at(-1);
    return { threads, page: { next: page.more && last ? encodeTraceQueryCursor(plan, { result: 'threads', threadId: last.threadId }) : null } };
  });
}

/** `getTraceQueryObservedFields`: metadata keys of matching traces (other scopes observe no free-form fields). */
export function observedFields(store: TraceQueryStore, plan: TrustedTraceQueryObservedFieldsPlan): Promise<TraceQueryObservedFieldsResult> {
  return run(store, 'getTraceQueryObservedFields', plan.scope, async (context) => {
    if (plan.predicateScope !== 'trace') return { observedFields: [], observedFieldsTruncated: false };
    const page = keyset(await store.driver.all<Row>(statements.observedFields(context, plan)), plan.limit);
    return {
      observedFields: page.rows.map((row) => createTraceQueryObservedFieldDescriptor(String(row.path), Number(row.occurrences))),
      observedFieldsTruncated: page.more,
    };
  });
}

/** `getTraceQueryValues`: the most frequent values of one field, with counts. */
export function fieldValues(store: TraceQueryStore, plan: TrustedTraceQueryValuesPlan): Promise<GetTraceQueryValuesResponse> {
  return run(store, 'getTraceQueryValues', plan.scope, async (context) => {
    const page = keyset(await store.driver.all<Row>(statements.fieldValues(context, plan)), plan.limit);
    return { values: page.rows.map((row) => ({ value: String(row.value), count: Number(row.count) })), valuesTruncated: page.more };
  });
}
