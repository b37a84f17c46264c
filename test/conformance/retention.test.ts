import { ErrorCategory, MastraError } from '@mastra/core/error';
import { TABLE_SCORERS, type RetentionConfig } from '@mastra/core/storage';
import { expect } from 'vitest';
import { MemoryStorageD1, type D1StoreConfig } from '../../src';
import type { D1DatabaseLike } from '../../src/client/types';
import { describeConformance } from '../support/conformance';
import { faultyD1 } from '../support/faults';
import { customClientOver, uniquePrefix, type ClientKind, type Harness } from '../support/harness';
import { EVERY_TABLE, EVERY_TABLE_RESULTS, EVERY_TABLE_SURVIVORS, seedRetention, seededWithout, survivors, unprefixed } from './retention-fixtures';

// prune() on every client kind: it deletes this prefix's rows only, sends each batch as ONE DELETE in
// one round trip, creates the anchor index on first use and the DELETE is planned on it, and a bad
// retention config is refused at construction.

/** The retention anchors of every table, as core and LibSQLStore define them. */
const ANCHORS = [
  ['mastra_messages', 'createdAt'],
  ['mastra_resources', 'createdAt'],
  ['mastra_threads', 'createdAt'],
  ['mastra_workflow_snapshot', 'updatedAt'],
  ['mastra_scorers', 'createdAt'],
  ['mastra_ai_spans', 'startedAt'],
] as const;

/** What a store sent since `mark()`: round trips, statements, and the SQL of each statement in order. */
interface Sent {
  roundTrips: number;
  statements: number;
  sql: string[];
}

/** A connection for `kind` that records what goes over it. Over a binding the counts are `faultyD1`'s, with nothing armed. */
function recordedConnection(h: Harness, kind: ClientKind): { config: Partial<D1StoreConfig>; mark(): void; since(): Sent } {
  switch (kind) {
    case 'binding': {
      const faulty = faultyD1(h.d1.db);
      let sql: string[] = [];
      // Every statement the binding driver runs is prepared right before it runs, so prepare() sees each one.
      const binding: D1DatabaseLike = {
        prepare: (text) => {
          sql.push(text);
          return faulty.db.prepare(text);
        },
        batch: (statements) => faulty.db.batch(statements),
      };
      return {
        config: { binding },
        mark() {
          faulty.mark();
          sql = [];
        },
        since: () => ({ ...faulty.since(), sql }),
      };
    }
    case 'custom': {
      const inner = customClientOver(h.d1.db);
      let sql: string[] = [];
      return {
        config: {
          client: {
            query(statement) {
              sql.push(statement.sql);
              return inner.query(statement);
            },
          },
        },
        mark() {
          sql = [];
        },
        since: () => ({ roundTrips: sql.length, statements: sql.length, sql }),
      };
    }
    case 'rest': {
      let from = h.emulator.requests.length;
      return {
        config: {},
        mark() {
          from = h.emulator.requests.length;
        },
        since() {
          const requests = h.emulator.requests.slice(from);
          return { roundTrips: requests.length, statements: requests.flat().length, sql: requests.flat().map((s) => s.sql) };
        },
      };
    }
  }
}

/** Ages a saved score in this prefix's table: `saveScore` always stamps "now". */
const backdateIn = (h: Harness, prefix: string) => async (id: string, createdAt: string) => {
  await h.d1.db.prepare(`UPDATE "${prefix}${TABLE_SCORERS}" SET "createdAt" = ? WHERE id = ?`).bind(createdAt, id).all();
};

/** The retention indexes of `prefix`'s tables, with the column each covers. */
async function retentionIndexes(h: Harness, prefix: string): Promise<{ name: string; table: string; column: string }[]> {
  const { results } = await h.d1.db
    .prepare(
      `SELECT i.name AS name, i.tbl_name AS "table", c.name AS "column" FROM sqlite_schema AS i, pragma_index_info(i.name) AS c
       WHERE i.type = 'index' AND substr(i.name, 1, length(?1)) = ?1 AND i.name LIKE '%\\_retention\\_%' ESCAPE '\\' ORDER BY i.name`,
    )
    .bind(prefix)
    .all();
  return results as { name: string; table: string; column: string }[];
}

