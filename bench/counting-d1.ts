/**
 * A D1 binding wrapper that counts what a storage adapter sends and can add latency to each
 * round trip. Both packages under test talk to a binding, so wrapping the binding (not a driver)
 * measures them the same way.
 */

/** What a wrapped binding saw since the last `reset()`. */
export interface Tally {
  /** Calls that cross the network in production: each run/all/first/raw, each batch, each exec. */
  roundTrips: number;
  /** SQL statements executed; a batch counts each of its statements. */
  statements: number;
  /** Bound parameters across all statements. */
  params: number;
  /** The most parameters any one statement bound (D1 allows 100). */
  maxParams: number;
  /** Rows D1 reports it read (`meta.rows_read`): what D1 bills, and what a missing index inflates. */
  rowsRead: number;
}

/** A binding-shaped object plus its counters and latency knob. */
export interface CountingD1 {
  /** Pass this as `binding` to either store. */
  readonly binding: D1Like;
  readonly tally: Tally;
  /** Added before every round trip; 0 turns it off. */
  delayMs: number;
  /** Every statement sent, in order (batch members included), for query-plan checks. */
  readonly sqlLog: LoggedStatement[];
  reset(): void;
}

/** One statement as it was sent. */
export interface LoggedStatement {
  sql: string;
  params: unknown[];
}

/** The binding surface both packages use. Typed loosely: Miniflare's proxy and Workers' types differ. */
export interface D1Like {
  prepare(sql: string): StatementLike;
  batch(statements: StatementLike[]): Promise<unknown[]>;
  exec(sql: string): Promise<unknown>;
}

interface StatementLike {
  bind(...values: unknown[]): StatementLike;
  run(): Promise<unknown>;
  all(): Promise<unknown>;
  first(column?: string): Promise<unknown>;
  raw(options?: unknown): Promise<unknown>;
}

interface D1Result {
  results?: unknown[];
  meta?: { rows_read?: number };
}

/** Our wrapper statement keeps the real one, so `batch` can hand the real ones to the binding. */
interface CountedStatement extends StatementLike {
  readonly inner: StatementLike;
  readonly sql: string;
  readonly params: unknown[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wraps a D1 binding (e.g. Miniflare's `getD1Database()` proxy). */
export function countingD1(db: D1Like): CountingD1 {
  const tally: Tally = { roundTrips: 0, statements: 0, params: 0, maxParams: 0, rowsRead: 0 };
  const sqlLog: LoggedStatement[] = [];
  async function roundTrip<T>(statements: LoggedStatement[], send: () => Promise<T>): Promise<T> {
    tally.roundTrips += 1;
    for (const { sql, params } of statements) {
      tally.statements += 1;
      tally.params += params.length;
      tally.maxParams = Math.max(tally.maxParams, params.length);
      sqlLog.push({ sql, params });
    }
    if (state.delayMs > 0) await sleep(state.delayMs);
    const result = await send();
    for (const one of Array.isArray(result) ? result : [result]) tally.rowsRead += Number((one as D1Result)?.meta?.rows_read ?? 0);
    return result;
  }

  // first() returns no meta, so it runs as all(): D1 executes the same query either way.
  const firstOf = (result: D1Result, column?: string) => {
    const row = (result.results?.[0] ?? null) as Record<string, unknown> | null;
    return column === undefined || row === null ? row : (row[column] ?? null);
  };

  function wrap(inner: StatementLike, sql: string, params: unknown[]): CountedStatement {
    const self = [{ sql, params }];
    return {
      inner,
      sql,
      params,
      bind: (...values) => wrap(inner.bind(...values), sql, values),
      run: () => roundTrip(self, () => inner.run()),
      all: () => roundTrip(self, () => inner.all()),
      first: async (column) => firstOf((await roundTrip(self, () => inner.all())) as D1Result, column),
      raw: (options) => roundTrip(self, () => inner.raw(options)),
    };
  }

  const binding: D1Like = {
    prepare: (sql) => wrap(db.prepare(sql), sql, []),
    batch: (statements) => {
      const counted = statements as CountedStatement[];
      return roundTrip(counted, () => db.batch(counted.map((s) => s.inner)));
    },
    exec: (sql) => {
      // exec runs one statement per line, in one call.
      const lines = sql.split('\n').filter((line) => line.trim() !== '');
      return roundTrip(lines.map((line) => ({ sql: line, params: [] })), () => db.exec(sql));
    },
  };

  const state: CountingD1 = {
    binding,
    tally,
    delayMs: 0,
    sqlLog,
    reset() {
      tally.roundTrips = 0;
      tally.statements = 0;
      tally.params = 0;
      tally.maxParams = 0;
      tally.rowsRead = 0;
      sqlLog.length = 0;
    },
  };
  return state;
}
