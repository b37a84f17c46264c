import type { D1DatabaseLike } from '../../src';
import { startWorkerD1 } from '../../bench/worker-d1';

/** A real D1 (Miniflare's, the engine workerd uses), in memory, reached from Node. */
export interface LocalD1 {
  db: D1DatabaseLike;
  dispose(): Promise<void>;
}

let databases = 0;

/**
 * Starts one Miniflare with one in-memory D1 database, reached as a Worker reaches its binding:
 * `prepare()` and `bind()` stay local and each `run`/`all`/`first`/`raw`/`batch`/`exec` is one request
 * into a Worker that runs it on its real `env.DB` (bench/worker-d1.ts). Miniflare's own
 * `getD1Database()` proxy would make every `prepare()` a cross-process call, so a schema batch of
 * 250 statements would cost over a second. Start one per test file and isolate tests with table prefixes.
 */
export async function startLocalD1(): Promise<LocalD1> {
  databases += 1;
  const { binding, dispose } = await startWorkerD1(`local-d1-${databases}`);
  return { db: binding as unknown as D1DatabaseLike, dispose };
}
