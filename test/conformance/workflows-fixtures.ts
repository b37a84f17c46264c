import type { WorkflowRunState } from '@mastra/core/workflows';

/** A minimal, valid workflow snapshot; `overrides` replace top-level fields. */
export function snapshot(runId: string, overrides: Partial<WorkflowRunState> = {}): WorkflowRunState {
  return {
    runId,
    status: 'running',
    value: {},
    context: { input: { n: 1 } },
    serializedStepGraph: [],
    activePaths: [],
    activeStepsPath: {},
    suspendedPaths: {},
    resumeLabels: {},
    waitingPaths: {},
    timestamp: 1_700_000_000_000,
    ...overrides,
  } as WorkflowRunState;
}

/** A successful step result with `output`. */
export function success(output: unknown, extra: Record<string, unknown> = {}) {
  return { status: 'success', output, payload: {}, startedAt: 1, endedAt: 2, ...extra } as const;
}
