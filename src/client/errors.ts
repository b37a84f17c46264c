/** What went wrong, as far as retrying and error categories care. */
export type D1FailureKind =
  /** Worth another try (network blips, object resets, HTTP 5xx): the statement may or may not have run. */
  | 'transient'
  /** Rejected before running (HTTP 429): always safe to repeat, after `retryAfterMs`. */
  | 'rate-limited'
  /** The token, account or database is wrong (HTTP 401/403). */
  | 'auth'
  /** A value, statement or row exceeds D1's size limits. */
  | 'too-big'
  /** The request did not finish within the configured timeout. */
  | 'timeout'
  /** Anything else: SQL errors, constraint failures, malformed responses. */
  | 'permanent';

const TRANSIENT_MESSAGES = [
  'network connection lost',
  'storage caused object to be reset',
  'reset because its code was updated',
  'cannot resolve d1 db due to transient issue',
  'client disconnected',
];

/** Classifies a D1 error message (binding or REST) by Cloudflare's published retry guidance. */
export function classifyD1Message(message: string): D1FailureKind {
  const lower = message.toLowerCase();
  if (TRANSIENT_MESSAGES.some((fragment) => lower.includes(fragment))) return 'transient';
  if (lower.includes('too big') || lower.includes('sqlite_toobig') || lower.includes('statement too long')) {
    return 'too-big';
  }
  return 'permanent';
}

/**
 * The single error type every driver throws: the operation, the SQL (never the values) and how
 * many parameters were bound, so a failure can be diagnosed without leaking user data.
 */
export class D1QueryError extends Error {
  override readonly name = 'D1QueryError';
  readonly kind: D1FailureKind;
  readonly operation: string;
  readonly sql: string;
  readonly paramCount: number;
  /** D1's own error code where the REST API gave one (e.g. 7500 for an SQL error). */
  readonly code?: number;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(init: {
    message: string;
    kind: D1FailureKind;
    operation: string;
    statements: readonly { sql: string; params: readonly unknown[] }[];
    code?: number;
    status?: number;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.kind = init.kind;
    this.operation = init.operation;
    this.sql = init.statements.map((s) => s.sql).join(';\n');
    this.paramCount = init.statements.reduce((sum, s) => sum + s.params.length, 0);
    this.code = init.code;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Wraps whatever a transport threw into a `D1QueryError`, classifying it by its message. */
export function toD1QueryError(
  error: unknown,
  operation: string,
  statements: readonly { sql: string; params: readonly unknown[] }[],
): D1QueryError {
  if (error instanceof D1QueryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new D1QueryError({ message, kind: classifyD1Message(message), operation, statements, cause: error });
}
