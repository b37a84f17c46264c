import { ErrorCategory, ErrorDomain, MastraError } from '@mastra/core/error';
import {
  ObservabilityStorage,
  TABLE_SPANS,
  batchDeleteTracesArgsSchema,
  getBranchArgsSchema,
  getRootSpanArgsSchema,
  getSpanArgsSchema,
  getSpansArgsSchema,
  getTraceArgsSchema,
  listBranchesArgsSchema,
  listTracesArgsSchema,
  toLightSpanRecord,
  toTraceSpan,
  toTraceSpans,
  type BatchCreateSpansArgs,
  type BatchDeleteTracesArgs,
  type BatchUpdateSpansArgs,
  type CreateSpanArgs,
  type CreateSpanRecord,
  type GetBranchArgs,
  type GetBranchResponse,
  type GetRootSpanArgs,
  type GetRootSpanResponse,
  type GetSpanArgs,
  type GetSpanResponse,
  type GetSpansArgs,
  type GetSpansResponse,
  type GetStructureResponse,
  type GetTraceArgs,
  type GetTraceResponse,
  type LightSpanRecord,
  type ListBranchesArgs,
  type ListBranchesResponse,
  type ListTracesArgs,
  type ListTracesLightResponse,
  type ListTracesResponse,
  type ObservabilityStorageFeature,
  type ObservabilityStorageStrategy,
  type SpanRecord,
  type UpdateSpanArgs,
} from '@mastra/core/storage';
import type { z } from 'zod';
import { storageOperation, userError } from '../../errors';
import { columnList } from '../../sql/codec';
import { exceedsValueLimit, jsonList } from '../../sql/params';
import { pageQuery, pageWindow, type Condition, type OrderByInput } from '../../sql/query';
import { D1Domain } from '../base';
import { requireText } from '../validation';
import { LIGHT_LIST_COLUMNS, payloadJson, REQUIRED_COLUMNS, SPAN_COLUMNS, STRUCTURE_COLUMNS, toSpanRecord, UPDATABLE_COLUMNS } from './columns';
import { branchWhere, spanOrder, traceWhere } from './filters';
import { packJsonArrays } from './payload';
import { OBSERVABILITY_TABLES, SPANS_TABLE } from './schema';
import * as sql from './sql';

type Row = Record<string, unknown>;
type SpanUpdate = BatchUpdateSpansArgs['records'][number];

/** Parses with a core schema; a failure is a USER error thrown before anything is sent. */
function parseArgs<S extends z.ZodType>(operation: string, schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw userError(operation, `Invalid ${operation} arguments: ${issue.path.join('.') || 'args'} ${issue.message}`);
}

/** `args.records` when it is an array; the records themselves are checked field by field when written. */
function recordList<T>(operation: string, args: { records: T[] }): T[] {
  if (!Array.isArray(args?.records)) throw userError(operation, 'records must be an array', { field: 'records' });
  return args.records;
}

function deltaModeUnsupported(): MastraError {
  // Same id and wording as core's own stores when the `delta-polling` feature is off.
  return new MastraError({
    id: 'OBSERVABILITY_DELTA_POLLING_NOT_SUPPORTED',
    domain: ErrorDomain.MASTRA_OBSERVABILITY,
    category: ErrorCategory.SYSTEM,
    text: 'This storage provider does not support observability delta polling',
  });
}

/**
 * Tracing spans, stored in D1: the tracing part of core's `ObservabilityStorage`. Traces are derived
 * from the spans table (a trace is its spans; its row in a list is its root span). Metrics, logs,
 * scores, feedback and trace queries keep core's "not implemented" behaviour.
 */
