import type { D1Store } from '../../src';
import { describe, expect, it } from 'vitest';
import { scorePayload } from '../conformance/scores-fixtures';
import { span } from '../support/observability';
import { failure } from './assertions';
import { newMessages, newSnapshot, newThread, textOf, uid } from './builders';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';
import { DOMAIN_KEYS } from '../../src/domains/registry';

const rig = useRig(import.meta.url);

/** The same ids written into a store, with contents that say which store wrote them. */
async function populate(store: D1Store, label: string, ids: { thread: string; run: string; trace: string; score: string; resource: string }) {
  const memory = (await store.getStore('memory'))!;
  const thread = await memory.saveThread({ thread: newThread({ id: ids.thread, resourceId: ids.resource, title: label }) });
  await memory.saveMessages({ messages: newMessages(thread, 3, (i) => `${label} ${i}`).map((m, i) => ({ ...m, id: `${ids.thread}-m${i}` })) });
  await memory.saveResource({ resource: { id: ids.resource, workingMemory: label, metadata: { label }, createdAt: new Date(), updatedAt: new Date() } });
  await memory.initializeObservationalMemory({ threadId: null, resourceId: ids.resource, scope: 'resource', config: { label } });
  await (await store.getStore('workflows'))!.persistWorkflowSnapshot({ workflowName: 'wf', runId: ids.run, snapshot: newSnapshot(ids.run, 'running', { input: { label } }) });
  await (await store.getStore('scores'))!.saveScore(scorePayload({ id: ids.score, runId: ids.run, reason: label }));
  await (await store.getStore('observability'))!.createSpan({ span: span({ traceId: ids.trace, spanId: 'root', name: label }) });
}

/** What a store sees under those ids: every field that carries the label, or null where nothing is found. */
async function observe(store: D1Store, ids: { thread: string; run: string; trace: string; score: string; resource: string }) {
  const memory = (await store.getStore('memory'))!;
  const { messages } = await memory.listMessages({ threadId: ids.thread, perPage: false });
  const snapshot = await (await store.getStore('workflows'))!.loadWorkflowSnapshot({ workflowName: 'wf', runId: ids.run });
  const om = await memory.getObservationalMemory(null, ids.resource);
  return {
    thread: (await memory.getThreadById({ threadId: ids.thread }))?.title ?? null,
    threads: (await memory.listThreads({ filter: { resourceId: ids.resource } })).threads.map((t) => t.title),
    messages: messages.map(textOf),
    resource: (await memory.getResourceById({ resourceId: ids.resource }))?.workingMemory ?? null,
    om: (om?.config as { label?: string } | undefined)?.label ?? null,
    snapshot: (snapshot?.context.input as { label?: string } | undefined)?.label ?? null,
    score: (await (await store.getStore('scores'))!.getScoreById({ id: ids.score }))?.reason ?? null,
    span: (await (await store.getStore('observability'))!.getSpan({ traceId: ids.trace, spanId: 'root' }))?.span.name ?? null,
  };
}

const sees = (label: string) => ({
  thread: label,
  threads: [label],
  messages: [0, 1, 2].map((i) => `${label} ${i}`),
  resource: label,
  om: label,
  snapshot: label,
  score: label,
  span: label,
});
const empty = { thread: null, threads: [], messages: [], resource: null, om: null, snapshot: null, score: null, span: null };

async function clearAll(store: D1Store) {
  for (const domain of DOMAIN_KEYS) await (await store.getStore(domain))!.dangerouslyClearAll();
}

describe.each(ATOMIC_KINDS)('isolation between prefixes on %s', (kind) => {
  it('stores on look-alike prefixes never see each other, and clearing one leaves the others', async () => {
    const base = `iso${Math.random().toString(36).slice(2, 6)}`;
    // LIKE-style wildcards and prefixes of each other: a clear that matched names loosely would hit a neighbour.
    const prefixes = [`${base}_`, `${base}_x_`, `${base}Ax`, `${base}__`];
    const stores = await Promise.all(prefixes.map((tablePrefix) => rig.freshStore(kind, { tablePrefix })));
    const ids = { thread: uid('t'), run: uid('r'), trace: uid('tr'), score: uid('s'), resource: uid('res') };
    for (const [i, store] of stores.entries()) await populate(store, `store${i}`, ids);
    for (const [i, store] of stores.entries()) expect(await observe(store, ids)).toEqual(sees(`store${i}`));

    await clearAll(stores[0]!);
    expect(await observe(stores[0]!, ids)).toEqual(empty);
    for (const [i, store] of stores.entries()) if (i > 0) expect(await observe(store, ids)).toEqual(sees(`store${i}`));
    verified(prefixes.length * 10);
  });

  it('the unprefixed store and a prefixed one do not see each other', async () => {
    const [plain, prefixed] = await Promise.all([rig.freshStore(kind, { tablePrefix: '' }), rig.freshStore(kind)]);
    const ids = { thread: uid('t'), run: uid('r'), trace: uid('tr'), score: uid('s'), resource: uid('res') };
    await populate(plain, 'plain', ids);
    expect(await observe(prefixed, ids)).toEqual(empty);
    await populate(prefixed, 'prefixed', ids);
    expect(await observe(plain, ids)).toEqual(sees('plain'));
    expect(await observe(prefixed, ids)).toEqual(sees('prefixed'));
  });
});

describe.each(ATOMIC_KINDS)('honesty on %s', (kind) => {
  it('reads on a database without the tables throw rather than answer null or []', async () => {
    const store = rig.store(kind, { disableInit: true });
    const memory = (await store.getStore('memory'))!;
    const workflows = (await store.getStore('workflows'))!;
    const scores = (await store.getStore('scores'))!;
    const observability = (await store.getStore('observability'))!;
    const reads: (() => Promise<unknown>)[] = [
      () => memory.getThreadById({ threadId: 'x' }),
      () => memory.listThreads({ filter: { resourceId: 'r' } }),
      () => memory.listMessages({ threadId: 'x' }),
      () => memory.listMessagesById({ messageIds: ['x'] }),
      () => memory.getResourceById({ resourceId: 'r' }),
      () => memory.getObservationalMemory(null, 'r'),
      () => workflows.loadWorkflowSnapshot({ workflowName: 'wf', runId: 'x' }),
      () => workflows.getWorkflowRunById({ runId: 'x' }),
      () => workflows.listWorkflowRuns({}),
      () => scores.getScoreById({ id: 'x' }),
      () => scores.listScoresByRunId({ runId: 'x', pagination: { page: 0, perPage: 5 } }),
      () => observability.getTrace({ traceId: 'x' }),
      () => observability.listTraces({}),
    ];
    for (const read of reads) expect((await failure(read())).message).toMatch(/no such table/);
  });
});
