import type { MastraDBMessage } from '@mastra/core/memory';
import type { MastraCompositeStore, PruneResult, RetentionConfig } from '@mastra/core/storage';
import { expect } from 'vitest';
import { span } from '../support/observability';
import { scorePayload } from './scores-fixtures';
import { snapshot } from './workflows-fixtures';

// Rows for retention tests, seeded through the public domain APIs with anchors at known ages. Ages sit
// far from every cutoff used (1 day vs 30 or 90), so the moment each store computes "now" cannot
// change which rows go.

const DAY = 86_400_000;

/** What `seedRetention` writes, by retention table; ages in days. */
export const SEED = {
  threads: { 't-new': 1, 't-mid': 45, 't-old': 400 },
  /** Messages per thread, all at the thread's age. */
  messages: { 't-new': 2, 't-mid': 3, 't-old': 5 },
  resources: { 'r-new': 1, 'r-mid': 45, 'r-old': 400 },
  /** Runs of workflow `wf`: creation age, and last update age (the anchor). */
  runs: { 'w-new': [1, 1], 'w-touched': [500, 2], 'w-old': [400, 400], 'w-idle': [450, 100] },
  /** Scores: only `createdAt` is the anchor, and `saveScore` always stamps "now", so these are backdated. */
  scores: { 's-new': 1, 's-old-0': 400, 's-old-1': 400, 's-old-2': 400, 's-old-3': 400 },
  /** Spans as `traceId/spanId`: a whole old trace, a new one, and one whose root is old and child new. */
  spans: { 'old/root': 400, 'old/a': 400, 'old/b': 400, 'new/root': 1, 'new/a': 1, 'new/b': 1, 'mixed/root': 40, 'mixed/a': 1 },
} as const;

/** A policy on every table this store prunes: messages and runs, scores and spans over 30 days; threads and resources over 90. */
export const EVERY_TABLE: RetentionConfig = {
  memory: { messages: { maxAge: '30d' }, resources: { maxAge: '90d' }, threads: { maxAge: '90d' } },
  workflows: { workflowSnapshot: { maxAge: '30d' } },
  scores: { scorers: { maxAge: '30d' } },
  observability: { spans: { maxAge: '30d' } },
};

/** What `EVERY_TABLE` deletes from `SEED`, table by table, in the order `prune()` reports them. */
export const EVERY_TABLE_RESULTS: PruneResult[] = [
  { domain: 'memory', table: 'mastra_messages', deleted: 8, done: true },
  { domain: 'memory', table: 'mastra_resources', deleted: 1, done: true },
  { domain: 'memory', table: 'mastra_threads', deleted: 1, done: true },
  { domain: 'workflows', table: 'mastra_workflow_snapshot', deleted: 2, done: true },
  { domain: 'scores', table: 'mastra_scorers', deleted: 4, done: true },
  { domain: 'observability', table: 'mastra_ai_spans', deleted: 4, done: true },
];

/** The ids of seeded rows, by table, for reading back what is left. */
export const SEEDED_IDS = {
  messages: Object.entries(SEED.messages).flatMap(([thread, count]) => Array.from({ length: count }, (_, i) => messageId(thread, i))),
  threads: Object.keys(SEED.threads),
  resources: Object.keys(SEED.resources),
  runs: Object.keys(SEED.runs),
  scores: Object.keys(SEED.scores),
  spans: Object.keys(SEED.spans),
};

function messageId(threadId: string, index: number): string {
  return `m-${threadId.slice(2)}-${index}`;
}

/**
 * Writes `SEED` into `store` with ages counted back from `now`. `backdateScore` sets a saved score's
 * `createdAt` directly in the store's database, the only way to age a score.
 */
