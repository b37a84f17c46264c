import { classifyD1Message, D1QueryError, type D1FailureKind } from './errors';
import { bindable, toStatementResult } from './results';
import type { D1Driver, D1RawResult, SqlStatement } from './types';

/** Options for reaching D1 over Cloudflare's REST API. */
export interface RestDriverOptions {
  accountId: string;
  databaseId: string;
  apiToken: string;
  /** Defaults to `https://api.cloudflare.com/client/v4`. */
  apiBaseUrl?: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Per-request timeout; defaults to 30 s, D1's own limit for a query. */
  timeoutMs?: number;
}

export const DEFAULT_API_BASE_URL = 'https://api.cloudflare.com/client/v4';
const DEFAULT_TIMEOUT_MS = 30_000;

interface Envelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: D1RawResult[];
}

function kindForStatus(status: number, message: string): D1FailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'transient';
  return classifyD1Message(message);
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after');
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A driver over `POST {apiBaseUrl}/accounts/{accountId}/d1/database/{databaseId}/query`.
 * A batch is ONE request with a `{ batch: [...] }` body.
 */
export function createRestDriver(options: RestDriverOptions): D1Driver {
  const base = (options.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/accounts/${encodeURIComponent(options.accountId)}/d1/database/${encodeURIComponent(options.databaseId)}/query`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function post(operation: string, statements: readonly SqlStatement[]): Promise<D1RawResult[]> {
    const fail = (init: { message: string; kind: D1FailureKind; code?: number; status?: number; retryAfterMs?: number; cause?: unknown }) =>
      new D1QueryError({ ...init, operation, statements });
    const wire = statements.map((s) => ({ sql: s.sql, params: bindable(s.params).map(toWireValue) }));
    const body = wire.length === 1 ? wire[0] : { batch: wire };
    const doFetch = options.fetch ?? fetch;

    let response: Response;
    let envelope: Envelope | undefined;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.apiToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      try {
        envelope = JSON.parse(text) as Envelope;
      } catch {
        envelope = undefined;
      }
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw fail({
        message: timedOut ? `D1 REST request timed out after ${timeoutMs} ms` : `D1 REST request failed: ${(error as Error)?.message ?? error}`,
        kind: timedOut ? 'timeout' : 'transient',
        cause: error,
      });
    }

    const firstError = envelope?.errors?.[0];
    if (!response.ok || envelope?.success === false) {
      const detail = firstError?.message ?? `HTTP ${response.status}`;
      const kind = kindForStatus(response.status, detail);
      const message =
        kind === 'auth'
          ? `D1 REST API refused the credentials (HTTP ${response.status}): check apiToken, accountId and databaseId. ${detail}`
          : `D1 REST API error${firstError?.code ? ` ${firstError.code}` : ''}: ${detail}`;
      throw fail({ message, kind, code: firstError?.code, status: response.status, retryAfterMs: retryAfterMs(response) });
    }
    if (!envelope || !Array.isArray(envelope.result) || envelope.result.length !== statements.length) {
      throw fail({ message: 'D1 REST API returned a malformed response body', kind: 'permanent', status: response.status });
    }
    return envelope.result;
  }

  return {
    kind: 'rest',
    atomicBatch: true,
    all: async <Row>(statement: SqlStatement) => toStatementResult<Row>((await post('all', [statement]))[0]).rows,
    run: async (statement: SqlStatement) => toStatementResult((await post('run', [statement]))[0]),
    async batch(statements: readonly SqlStatement[]) {
      if (statements.length === 0) return [];
      return (await post('batch', statements)).map((raw) => toStatementResult(raw));
    },
  } as D1Driver;
}

/** JSON has no booleans in SQLite's sense and no binary: send what the binding would have stored. */
function toWireValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) {
    throw new TypeError('Binary parameters are not supported over the D1 REST API');
  }
  return value;
}
