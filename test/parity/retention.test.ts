import { TABLE_SCORERS, type MastraCompositeStore, type PruneOptions, type PruneResult, type RetentionConfig } from '@mastra/core/storage';
import { noopLogger } from '@mastra/core/logger';
import { LibSQLStore } from '@mastra/libsql';
import { describe, expect, it } from 'vitest';
import type { D1Store } from '../../src';
import { EVERY_TABLE, EVERY_TABLE_RESULTS, EVERY_TABLE_SURVIVORS, SEEDED_IDS, seedRetention, seededWithout, survivors, unprefixed } from '../conformance/retention-fixtures';
import { uniquePrefix, useHarness } from '../support/harness';

// The same rows, with the same anchors, go into LibSQLStore (the oracle) and D1Store; the same prune()
// must then report the same results (D1 names tables with their prefix, LibSQLStore without) and leave
// the same rows behind. Expected values are also spelled out, so two stores that agree on doing nothing
// do not pass.

const h = useHarness();

interface Pair {
  d1: D1Store;
  libsql: LibSQLStore;
  prefix: string;
}

/**
 * LibSQLStore's client: declared private, yet a plain field at runtime. A score's `createdAt` can only be
 * set in SQL, and this is the one connection that sees the `:memory:` database.
 */
function sqlOf(store: LibSQLStore): { execute(statement: { sql: string; args: string[] }): Promise<unknown> } {
  return (store as unknown as { client: ReturnType<typeof sqlOf> }).client;
}

/** Both stores, initialised and seeded with `SEED`, configured with `retention`. */
async function seededPair(retention?: RetentionConfig): Promise<Pair> {
  const prefix = uniquePrefix('ret');
  const d1 = h.store('binding', { tablePrefix: prefix, retention });
  const libsql = new LibSQLStore({ id: 'retention-oracle', url: ':memory:', retention });
  await Promise.all([d1.init(), libsql.init()]);
  const now = Date.now();
  await seedRetention(
    libsql,
    async (id, createdAt) => {
      await sqlOf(libsql).execute({ sql: `UPDATE ${TABLE_SCORERS} SET "createdAt" = ? WHERE id = ?`, args: [createdAt, id] });
    },
    now,
  );
  await seedRetention(
    d1,
    async (id, createdAt) => {
      await h.d1.db.prepare(`UPDATE "${prefix}${TABLE_SCORERS}" SET "createdAt" = ? WHERE id = ?`).bind(createdAt, id).all();
    },
    now,
  );
  return { d1, libsql, prefix };
}

/** Runs `prune` on LibSQLStore, then on D1Store; both must report the same. Returns the shared results. */
async function samePrune(pair: Pair, prune: (store: MastraCompositeStore) => Promise<PruneResult[]>): Promise<PruneResult[]> {
  const expected = await prune(pair.libsql);
  const actual = unprefixed(await prune(pair.d1), pair.prefix);
  expect(actual).toEqual(expected);
  return actual;
}

/** Both stores hold the same rows; returns them. */
async function sameSurvivors(pair: Pair) {
  const left = await survivors(pair.libsql);
  expect(await survivors(pair.d1)).toEqual(left);
  return left;
}

const aborted = () => {
  const controller = new AbortController();
  controller.abort();
  return controller.signal;
};

