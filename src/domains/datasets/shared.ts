import type { PaginationInfo } from '@mastra/core/storage';
import { D1QueryError } from '../../client/errors';
import type { D1Value, SqlStatement, WriteOptions } from '../../client/types';
import { storageOperation } from '../../errors';
import { encodeValue } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { quoteIdentifier } from '../../sql/identifiers';
import { eq, hasMore, pageQuery, pageWindow, where, type Condition, type MaybeCondition, type PageWindow } from '../../sql/query';
import type { DomainContext } from '../base';
import { optionalText } from '../validation';

type Row = Record<string, unknown>;

// What the datasets and experiments domains share: tenancy filters, pagination answers, retries of a
// guarded batch that lost a race.

/** The tenancy scope core's datasets and experiments methods take. */
export interface TenancyFilters {
  organizationId?: string;
  projectId?: string;
}

/** `organizationId = ?` and `projectId = ?` for the filters given (none: every tenant). */
export function tenancy(operation: string, filters: TenancyFilters | undefined, alias = ''): (Condition | undefined)[] {
  return [
    eq(`${alias}organizationId`, optionalText(operation, 'filters.organizationId', filters?.organizationId)),
    eq(`${alias}projectId`, optionalText(operation, 'filters.projectId', filters?.projectId)),
  ];
}

function pagination(window: PageWindow, total: number, perPage: unknown): PaginationInfo {
  if (total === 0) return { total: 0, page: window.page, perPage: perPage as number | false, hasMore: false };
  return { total, page: window.page, perPage: window.perPage, hasMore: hasMore(window, total) };
}

/** The rows of one read, or of a write's RETURNING when `write` options are given, with the operation's error id. */
export function rowsOf(ctx: DomainContext, op: string, statement: SqlStatement, write?: WriteOptions): Promise<Row[]> {
  return storageOperation(op, {}, async () => (write ? (await ctx.driver.run(statement, write)).rows : ctx.driver.all(statement)));
}

/**
 * One page of `SELECT * FROM <from>` and its total, in one round trip, with the pagination LibSQLStore
 * reports (an empty list echoes the `perPage` asked for).
 */
export async function listPage(
  ctx: DomainContext,
  op: string,
  query: { from: string; conditions: MaybeCondition[]; order: string; pagination: { page: number; perPage?: number | false } | undefined },
): Promise<{ rows: Row[]; pagination: PaginationInfo }> {
  const window = pageWindow(op, query.pagination?.page, query.pagination?.perPage);
  const { rows, total } = await storageOperation(op, {}, () => pageQuery(ctx.driver, { select: '*', from: query.from, where: where(query.conditions), order: query.order, window }));
  return { rows, pagination: pagination(window, total, query.pagination?.perPage) };
}

/**
 * `SET "updatedAt" = ?, <field> = ?, ...` for the `fields` given in `input`: a field left `undefined` keeps
 * its value, `null` clears it (as LibSQLStore's updates do). `record` names the row in errors.
 */
export function setClause(operation: string, spec: TableSpec, input: object, fields: readonly string[], record: string): { sql: string; params: D1Value[] } {
  const given = fields.filter((field) => (input as Record<string, unknown>)[field] !== undefined);
  const values = given.map((field) => encodeValue(operation, spec.columns[field]!.type, (input as Record<string, unknown>)[field], `${field} of ${record}`));
  return { sql: ` SET ${['updatedAt', ...given].map((c) => `${quoteIdentifier(c)} = ?`).join(', ')}`, params: [new Date().toISOString(), ...values] };
}

const ATTEMPTS = 8;

/**
 * Runs a read-compute-write `attempt` again when its batch lost a race (its guard, or a unique sentinel,
 * aborted it, so nothing was written), after a short random pause so two writers do not collide twice.
 */
export async function retryOnConflict<T>(isConflict: (message: string) => boolean, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= ATTEMPTS || !(error instanceof D1QueryError) || !isConflict(error.message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * tries));
    }
  }
}
