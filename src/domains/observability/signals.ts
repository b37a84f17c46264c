import type { SqlStatement } from '../../client/types';
import { notFoundError, storageOperation, userError } from '../../errors';
import { columnList } from '../../sql/codec';
import { jsonList } from '../../sql/params';
import { and, eq, orderBy, pageQuery, pageWindow, raw, where, type MaybeCondition } from '../../sql/query';
import type { DomainContext } from '../base';
import { cursorValue, deltaPage } from './cursors';
import { insertStatements, recordColumns, toRecord } from './signal-rows';
import { signalConditions } from './signal-filters';
import { FEEDBACK, SIGNAL_TABLES, type SignalTable } from './signal-tables';

type Row = Record<string, unknown>;
type Scope = { organizationId?: string; resourceId?: string };

/** A list request as core's `normalizeObservabilityListArgs` leaves it. */
export interface ListRequest {
  mode: 'page' | 'delta';
  filters?: Record<string, unknown>;
  pagination: { page: number; perPage: number };
  orderBy: { field?: unknown; direction?: unknown };
  after?: string;
  limit: number;
}

const tenant = (scope: Scope): MaybeCondition[] => [eq('organizationId', scope.organizationId), eq('resourceId', scope.resourceId)];

/**
 * Writes, lists, reads and deletes of the four signal tables, each ONE round trip. Built on a domain's
 * context; the domain class only delegates.
 */
export class Signals {
  constructor(private readonly ctx: DomainContext) {}

  table(signal: SignalTable): string {
    return this.ctx.tables(signal.spec.name);
  }

  /** Inserts a whole exporter batch in one batch of statements; ids already stored are kept as they are. */
  async create(operation: string, signal: SignalTable, records: unknown): Promise<void> {
    if (!Array.isArray(records)) throw userError(operation, 'records must be an array', { field: 'records' });
    if (records.length === 0) return;
    const statements = insertStatements(operation, this.table(signal), signal, records);
    await storageOperation(operation, { records: records.length }, () => this.ctx.driver.batch(statements, { idempotent: true }));
  }

  /**
   * A page (with its total and the newest matching cursor) or a delta poll (rows stored after the
   * cursor, oldest first). Both are one batch.
   */
  async list<T>(operation: string, signal: SignalTable, request: ListRequest, sortable: Record<string, string>) {
    const table = this.table(signal);
    const from = `${table} AS s`;
    const conditions = signalConditions(signal, request.filters);
    const filter = where(conditions);
    const newest: SqlStatement = {
      sql: `SELECT (SELECT MAX("cursorId") FROM ${from}${filter.sql}) AS matching, (SELECT MAX("cursorId") FROM ${table}) AS stream`,
      params: filter.params,
    };
    const select = columnList(signal.spec, ['cursorId', ...recordColumns(signal)]);
    if (request.mode === 'delta') return this.#delta<T>(operation, signal, request, { from, conditions, select, newest });
    const window = pageWindow(operation, request.pagination.page, request.pagination.perPage);
    const order = orderBy(operation, sortable, request.orderBy, { field: 'timestamp', direction: 'DESC' }, 'cursorId').sql;
    const page = await storageOperation(operation, { page: window.page }, () =>
      pageQuery(this.ctx.driver, { select, from, where: filter, order, window, extra: [newest] }),
    );
    return {
      records: page.rows.map((row) => toRecord<T>(signal, row)),
      pagination: { total: page.total, page: window.page, perPage: request.pagination.perPage, hasMore: page.hasMore },
      deltaCursor: String(page.extras[0]![0]?.matching ?? 0),
    };
  }

  async #delta<T>(operation: string, signal: SignalTable, request: ListRequest, q: { from: string; conditions: MaybeCondition[]; select: string; newest: SqlStatement }) {
    const limit = request.limit;
    const after = request.after === undefined ? undefined : cursorValue(request.after);
    const statements: SqlStatement[] = [q.newest];
    if (after !== undefined) {
      const filter = where([...q.conditions, raw('"cursorId" > ?', after)]);
      statements.push({ sql: `SELECT ${q.select} FROM ${q.from}${filter.sql} ORDER BY "cursorId" ASC LIMIT ?`, params: [...filter.params, limit + 1] });
    }
    const [newest, page] = await storageOperation(operation, { after: request.after ?? null }, () => this.ctx.driver.batch(statements, { idempotent: true }));
    const { rows, delta, deltaCursor } = deltaPage(page?.rows ?? [], limit, newest!.rows[0]?.matching ?? newest!.rows[0]?.stream);
    return { records: rows.map((row) => toRecord<T>(signal, row)), delta, deltaCursor };
  }

  /** One record by its signal id, or null. */
  async get<T>(operation: string, signal: SignalTable, id: string): Promise<T | null> {
    const statement = { sql: `SELECT ${columnList(signal.spec, recordColumns(signal))} FROM ${this.table(signal)} WHERE ${JSON.stringify(signal.id)} = ?`, params: [id] };
    const rows = await storageOperation(operation, { id }, () => this.ctx.driver.all<Row>(statement));
    return rows[0] ? toRecord<T>(signal, rows[0]) : null;
  }

  /** Deletes records by id within the tenant scope; unknown ids are ignored and an empty list is a no-op. */
  async delete(operation: string, signal: SignalTable, ids: readonly string[], scope: Scope): Promise<void> {
    if (ids.length === 0) return;
    const filter = where([raw(`${JSON.stringify(signal.id)} IN (SELECT value FROM json_each(?))`, jsonList(ids)), ...tenant(scope)]);
    await storageOperation(operation, { ids: ids.length }, () => this.ctx.driver.run({ sql: `DELETE FROM ${this.table(signal)}${filter.sql}`, params: filter.params }, { idempotent: true }));
  }

  /** Sets a feedback record's review status and returns the record; an unknown id is a NOT_FOUND USER error. */
  async setReviewStatus<T>(operation: string, feedbackId: string, reviewStatus: string): Promise<T> {
    const statement = {
      sql: `UPDATE ${this.table(FEEDBACK)} SET "reviewStatus" = ? WHERE "feedbackId" = ? RETURNING ${columnList(FEEDBACK.spec, recordColumns(FEEDBACK))}`,
      params: [reviewStatus, feedbackId],
    };
    const { rows } = await storageOperation(operation, { feedbackId }, () => this.ctx.driver.run<Row>(statement, { idempotent: true }));
    if (!rows[0]) throw notFoundError(operation, `Feedback ${feedbackId} not found`, { feedbackId });
    return toRecord<T>(FEEDBACK, rows[0]);
  }

  /** The statements deleting every signal linked to the traces (a JSON list), each within the tenant scope. */
  deleteForTraces(traceIdsJson: string, scope: Scope): SqlStatement[] {
    return SIGNAL_TABLES.map((signal) => {
      const filter = and([raw('"traceId" IN (SELECT value FROM json_each(?))', traceIdsJson), ...tenant(scope)]);
      return { sql: `DELETE FROM ${this.table(signal)} WHERE ${filter.sql}`, params: filter.params };
    });
  }
}
