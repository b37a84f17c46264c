import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { D1DatabaseLike, D1RawResult } from '../../src/client/types';

/** A canned answer the emulator gives instead of executing, for fault-injection tests. */
export interface EmulatorFault {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Execute the request for real first, then answer with this fault (the write applied; the reply was lost). */
  afterExecute?: boolean;
}

/** A local D1 REST API: Cloudflare's routes, auth and envelopes, executing on a real (Miniflare) D1. */
export interface RestEmulator {
  apiBaseUrl: string;
  accountId: string;
  databaseId: string;
  apiToken: string;
  /** Requests received so far (one per REST round trip). */
  readonly requests: { sql: string; params: unknown[] }[][];
  /** Queue faults answered, in order, to the next requests. */
  queueFault(...faults: EmulatorFault[]): void;
  close(): Promise<void>;
}

interface WireStatement {
  sql: string;
  params?: unknown[];
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the emulator on 127.0.0.1 (a random port). It is test support, not a mock: every statement
 * runs on the given D1, a `{ batch }` body runs as one `db.batch()` (atomic, as D1 batches are).
 */
export async function startRestEmulator(db: D1DatabaseLike): Promise<RestEmulator> {
  const accountId = 'acc0000000000000000000000000000f';
  const databaseId = '00000000-0000-4000-8000-00000000d1d1';
  const apiToken = `token-${Math.random().toString(36).slice(2)}`;
  const route = `/client/v4/accounts/${accountId}/d1/database/${databaseId}/query`;
  const faults: EmulatorFault[] = [];
  const requests: WireStatement[][] = [];
  const sockets = new Set<import('node:net').Socket>();

  async function execute(statements: WireStatement[]): Promise<D1RawResult[]> {
    const prepared = statements.map((s) => db.prepare(s.sql).bind(...(s.params ?? [])));
    return statements.length === 1 ? [await prepared[0]!.all()] : db.batch(prepared);
  }

  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== route) {
      return send(res, 404, { success: false, errors: [{ code: 7003, message: 'Could not route to the requested path' }], messages: [], result: null });
    }
    if (req.headers.authorization !== `Bearer ${apiToken}`) {
      return send(res, 401, { success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [], result: null });
    }
    let statements: WireStatement[];
    try {
      const body = JSON.parse(await readBody(req)) as WireStatement | { batch: WireStatement[] };
      statements = 'batch' in body ? body.batch : [body];
    } catch {
      return send(res, 400, { success: false, errors: [{ code: 7400, message: 'Malformed JSON body' }], messages: [], result: null });
    }
    requests.push(statements.map((s) => ({ sql: s.sql, params: s.params ?? [] })));

    const fault = faults.shift();
    if (fault?.hang) return;
    if (fault && !fault.afterExecute) return send(res, fault.status ?? 500, fault.body ?? '', fault.headers);
    try {
      const result = await execute(statements);
      if (fault) return send(res, fault.status ?? 500, fault.body ?? '', fault.headers);
      send(res, 200, { success: true, errors: [], messages: [], result });
    } catch (error) {
      if (fault) return send(res, fault.status ?? 500, fault.body ?? '', fault.headers);
      const message = error instanceof Error ? error.message : String(error);
      send(res, 400, { success: false, errors: [{ code: 7500, message }], messages: [], result: null });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiBaseUrl: `http://127.0.0.1:${port}/client/v4`,
    accountId,
    databaseId,
    apiToken,
    requests: requests as RestEmulator['requests'],
    queueFault: (...more) => faults.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
