import type { D1DatabaseLike, D1PreparedStatementLike, D1RawResult } from '../../src/client/types';
import { MAX_BOUND_PARAMS, MAX_SQL_BYTES } from '../../src/sql/params';

/** The transient messages Cloudflare says are worth retrying (see d1-facts.md), as D1 words them. */
export const TRANSIENT_D1_MESSAGES = [
  'D1_ERROR: Network connection lost.',
  'D1_ERROR: Durable Object storage caused object to be reset.',
  'D1_ERROR: Durable Object reset because its code was updated.',
  'D1_ERROR: Cannot resolve D1 DB due to transient issue on remote node.',
  'D1_ERROR: Internal error: client disconnected.',
] as const;

/** Errors that must never be retried: the statement was rejected and will be rejected again. */
export const PERMANENT_D1_MESSAGES = [
  'D1_ERROR: UNIQUE constraint failed: injected.id: SQLITE_CONSTRAINT',
  'D1_ERROR: near "injected": syntax error at offset 0: SQLITE_ERROR',
] as const;

/**
 * Where and how to fail. Positions are 1-based and counted from the moment the fault is armed.
 * Without `message`, the statement is swapped for one that D1 itself rejects (a missing table), so
 * the rollback of a failing batch is real D1 behaviour, not a simulation.
 */
export interface FaultSpec {
  /** Fail the k-th statement executed (statements inside a batch count one by one). */
  statement?: number;
  /** Fail the k-th round trip (one `all()` or one `batch()`). */
  roundTrip?: number;
  /** Throw this text instead of letting D1 fail. */
  message?: string;
  /** With `message`: run the round trip for real first, then throw (the write applied; the reply was lost). */
  afterExecute?: boolean;
  /** With `message`: fail this many consecutive round trips from the chosen one on. Default 1. */
  repeat?: number;
}

/** A statement over 100 bound parameters or 100,000 bytes of SQL, caught before D1 saw it. */
export interface LimitViolation {
  sql: string;
  params: number;
  sqlBytes: number;
}

/** Counts across the wrapper's life, for assertions and for the suite's figures. */
export interface FaultCounters {
  statements: number;
  roundTrips: number;
  faultsInjected: number;
  /** The widest and longest statements seen within the limits (violations are listed, not counted here). */
  maxParams: number;
  maxSqlBytes: number;
}

/** A D1 binding that can fail on command, and that checks D1's per-statement limits on every statement. */
export interface FaultyD1 {
  readonly db: D1DatabaseLike;
  readonly counters: FaultCounters;
  readonly violations: readonly LimitViolation[];
  /** Whether any statement run so far had this text in its SQL (input must travel as parameters, never as SQL). */
  sqlContains(fragment: string): boolean;
  /** Returns the violations so far and forgets them (for tests that break the limits on purpose). */
  takeViolations(): LimitViolation[];
  /** Arms one fault; statement and round-trip positions restart from zero. */
  arm(spec: FaultSpec): void;
  /** Drops any armed fault that has not fired. */
  disarm(): void;
  /** Whether the armed fault fired (and finished repeating). */
  readonly fired: boolean;
  /** Statements and round trips since the last `arm()` or `mark()`. */
  since(): { statements: number; roundTrips: number };
  /** Restarts the `since()` counts without arming anything. */
  mark(): void;
}

const FAILING_SQL = 'SELECT * FROM "__injected_fault__"';

interface Pending {
  sql: string;
  params: unknown[];
}

class LazyStatement implements D1PreparedStatementLike {
  constructor(
    readonly pending: Pending,
    private readonly runAll: (statement: LazyStatement) => Promise<D1RawResult>,
  ) {}
  bind(...values: unknown[]): D1PreparedStatementLike {
    return new LazyStatement({ sql: this.pending.sql, params: values }, this.runAll);
  }
  all(): Promise<D1RawResult> {
    return this.runAll(this);
  }
}

/**
 * Wraps a D1 binding. Statements are prepared lazily so that the wrapper sees each one whole (SQL and
 * parameters) at the moment it runs, decides whether this is where the armed fault strikes, and then
 * hands the real statements to the real D1.
 */
