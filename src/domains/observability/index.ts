import {
  ObservabilityStorage,
  TABLE_SPANS,
  batchDeleteTracesArgsSchema,
  getBranchArgsSchema,
  getMetricAggregateArgsSchema,
  getMetricBreakdownArgsSchema,
  getMetricTimeSeriesArgsSchema,
  getMetricPercentilesArgsSchema,
  getScoreAggregateArgsSchema,
  getScoreBreakdownArgsSchema,
  getScoreTimeSeriesArgsSchema,
  getScorePercentilesArgsSchema,
  getFeedbackAggregateArgsSchema,
  getFeedbackBreakdownArgsSchema,
  getFeedbackTimeSeriesArgsSchema,
  getFeedbackPercentilesArgsSchema,
  getRootSpanArgsSchema,
  getSpanArgsSchema,
  getSpansArgsSchema,
  getTraceArgsSchema,
  listBranchesArgsSchema,
  listTracesArgsSchema,
  toLightSpanRecord,
  toTraceSpan,
  toTraceSpans,
  type BatchCreateFeedbackArgs,
  type BatchCreateLogsArgs,
  type BatchCreateMetricsArgs,
  type BatchCreateScoresArgs,
  type BatchCreateSpansArgs,
  type CreateFeedbackArgs,
  type CreateScoreArgs,
  type DeleteFeedbackArgs,
  type DeleteScoresArgs,
  type FeedbackRecord,
  type GetEntityNamesArgs,
  type GetEntityNamesResponse,
  type GetEntityTypesArgs,
  type GetEntityTypesResponse,
  type GetEnvironmentsArgs,
  type GetEnvironmentsResponse,
  type GetMetricAggregateArgs,
  type GetMetricAggregateResponse,
  type GetMetricBreakdownArgs,
  type GetMetricBreakdownResponse,
  type GetMetricTimeSeriesArgs,
  type GetMetricTimeSeriesResponse,
  type GetMetricPercentilesArgs,
  type GetMetricPercentilesResponse,
  type GetScoreAggregateArgs,
  type GetScoreAggregateResponse,
  type GetScoreBreakdownArgs,
  type GetScoreBreakdownResponse,
  type GetScoreTimeSeriesArgs,
  type GetScoreTimeSeriesResponse,
  type GetScorePercentilesArgs,
  type GetScorePercentilesResponse,
  type GetFeedbackAggregateArgs,
  type GetFeedbackAggregateResponse,
  type GetFeedbackBreakdownArgs,
  type GetFeedbackBreakdownResponse,
  type GetFeedbackTimeSeriesArgs,
  type GetFeedbackTimeSeriesResponse,
  type GetFeedbackPercentilesArgs,
  type GetFeedbackPercentilesResponse,
  type GetMetricLabelKeysArgs,
  type GetMetricLabelKeysResponse,
  type GetMetricLabelValuesArgs,
  type GetMetricLabelValuesResponse,
  type GetMetricNamesArgs,
  type GetMetricNamesResponse,
  type GetServiceNamesArgs,
  type GetServiceNamesResponse,
  type GetTagsArgs,
  type GetTagsResponse,
  type ListFeedbackArgs,
  type ListFeedbackResponse,
  type ListLogsArgs,
  type ListLogsResponse,
  type ListMetricsArgs,
  type ListMetricsResponse,
  type ListScoresArgs,
  type ListScoresResponse,
  type ScoreRecord,
  type UpdateFeedbackReviewStatusArgs,
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
  type GetTraceQueryValuesResponse,
  type QueryThreadsResult,
  type TraceQueryObservedFieldsResult,
  type TraceQueryResponse,
  type TrustedThreadQueryPlan,
  type TrustedTraceQueryObservedFieldsPlan,
  type TrustedTraceQueryPlan,
  type TrustedTraceQueryValuesPlan,
  type ObservabilityStorageStrategy,
  type SpanRecord,
  type UpdateSpanArgs,
} from '@mastra/core/storage';
import { storageOperation, userError } from '../../errors';
import { columnList } from '../../sql/codec';
import { exceedsValueLimit, jsonList } from '../../sql/params';
import { pageQuery, pageWindow, type Condition, type OrderByInput } from '../../sql/query';
import { D1Domain } from '../base';
import { parseArgs } from './args';
import { SignalApi } from './signal-api';
import { FEEDBACK, LOGS, METRICS, SCORES, SIGNAL_RETENTION } from './signal-tables';
import { requireText } from '../validation';
import { LIGHT_LIST_COLUMNS, payloadJson, REQUIRED_COLUMNS, SPAN_COLUMNS, STRUCTURE_COLUMNS, toSpanRecord, UPDATABLE_COLUMNS } from './columns';
import { CURSORS_TABLE, cursorFrom, cursorValue, deltaPage, forgetDeleted, inStream, streamHead, type CursorKind } from './cursors';
import { branchWhere, spanOrder, traceWhere } from './filters';
import { packJsonArrays } from './payload';
import { OBSERVABILITY_TABLES, SPANS_TABLE } from './schema';
import * as sql from './sql';
import * as traceQuery from './trace-query';

