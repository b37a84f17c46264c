/** A value D1 can bind: JSON and dates are serialized by the caller, never here. */
export type D1Value = string | number | boolean | null | ArrayBuffer;

/** One SQL statement with its positional (`?`) parameters. */
export interface SqlStatement {
  sql: string;
  params: readonly D1Value[];
}

/** The outcome of one statement: its rows (from SELECT or RETURNING) and how many rows it changed. */
export interface StatementResult<Row = Record<string, unknown>> {
  rows: Row[];
  changes: number;
}

/** Whether repeating a write after an unknown outcome is harmless (an upsert is; a plain INSERT is not). */
export interface WriteOptions {
  idempotent?: boolean;
}

/**
 * The one interface every domain talks to. A driver is one round trip per call:
 * `all` reads, `run` writes, `batch` runs statements in order as one unit.
 * There is deliberately no `transaction()`: D1 has none, and `batch` is its only atomic tool.
 */
export interface D1Driver {
  /** Which transport this is; for diagnostics and tests, never for branching in domain code. */
  readonly kind: 'binding' | 'rest' | 'custom';
  /** True when a failed statement in `batch` rolls back the ones before it. */
  readonly atomicBatch: boolean;
  all<Row = Record<string, unknown>>(statement: SqlStatement): Promise<Row[]>;
  run<Row = Record<string, unknown>>(statement: SqlStatement, options?: WriteOptions): Promise<StatementResult<Row>>;
  batch(statements: readonly SqlStatement[], options?: WriteOptions): Promise<StatementResult[]>;
}

/** The subset of a Workers `D1Database` (or a `withSession()` session) this package uses. */
export interface D1DatabaseLike {
  prepare(query: string): D1PreparedStatementLike;
  batch(statements: D1PreparedStatementLike[]): Promise<D1RawResult[]>;
}

/** The subset of a Workers `D1PreparedStatement` this package uses. */
export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
  all(): Promise<D1RawResult>;
}

/** A D1 result as the binding and the REST API both shape it. */
export interface D1RawResult {
  results?: unknown[];
  success?: boolean;
  meta?: { changes?: number; [key: string]: unknown };
}

/** The result list a custom client returns, as `@mastra/cloudflare-d1` defined it. */
export type D1QueryResult = D1RawResult[];

/**
 * A custom client, as accepted by `@mastra/cloudflare-d1`'s `client` option:
 * it runs one statement and answers with Cloudflare's REST result shape.
 */
export interface D1Client {
  query(args: { sql: string; params: D1Value[] }): Promise<{ result: D1QueryResult }>;
}
