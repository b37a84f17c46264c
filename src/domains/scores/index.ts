import { saveScorePayloadSchema, type ListScoresResponse, type SaveScorePayload, type ScoreRowData } from '@mastra/core/evals';
import { ScoresStorage, TABLE_SCORERS, type ListScoresByEntityIdInput, type ListScoresByRunIdInput, type ListScoresByScorerIdInput, type ListScoresBySpanInput, type ScoreTenancyFilters, type StoragePagination } from '@mastra/core/storage';
import { storageOperation, userError } from '../../errors';
import { D1Domain } from '../base';
import { optionalText, requireText } from '../validation';
import { pageQuery, pageWindow } from '../../sql/query';
import { scoreFromRow, scoreToRow } from './rows';
import { SCORE_TABLES } from './schema';
import * as sql from './sql';

/** Evaluation scores, stored in D1. Every call is one round trip; a page and its total share one batch. */
export class ScoresStorageD1 extends D1Domain(ScoresStorage, {
  key: 'scores',
  tables: SCORE_TABLES,
  retention: { tables: { scorers: { table: TABLE_SCORERS, column: 'createdAt', indexed: true } }, order: ['scorers'] },
}) {

  get #table(): string {
    return this.ctx.tables(TABLE_SCORERS);
  }

  async getScoreById(args: { id: string }): Promise<ScoreRowData | null> {
    const id = requireText('getScoreById', 'id', args?.id);
    return storageOperation('getScoreById', { id }, async () => {
      const [row] = await this.ctx.driver.all(sql.selectScore(this.#table, id));
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
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      const details = {
        scorerId: typeof score?.scorerId === 'string' ? score.scorerId : null,
        entityId: typeof score?.entityId === 'string' ? score.entityId : null,
      };
      // The id ends in VALIDATION_FAILED, as in `@mastra/cloudflare-d1` and LibSQLStore.
      throw userError(op, `Invalid score: ${issues}`, details, 'VALIDATION_FAILED');
    }
    const now = new Date();
    const saved = { ...parsed.data, id: parsed.data.id ?? crypto.randomUUID(), createdAt: now, updatedAt: now };
    const values = scoreToRow(op, saved);
    return storageOperation(op, { id: saved.id }, async () => {
      // The id is fixed before sending, so a retry replaces the same row rather than adding one.
      await this.ctx.driver.run(sql.replaceScore(this.#table, values), { idempotent: true });
      return { score: saved as ScoreRowData };
    });
  }

  async listScoresByScorerId(input: ListScoresByScorerIdInput): Promise<ListScoresResponse> {
    const op = 'listScoresByScorerId';
    // As in LibSQLStore, an empty filter is no filter.
    const optional = (field: 'scorerId' | 'entityId' | 'entityType' | 'source') => optionalText(op, field, input?.[field]) || undefined;
    return this.#list(op, { scorerId: optional('scorerId'), entityId: optional('entityId'), entityType: optional('entityType'), source: optional('source') }, input);
  }

  async listScoresByRunId(input: ListScoresByRunIdInput): Promise<ListScoresResponse> {
    const op = 'listScoresByRunId';
    return this.#list(op, { runId: requireText(op, 'runId', input?.runId) }, input);
  }

  async listScoresByEntityId(input: ListScoresByEntityIdInput): Promise<ListScoresResponse> {
    const op = 'listScoresByEntityId';
    return this.#list(op, { entityId: requireText(op, 'entityId', input?.entityId), entityType: requireText(op, 'entityType', input?.entityType) }, input);
  }

  override async listScoresBySpan(input: ListScoresBySpanInput): Promise<ListScoresResponse> {
    const op = 'listScoresBySpan';
    return this.#list(op, { traceId: requireText(op, 'traceId', input?.traceId), spanId: requireText(op, 'spanId', input?.spanId) }, input);
  }

  /** One page of scores matching `match` and the tenancy filters, newest first, with the total: one batch. */
  async #list(op: string, match: sql.ScoreFilters, input: { pagination: StoragePagination; filters?: ScoreTenancyFilters }): Promise<ListScoresResponse> {
    const { page, perPage = 100 } = input.pagination ?? {};
    const window = pageWindow(op, page, perPage);
    const tenancy = input.filters ?? {};
    const filters: sql.ScoreFilters = {
      ...match,
      organizationId: optionalText(op, 'filters.organizationId', tenancy.organizationId),
      projectId: optionalText(op, 'filters.projectId', tenancy.projectId),
    };
    return storageOperation(op, {}, async () => {
      const { rows, total, hasMore } = await pageQuery(this.ctx.driver, { select: sql.SCORE_COLUMNS, from: this.#table, where: sql.scoreWhere(filters), order: sql.SCORE_ORDER, window });
      return { scores: rows.map(scoreFromRow), pagination: { total, page, perPage: window.perPage, hasMore } };
    });
  }
}