describeConformance('memory', 'retention', ({ kind, h, store, it }) => {
  it("prunes this prefix's rows only", async () => {
    const [a, b] = [uniquePrefix('ra'), uniquePrefix('rb')];
    const storeA = await store({ tablePrefix: a, retention: EVERY_TABLE });
    const storeB = await store({ tablePrefix: b, retention: EVERY_TABLE });
    await seedRetention(storeA, backdateIn(h, a));
    await seedRetention(storeB, backdateIn(h, b));

    expect(unprefixed(await storeA.prune(), a)).toEqual(EVERY_TABLE_RESULTS);
    expect(await survivors(storeA)).toEqual(EVERY_TABLE_SURVIVORS);
    expect(await survivors(storeB)).toEqual(seededWithout({}));

    expect(unprefixed(await storeB.prune(), b)).toEqual(EVERY_TABLE_RESULTS);
    expect(await survivors(storeB)).toEqual(EVERY_TABLE_SURVIVORS);
  });

  it('sends each batch as one DELETE in one round trip, after one CREATE INDEX IF NOT EXISTS per table', async () => {
    const prefix = uniquePrefix('rq');
    const wire = recordedConnection(h, kind);
    const s = await store({ tablePrefix: prefix, retention: { memory: { messages: { maxAge: '30d', batchSize: 3 } } }, ...wire.config });
    await seedRetention(s, backdateIn(h, prefix));
    const messages = `"${prefix}mastra_messages"`;
    const oneBatch = `DELETE FROM ${messages} WHERE rowid IN (SELECT rowid FROM ${messages} WHERE "createdAt" < ? LIMIT ?)`;
    const createIndex = `CREATE INDEX IF NOT EXISTS "${prefix}mastra_messages_retention_createdAt_idx" ON ${messages} ("createdAt")`;

    wire.mark();
    expect(unprefixed(await s.prune({ maxBatches: 1 }), prefix)).toEqual([{ domain: 'memory', table: 'mastra_messages', deleted: 3, done: false }]);
    expect(wire.since()).toEqual({ roundTrips: 2, statements: 2, sql: [createIndex, oneBatch] });

    // 5 rows left in batches of 3: a full batch, then a short one that proves the table done.
    wire.mark();
    expect(unprefixed(await s.prune(), prefix)).toEqual([{ domain: 'memory', table: 'mastra_messages', deleted: 5, done: true }]);
    expect(wire.since()).toEqual({ roundTrips: 3, statements: 3, sql: [createIndex, oneBatch, oneBatch] });
  });

  it('creates each anchor index on the first prune, and every DELETE is planned on it', async () => {
    const prefix = uniquePrefix('ri');
    const wire = recordedConnection(h, kind);
    const s = await store({ tablePrefix: prefix, retention: EVERY_TABLE, ...wire.config });
    await seedRetention(s, backdateIn(h, prefix));
    expect(await retentionIndexes(h, prefix)).toEqual([]);

    wire.mark();
    expect(unprefixed(await s.prune(), prefix)).toEqual(EVERY_TABLE_RESULTS);
    const expected = ANCHORS.map(([table, column]) => ({ name: `${prefix}${table}_retention_${column}_idx`, table: `${prefix}${table}`, column }));
    expect(await retentionIndexes(h, prefix)).toEqual([...expected].sort((x, y) => (x.name < y.name ? -1 : 1)));

    const deletes = [...new Set(wire.since().sql.filter((sql) => sql.startsWith('DELETE')))];
    expect(deletes).toHaveLength(ANCHORS.length);
    for (const { name, table } of expected) {
      const sql = deletes.find((d) => d.startsWith(`DELETE FROM "${table}" `))!;
      const { results } = await h.d1.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind('2020-01-01T00:00:00.000Z', 10).all();
      const plan = (results as { detail: string }[]).map((r) => r.detail);
      expect(plan, sql).toContainEqual(expect.stringMatching(new RegExp(`^SEARCH ${table} USING (COVERING )?INDEX ${name} \\(\\w+<\\?\\)$`)));
    }
  });

  it('a domain class built on its own prunes its own prefixed table', async () => {
    const prefix = uniquePrefix('rd');
    await store({ tablePrefix: prefix });
    const memory = new MemoryStorageD1({ ...h.connection(kind), tablePrefix: prefix });
    const old = new Date(Date.now() - 400 * 86_400_000);
    await memory.saveThread({ thread: { id: 't', resourceId: 'r', title: '', metadata: {}, createdAt: old, updatedAt: old } });
    await memory.saveMessages({ messages: [{ id: 'm', threadId: 't', resourceId: 'r', role: 'user', createdAt: old, content: { format: 2, parts: [{ type: 'text', text: 'x' }] } }] });

    expect(await memory.prune({ messages: { maxAge: '30d' }, threads: { maxAge: '30d' } })).toEqual([
      { domain: 'memory', table: `${prefix}mastra_messages`, deleted: 1, done: true },
      { domain: 'memory', table: `${prefix}mastra_threads`, deleted: 1, done: true },
    ]);
    expect(await memory.getThreadById({ threadId: 't' })).toBeNull();
  });

  const badPolicies: [Record<string, unknown>, string][] = [
    [{ maxAge: 'forever' }, 'retention.memory.messages.maxAge'],
    [{ maxAge: -1 }, 'retention.memory.messages.maxAge'],
    [{ maxAge: '30d', batchSize: 0 }, 'retention.memory.messages.batchSize'],
    [{ maxAge: '30d', batchSize: 2.5 }, 'retention.memory.messages.batchSize'],
  ];
  for (const [policy, field] of badPolicies) it(`refuses retention policy ${JSON.stringify(policy)} at construction with a USER error naming ${field}`, async () => {
    const retention = { memory: { messages: policy } } as unknown as RetentionConfig;
    let error: unknown;
    try {
      h.store(kind, { retention });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).category).toBe(ErrorCategory.USER);
    expect((error as MastraError).details).toMatchObject({ field });
    expect((error as MastraError).message).toContain(`\`${field}\``);
  });
});

