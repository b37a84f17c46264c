import { Miniflare } from 'miniflare';
import type { D1DatabaseLike } from '../../src';

/** A real D1 (Miniflare's, the engine workerd uses), in memory, reached from Node. */
export interface LocalD1 {
  db: D1DatabaseLike;
  dispose(): Promise<void>;
}

/**
 * Starts one Miniflare with one in-memory D1 database. Each statement from Node crosses a process
 * boundary, so start one per test file and isolate tests with table prefixes.
 */
export async function startLocalD1(): Promise<LocalD1> {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response(null, { status: 404 }) } }',
    d1Databases: { DB: 'local-d1' },
    cf: false,
  });
  const db = (await mf.getD1Database('DB')) as unknown as D1DatabaseLike;
  return { db, dispose: () => mf.dispose() };
}
