import {
  TABLE_SPANS,
  deleteFeedbackArgsSchema,
  deleteScoresArgsSchema,
  getEntityNamesArgsSchema,
  getMetricLabelKeysArgsSchema,
  getMetricLabelValuesArgsSchema,
  getMetricNamesArgsSchema,
  getTagsArgsSchema,
  listFeedbackArgsSchema,
  listLogsArgsSchema,
  listMetricsArgsSchema,
  listScoresArgsSchema,
  updateFeedbackReviewStatusArgsSchema,
  type EntityType,
  type FeedbackRecord,
  type ListFeedbackResponse,
  type ListLogsResponse,
  type ListMetricsResponse,
  type ListScoresResponse,
  type ScoreRecord,
} from '@mastra/core/storage';
import type { z } from 'zod';
import type { SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import type { DomainContext } from '../base';
import { raw } from '../../sql/query';
import type { Analysis } from './analytics';
import { Analytics } from './analytics-api';
import { parseArgs } from './args';
import { discoverySql } from './discovery';
import { FEEDBACK, LOGS, METRICS, SCORES, type SignalTable } from './signal-tables';
import { Signals, type ListRequest } from './signals';

const BY_TIMESTAMP: Record<string, string> = { timestamp: 'timestamp' };

/**
 * The signal side of core's `ObservabilityStorage` (metrics, logs, scores, feedback and discovery),
 * for the domain class to delegate to. Arguments are checked with core's schemas: bad input is a USER
 * error and nothing is sent.
 */
export class SignalApi {
  readonly signals: Signals;
  readonly analytics: Analytics;

  constructor(private readonly ctx: DomainContext) {
    this.signals = new Signals(ctx);
    this.analytics = new Analytics(ctx);
  }

  createMany(operation: string, signal: SignalTable, records: unknown) {
    return this.signals.create(operation, signal, records);
  }

  createOne(operation: string, signal: SignalTable, record: unknown) {
    if (record == null) throw userError(operation, `${signal.id.slice(0, -2)} is required`, { field: signal.id.slice(0, -2) });
    return this.signals.create(operation, signal, [record]);
  }

  /** A list in core's response shape: the records under `key`, with `pagination` or `delta`, and `deltaCursor`. */
  async #list<R>(operation: string, signal: SignalTable, schema: z.ZodType, args: unknown, key: string, sortable = BY_TIMESTAMP): Promise<R> {
    const request = parseArgs(operation, schema, args ?? {}) as ListRequest;
    const { records, ...rest } = await this.signals.list(operation, signal, request, sortable);
    return { [key]: records, ...rest } as R;
  }

  listMetrics = (args: unknown) => this.#list<ListMetricsResponse>('listMetrics', METRICS, listMetricsArgsSchema, args, 'metrics');
  listLogs = (args: unknown) => this.#list<ListLogsResponse>('listLogs', LOGS, listLogsArgsSchema, args, 'logs');
  listScores = (args: unknown) => this.#list<ListScoresResponse>('listScores', SCORES, listScoresArgsSchema, args, 'scores', { timestamp: 'timestamp', score: 'score' });
  listFeedback = (args: unknown) => this.#list<ListFeedbackResponse>('listFeedback', FEEDBACK, listFeedbackArgsSchema, args, 'feedback');

  getScoreById(scoreId: unknown) {
    if (typeof scoreId !== 'string') throw userError('getScoreById', 'scoreId must be a string', { field: 'scoreId' });
    return this.signals.get<ScoreRecord>('getScoreById', SCORES, scoreId);
  }

  async deleteScores(args: unknown) {
    const { scoreIds, ...scope } = parseArgs('deleteScores', deleteScoresArgsSchema, args);
    await this.signals.delete('deleteScores', SCORES, scoreIds, scope);
  }

  async deleteFeedback(args: unknown) {
    const { feedbackIds, ...scope } = parseArgs('deleteFeedback', deleteFeedbackArgsSchema, args);
    await this.signals.delete('deleteFeedback', FEEDBACK, feedbackIds, scope);
  }

  updateFeedbackReviewStatus(args: unknown) {
    const { feedbackId, reviewStatus } = parseArgs('updateFeedbackReviewStatus', updateFeedbackReviewStatusArgsSchema, args);
    return this.signals.setReviewStatus<FeedbackRecord>('updateFeedbackReviewStatus', feedbackId, reviewStatus);
  }

  #analysis(signal: SignalTable, args: Record<string, unknown>): Analysis {
    const { filters, aggregation, comparePeriod, groupBy, interval } = args as Record<string, never>;
    const common = { signal, filters, aggregation, comparePeriod, groupBy, interval };
    if (signal === METRICS) {
      const names = args.name as string | string[];
      const key = Array.isArray(names) ? raw('s."name" IN (SELECT value FROM json_each(?))', JSON.stringify(names)) : raw('s."name" = ?', names);
      return { ...common, key, distinct: args.distinctColumn as string | undefined };
    }
    const [id, source] = signal === SCORES ? ['scorerId', 'scoreSource'] : ['feedbackType', 'feedbackSource'];
    const given = args[source!] as string | undefined;
    // Feedback analytics read numeric values only, as core's stores do.
    const numeric = signal === FEEDBACK ? ' AND s."valueNumber" IS NOT NULL' : '';
    const key = given ? raw(`s."${id}" = ? AND s."${source}" = ?${numeric}`, args[id!] as string, given) : raw(`s."${id}" = ?${numeric}`, args[id!] as string);
    return { ...common, key };
  }

  #seriesName(signal: SignalTable, args: Record<string, unknown>): string {
    if (signal === METRICS) return Array.isArray(args.name) ? args.name.join(',') : String(args.name);
    const [id, source] = signal === SCORES ? [args.scorerId, args.scoreSource] : [args.feedbackType, args.feedbackSource];
    return source ? `${id}|${source}` : String(id);
  }

  aggregate(operation: string, signal: SignalTable, schema: z.ZodType, args: unknown) {
    return this.analytics.aggregate(operation, this.#analysis(signal, parseArgs(operation, schema, args) as Record<string, unknown>));
  }

  breakdown(operation: string, signal: SignalTable, schema: z.ZodType, args: unknown) {
    const parsed = parseArgs(operation, schema, args) as Record<string, unknown>;
    const order = signal === METRICS ? { direction: parsed.orderDirection === 'ASC' ? 'ASC' : 'DESC', limit: typeof parsed.limit === 'number' ? parsed.limit : undefined } : { direction: 'DESC' };
    return this.analytics.breakdown(operation, { ...this.#analysis(signal, parsed), groupBy: parsed.groupBy as string[] }, order as { direction: 'ASC' | 'DESC' });
  }

  timeSeries(operation: string, signal: SignalTable, schema: z.ZodType, args: unknown) {
    const parsed = parseArgs(operation, schema, args) as Record<string, unknown>;
    return this.analytics.timeSeries(operation, this.#analysis(signal, parsed), this.#seriesName(signal, parsed));
  }

  percentiles(operation: string, signal: SignalTable, schema: z.ZodType, args: unknown) {
    const parsed = parseArgs(operation, schema, args) as Record<string, unknown>;
    return this.analytics.percentiles(operation, this.#analysis(signal, parsed), parsed.percentiles as number[]);
  }

  async #values(operation: string, statement: SqlStatement): Promise<string[]> {
    const rows = await storageOperation(operation, {}, () => this.ctx.driver.all<{ v: string }>(statement));
    return rows.map((row) => row.v);
  }

  get #contextTables(): string[] {
    return [this.ctx.tables(TABLE_SPANS), this.signals.table(LOGS), this.signals.table(METRICS)];
  }

  async getMetricNames(args: unknown) {
    const { prefix, limit } = parseArgs('getMetricNames', getMetricNamesArgsSchema, args ?? {});
    return { names: await this.#values('getMetricNames', discoverySql.metricNames(this.signals.table(METRICS), prefix, limit)) };
  }

  async getMetricLabelKeys(args: unknown) {
    const { metricName } = parseArgs('getMetricLabelKeys', getMetricLabelKeysArgsSchema, args);
    return { keys: await this.#values('getMetricLabelKeys', discoverySql.metricLabelKeys(this.signals.table(METRICS), metricName)) };
  }

  async getMetricLabelValues(args: unknown) {
    const { metricName, labelKey, prefix, limit } = parseArgs('getMetricLabelValues', getMetricLabelValuesArgsSchema, args);
    return { values: await this.#values('getMetricLabelValues', discoverySql.metricLabelValues(this.signals.table(METRICS), metricName, labelKey, prefix, limit)) };
  }

  async getEntityTypes() {
    return { entityTypes: (await this.#values('getEntityTypes', discoverySql.entityTypes(this.#contextTables))) as EntityType[] };
  }

  async getEntityNames(args: unknown) {
    const { entityType } = parseArgs('getEntityNames', getEntityNamesArgsSchema, args ?? {});
    return { names: await this.#values('getEntityNames', discoverySql.entityNames(this.#contextTables, entityType || undefined)) };
  }

  async getServiceNames() {
    return { serviceNames: await this.#values('getServiceNames', discoverySql.serviceNames(this.#contextTables)) };
  }

  async getEnvironments() {
    return { environments: await this.#values('getEnvironments', discoverySql.environments(this.#contextTables)) };
  }

  async getTags(args: unknown) {
    const { entityType } = parseArgs('getTags', getTagsArgsSchema, args ?? {});
    return { tags: await this.#values('getTags', discoverySql.tags(this.#contextTables, entityType || undefined)) };
  }
}
