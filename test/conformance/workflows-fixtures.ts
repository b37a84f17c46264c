import type { WorkflowRunState } from '@mastra/core/workflows';
import { newSnapshot } from '../reliability/builders';

/** A minimal, valid workflow snapshot whose context holds only `input: { n: 1 }`; `overrides` replace top-level fields. */
export function snapshot(runId: string, overrides: Partial<WorkflowRunState> = {}): WorkflowRunState {
  return { ...newSnapshot(runId), context: { input: { n: 1 } } as unknown as WorkflowRunState['context'], ...overrides };
}

/** A successful step result with `output`. */
export function success(output: unknown, extra: Record<string, unknown> = {}) {
  return { status: 'success', output, payload: {}, startedAt: 1, endedAt: 2, ...extra } as const;
}