describeConformance('memory', 'retention, called on a domain', ({ h, domain, it }) => {
  it('refuses a bad policy passed to prune() as a USER error naming it, deleting nothing', async () => {
    const memory = await domain();
    const old = new Date(Date.now() - 400 * 86_400_000);
    await memory.saveThread({ thread: { id: 't', resourceId: 'r', title: '', metadata: {}, createdAt: old, updatedAt: old } });
    for (const [policies, field] of [
      [{ threads: { maxAge: 'forever' } }, 'retention.memory.threads.maxAge'],
      [{ threads: { maxAge: '1d', batchSize: 0 } }, 'retention.memory.threads.batchSize'],
    ] as const) {
      const error = await memory.prune(policies as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe(ErrorCategory.USER);
      expect((error as MastraError).details).toMatchObject({ field });
    }
    expect(await memory.getThreadById({ threadId: 't' })).not.toBeNull();
  });

  const bindingOnly = { rest: 'the fault is injected by a binding wrapper', custom: 'the fault is injected by a binding wrapper' };
  it('prunes without the anchor index when building it fails, as LibSQLStore does', async () => {
    const faults = faultyD1(h.d1.db);
    const prefix = uniquePrefix('ri');
    const memory = new MemoryStorageD1({ binding: faults.db, tablePrefix: prefix });
    await memory.init();
    const old = new Date(Date.now() - 400 * 86_400_000);
    await memory.saveThread({ thread: { id: 't', resourceId: 'r', title: '', metadata: {}, createdAt: old, updatedAt: old } });
    faults.arm({ statement: 1, message: 'D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.' });
    expect(await memory.prune({ threads: { maxAge: '30d' } })).toEqual([{ domain: 'memory', table: `${prefix}mastra_threads`, deleted: 1, done: true }]);
    expect(faults.fired).toBe(true);
    expect(await retentionIndexes(h, prefix)).toEqual([]);
  }, bindingOnly);
});
