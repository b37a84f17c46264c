import { describe, expect, it } from 'vitest';
import type { D1Store } from '../../src';
import { snapshot } from '../conformance/workflows-fixtures';
import { CLIENT_KINDS, useHarness } from '../support/harness';

const h = useHarness();

/** One thread and one workflow snapshot under fixed ids, labelled with the store that wrote them. */
async function write(store: D1Store, label: string) {
  const memory = (await store.getStore('memory'))!;
  const now = new Date();
  await memory.saveThread({ thread: { id: 'thread-1', resourceId: 'user-1', title: label, metadata: { label }, createdAt: now, updatedAt: now } });
  await (await store.getStore('workflows'))!.persistWorkflowSnapshot({ workflowName: 'wf', runId: 'run-1', snapshot: snapshot('run-1', { value: { label } }) });
}

/** The labels a store reads back under those ids (null where it finds nothing). */
async function read(store: D1Store) {
  const memory = (await store.getStore('memory'))!;
  const run = await (await store.getStore('workflows'))!.loadWorkflowSnapshot({ workflowName: 'wf', runId: 'run-1' });
  return {
    thread: (await memory.getThreadById({ threadId: 'thread-1' }))?.title ?? null,
    threads: (await memory.listThreads({ filter: { resourceId: 'user-1' } })).threads.map((t) => t.title),
    snapshot: run?.value.label ?? null,
  };
}

const sees = (label: string) => ({ thread: label, threads: [label], snapshot: label });

describe.each(CLIENT_KINDS)('two table prefixes in one database on %s', (kind) => {
  it('cannot see, overwrite or clear each other, even when one prefix starts the other', async () => {
    const stores = {
      plain: await h.freshStore(kind, { tablePrefix: '' }),
      short: await h.freshStore(kind, { tablePrefix: `${kind}_` }),
      long: await h.freshStore(kind, { tablePrefix: `${kind}_${kind}_` }),
    };
    await write(stores.short, 'short');
    expect(await read(stores.plain)).toEqual({ thread: null, threads: [], snapshot: null });
    expect(await read(stores.long)).toEqual({ thread: null, threads: [], snapshot: null });

    await write(stores.long, 'long');
    await write(stores.plain, 'plain');
    expect(await read(stores.short)).toEqual(sees('short'));
    expect(await read(stores.long)).toEqual(sees('long'));

    await (await stores.long.getStore('memory'))!.dangerouslyClearAll();
    await (await stores.long.getStore('workflows'))!.dangerouslyClearAll();
    expect(await read(stores.long)).toEqual({ thread: null, threads: [], snapshot: null });
    expect(await read(stores.short)).toEqual(sees('short'));
    expect(await read(stores.plain)).toEqual(sees('plain'));

    await (await stores.plain.getStore('memory'))!.dangerouslyClearAll();
    await (await stores.plain.getStore('workflows'))!.dangerouslyClearAll();
  });
});
