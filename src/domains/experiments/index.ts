import {
  ExperimentsStorage,
  retentionCutoffMs,
  runRetentionBatches,
  TABLE_DATASET_ITEMS,
  TABLE_EXPERIMENT_RESULTS,
  TABLE_EXPERIMENTS,
  type AddExperimentResultInput,
  type CreateExperimentInput,
  type Experiment,
  type ExperimentResult,
  type ExperimentReviewCounts,
  type ExperimentTenancyFilters,
  type ListExperimentResultsInput,
  type ListExperimentResultsOutput,
  type ListExperimentsInput,
  type ListExperimentsOutput,
  type PruneOptions,
  type PruneResult,
  type TableRetentionPolicy,
  type UpdateExperimentInput,
  type UpdateExperimentResultInput,
  type UpsertExperimentResultInput,
} from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { isDuration } from '../../config';
import { notFoundError, storageOperation, userError } from '../../errors';
import { columnList, encodeRow } from '../../sql/codec';
import { prefixedName } from '../../sql/identifiers';
import { placeholders } from '../../sql/params';
import { eq, orderBy, raw, where, type Condition } from '../../sql/query';
import { D1Domain } from '../base';
import { listPage, rowsOf, setClause, tenancy } from '../datasets/shared';
import { requireText } from '../validation';
import { EXPERIMENTS_TABLE, experimentFromRow, RESULTS_TABLE, resultFromRow } from './schema';

const UPDATABLE = ['status', 'succeededCount', 'failedCount', 'totalItems', 'startedAt', 'completedAt', 'skippedCount', 'name', 'description', 'metadata'];
const RESULT_COLUMNS = Object.keys(RESULTS_TABLE.columns).filter((c) => c !== 'comment');
/** The payload a purged item's results never keep; `input` becomes JSON null, the rest NULL. */
const SCRUBBED = new Set(['input', 'output', 'groundTruth', 'error', 'tags', 'toolMockReport']);
/** Rows a prune batch removes when the policy names no `batchSize`, as in LibSQLStore. */
const PRUNE_BATCH = 1000;

/**
 * Experiment runs over datasets and their per-item results, with review (status, tags, comment). A result
 * written for an item that has been purged keeps none of its payload: the purge check sits inside the
 * same statement as the write, so no purge can slip between them.
 */
