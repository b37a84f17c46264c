import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TURNS, runDemo, type DemoEvent, type DemoResult } from '../../examples/worker/demo';

// The same run as `npm run example`: the bundled example Worker on workerd (Miniflare), a local D1 on
// disk, HTTP on 127.0.0.1, and a Worker restart before the recall question.
describe('examples/worker', () => {
  let dir: string;
  let result: DemoResult;
  const events: DemoEvent[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mastra-d1-example-test-'));
    result = await runDemo(dir, (event) => events.push(event));
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves every turn over HTTP on 127.0.0.1, from two Worker starts', () => {
    const starts = events.filter((e) => e.kind === 'started');
    expect(starts.map((e) => e.restart)).toEqual([false, true]);
    for (const start of starts) expect(new URL(start.url).hostname).toBe('127.0.0.1');
    expect(result.replies).toHaveLength(DEMO_TURNS.length);
  });

  it('recalls the earlier turns of the thread after a restart, from D1', () => {
    expect(result.replies[2]).toBe('You told me your name is Ada and you live in Lisbon. (4 earlier messages of this thread reached me.)');
  });

  it('recalls working memory on a new thread of the same user', () => {
    expect(result.replies[3]).toBe(
      'This thread is new to me, but my working memory says your name is Ada and you live in Lisbon. (0 earlier messages of this thread reached me.)',
    );
    expect(JSON.parse(result.workingMemory ?? 'null')).toEqual({ name: 'Ada', city: 'Lisbon' });
  });

  it('stores a trace per agent run, readable with listTraces and getTrace', () => {
    expect(result.traces).toHaveLength(DEMO_TURNS.length);
    for (const trace of result.traces) expect(trace).toMatchObject({ name: "agent run: 'assistant'", status: 'success' });
    const spans = result.tables.find(({ table }) => table === 'mastra_ai_spans')?.rows;
    expect(result.traces.reduce((sum, trace) => sum + trace.spans, 0)).toBe(spans);
  });

  it('leaves two threads, their messages and one resource in D1, and no leftover workflow runs', () => {
    const rows = Object.fromEntries(result.tables.map(({ table, rows }) => [table, rows]));
    expect(rows).toMatchObject({
      mastra_threads: 2,
      mastra_messages: DEMO_TURNS.length * 2,
      mastra_resources: 1,
      mastra_workflow_snapshot: 0,
    });
  });
});