describe('prune() matches LibSQLStore', () => {
  it('a policy on every table of every domain, from the config', async () => {
    const pair = await seededPair(EVERY_TABLE);
    expect(await samePrune(pair, (s) => s.prune())).toEqual(EVERY_TABLE_RESULTS);
    expect(await sameSurvivors(pair)).toEqual(EVERY_TABLE_SURVIVORS);

    // Nothing is left to delete: every table reports done with 0.
    expect(await samePrune(pair, (s) => s.prune())).toEqual(EVERY_TABLE_RESULTS.map((r) => ({ ...r, deleted: 0 })));
  });

  it.each([
    ['memory', 'messages', 'mastra_messages', { messages: SEEDED_IDS.messages.filter((id) => !id.startsWith('m-new-')) }],
    ['memory', 'resources', 'mastra_resources', { resources: ['r-old'] }],
    ['memory', 'threads', 'mastra_threads', { threads: ['t-old'] }],
    ['workflows', 'workflowSnapshot', 'mastra_workflow_snapshot', { runs: ['w-old', 'w-idle'] }],
    ['scores', 'scorers', 'mastra_scorers', { scores: ['s-old-0', 's-old-1', 's-old-2', 's-old-3'] }],
    ['observability', 'spans', 'mastra_ai_spans', { spans: ['old/root', 'old/a', 'old/b', 'mixed/root'] }],
  ] as [string, string, string, Parameters<typeof seededWithout>[0]][])('a policy on %s.%s alone deletes from %s only', async (domain, key, table, deleted) => {
    const pair = await seededPair();
    const policy = (EVERY_TABLE as Record<string, Record<string, unknown>>)[domain]![key];
    const results = await samePrune(pair, (s) => s.prune({ retention: { [domain]: { [key]: policy } } as RetentionConfig }));
    expect(results).toEqual(EVERY_TABLE_RESULTS.filter((r) => r.table === table));
    expect(await sameSurvivors(pair)).toEqual(seededWithout(deleted));
  });

  it('batchSize under the backlog with maxBatches 1 stops with done: false, and the next call finishes', async () => {
    const pair = await seededPair({ memory: { messages: { maxAge: '30d', batchSize: 3 } } });
    const first = await samePrune(pair, (s) => s.prune({ maxBatches: 1 }));
    expect(first).toEqual([{ domain: 'memory', table: 'mastra_messages', deleted: 3, done: false }]);
    expect((await sameSurvivors(pair)).messages).toHaveLength(SEEDED_IDS.messages.length - 3);

    const second = await samePrune(pair, (s) => s.prune());
    expect(second).toEqual([{ domain: 'memory', table: 'mastra_messages', deleted: 5, done: true }]);
    expect((await sameSurvivors(pair)).messages).toEqual(['m-new-0', 'm-new-1']);
  });

  it('a backlog that is an exact number of full batches is only known done by one more, empty, batch', async () => {
    const pair = await seededPair({ observability: { spans: { maxAge: '30d', batchSize: 2 } } });
    expect(await samePrune(pair, (s) => s.prune({ maxBatches: 2 }))).toEqual([{ domain: 'observability', table: 'mastra_ai_spans', deleted: 4, done: false }]);
    expect(await samePrune(pair, (s) => s.prune({ maxBatches: 2 }))).toEqual([{ domain: 'observability', table: 'mastra_ai_spans', deleted: 0, done: true }]);
  });

  it('maxRows caps each table of the call, shrinking the last batch (and maxAge may be milliseconds)', async () => {
    const pair = await seededPair({ memory: { messages: { maxAge: '30d', batchSize: 3 } }, scores: { scorers: { maxAge: 30 * 86_400_000, batchSize: 3 } } });
    expect(await samePrune(pair, (s) => s.prune({ maxRows: 4 }))).toEqual([
      { domain: 'memory', table: 'mastra_messages', deleted: 4, done: false },
      { domain: 'scores', table: 'mastra_scorers', deleted: 4, done: false },
    ]);
    const left = await sameSurvivors(pair);
    expect(left.messages).toHaveLength(SEEDED_IDS.messages.length - 4);
    expect(left.scores).toEqual(['s-new']);
  });

  it('an already-aborted signal deletes nothing: the store returns no results, a domain reports each table not done', async () => {
    const pair = await seededPair(EVERY_TABLE);
    expect(await samePrune(pair, (s) => s.prune({ signal: aborted() }))).toEqual([]);

    const policies = EVERY_TABLE.memory!;
    const options: PruneOptions = { signal: aborted() };
    const expected = await (await pair.libsql.getStore('memory'))!.prune(policies, options);
    const actual = unprefixed(await (await pair.d1.getStore('memory'))!.prune(policies, options), pair.prefix);
    expect(actual).toEqual(expected);
    expect(actual).toEqual(['mastra_messages', 'mastra_resources', 'mastra_threads'].map((table) => ({ domain: 'memory', table, deleted: 0, done: false })));
    expect(await sameSurvivors(pair)).toEqual(seededWithout({}));
  });

  it('options.retention replaces the configured retention for that call', async () => {
    const pair = await seededPair({ memory: { messages: { maxAge: '1000d' } } });
    expect(await samePrune(pair, (s) => s.prune({ retention: { scores: { scorers: { maxAge: '30d' } } } }))).toEqual([
      { domain: 'scores', table: 'mastra_scorers', deleted: 4, done: true },
    ]);
    expect(await samePrune(pair, (s) => s.prune())).toEqual([{ domain: 'memory', table: 'mastra_messages', deleted: 0, done: true }]);
    expect(await sameSurvivors(pair)).toEqual(seededWithout({ scores: ['s-old-0', 's-old-1', 's-old-2', 's-old-3'] }));
  });

  it('no policy for a domain, or none at all, prunes nothing and reports nothing', async () => {
    const pair = await seededPair();
    expect(await samePrune(pair, (s) => s.prune())).toEqual([]);
    expect(await samePrune(pair, (s) => s.prune({ retention: { memory: {}, workflows: {} } }))).toEqual([]);
    // A key the domain does not prune is ignored, as an unconfigured table.
    expect(await samePrune(pair, (s) => s.prune({ retention: { memory: { notATable: { maxAge: '1d' } } } as RetentionConfig }))).toEqual([]);
    expect(unprefixed(await (await pair.d1.getStore('workflows'))!.prune({}), pair.prefix)).toEqual(await (await pair.libsql.getStore('workflows'))!.prune({}));
    expect(await sameSurvivors(pair)).toEqual(seededWithout({}));
  });

  it('a policy that fails skips its domain, logged as core does, and the other domains still run', async () => {
    const pair = await seededPair();
    const logged = new Map<MastraCompositeStore, string[]>();
    for (const store of [pair.libsql, pair.d1]) {
      const errors: string[] = [];
      logged.set(store, errors);
      store.__setLogger({ ...noopLogger, error: (message: string) => void errors.push(message) });
    }
    const retention = {
      memory: { messages: { maxAge: '30d', batchSize: 0 } },
      workflows: { workflowSnapshot: { maxAge: 'forever' } },
      scores: { scorers: { maxAge: '30d' } },
    } as unknown as RetentionConfig;
    expect(await samePrune(pair, (s) => s.prune({ retention }))).toEqual([{ domain: 'scores', table: 'mastra_scorers', deleted: 4, done: true }]);
    for (const errors of logged.values()) expect(errors).toEqual(['prune() failed for domain "memory"', 'prune() failed for domain "workflows"']);
    expect(await sameSurvivors(pair)).toEqual(seededWithout({ scores: ['s-old-0', 's-old-1', 's-old-2', 's-old-3'] }));
  });
});