export class ExperimentsStorageD1 extends D1Domain(ExperimentsStorage, {
  key: 'experiments',
  tables: [EXPERIMENTS_TABLE, RESULTS_TABLE],
  retention: { tables: { experiments: { table: TABLE_EXPERIMENTS, column: 'completedAt', indexed: true } }, order: ['experiments'] },
}) {
  /** Creates a pending experiment; an id already in use is refused rather than replaced. */
  async createExperiment(input: CreateExperimentInput): Promise<Experiment> {
    const op = 'createExperiment';
    const id = input?.id === undefined ? crypto.randomUUID() : requireText(op, 'id', input.id);
    const now = new Date();
    const record = { ...input, id, status: 'pending', succeededCount: 0, failedCount: 0, skippedCount: 0, startedAt: null, completedAt: null, createdAt: now, updatedAt: now };
    const values = encodeRow(op, EXPERIMENTS_TABLE, record, { record: `experiment ${id}` });
    const [row] = await rowsOf(this.ctx, op, {
      sql: `INSERT INTO ${this.t(TABLE_EXPERIMENTS)} (${columnList(EXPERIMENTS_TABLE)}) VALUES (${placeholders(values.length)}) ON CONFLICT (id) DO NOTHING RETURNING *`,
      params: values,
    }, {});
    if (!row) throw userError(op, `Experiment ${id} already exists`, { id }, 'ALREADY_EXISTS');
    return experimentFromRow(row);
  }

  /** Changes the given fields (`undefined` keeps one) and returns the stored experiment. */
  async updateExperiment(input: UpdateExperimentInput): Promise<Experiment> {
    const op = 'updateExperiment';
    const id = requireText(op, 'id', input?.id);
    const set = setClause(op, EXPERIMENTS_TABLE, input, UPDATABLE, `experiment ${id}`);
    const [row] = await rowsOf(this.ctx, op, { sql: `UPDATE ${this.t(TABLE_EXPERIMENTS)}${set.sql} WHERE id = ? RETURNING *`, params: [...set.params, id] }, { idempotent: true });
    if (!row) throw notFoundError(op, `Experiment ${id} was not found`, { experimentId: id });
    return experimentFromRow(row);
  }

  async getExperimentById(args: { id: string; filters?: ExperimentTenancyFilters }): Promise<Experiment | null> {
    const op = 'getExperimentById';
    const scope = this.scope(op, args.id, args.filters);
    const [row] = await rowsOf(this.ctx, op, { sql: `SELECT * FROM ${this.t(TABLE_EXPERIMENTS)}${scope.sql}`, params: scope.params });
    return row ? experimentFromRow(row) : null;
  }

  async listExperiments(args: ListExperimentsInput): Promise<ListExperimentsOutput> {
    const op = 'listExperiments';
    const conditions = [
      ...(['datasetId', 'targetType', 'targetId', 'agentVersion', 'status'] as const).map((field) => eq(field, args?.[field] || undefined)),
      ...(['experimentSetId', 'comparisonId', 'variantId', 'trialIndex'] as const).map((field) => eq(field, args?.[field])),
      ...tenancy(op, args?.filters),
    ];
    const order = orderBy(op, { createdAt: 'createdAt', status: 'status' }, args?.orderBy, { field: 'createdAt', direction: 'DESC' });
    const { rows, pagination } = await listPage(this.ctx, op, { from: this.t(TABLE_EXPERIMENTS), conditions, order: order.sql, pagination: args?.pagination });
    return { experiments: rows.map(experimentFromRow), pagination };
  }

  /** Deletes an experiment (within the tenancy filters) and its results in one batch. */
  async deleteExperiment(args: { id: string; filters?: ExperimentTenancyFilters }): Promise<void> {
    const op = 'deleteExperiment';
    const scope = this.scope(op, args.id, args.filters);
    await storageOperation(op, { id: args.id }, () =>
      this.ctx.driver.batch([this.deleteResults(scope), { sql: `DELETE FROM ${this.t(TABLE_EXPERIMENTS)}${scope.sql}`, params: scope.params }], { idempotent: true }),
    );
  }

  async deleteExperimentResults(args: { experimentId: string; filters?: ExperimentTenancyFilters }): Promise<void> {
    const op = 'deleteExperimentResults';
    const scope = this.scope(op, args.experimentId, args.filters);
    await storageOperation(op, { experimentId: args.experimentId }, () => this.ctx.driver.run(this.deleteResults(scope), { idempotent: true }));
  }

  async addExperimentResult(input: AddExperimentResultInput): Promise<ExperimentResult> {
    const op = 'addExperimentResult';
    const { comment: _comment, ...result } = resultFromRow(await this.writeResult(op, input, input.id ?? crypto.randomUUID(), ''));
    return result as ExperimentResult;
  }

  /**
   * Writes the result of (experiment, item, attempt), replacing an earlier one; a purged item's result
   * also loses its review comment.
   */
  async upsertExperimentResult(input: UpsertExperimentResultInput): Promise<ExperimentResult> {
    const op = 'upsertExperimentResult';
    const updates = RESULT_COLUMNS.filter((c) => !['id', 'experimentId', 'itemId', 'createdAt'].includes(c)).map((c) => `"${c}" = excluded."${c}"`);
    const conflict = ` ON CONFLICT ("experimentId", "itemId", "attempt") DO UPDATE SET ${updates.join(', ')},
      comment = CASE WHEN ${this.purgedItem('excluded."experimentId"', 'excluded."itemId"').sql} THEN NULL ELSE comment END`;
    return resultFromRow(await this.writeResult(op, input, crypto.randomUUID(), conflict, true));
  }

  /** Sets a result's review status, tags and comment (`null` clears one); a purged item's result keeps no tags or comment. */
  async updateExperimentResult(input: UpdateExperimentResultInput): Promise<ExperimentResult> {
    const op = 'updateExperimentResult';
    const id = requireText(op, 'id', input?.id);
    const results = this.t(TABLE_EXPERIMENT_RESULTS);
    const purged = this.purgedItem(`${results}."experimentId"`, `${results}."itemId"`);
    const change = (column: string, value: unknown, scrub: boolean) =>
      raw(`"${column}" = CASE ${scrub ? `WHEN ${purged.sql} THEN NULL ` : ''}WHEN ? THEN ? ELSE "${column}" END`, value !== undefined, (column === 'tags' && value != null ? JSON.stringify(value) : value ?? null) as string | null);
    const sets = [change('status', input.status, false), change('tags', input.tags, true), change('comment', input.comment, true)];
    const filter = where([eq('id', id), eq('experimentId', input.experimentId || undefined)]);
    const [row] = await rowsOf(this.ctx, op, { sql: `UPDATE ${results} SET ${sets.map((s) => s.sql).join(', ')}${filter.sql} RETURNING *`, params: [...sets.flatMap((s) => s.params), ...filter.params] }, { idempotent: true });
    if (!row) throw notFoundError(op, `Experiment result ${id} was not found`, { resultId: id });
    return resultFromRow(row);
  }

  async getExperimentResultById(args: { id: string; filters?: ExperimentTenancyFilters }): Promise<ExperimentResult | null> {
    const op = 'getExperimentResultById';
    const filter = where([eq('id', requireText(op, 'id', args?.id)), ...tenancy(op, args.filters)]);
    const [row] = await rowsOf(this.ctx, op, { sql: `SELECT * FROM ${this.t(TABLE_EXPERIMENT_RESULTS)}${filter.sql}`, params: filter.params });
    return row ? resultFromRow(row) : null;
  }

  /** A page of an experiment's results, in run order by default, optionally by trace, status or every one of `tags`. */
  async listExperimentResults(args: ListExperimentResultsInput): Promise<ListExperimentResultsOutput> {
    const op = 'listExperimentResults';
    const conditions = [
      eq('experimentId', requireText(op, 'experimentId', args?.experimentId)),
      eq('traceId', args.traceId || undefined),
      eq('status', args.status || undefined),
      ...(args.tags ?? []).map((tag) => raw('EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)', tag)),
      ...tenancy(op, args.filters),
    ];
    const order = orderBy(op, { startedAt: 'startedAt', createdAt: 'createdAt' }, args.orderBy, { field: 'startedAt', direction: 'ASC' });
    const { rows, pagination } = await listPage(this.ctx, op, { from: this.t(TABLE_EXPERIMENT_RESULTS), conditions, order: order.sql, pagination: args.pagination });
    return { results: rows.map(resultFromRow), pagination };
  }

  /** Review counts per experiment that has results. */
  async getReviewSummary(): Promise<ExperimentReviewCounts[]> {
    const count = (status: string) => `SUM(CASE WHEN status = '${status}' THEN 1 ELSE 0 END)`;
    return (await rowsOf(this.ctx, 'getReviewSummary', {
      sql: `SELECT "experimentId", COUNT(*) AS total, ${count('needs-review')} AS "needsReview", ${count('reviewed')} AS reviewed, ${count('complete')} AS complete
        FROM ${this.t(TABLE_EXPERIMENT_RESULTS)} GROUP BY "experimentId" ORDER BY "experimentId"`,
      params: [],
    })) as unknown as ExperimentReviewCounts[];
  }

  /**
   * Deletes whole experiments completed before the policy's `maxAge` (running ones have no `completedAt`
   * and stay), each batch removing up to `batchSize` experiments and their results together.
   */
  override async prune(policies: Record<string, TableRetentionPolicy>, options?: PruneOptions): Promise<PruneResult[]> {
    const policy = policies?.experiments;
    if (!policy) return [];
    if (!isDuration(policy.maxAge)) throw userError('prune', 'retention.experiments.experiments.maxAge must be a duration', { field: 'retention.experiments.experiments.maxAge' });
    const cutoff = new Date(retentionCutoffMs(policy)).toISOString();
    const aged = `SELECT id FROM ${this.t(TABLE_EXPERIMENTS)} WHERE "completedAt" < ? ORDER BY "completedAt" LIMIT ?`;
    let children = 0;
    const { deleted, done } = await storageOperation('prune', { domain: 'experiments' }, () =>
      runRetentionBatches({
        batchSize: policy.batchSize ?? PRUNE_BATCH,
        options,
        deleteBatch: async (limit) => {
          const [results, experiments] = await this.ctx.driver.batch(
            [TABLE_EXPERIMENT_RESULTS, TABLE_EXPERIMENTS].map((table) => ({
              sql: `DELETE FROM ${this.t(table)} WHERE "${table === TABLE_EXPERIMENTS ? 'id' : 'experimentId'}" IN (${aged})`,
              params: [cutoff, limit],
            })),
            { idempotent: true },
          );
          children += results!.changes;
          return experiments!.changes;
        },
      }),
    );
    const table = (name: string) => prefixedName(this.ctx.tables.prefix, name);
    return [
      { domain: 'experiments', table: table(TABLE_EXPERIMENT_RESULTS), deleted: children, done },
      { domain: 'experiments', table: table(TABLE_EXPERIMENTS), deleted, done },
    ];
  }

  private t(table: string): string {
    return this.ctx.tables(table);
  }

  private scope(op: string, id: string, filters: ExperimentTenancyFilters | undefined): Condition {
    return where([eq('id', requireText(op, 'id', id)), ...tenancy(op, filters)]);
  }

  /** The results of the experiment `scope` selects. */
  private deleteResults(scope: Condition): SqlStatement {
    return { sql: `DELETE FROM ${this.t(TABLE_EXPERIMENT_RESULTS)} WHERE "experimentId" IN (SELECT id FROM ${this.t(TABLE_EXPERIMENTS)}${scope.sql})`, params: scope.params };
  }

  /** Whether the dataset item `item` of experiment `experiment` (SQL expressions) has been purged. */
  private purgedItem(experiment: string, item: string): Condition {
    return raw(`EXISTS (SELECT 1 FROM ${this.t(TABLE_EXPERIMENTS)} e JOIN ${this.t(TABLE_DATASET_ITEMS)} i ON i."datasetId" = e."datasetId" AND i.id = ${item}
      WHERE e.id = ${experiment} AND json_extract(i.metadata, '$.__purged') = 1)`);
  }

  /**
   * Inserts a result (`conflict` empty) or upserts it. The purge barrier is in the statement: when the
   * item is purged the payload columns are written empty and `metadata` is the item's purge marker.
   */
  private async writeResult(op: string, input: AddExperimentResultInput, id: string, conflict: string, idempotent = false): Promise<Record<string, unknown>> {
    const experimentId = requireText(op, 'experimentId', input?.experimentId);
    const itemId = requireText(op, 'itemId', input.itemId);
    const record = { ...input, id, attempt: input.attempt ?? 0, createdAt: new Date() };
    const values = encodeRow(op, RESULTS_TABLE, record, { columns: RESULT_COLUMNS, record: `result of item ${itemId} in experiment ${experimentId}` });
    const marker = `(SELECT json_object('__purged', json('true'), 'purgedAt', json_extract(i.metadata, '$.purgedAt')) FROM ${this.t(TABLE_EXPERIMENTS)} e
      JOIN ${this.t(TABLE_DATASET_ITEMS)} i ON i."datasetId" = e."datasetId" AND i.id = ? WHERE e.id = ? AND json_extract(i.metadata, '$.__purged') = 1 LIMIT 1)`;
    const select = RESULT_COLUMNS.map((c) => (c === 'metadata' ? 'coalesce(p.marker, ?)' : SCRUBBED.has(c) ? `CASE WHEN p.marker IS NULL THEN ? ELSE ${c === 'input' ? `'null'` : 'NULL'} END` : '?'));
    const [row] = await rowsOf(this.ctx, op, {
      sql: `INSERT INTO ${this.t(TABLE_EXPERIMENT_RESULTS)} (${columnList(RESULTS_TABLE, RESULT_COLUMNS)}) SELECT ${select.join(', ')} FROM (SELECT ${marker} AS marker) p WHERE true${conflict} RETURNING *`,
      params: [...values, itemId, experimentId],
    }, { idempotent });
    return row!;
  }
}
