import { mergeWorkflowStepResult, type WorkflowsStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { CLIENT_KINDS, useHarness } from '../support/harness';
import { snapshot, success } from './workflows-fixtures';

// The SQL merge of a step result must do exactly what core's mergeWorkflowStepResult does in JS; each
// scenario applies the same sequence of results to D1 and to core's function and compares every step.

const h = useHarness();
const PENDING = { __mastra_pending__: true };
const suspended = { status: 'suspended', suspendPayload: { ask: 1 }, startedAt: 1 };

const scenarios: Record<string, unknown[]> = {
  'iterations fill their own index': [success([null, null, null]), success([{ a: 1 }, null, null]), success([null, 0, null]), success([null, null, false])],
  'falsy but non-null values are taken': [success([null, null, null]), success(['', 0, false])],
  'a pending marker resets a suspended or empty slot and keeps a finished one': [
    success([{ done: 1 }, suspended, null, 'x'], { suspendPayload: { keep: true } }),
    success([PENDING, PENDING, PENDING, 'ignored', PENDING], { status: 'running', extra: 'dropped' }),
  ],
  'a marker over a marker resets it': [success([PENDING, 1]), success([PENDING, null])],
  'a shorter array keeps the stored tail, a longer one extends it': [success([1, 2, 3, 4]), success([9]), success([null, null, null, null, null, 6])],
  'new fields override stored ones unless a marker is present': [success([1], { a: 'old', b: 'old' }), success([null], { a: 'new', status: 'failed' })],
  'a non-array output replaces the whole result': [success([1, 2]), success({ not: 'array' }), success([3])],
  'nested values and doubles survive': [success([null, null]), success([{ deep: [1.5, { n: null }], big: 1e300 }, 0.30000000000000004])],
};

describe.each(CLIENT_KINDS)('foreach step-result merge matches core on %s', (kind) => {
  it('applies every scenario as mergeWorkflowStepResult does', async () => {
    const store = await h.freshStore(kind);
    const wf = (await store.getStore('workflows')) as WorkflowsStorage;
    for (const [name, results] of Object.entries(scenarios)) {
      const model = snapshot(name);
      await wf.persistWorkflowSnapshot({ workflowName: 'w', runId: name, snapshot: model });
      for (const [i, result] of results.entries()) {
        const requestContext = { [`k${i}`]: i };
        const expected = mergeWorkflowStepResult({ snapshot: model, stepId: 'each', result: result as never, requestContext });
        const actual = await wf.updateWorkflowResults({ workflowName: 'w', runId: name, stepId: 'each', result: result as never, requestContext });
        expect(actual, `${name}, result ${i}`).toEqual(expected);
      }
      expect(await wf.loadWorkflowSnapshot({ workflowName: 'w', runId: name }), name).toEqual(JSON.parse(JSON.stringify(model)));
    }
  });
});
