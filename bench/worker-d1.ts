/**
 * A D1 binding for Node whose every round trip is ONE request into a Worker that runs the call on
 * its real `env.DB` (Miniflare's D1, the engine workerd uses).
 *
 * Why not `mf.getD1Database()`: that proxy makes `prepare()` and `bind()` synchronous cross-process
 * calls (~10 ms each), so a batch of 30 statements costs ~30 round trips of overhead and a package
 * that batches looks slower than one that does not. In a Worker, prepare/bind are local and only
 * run/all/first/raw/batch/exec reach the database: this binding reproduces exactly that.
 */
import { Miniflare } from 'miniflare';
import type { D1Like } from './counting-d1';

const WORKER = `
export default {
  async fetch(request, env) {
    const call = await request.json();
    const prepare = (s) => env.DB.prepare(s.sql).bind(...s.params);
    try {
      let result;
      if (call.op === 'batch') result = await env.DB.batch(call.statements.map(prepare));
      else if (call.op === 'exec') result = await env.DB.exec(call.sql);
      else if (call.op === 'first') result = call.arg === undefined ? await prepare(call).first() : await prepare(call).first(call.arg);
      else result = await prepare(call)[call.op](call.arg);
      return Response.json({ result: result ?? null });
    } catch (error) {
      return Response.json({ error: String(error && error.message || error) });
    }
  },
};`;

/** A Miniflare with one empty D1 database and a binding-shaped client for it. */
export interface WorkerD1 {
  binding: D1Like;
  dispose(): Promise<void>;
}

interface LazyStatement {
  sql: string;
  params: unknown[];
}

/** Starts a fresh Miniflare holding one empty D1 database named `name`. */
export async function startWorkerD1(name: string): Promise<WorkerD1> {
  const mf = new Miniflare({ modules: true, script: WORKER, d1Databases: { DB: name }, cf: false });
  await mf.ready;

  async function send(call: Record<string, unknown>): Promise<any> {
    const response = await mf.dispatchFetch('http://d1.local/', { method: 'POST', body: JSON.stringify(call) });
    const body = (await response.json()) as { result?: unknown; error?: string };
    if (body.error !== undefined) throw new Error(body.error);
    return body.result;
  }

  const statement = (sql: string, params: unknown[]) => {
    const self: LazyStatement = { sql, params };
    return {
      ...self,
      // JSON has no `undefined`; D1 would reject it anyway, and both packages map it to NULL first.
      bind: (...values: unknown[]) => statement(sql, values),
      run: () => send({ op: 'run', ...self }),
      all: () => send({ op: 'all', ...self }),
      first: (column?: string) => send({ op: 'first', ...self, arg: column }),
      raw: (options?: unknown) => send({ op: 'raw', ...self, arg: options }),
    };
  };

  const binding: D1Like = {
    prepare: (sql) => statement(sql, []),
    batch: (statements) => send({ op: 'batch', statements: (statements as unknown as LazyStatement[]).map(({ sql, params }) => ({ sql, params })) }),
    exec: (sql) => send({ op: 'exec', sql }),
  };
  return { binding, dispose: () => mf.dispose() };
}