export async function seedRetention(store: MastraCompositeStore, backdateScore: (id: string, createdAt: string) => Promise<void>, now = Date.now()): Promise<void> {
  const ago = (days: number, minutes = 0) => new Date(now - days * DAY + minutes * 60_000);
  const memory = (await store.getStore('memory'))!;
  for (const [id, age] of Object.entries(SEED.threads)) {
    await memory.saveThread({ thread: { id, resourceId: 'r-new', title: id, metadata: {}, createdAt: ago(age), updatedAt: ago(age) } });
    const messages = Array.from(
      { length: SEED.messages[id as keyof typeof SEED.messages] },
      (_, i): MastraDBMessage => ({ id: messageId(id, i), threadId: id, resourceId: 'r-new', role: 'user', createdAt: ago(age, i), content: { format: 2, parts: [{ type: 'text', text: `${id} ${i}` }] } }),
    );
    await memory.saveMessages({ messages });
  }
  for (const [id, age] of Object.entries(SEED.resources)) {
    await memory.saveResource({ resource: { id, workingMemory: `memory of ${id}`, metadata: {}, createdAt: ago(age), updatedAt: ago(age) } });
  }

  const workflows = (await store.getStore('workflows'))!;
  for (const [runId, [created, updated]] of Object.entries(SEED.runs)) {
    await workflows.persistWorkflowSnapshot({ workflowName: 'wf', runId, snapshot: snapshot(runId), createdAt: ago(created), updatedAt: ago(updated) });
  }

  const scores = (await store.getStore('scores'))!;
  for (const [id, age] of Object.entries(SEED.scores)) {
    await scores.saveScore(scorePayload({ id, runId: 'run' }));
    await backdateScore(id, ago(age).toISOString());
  }

  const observability = (await store.getStore('observability'))!;
  await observability.batchCreateSpans({
    records: Object.entries(SEED.spans).map(([key, age], i) => {
      const [traceId, spanId] = key.split('/') as [string, string];
      return span({ traceId, spanId, parentSpanId: spanId === 'root' ? null : 'root', startedAt: ago(age, i) });
    }),
  });
}

/** Which seeded rows `store` still has, read back through the public domain APIs, ids sorted. */
export async function survivors(store: MastraCompositeStore): Promise<Record<keyof typeof SEEDED_IDS, string[]>> {
  const memory = (await store.getStore('memory'))!;
  const workflows = (await store.getStore('workflows'))!;
  const scores = (await store.getStore('scores'))!;
  const observability = (await store.getStore('observability'))!;
  const present = async (ids: string[], read: (id: string) => Promise<unknown>) => {
    const found = await Promise.all(ids.map(async (id) => ((await read(id)) ? id : undefined)));
    return found.filter((id): id is string => id !== undefined).sort();
  };
  const { messages } = await memory.listMessagesById({ messageIds: SEEDED_IDS.messages });
  const { runs } = await workflows.listWorkflowRuns({ workflowName: 'wf' });
  return {
    messages: messages.map((m) => m.id).sort(),
    threads: await present(SEEDED_IDS.threads, (threadId) => memory.getThreadById({ threadId })),
    resources: await present(SEEDED_IDS.resources, (resourceId) => memory.getResourceById({ resourceId })),
    runs: runs.map((r) => r.runId).sort(),
    scores: await present(SEEDED_IDS.scores, (id) => scores.getScoreById({ id })),
    spans: await present(SEEDED_IDS.spans, (key) => {
      const [traceId, spanId] = key.split('/') as [string, string];
      return observability.getSpan({ traceId, spanId });
    }),
  };
}

/** `SEEDED_IDS` with every id `deleted` lists removed: what `survivors()` should then read. */
export function seededWithout(deleted: Partial<Record<keyof typeof SEEDED_IDS, string[]>>): Record<keyof typeof SEEDED_IDS, string[]> {
  const keys = Object.keys(SEEDED_IDS) as (keyof typeof SEEDED_IDS)[];
  return Object.fromEntries(keys.map((key) => [key, SEEDED_IDS[key].filter((id) => !deleted[key]?.includes(id)).sort()])) as Record<keyof typeof SEEDED_IDS, string[]>;
}

/** What `EVERY_TABLE` leaves of `SEED`. */
export const EVERY_TABLE_SURVIVORS = seededWithout({
  messages: SEEDED_IDS.messages.filter((id) => !id.startsWith('m-new-')),
  threads: ['t-old'],
  resources: ['r-old'],
  runs: ['w-old', 'w-idle'],
  scores: ['s-old-0', 's-old-1', 's-old-2', 's-old-3'],
  spans: ['old/root', 'old/a', 'old/b', 'mixed/root'],
});

/** Strips this store's table prefix from D1's physical table names, checking each carries it. */
export function unprefixed(results: PruneResult[], prefix: string): PruneResult[] {
  return results.map((result) => {
    expect(result.table.startsWith(prefix), `${result.table} carries the prefix ${prefix}`).toBe(true);
    return { ...result, table: result.table.slice(prefix.length) };
  });
}
