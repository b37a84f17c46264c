/** Workflow snapshots: written at every status change of every run, and read on resume and in Studio. */
import type { WorkflowRuns } from '@mastra/core/storage';
import type { WorkflowRunState } from '@mastra/core/workflows';
import { at, snapshot } from '../data';
import { seedWorkflowRuns, type SeedRun } from '../seed';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const WORKFLOW = 'weather-workflow';
const RUN = 'run-main';
const SNAPSHOT_BYTES = 50_000;
const STATUSES = ['success', 'failed', 'suspended', 'running'] as const;
const workflows = (s: Subject) => s.domain('workflows');

async function persistMain(s: Subject): Promise<WorkflowRunState> {
  const snap = snapshot(RUN, 'running', SNAPSHOT_BYTES);
  await (await workflows(s)).persistWorkflowSnapshot({ workflowName: WORKFLOW, runId: RUN, resourceId: 'user-42', snapshot: snap });
  return snap;
}

/** 500 runs: 5 workflows x 100 runs, statuses cycling, small snapshots. */
function manyRuns(): SeedRun[] {
  return Array.from({ length: 500 }, (_, i) => ({
    workflowName: `workflow-${i % 5}`,
    runId: `run-${String(i).padStart(4, '0')}`,
    resourceId: `user-${i % 10}`,
    snapshot: snapshot(`run-${i}`, STATUSES[Math.floor(i / 5) % STATUSES.length]!, 2_000),
    createdAt: at(i),
  }));
}

export const workflowWorkloads: Workload[] = [
  workload<WorkflowRunState, string>({
    group: 'workflows',
    name: 'persistWorkflowSnapshot 50 KB, new run',
    floor: 1,
    setup: async () => snapshot('template', 'running', SNAPSHOT_BYTES),
    before: async (_s, _snap, rep) => `run-new-${rep}`,
    run: async (s, snap, runId) =>
      (await workflows(s)).persistWorkflowSnapshot({ workflowName: WORKFLOW, runId, resourceId: 'user-42', snapshot: { ...snap, runId } }),
  }),
  workload<WorkflowRunState, WorkflowRunState>({
    group: 'workflows',
    name: 'persistWorkflowSnapshot 50 KB, existing run',
    floor: 1,
    setup: persistMain,
    before: async (_s, snap, rep) => ({ ...snap, status: STATUSES[rep % STATUSES.length]!, timestamp: at(rep).getTime() }),
    run: async (s, _snap, next) => (await workflows(s)).persistWorkflowSnapshot({ workflowName: WORKFLOW, runId: RUN, resourceId: 'user-42', snapshot: next }),
  }),
  workload({
    group: 'workflows',
    name: 'loadWorkflowSnapshot (50 KB)',
    floor: 1,
    setup: persistMain,
    run: async (s) => (await workflows(s)).loadWorkflowSnapshot({ workflowName: WORKFLOW, runId: RUN }),
    check: (r) => ((r as WorkflowRunState | null)?.runId === RUN ? undefined : 'snapshot not found'),
  }),
  workload({
    group: 'workflows',
    name: 'listWorkflowRuns: 20 of 500 by name + status',
    floor: 1,
    setup: (s) => seedWorkflowRuns(s, manyRuns()),
    run: async (s) => (await workflows(s)).listWorkflowRuns({ workflowName: 'workflow-1', status: 'success', perPage: 20, page: 0 }),
    // workflow-1 holds runs 1, 6, 11, ...: 100 runs, a quarter of them 'success'.
    check: (r) => expectCount('runs', (r as WorkflowRuns).runs?.length, 20) ?? expectCount('total', (r as WorkflowRuns).total, 25),
  }),
];
