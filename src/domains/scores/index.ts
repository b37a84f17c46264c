import { saveScorePayloadSchema, type ListScoresResponse, type SaveScorePayload, type ScoreRowData } from '@mastra/core/evals';
import { ScoresStorage, TABLE_SCORERS, type ListScoresByEntityIdInput, type ListScoresByRunIdInput, type ListScoresByScorerIdInput, type ListScoresBySpanInput, type ScoreTenancyFilters, type StoragePagination } from '@mastra/core/storage';
import type { D1DomainConfig } from '../../config';
import { storageOperation, userError } from '../../errors';
import { domainSetup, type DomainContext } from '../context';
import { pageWindow } from '../validation';
import { scoreFromRow, scoreToRow } from './rows';
import { SCORE_TABLES } from './schema';
import * as sql from './sql';

/** Evaluation scores, stored in D1. Every call is one round trip; a page and its total share one batch. */
export class ScoresStorageD1 extends ScoresStorage {
  /** The tables this domain creates. */
  static readonly tables = SCORE_TABLES;
  readonly #ctx: DomainContext;

  constructor(config: D1DomainConfig) {
    super();
    this.#ctx = domainSetup(config, SCORE_TABLES);
  }

  override init(): Promise<void> {
    return this.#ctx.init();
  }

  get #table(): string {
    return this.#ctx.tables(TABLE_SCORERS);
  }

  override async dangerouslyClearAll(): Promise<void> {
    await storageOperation('dangerouslyClearAll', {}, () => this.#ctx.driver.run(sql.deleteAllScores(this.#table), { idempotent: true }));
  }

  async getScoreById({ id }: { id: string }): Promise<ScoreRowData | null> {
    return storageOperation('getScoreById', { id }, async () => {
      const [row] = await this.#ctx.driver.all(sql.selectScore(this.#table, id));
      return row ? scoreFromRow(row) : null;
    });
  }

  /**
   * Validates the score with core's schema and saves it. A caller-supplied `id` replaces the score
   * stored under it (latest write wins); otherwise a new id is generated.
   */
  async saveScore(score: SaveScorePayload): Promise<{ score: ScoreRowData }> {
    const op = 'saveScore';
    const parsed = saveScorePayloadSchema.safeParse(score);
    if (!parsed.success) {
      throw userError(op, `Invalid score: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, {
        scorerId: typeof score?.scorerId === 'string' ? score.scorerId : null,
        entityId: typeof score?.entityId === 'string' ? score.entityId : null,
      });
    }
    const now = new Date();
    const saved = { ...parsed.data, id: parsed.data.id ?? crypto.randomUUID(), createdAt: now, updatedAt: now };
    const values = scoreToRow(op, saved);
    return storageOperation(op, { id: saved.id }, async () => {
      // The id is fixed before sending, so a retry replaces the same row rather than adding one.
      await this.#ctx.driver.run(sql.upsertScore(this.#table, values), { idempotent: true });
      return { score: saved as ScoreRowData };
    });
  }

  async listScoresByScorerId({ scorerId, entityId, entityType, source, pagination, filters }: ListScoresByScorerIdInput): Promise<ListScoresResponse> {
    // As in LibSQLStore, an empty optional filter is no filter.
    return this.#list('listScoresByScorerId', { scorerId: scorerId || undefined, entityId: entityId || undefined, entityType: entityType || undefined, source: source || undefined }, pagination, filters);
  }

  async listScoresByRunId({ runId, pagination, filters }: ListScoresByRunIdInput): Promise<ListScoresResponse> {
    return this.#list('listScoresByRunId', { runId }, pagination, filters);
  }

  async listScoresByEntityId({ entityId, entityType, pagination, filters }: ListScoresByEntityIdInput): Promise<ListScoresResponse> {
    return this.#list('listScoresByEntityId', { entityId, entityType }, pagination, filters);
  }

  override async listScoresBySpan({ traceId, spanId, pagination, filters }: ListScoresBySpanInput): Promise<ListScoresResponse> {
    return this.#list('listScoresBySpan', { traceId, spanId }, pagination, filters);
  }

  /** One page of scores matching `match` and the tenancy filters, newest first, with the total: one batch. */
  async #list(op: string, match: sql.ScoreFilters, pagination: StoragePagination, tenancy: ScoreTenancyFilters = {}): Promise<ListScoresResponse> {
    const { page } = pagination;
    const window = pageWindow(op, page, pagination.perPage ?? 100);
    const filters: sql.ScoreFilters = { ...match, organizationId: tenancy.organizationId, projectId: tenancy.projectId };
    return storageOperation(op, {}, async () => {
      const t = this.#table;
      const [count, rows] = await this.#ctx.driver.batch([sql.countScores(t, filters), sql.selectScores(t, filters, window)], { idempotent: true });
      const total = Number(count!.rows[0]?.total ?? 0);
      const end = window.perPage === false ? total : window.offset + window.perPage;
      return { scores: rows!.rows.map(scoreFromRow), pagination: { total, page, perPage: window.perPage, hasMore: end < total } };
    });
  }
}
