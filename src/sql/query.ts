import type { D1Driver, D1Value, SqlStatement } from '../client/types';
import { userError } from '../errors';
import { quoteIdentifier } from './identifiers';

/** A SQL condition with its bound parameters; `sql` is written in code, every value is in `params`. */
export interface Condition {
  sql: string;
  params: D1Value[];
}

/** A condition, or nothing when a filter was left out. */
export type MaybeCondition = Condition | undefined | null | false;

/** `column = ?` when `value` is given; an `undefined` filter matches everything. */
export function eq(column: string, value: D1Value | undefined): Condition | undefined {
  return value === undefined ? undefined : { sql: `${quoteIdentifier(column)} = ?`, params: [value] };
}

/** `column <op> ?` when `value` is given, for ranges (`>=`, `<`, ...). */
export function compare(column: string, op: '<' | '<=' | '>' | '>=', value: D1Value | undefined): Condition | undefined {
  return value === undefined ? undefined : { sql: `${quoteIdentifier(column)} ${op} ?`, params: [value] };
}

/** A condition written by hand, e.g. over a JSON path: `sql` from code, `params` bound. */
export function raw(sql: string, ...params: D1Value[]): Condition {
  return { sql, params };
}

/** The given conditions joined with AND; a condition that is absent is skipped. */
export function and(conditions: readonly MaybeCondition[]): Condition {
  const present = conditions.filter((c): c is Condition => Boolean(c));
  return { sql: present.map((c) => (present.length > 1 ? `(${c.sql})` : c.sql)).join(' AND '), params: present.flatMap((c) => c.params) };
}

/** ` WHERE a AND b` over the present conditions, or an empty clause when none is. */
export function where(conditions: readonly MaybeCondition[]): Condition {
  const joined = and(conditions);
  return joined.sql ? { sql: ` WHERE ${joined.sql}`, params: joined.params } : { sql: '', params: [] };
}

/** A sort direction as SQL. */
export type Direction = 'ASC' | 'DESC';

/** What a caller asked to sort by, as core's list inputs carry it. */
export interface OrderByInput {
  field?: unknown;
  direction?: unknown;
}

const DIRECTIONS: Readonly<Record<string, Direction>> = { ASC: 'ASC', DESC: 'DESC' };
const own = (table: object, key: unknown): key is string => typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key);

/**
 * `ORDER BY` for a caller's choice of field and direction. Both go through own-property tables (never
 * `key in table`, which lets `constructor` or `toString` through), so anything else is a USER error and no
 * input reaches the SQL text. `fields` maps each sortable field to its column. Ties are broken by `tieBreak`
 * ascending whatever the direction, as core's `compareByField` and LibSQLStore do, so pages never overlap.
 */
export function orderBy(
  operation: string,
  fields: Readonly<Record<string, string>>,
  input: OrderByInput | undefined,
  defaults: { field: string; direction: Direction },
  tieBreak = 'id',
): { sql: string; field: string; direction: Direction } {
  const field = input?.field ?? defaults.field;
  const direction = input?.direction ?? defaults.direction;
  if (!own(fields, field)) throw userError(operation, `orderBy.field must be one of ${Object.keys(fields).join(', ')}`, { field: String(field) });
  if (!own(DIRECTIONS, direction)) throw userError(operation, 'orderBy.direction must be ASC or DESC', { direction: String(direction) });
  const column = quoteIdentifier(fields[field]!);
  const tie = quoteIdentifier(tieBreak);
  const sql = column === tie ? `${column} ${DIRECTIONS[direction]}` : `${column} ${DIRECTIONS[direction]}, ${tie} ASC`;
  return { sql, field, direction: DIRECTIONS[direction]! };
}

/** Where a page starts and how many rows it takes; `limit` is -1 (SQLite's "no limit") for `perPage: false`. */
export interface PageWindow {
  page: number;
  offset: number;
  limit: number;
  /** `perPage` as the response reports it (`false` for "all"). */
  perPage: number | false;
}

/**
 * Checks `page` (an integer >= 0) and `perPage` (an integer >= 0, or `false` for every row) and computes
 * the window. `strict` adds core's rule that `page` must be 0 with `perPage: false` (LibSQLStore applies
 * it to thread lists but not to message lists).
 */
export function pageWindow(
  operation: string,
  page: unknown,
  perPage: unknown,
  { defaultPerPage = 100, strict = false }: { defaultPerPage?: number; strict?: boolean } = {},
): PageWindow {
  if (typeof page !== 'number' || !Number.isSafeInteger(page) || page < 0) {
    throw userError(operation, 'page must be an integer >= 0', { page: String(page) });
  }
  const size = perPage === undefined ? defaultPerPage : perPage;
  if (size !== false && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
    throw userError(operation, 'perPage must be false or an integer >= 0', { perPage: String(perPage) });
  }
  if (size === false) {
    if (strict && page !== 0) throw userError(operation, 'page must be 0 when perPage is false', { page });
    return { page, offset: 0, limit: -1, perPage: false };
  }
  if (!Number.isSafeInteger(page * size)) throw userError(operation, 'page value too large', { page });
  return { page, offset: page * size, limit: size, perPage: size };
}

/** Whether rows exist past this page: the one `hasMore` rule of every paged list. */
export function hasMore(window: PageWindow, total: number): boolean {
  return window.perPage !== false && window.offset + window.perPage < total;
}

/** A page of rows with the total number of matches. */
export interface Page<Row> {
  rows: Row[];
  total: number;
  hasMore: boolean;
}

/**
 * One page and the total count in ONE round trip: a batch of `SELECT COUNT(*)` and the page query over the
 * same `FROM ... WHERE` (just the page for `perPage: false`, whose length is the total). `from` is the table (or join) and its WHERE clause; `select` the column list;
 * `order` an ORDER BY body from `orderBy()`. `extra` statements ride in the same batch (their results
 * come back in `extras`), e.g. the context messages of a message page.
 */
export async function pageQuery<Row = Record<string, unknown>>(
  driver: D1Driver,
  query: { select: string; from: string; where: Condition; order: string; window: PageWindow; extra?: readonly SqlStatement[] },
): Promise<Page<Row> & { extras: Record<string, unknown>[][] }> {
  const { select, from, where: filter, order, window } = query;
  // With `perPage: false` the page is every match, so its length is the total and no COUNT is sent.
  const counted = window.perPage !== false;
  const statements: SqlStatement[] = [
    ...(counted ? [{ sql: `SELECT COUNT(*) AS total FROM ${from}${filter.sql}`, params: filter.params }] : []),
    { sql: `SELECT ${select} FROM ${from}${filter.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, params: [...filter.params, window.limit, window.offset] },
    ...(query.extra ?? []),
  ];
  const results = await driver.batch(statements, { idempotent: true });
  const [page, ...extras] = counted ? results.slice(1) : results;
  const total = counted ? Number(results[0]!.rows[0]?.total ?? 0) : page!.rows.length;
  return { rows: page!.rows as Row[], total, hasMore: hasMore(window, total), extras: extras.map((r) => r.rows) };
}