export class ObservabilityStorageD1 extends D1Domain(ObservabilityStorage, {
  key: 'observability',
  tables: OBSERVABILITY_TABLES,
  retention: { tables: { spans: { table: TABLE_SPANS, column: 'startedAt', indexed: true } }, order: ['spans'] },
}) {

  get #table(): string {
    return this.ctx.tables(TABLE_SPANS);
  }

  /** Every strategy works: all span writes are upserts or partial updates batched into a few statements. */
  override get observabilityStrategy(): { preferred: ObservabilityStorageStrategy; supported: ObservabilityStorageStrategy[] } {
    return { preferred: 'batch-with-updates', supported: ['batch-with-updates', 'insert-only', 'realtime'] };
  }

  /** None of the optional observability APIs (delta polling, metrics, logs, discovery, trace queries, feedback). */
  override getFeatures(): readonly ObservabilityStorageFeature[] {
    return [];
  }

  override async createSpan({ span }: CreateSpanArgs): Promise<void> {
    await this.#upsert('createSpan', [span]);
  }

  override async batchCreateSpans(args: BatchCreateSpansArgs): Promise<void> {
    await this.#upsert('batchCreateSpans', recordList('batchCreateSpans', args));
  }

  /**
   * Changes the given fields of one span; a span that does not exist is left absent, as in LibSQLStore.
   * A key of `updates` that is not a field a span update may change is a USER error naming it, and
   * nothing is written.
   */
  override async updateSpan({ traceId, spanId, updates }: UpdateSpanArgs): Promise<void> {
    await this.#update('updateSpan', [{ traceId, spanId, updates }]);
  }

  override async batchUpdateSpans(args: BatchUpdateSpansArgs): Promise<void> {
    await this.#update('batchUpdateSpans', recordList('batchUpdateSpans', args));
  }

  override async getSpan(args: GetSpanArgs): Promise<GetSpanResponse | null> {
    const { traceId, spanId } = parseArgs('getSpan', getSpanArgsSchema, args);
    const rows = await storageOperation('getSpan', { traceId, spanId }, () => this.ctx.driver.all<Row>(sql.selectSpan(this.#table, traceId, spanId)));
    return rows[0] ? { span: toSpanRecord(rows[0]) } : null;
  }

  override async getRootSpan(args: GetRootSpanArgs): Promise<GetRootSpanResponse | null> {
    const { traceId } = parseArgs('getRootSpan', getRootSpanArgsSchema, args);
    const rows = await storageOperation('getRootSpan', { traceId }, () => this.ctx.driver.all<Row>(sql.selectRootSpan(this.#table, traceId)));
    return rows[0] ? { span: toSpanRecord(rows[0]) } : null;
  }

  override async getTrace(args: GetTraceArgs): Promise<GetTraceResponse | null> {
    const { traceId } = parseArgs('getTrace', getTraceArgsSchema, args);
    const rows = await storageOperation('getTrace', { traceId }, () => this.ctx.driver.all<Row>(sql.selectTraceSpans(this.#table, traceId)));
    return rows.length > 0 ? { traceId, spans: rows.map((row) => toSpanRecord(row)) } : null;
  }

  /** A trace's skeleton: structural columns only, so payloads (input, output, attributes, ...) are never read. */
  override async getStructure(args: GetTraceArgs): Promise<GetStructureResponse | null> {
    const { traceId } = parseArgs('getStructure', getTraceArgsSchema, args);
    const statement = sql.selectTraceSpans(this.#table, traceId, STRUCTURE_COLUMNS);
    const rows = await storageOperation('getStructure', { traceId }, () => this.ctx.driver.all<Row>(statement));
    return rows.length > 0 ? { traceId, spans: rows.map((row) => toSpanRecord<LightSpanRecord>(row)) } : null;
  }

  /** @deprecated core's older name for {@link getStructure}. */
  override getTraceLight(args: GetTraceArgs): Promise<GetStructureResponse | null> {
    return this.getStructure(args);
  }

  /** The subtree under a span, walked in SQL: one round trip, whatever the depth. */
  override async getBranch(args: GetBranchArgs): Promise<GetBranchResponse | null> {
    const { traceId, spanId, depth } = parseArgs('getBranch', getBranchArgsSchema, args);
    const statement = sql.selectBranch(this.#table, traceId, spanId, depth ?? null);
    const rows = await storageOperation('getBranch', { traceId, spanId }, () => this.ctx.driver.all<Row>(statement));
    return rows.length > 0 ? { traceId, spans: rows.map((row) => toSpanRecord(row)) } : null;
  }

  override async getSpans(args: GetSpansArgs): Promise<GetSpansResponse> {
    const { traceId, spanIds } = parseArgs('getSpans', getSpansArgsSchema, args);
    if (spanIds.length === 0) return { traceId, spans: [] };
    const statement = sql.selectSpansById(this.#table, traceId, jsonList(spanIds));
    const rows = await storageOperation('getSpans', { traceId }, () => this.ctx.driver.all<Row>(statement));
    return { traceId, spans: rows.map((row) => toSpanRecord(row)) };
  }

  override async listTraces(args: ListTracesArgs): Promise<ListTracesResponse> {
    const { rows, pagination } = await this.#listTraceRows('listTraces', args, SPAN_COLUMNS);
    return { pagination, spans: toTraceSpans(rows.map((row) => toSpanRecord(row))) };
  }

  /** `listTraces` reading only what a list row shows (plus `input`, for its preview). */
  override async listTracesLight(args: ListTracesArgs): Promise<ListTracesLightResponse> {
    const { rows, pagination } = await this.#listTraceRows('listTracesLight', args, LIGHT_LIST_COLUMNS);
    return { pagination, spans: rows.map((row) => toLightSpanRecord(toSpanRecord(row))) };
  }

  override async listBranches(args: ListBranchesArgs): Promise<ListBranchesResponse> {
    const { mode, filters, pagination, orderBy } = parseArgs('listBranches', listBranchesArgsSchema, args);
    if (mode === 'delta') throw deltaModeUnsupported();
    const page = await this.#page('listBranches', SPAN_COLUMNS, branchWhere(filters), orderBy, pagination);
    return { pagination: page.pagination, branches: page.rows.map((row) => toTraceSpan(toSpanRecord(row))) };
  }

  /** Deletes the traces' spans in one statement. Tenant-scoped deletes are rejected, as in LibSQLStore. */
  override async batchDeleteTraces(args: BatchDeleteTracesArgs): Promise<void> {
    const { traceIds } = parseArgs('batchDeleteTraces', batchDeleteTracesArgsSchema, args);
    this.assertUnscopedBatchDeleteTraces(args);
    if (traceIds.length === 0) return;
    await storageOperation('batchDeleteTraces', { traces: traceIds.length }, () =>
      this.ctx.driver.run(sql.deleteTraces(this.#table, jsonList(traceIds)), { idempotent: true }),
    );
  }

  #listTraceRows(operation: string, args: ListTracesArgs, columns: readonly string[]) {
    const { mode, filters, pagination, orderBy } = parseArgs(operation, listTracesArgsSchema, args);
    if (mode === 'delta') throw deltaModeUnsupported();
    return this.#page(operation, columns, traceWhere(this.#table, filters), orderBy, pagination);
  }

  /** A page of spans (the listed table is `s`) and its total in one batch: one round trip. */
  async #page(operation: string, columns: readonly string[], where: Condition, order: OrderByInput, pagination: { page: number; perPage: number }) {
    const window = pageWindow(operation, pagination.page, pagination.perPage);
    const query = { select: columnList(SPANS_TABLE, columns), from: `${this.#table} AS s`, where, order: spanOrder(operation, order), window };
    const { rows, total, hasMore } = await storageOperation(operation, { page: window.page }, () => pageQuery(this.ctx.driver, query));
    return { rows, pagination: { total, page: window.page, perPage: pagination.perPage, hasMore } };
  }

  async #upsert(operation: string, spans: readonly CreateSpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    const now = JSON.stringify(new Date().toISOString());
    const rows = spans.map((span) => {
      const record = span as Record<string, unknown>;
      const name = `span ${span.spanId} of trace ${span.traceId}`;
      const missing = REQUIRED_COLUMNS.find((c) => record[c] === undefined || record[c] === null);
      if (missing) throw userError(operation, `${name} is missing \`${missing}\``, spanDetails(span));
      const values = SPAN_COLUMNS.map((c) => (c === 'createdAt' || c === 'updatedAt' ? now : payloadJson(operation, c, record[c], name)));
      const row = `[${values.join(',')}]`;
      if (exceedsValueLimit(row)) throw userError(operation, `${name} is over D1's 2,000,000-byte row limit`, spanDetails(span));
      return row;
    });
    const statements = packJsonArrays(rows).map((payload) => sql.upsertSpans(this.#table, payload));
    await storageOperation(operation, { spans: spans.length }, () => this.ctx.driver.batch(statements, { idempotent: true }));
  }

  async #update(operation: string, records: readonly SpanUpdate[]): Promise<void> {
    if (records.length === 0) return;
    // Several updates of one span merge in order, which is what applying them one after another gives.
    const merged = new Map<string, { traceId: string; spanId: string; updates: Record<string, unknown> }>();
    for (const record of records) {
      const traceId = requireText(operation, 'traceId', record?.traceId);
      const spanId = requireText(operation, 'spanId', record?.spanId);
      const key = JSON.stringify([traceId, spanId]);
      const entry = merged.get(key) ?? { traceId, spanId, updates: {} };
      Object.assign(entry.updates, record.updates);
      merged.set(key, entry);
    }
    const items = [...merged.values()].map(({ traceId, spanId, updates }) => {
      const name = `span ${spanId} of trace ${traceId}`;
      const fields = Object.entries(updates).map(([column, value]) => {
        if (!UPDATABLE_COLUMNS.has(column)) throw userError(operation, `updates.${column} of ${name} is not a span field an update can change`, { traceId, spanId, field: column });
        return `${JSON.stringify(column)}:${payloadJson(operation, column, value, name)}`;
      });
      const item = `{"t":${JSON.stringify(traceId)},"s":${JSON.stringify(spanId)},"u":{${fields.join(',')}}}`;
      if (exceedsValueLimit(item)) throw userError(operation, `Update of ${name} is over D1's 2,000,000-byte row limit`, { traceId, spanId });
      return item;
    });
    const now = new Date().toISOString();
    const statements = packJsonArrays(items).map((payload) => sql.updateSpans(this.#table, payload, now));
    await storageOperation(operation, { spans: records.length }, () => this.ctx.driver.batch(statements, { idempotent: true }));
  }
}

function spanDetails(span: Partial<SpanRecord>) {
  return { traceId: span.traceId ?? null, spanId: span.spanId ?? null };
}