export function faultyD1(inner: D1DatabaseLike): FaultyD1 {
  const counters: FaultCounters = { statements: 0, roundTrips: 0, faultsInjected: 0, maxParams: 0, maxSqlBytes: 0 };
  const violations: LimitViolation[] = [];
  // Distinct SQL texts only: with values bound, a whole suite produces a few hundred.
  const sqlSeen = new Set<string>();
  let armed: (FaultSpec & { left: number }) | undefined;
  let fired = false;
  let statementsSince = 0;
  let roundTripsSince = 0;

  function checkLimits(statements: Pending[]) {
    for (const { sql, params } of statements) {
      sqlSeen.add(sql);
      const sqlBytes = Buffer.byteLength(sql, 'utf8');
      if (params.length > MAX_BOUND_PARAMS || sqlBytes > MAX_SQL_BYTES) {
        violations.push({ sql: sql.slice(0, 200), params: params.length, sqlBytes });
        continue;
      }
      counters.maxParams = Math.max(counters.maxParams, params.length);
      counters.maxSqlBytes = Math.max(counters.maxSqlBytes, sqlBytes);
    }
  }

  /** Which statement of this round trip the fault hits (-1: the whole round trip; undefined: none). */
  function strike(statements: Pending[]): number | undefined {
    const firstStatement = statementsSince + 1;
    roundTripsSince += 1;
    statementsSince += statements.length;
    if (!armed) return undefined;
    if (armed.roundTrip !== undefined) {
      if (roundTripsSince < armed.roundTrip) return undefined;
      return -1;
    }
    if (armed.statement !== undefined && armed.statement >= firstStatement && armed.statement <= statementsSince) {
      return armed.statement - firstStatement;
    }
    if (armed.statement !== undefined && armed.message && armed.left < (armed.repeat ?? 1)) return -1;
    return undefined;
  }

  function consume() {
    counters.faultsInjected += 1;
    armed!.left -= 1;
    if (armed!.left <= 0) {
      armed = undefined;
      fired = true;
    }
  }

  const real = (s: Pending) => inner.prepare(s.sql).bind(...s.params);

  async function execute(statements: Pending[], single: boolean): Promise<D1RawResult[]> {
    checkLimits(statements);
    counters.roundTrips += 1;
    counters.statements += statements.length;
    const hit = strike(statements);
    if (hit === undefined) return single ? [await real(statements[0]!).all()] : inner.batch(statements.map(real));

    const spec = armed!;
    consume();
    if (!spec.message) {
      // D1 itself fails the chosen statement, rolling back the rest of its batch.
      const swapped = statements.map((s, i) => (i === Math.max(hit, 0) ? { sql: FAILING_SQL, params: [] } : s));
      return single ? [await real(swapped[0]!).all()] : inner.batch(swapped.map(real));
    }
    if (spec.afterExecute) {
      if (single) await real(statements[0]!).all();
      else await inner.batch(statements.map(real));
    }
    throw new Error(spec.message);
  }

  const db: D1DatabaseLike = {
    prepare: (sql: string) => new LazyStatement({ sql, params: [] }, async (s) => (await execute([s.pending], true))[0]!),
    batch: (statements: D1PreparedStatementLike[]) =>
      execute(
        statements.map((s) => (s as LazyStatement).pending),
        false,
      ),
  };

  return {
    db,
    counters,
    violations,
    takeViolations: () => violations.splice(0),
    sqlContains: (fragment) => [...sqlSeen].some((sql) => sql.includes(fragment)),
    arm(spec) {
      if ((spec.statement === undefined) === (spec.roundTrip === undefined)) throw new Error('arm: give exactly one of statement or roundTrip');
      armed = { ...spec, left: spec.message ? (spec.repeat ?? 1) : 1 };
      fired = false;
      statementsSince = 0;
      roundTripsSince = 0;
    },
    disarm() {
      armed = undefined;
    },
    get fired() {
      return fired;
    },
    since: () => ({ statements: statementsSince, roundTrips: roundTripsSince }),
    mark() {
      statementsSince = 0;
      roundTripsSince = 0;
    },
  };
}