type Row = Record<string, unknown>;
type SpanUpdate = BatchUpdateSpansArgs['records'][number];

/** `args.records` when it is an array; the records themselves are checked field by field when written. */
function recordList<T>(operation: string, args: { records: T[] }): T[] {
  if (!Array.isArray(args?.records)) throw userError(operation, 'records must be an array', { field: 'records' });
  return args.records;
}

/**
 * Core's `ObservabilityStorage` on D1. Traces are derived from the spans table (a trace is its spans;
 * its row in a list is its root span). Metrics, logs, scores and feedback live in their own signal
 * tables (signal-tables.ts), handled by `SignalApi`; this class only delegates to it.
 */
export class ObservabilityStorageD1 extends D1Domain(ObservabilityStorage, {
  key: 'observability',
  tables: OBSERVABILITY_TABLES,
  retention: {
    tables: { spans: { table: TABLE_SPANS, column: 'startedAt', indexed: true }, ...SIGNAL_RETENTION },
    order: ['metrics', 'logs', 'scores', 'feedback', 'spans'],
  },
}) {

  get #table(): string {
    return this.ctx.tables(TABLE_SPANS);
  }

  get #cursors(): string {
    return this.ctx.tables(CURSORS_TABLE.name);
  }

  #signalApi?: SignalApi;
  get #signals(): SignalApi {
    return (this.#signalApi ??= new SignalApi(this.ctx));
  }

  /** Every strategy works: all span writes are upserts or partial updates batched into a few statements. */
  override get observabilityStrategy(): { preferred: ObservabilityStorageStrategy; supported: ObservabilityStorageStrategy[] } {
    return { preferred: 'batch-with-updates', supported: ['batch-with-updates', 'insert-only', 'realtime'] };
  }

  /** The optional observability APIs this store implements. */
  override getFeatures(): readonly ObservabilityStorageFeature[] {
    return [
      'delta-polling',
      'metrics',
      'logs',
      'feedback',
      'entity-type-discovery',
      'entity-name-discovery',
      'service-name-discovery',
      'environment-discovery',
      'tag-discovery',
      'metric-discovery',
      'trace-query',
      'trace-query-root-duration',
      'trace-query-discovery',
      'thread-query',
      'trace-query-tenant-scope',
    ];
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

  /**
   * A page of traces, or a delta poll: the traces whose root span was first stored after `after`, oldest
   * first (no `after`: none, and the cursor to poll from), as core's ObservabilityInMemory answers.
   */
  override async listTraces(args: ListTracesArgs): Promise<ListTracesResponse> {
    const { rows, ...list } = await this.#listTraceRows('listTraces', args, SPAN_COLUMNS);
    return { ...list, spans: toTraceSpans(rows.map((row) => toSpanRecord(row))) } as ListTracesResponse;
  }

  /** `listTraces` reading only what a list row shows (plus `input`, for its preview). */
  override async listTracesLight(args: ListTracesArgs): Promise<ListTracesLightResponse> {
    const { rows, ...list } = await this.#listTraceRows('listTracesLight', args, LIGHT_LIST_COLUMNS);
    return { ...list, spans: rows.map((row) => toLightSpanRecord(toSpanRecord(row))) } as ListTracesLightResponse;
  }

  /** A page of branch anchors, or a delta poll of the anchors first stored after `after` (see `listTraces`). */
  override async listBranches(args: ListBranchesArgs): Promise<ListBranchesResponse> {
    const { mode, filters, pagination, orderBy, after, limit } = parseArgs('listBranches', listBranchesArgsSchema, args);
    const list =
      mode === 'delta'
        ? await this.#poll('listBranches', 'branch', SPAN_COLUMNS, (extra) => branchWhere(filters, extra), after, limit)
        : await this.#page('listBranches', SPAN_COLUMNS, branchWhere(filters), orderBy, pagination);
    const { rows, ...rest } = list;
    return { ...rest, branches: rows.map((row) => toTraceSpan(toSpanRecord(row))) } as ListBranchesResponse;
  }

  /** Traces matching core's trusted plan (trace-query/), one round trip, delta plans included. */
  override queryTraces(plan: TrustedTraceQueryPlan): Promise<TraceQueryResponse> {
    return traceQuery.queryTraces(this.ctx, plan);
  }

  override queryThreads(plan: TrustedThreadQueryPlan): Promise<QueryThreadsResult> {
    return traceQuery.queryThreads(this.ctx, plan);
  }

  override getTraceQueryObservedFields(plan: TrustedTraceQueryObservedFieldsPlan): Promise<TraceQueryObservedFieldsResult> {
    return traceQuery.observedFields(this.ctx, plan);
  }

  override getTraceQueryValues(plan: TrustedTraceQueryValuesPlan): Promise<GetTraceQueryValuesResponse> {
    return traceQuery.fieldValues(this.ctx, plan);
  }

  /**
   * Deletes the traces' spans and every metric, log, score and feedback linked to them, in one batch.
   * A tenant scope limits each to rows of that organization and resource (a trace by its root span).
   */
  override async batchDeleteTraces(args: BatchDeleteTracesArgs): Promise<void> {
    const { traceIds, organizationId, resourceId } = parseArgs('batchDeleteTraces', batchDeleteTracesArgsSchema, args);
    if (traceIds.length === 0) return;
    const ids = jsonList(traceIds);
    const statements = [
      sql.deleteTraces(this.#table, ids, { organizationId, resourceId }),
      forgetDeleted(this.#cursors, this.#table, ids),
      ...this.#signals.signals.deleteForTraces(ids, { organizationId, resourceId }),
    ];
    await storageOperation('batchDeleteTraces', { traces: traceIds.length }, () => this.ctx.driver.batch(statements, { idempotent: true }));
  }

  override batchCreateMetrics(args: BatchCreateMetricsArgs): Promise<void> {
    return this.#signals.createMany('batchCreateMetrics', METRICS, args?.metrics);
  }

  override batchCreateLogs(args: BatchCreateLogsArgs): Promise<void> {
    return this.#signals.createMany('batchCreateLogs', LOGS, args?.logs);
  }

  override createScore(args: CreateScoreArgs): Promise<void> {
    return this.#signals.createOne('createScore', SCORES, args?.score);
  }

  override batchCreateScores(args: BatchCreateScoresArgs): Promise<void> {
    return this.#signals.createMany('batchCreateScores', SCORES, args?.scores);
  }

  override createFeedback(args: CreateFeedbackArgs): Promise<void> {
    return this.#signals.createOne('createFeedback', FEEDBACK, args?.feedback);
  }

  override batchCreateFeedback(args: BatchCreateFeedbackArgs): Promise<void> {
    return this.#signals.createMany('batchCreateFeedback', FEEDBACK, args?.feedbacks);
  }

  override listMetrics(args: ListMetricsArgs): Promise<ListMetricsResponse> {
    return this.#signals.listMetrics(args);
  }

  override listLogs(args: ListLogsArgs): Promise<ListLogsResponse> {
    return this.#signals.listLogs(args);
  }

  override listScores(args: ListScoresArgs): Promise<ListScoresResponse> {
    return this.#signals.listScores(args);
  }

  override listFeedback(args: ListFeedbackArgs): Promise<ListFeedbackResponse> {
    return this.#signals.listFeedback(args);
  }

  override getScoreById(scoreId: string): Promise<ScoreRecord | null> {
    return this.#signals.getScoreById(scoreId);
  }

  override deleteScores(args: DeleteScoresArgs): Promise<void> {
    return this.#signals.deleteScores(args);
  }

  override deleteFeedback(args: DeleteFeedbackArgs): Promise<void> {
    return this.#signals.deleteFeedback(args);
  }

  override updateFeedbackReviewStatus(args: UpdateFeedbackReviewStatusArgs): Promise<FeedbackRecord> {
    return this.#signals.updateFeedbackReviewStatus(args);
  }

  override getMetricNames(args: GetMetricNamesArgs): Promise<GetMetricNamesResponse> {
    return this.#signals.getMetricNames(args);
  }

  override getMetricLabelKeys(args: GetMetricLabelKeysArgs): Promise<GetMetricLabelKeysResponse> {
    return this.#signals.getMetricLabelKeys(args);
  }

  override getMetricLabelValues(args: GetMetricLabelValuesArgs): Promise<GetMetricLabelValuesResponse> {
    return this.#signals.getMetricLabelValues(args);
  }

  override getEntityTypes(_args: GetEntityTypesArgs): Promise<GetEntityTypesResponse> {
    return this.#signals.getEntityTypes();
  }

  override getEntityNames(args: GetEntityNamesArgs): Promise<GetEntityNamesResponse> {
    return this.#signals.getEntityNames(args);
  }

  override getServiceNames(_args: GetServiceNamesArgs): Promise<GetServiceNamesResponse> {
    return this.#signals.getServiceNames();
  }

  override getEnvironments(_args: GetEnvironmentsArgs): Promise<GetEnvironmentsResponse> {
    return this.#signals.getEnvironments();
  }

  override getTags(args: GetTagsArgs): Promise<GetTagsResponse> {
    return this.#signals.getTags(args);
  }

  override getMetricAggregate(args: GetMetricAggregateArgs): Promise<GetMetricAggregateResponse> {
    return this.#signals.aggregate('getMetricAggregate', METRICS, getMetricAggregateArgsSchema, args) as Promise<GetMetricAggregateResponse>;
  }

  override getMetricBreakdown(args: GetMetricBreakdownArgs): Promise<GetMetricBreakdownResponse> {
    return this.#signals.breakdown('getMetricBreakdown', METRICS, getMetricBreakdownArgsSchema, args) as Promise<GetMetricBreakdownResponse>;
  }

  override getMetricTimeSeries(args: GetMetricTimeSeriesArgs): Promise<GetMetricTimeSeriesResponse> {
    return this.#signals.timeSeries('getMetricTimeSeries', METRICS, getMetricTimeSeriesArgsSchema, args) as Promise<GetMetricTimeSeriesResponse>;
  }

  override getMetricPercentiles(args: GetMetricPercentilesArgs): Promise<GetMetricPercentilesResponse> {
    return this.#signals.percentiles('getMetricPercentiles', METRICS, getMetricPercentilesArgsSchema, args) as Promise<GetMetricPercentilesResponse>;
  }

  override getScoreAggregate(args: GetScoreAggregateArgs): Promise<GetScoreAggregateResponse> {
    return this.#signals.aggregate('getScoreAggregate', SCORES, getScoreAggregateArgsSchema, args) as Promise<GetScoreAggregateResponse>;
  }

  override getScoreBreakdown(args: GetScoreBreakdownArgs): Promise<GetScoreBreakdownResponse> {
    return this.#signals.breakdown('getScoreBreakdown', SCORES, getScoreBreakdownArgsSchema, args) as Promise<GetScoreBreakdownResponse>;
  }

  override getScoreTimeSeries(args: GetScoreTimeSeriesArgs): Promise<GetScoreTimeSeriesResponse> {
    return this.#signals.timeSeries('getScoreTimeSeries', SCORES, getScoreTimeSeriesArgsSchema, args) as Promise<GetScoreTimeSeriesResponse>;
  }

  override getScorePercentiles(args: GetScorePercentilesArgs): Promise<GetScorePercentilesResponse> {
    return this.#signals.percentiles('getScorePercentiles', SCORES, getScorePercentilesArgsSchema, args) as Promise<GetScorePercentilesResponse>;
  }

  override getFeedbackAggregate(args: GetFeedbackAggregateArgs): Promise<GetFeedbackAggregateResponse> {
    return this.#signals.aggregate('getFeedbackAggregate', FEEDBACK, getFeedbackAggregateArgsSchema, args) as Promise<GetFeedbackAggregateResponse>;
  }

  override getFeedbackBreakdown(args: GetFeedbackBreakdownArgs): Promise<GetFeedbackBreakdownResponse> {
    return this.#signals.breakdown('getFeedbackBreakdown', FEEDBACK, getFeedbackBreakdownArgsSchema, args) as Promise<GetFeedbackBreakdownResponse>;
  }

  override getFeedbackTimeSeries(args: GetFeedbackTimeSeriesArgs): Promise<GetFeedbackTimeSeriesResponse> {
    return this.#signals.timeSeries('getFeedbackTimeSeries', FEEDBACK, getFeedbackTimeSeriesArgsSchema, args) as Promise<GetFeedbackTimeSeriesResponse>;
  }

  override getFeedbackPercentiles(args: GetFeedbackPercentilesArgs): Promise<GetFeedbackPercentilesResponse> {
    return this.#signals.percentiles('getFeedbackPercentiles', FEEDBACK, getFeedbackPercentilesArgsSchema, args) as Promise<GetFeedbackPercentilesResponse>;
  }

  #listTraceRows(operation: string, args: ListTracesArgs, columns: readonly string[]) {
    const { mode, filters, pagination, orderBy, after, limit } = parseArgs(operation, listTracesArgsSchema, args);
    if (mode === 'delta') return this.#poll(operation, 'trace', columns, (extra) => traceWhere(this.#table, filters, extra), after, limit);
    return this.#page(operation, columns, traceWhere(this.#table, filters), orderBy, pagination);
  }

  /**
   * A delta poll of one cursor stream, in one batch: the newest matching cursor (or the stream's newest),
   * and, given `after`, the matching spans (the listed table is `s`) whose event came after it.
   */
  async #poll(operation: string, kind: CursorKind, columns: readonly string[], filter: (extra: Condition) => Condition, after: string | undefined, limit: number) {
    const from = `FROM ${cursorFrom(this.#cursors, this.#table, kind, 's')}`;
    const newest = filter(inStream(kind));
    const statements = [{ sql: `SELECT (SELECT cur."cursorId" ${from}${newest.sql} ORDER BY cur."cursorId" DESC LIMIT 1) AS matching, ${streamHead(this.#cursors, kind)} AS stream`, params: newest.params }];
    if (after !== undefined) {
      const rows = filter(inStream(kind, cursorValue(after)));
      const select = `SELECT cur."cursorId" AS "cursorId", ${columnList(SPANS_TABLE, columns)}`;
      statements.push({ sql: `${select} ${from}${rows.sql} ORDER BY cur."cursorId" LIMIT ?`, params: [...rows.params, limit + 1] });
    }
    const [head, page] = await storageOperation(operation, { after: after ?? null }, () => this.ctx.driver.batch(statements, { idempotent: true }));
    return deltaPage(page?.rows ?? [], limit, head!.rows[0]?.matching ?? head!.rows[0]?.stream);
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
