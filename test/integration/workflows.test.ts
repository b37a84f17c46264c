import { Mastra } from '@mastra/core';
import { MastraError } from '@mastra/core/error';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { createStep as createEventedStep, createWorkflow as createEventedWorkflow } from '@mastra/core/workflows/evented';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { uniquePrefix, useHarness, type ClientKind } from '../support/harness';

// Real @mastra/core workflows over D1Store. "Another Worker" is a new Mastra with a new D1Store on the
// same database and table prefix: nothing is shared between the two but D1.

const h = useHarness();

/** add-one, then an approval step that suspends until resumed, then double. */
function approvalWorkflow() {
  const addOne = createStep({ id: 'add-one', inputSchema: z.object({ n: z.number() }), outputSchema: z.object({ n: z.number() }), execute: async ({ inputData }) => ({ n: inputData.n + 1 }) });
  const approve = createStep({
    id: 'approve',
    inputSchema: z.object({ n: z.number() }),
    outputSchema: z.object({ n: z.number(), by: z.string() }),
    resumeSchema: z.object({ by: z.string() }),
    suspendSchema: z.object({ waiting: z.boolean() }),
    execute: async ({ inputData, resumeData, suspend }) => {
      if (!resumeData) return suspend({ waiting: true });
      return { n: inputData.n, by: resumeData.by };
    },
  });
  const double = createStep({ id: 'double', inputSchema: z.object({ n: z.number(), by: z.string() }), outputSchema: z.object({ n: z.number(), by: z.string() }), execute: async ({ inputData }) => ({ ...inputData, n: inputData.n * 2 }) });
  return createWorkflow({ id: 'approval', inputSchema: z.object({ n: z.number() }), outputSchema: z.object({ n: z.number(), by: z.string() }) })
    .then(addOne)
    .then(approve)
    .then(double)
    .commit();
}

/** A Mastra as one Worker would build it: its own D1Store on the shared database and prefix. */
function worker(kind: ClientKind, tablePrefix: string) {
  return new Mastra({ storage: h.store(kind, { tablePrefix }), workflows: { approval: approvalWorkflow() }, logger: false });
}

async function suspendedRun(kind: ClientKind, tablePrefix: string) {
  const first = worker(kind, tablePrefix);
  const run = await first.getWorkflow('approval').createRun();
  const started = await run.start({ inputData: { n: 1 } });
  expect(started.status).toBe('suspended');
  return run.runId;
}

describe.each(['binding', 'rest'] as const)('core workflows on D1Store over %s', (kind) => {
  it('suspends in one Mastra and resumes in another that shares only the database', async () => {
    const prefix = uniquePrefix('wfi');
    const runId = await suspendedRun(kind, prefix);

    const second = worker(kind, prefix);
    const run = await second.getWorkflow('approval').createRun({ runId });
    const resumed = await run.resume({ step: 'approve', resumeData: { by: 'ops' } });
    expect(resumed.status).toBe('success');
    expect(resumed.status === 'success' && resumed.result).toEqual({ n: 4, by: 'ops' });

    const stored = await (await second.getStorage()!.getStore('workflows'))!.getWorkflowRunById({ runId, workflowName: 'approval' });
    expect(stored?.snapshot).toMatchObject({ status: 'success', result: { n: 4, by: 'ops' } });
  });

  it('lets exactly one of two concurrent resumes of one suspended run proceed', async () => {
    const prefix = uniquePrefix('wfc');
    const runId = await suspendedRun(kind, prefix);

    const resumes = [worker(kind, prefix), worker(kind, prefix)].map(async (mastra, i) => {
      const run = await mastra.getWorkflow('approval').createRun({ runId });
      return run.resume({ step: 'approve', resumeData: { by: `worker-${i}` } });
    });
    const outcomes = await Promise.allSettled(resumes);
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled' && o.value.status === 'success');
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(succeeded).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(((refused[0] as PromiseRejectedResult).reason as MastraError).id).toBe('WORKFLOW_RESUME_ALREADY_CLAIMED');
  });

  it.each([3, 20])('runs %i parallel steps on the evented engine and keeps every result', async (width) => {
    const factors = Array.from({ length: width }, (_, i) => i + 2);
    const branch = (factor: number) =>
      createEventedStep({ id: `x${factor}`, inputSchema: z.object({ n: z.number() }), outputSchema: z.object({ v: z.number() }), execute: async ({ inputData }) => ({ v: inputData.n * factor }) });
    const workflow = createEventedWorkflow({ id: 'fan-out', inputSchema: z.object({ n: z.number() }), outputSchema: z.any() })
      .parallel(factors.map(branch))
      .commit();
    const storage = h.store(kind);
    const mastra = new Mastra({ storage, workflows: { 'fan-out': workflow }, logger: false });
    const workflows = (await storage.getStore('workflows'))!;
    const merge = workflows.updateWorkflowResults.bind(workflows);
    let inFlight = 0;
    let mostInFlight = 0;
    const merges = vi.spyOn(workflows, 'updateWorkflowResults').mockImplementation(async (args) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        return await merge(args);
      } finally {
        inFlight -= 1;
      }
    });
    await mastra.startWorkers();
    try {
      const run = await mastra.getWorkflow('fan-out').createRun();
      const result = await run.start({ inputData: { n: 7 } });
      expect(result.status).toBe('success');
      expect(result.status === 'success' && result.result).toEqual(Object.fromEntries(factors.map((f) => [`x${f}`, { v: 7 * f }])));
      const stored = await (await storage.getStore('workflows'))!.loadWorkflowSnapshot({ workflowName: 'fan-out', runId: run.runId });
      for (const f of factors) expect(stored!.context[`x${f}`]).toMatchObject({ status: 'success', output: { v: 7 * f } });
      // Every branch's result went through the atomic merge, and the branches really raced.
      expect(new Set(merges.mock.calls.map(([args]) => args.stepId))).toEqual(new Set(factors.map((f) => `x${f}`)));
      expect(mostInFlight).toBeGreaterThan(1);
    } finally {
      await mastra.stopWorkers();
    }
  });
});
