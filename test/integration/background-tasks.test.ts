import { Mastra } from '@mastra/core';
import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';

// "Another Worker" is a new Mastra with a new D1Store on the same database and prefix. Without this
// domain, Mastra would substitute an in-memory store and the second Mastra would see no task.
// `recoverStaleTasksOnStart: false` is the safe setting on Workers, where every cold isolate is a
// manager: recovery would fail or requeue tasks another isolate is still running.

const h = useHarness();

const slow = createTool({
  id: 'slow',
  description: 'waits, then answers',
  inputSchema: z.object({ ms: z.number() }),
  execute: async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { ok: true };
  },
});

function worker(tablePrefix: string, withTools = true) {
  return new Mastra({
    storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }),
    ...(withTools ? { tools: { slow } } : {}),
    backgroundTasks: { enabled: true, recoverStaleTasksOnStart: false },
    logger: false,
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('background tasks through Mastra', () => {
  it('a task enqueued by one Worker runs, and its progress and history are read by another', async () => {
    const prefix = uniquePrefix();
    const a = worker(prefix);
    const { task } = await a.backgroundTaskManager!.enqueue({ toolName: 'slow', toolCallId: 'c1', args: { ms: 50 }, agentId: 'ag', runId: 'r1', threadId: 'th1' });

    const b = worker(prefix, false);
    const seen = await b.backgroundTaskManager!.getTask(task.id);
    expect(seen).toMatchObject({ id: task.id, toolName: 'slow', agentId: 'ag', threadId: 'th1' });
    const done = await until(() => b.backgroundTaskManager!.getTask(task.id), (t) => t?.status === 'completed');
    expect(done).toMatchObject({ status: 'completed', result: { ok: true } });
    expect(done?.completedAt).toBeInstanceOf(Date);
    const listed = await b.backgroundTaskManager!.listTasks({ agentId: 'ag', status: ['completed'] });
    expect(listed.total).toBe(1);
    expect(listed.tasks[0]!.id).toBe(task.id);
    // The task's workflow run is deleted after it completes; let that finish before D1 goes away.
    const workflows = (await a.getStorage()!.getStore('workflows'))!;
    const lookup = () => workflows.getWorkflowRunById({ runId: task.id, workflowName: '__background-task' });
    expect(await until(lookup, (run) => run === null)).toBeNull();
    await a.shutdown();
    await b.shutdown();
  });
});
