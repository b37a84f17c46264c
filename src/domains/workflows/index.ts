import { createEmptyWorkflowSnapshot, mergeWorkflowStepResult, WorkflowsStorage, TABLE_WORKFLOW_SNAPSHOT, type StorageListWorkflowRunsInput, type UpdateWorkflowStateOptions, type WorkflowRun, type WorkflowRuns } from '@mastra/core/storage';
import type { StepResult, WorkflowRunState } from '@mastra/core/workflows';
import { storageOperation } from '../../errors';
import { D1Domain } from '../base';
import { keyPath } from '../../sql/json';
import { parseSnapshot, runFromRow } from './rows';
import { WORKFLOW_TABLES } from './schema';
import * as sql from './sql';
import { planStepMerge } from './step-merge';
import { isoDate, optionalText, requireText, serializeJson } from '../validation';
import { pageWindow } from '../../sql/query';
import { pages, runFilters, runKey, stateOptions } from './input';

type AnyStepResult = StepResult<any, any, any, any>;

/**
 * Workflow run snapshots, stored in D1. Concurrent updates are safe: each update is one SQL statement
 * that merges into the stored snapshot (D1 runs every statement atomically), so parallel branches of
 * the evented engine never lose a result and only one resume can claim a suspended run.
 */
export class WorkflowsStorageD1 extends D1Domain(WorkflowsStorage, {
  key: 'workflows',
  tables: WORKFLOW_TABLES,
  retention: { tables: { workflowSnapshot: { table: TABLE_WORKFLOW_SNAPSHOT, column: 'updatedAt', indexed: true } }, order: ['workflowSnapshot'] },
}) {

  get #table(): string {
    return this.ctx.tables(TABLE_WORKFLOW_SNAPSHOT);
  }

  /** True: `updateWorkflowResults` and `updateWorkflowState` are single atomic statements. */
  supportsConcurrentUpdates(): boolean {
    return true;
  }

  /**
   * Merges one step's result into the run's snapshot (creating the run when it has none) and returns
   * the merged step results, as core's `mergeWorkflowStepResult` does, in one statement.
   */
  async updateWorkflowResults(args: { workflowName: string; runId: string; stepId: string; result: AnyStepResult; requestContext: Record<string, any> }): Promise<Record<string, AnyStepResult>> {
    const op = 'updateWorkflowResults';
    const { workflowName, runId } = runKey(op, args);
    const stepId = requireText(op, 'stepId', args.stepId);
    return storageOperation(op, { workflowName, runId, stepId }, async () => {
      const { result } = args;
      const requestContext = args.requestContext ?? {};
      const resultJson = serializeJson(op, result, `step ${stepId} of workflow run ${runId}`);
      const requestContextJson = serializeJson(op, requestContext, `request context of workflow run ${runId}`);
      // A run without a snapshot starts from core's empty one, merged in JS since nothing is stored yet.
      const fresh = createEmptyWorkflowSnapshot(runId);
      mergeWorkflowStepResult({ snapshot: fresh, stepId, result, requestContext });
      const statement = sql.mergeStepResult(this.#table, {
        workflowName,
        runId,
        newSnapshot: serializeJson(op, fresh, `snapshot of workflow run ${runId}`),
        now: new Date().toISOString(),
        stepPath: keyPath('$.context', stepId),
        result: resultJson,
        requestContext: requestContextJson,
        plan: planStepMerge(result),
      });
      // Re-applying the same result gives the same snapshot, so a retry after an unknown outcome is safe.
      const { rows } = await this.ctx.driver.run<{ context: string }>(statement, { idempotent: true });
      if (!rows[0]) throw new Error(`Snapshot context not found for runId ${runId}`);
      return JSON.parse(rows[0].context) as Record<string, AnyStepResult>;
    });
  }

  /**
   * Applies `opts` to the run's snapshot. With `opts.expectedStatus` it is a compare-and-set: when the
   * stored status is not one of them nothing changes and it resolves to `undefined`.
   */
  async updateWorkflowState(args: { workflowName: string; runId: string; opts: UpdateWorkflowStateOptions }): Promise<WorkflowRunState | undefined> {
    const op = 'updateWorkflowState';
    const key = runKey(op, args);
    const { workflowName, runId } = key;
    const { expectedStatus, ...state } = stateOptions(op, args.opts);
    return storageOperation(op, key, async () => {
      const omitted = Object.keys(state).filter((key) => state[key as keyof typeof state] === undefined);
      const expected = expectedStatus === undefined ? undefined : JSON.stringify([expectedStatus].flat());
      const t = this.#table;
      const [updated, probe] = await this.ctx.driver.batch(
        [sql.updateState(t, key, serializeJson(op, state, `state of workflow run ${runId}`), JSON.stringify(omitted), expected), sql.selectContextType(t, workflowName, runId)],
        // A repeated compare-and-set would see its own write and report a lost claim.
        { idempotent: expected === undefined },
      );
      const row = updated!.rows[0] as { snapshot: string } | undefined;
      if (row) return JSON.parse(row.snapshot) as WorkflowRunState;
      const stored = probe!.rows[0] as { context: string | null } | undefined;
      if (stored && stored.context !== 'object') throw new Error(`Snapshot not found for runId ${runId}`);
      return undefined;
    });
  }

  /** Upserts a run's snapshot in one statement; snapshots over D1's 2 MB value limit are refused. */
  async persistWorkflowSnapshot(args: { workflowName: string; runId: string; resourceId?: string; snapshot: WorkflowRunState; createdAt?: Date; updatedAt?: Date }): Promise<void> {
    const op = 'persistWorkflowSnapshot';
    const { workflowName, runId } = runKey(op, args);
    await storageOperation(op, { workflowName, runId }, async () => {
      const now = new Date();
      const statement = sql.upsertSnapshot(this.#table, {
        workflowName,
        runId,
        resourceId: optionalText(op, 'resourceId', args.resourceId) ?? null,
        snapshot: serializeJson(op, args.snapshot, `snapshot of workflow run ${runId}`),
        createdAt: isoDate(op, args.createdAt ?? now, 'createdAt'),
        updatedAt: isoDate(op, args.updatedAt ?? now, 'updatedAt'),
      });
      await this.ctx.driver.run(statement, { idempotent: true });
    });
  }

  async loadWorkflowSnapshot(args: { workflowName: string; runId: string }): Promise<WorkflowRunState | null> {
    const op = 'loadWorkflowSnapshot';
    const { workflowName, runId } = runKey(op, args);
    return storageOperation(op, { workflowName, runId }, async () => {
      const [row] = await this.ctx.driver.all<{ snapshot: string }>(sql.selectSnapshot(this.#table, workflowName, runId));
      return row ? (parseSnapshot(row.snapshot) as WorkflowRunState) : null;
    });
  }

  /**
   * Runs newest first. With both `page` and a numeric `perPage` it returns that page and the total of
   * all matches (one batch: page and count); otherwise every match.
   */
  async listWorkflowRuns(args: StorageListWorkflowRunsInput = {}): Promise<WorkflowRuns> {
    const op = 'listWorkflowRuns';
    const filters = runFilters(op, args);
    const paging = pages(op, args);
    return storageOperation(op, { workflowName: filters.workflowName ?? null }, async () => {
      const t = this.#table;
      if (!paging) {
        const rows = await this.ctx.driver.all(sql.selectRuns(t, filters));
        return { runs: rows.map(runFromRow), total: rows.length };
      }
      const window = pageWindow(op, paging.page, paging.perPage);
      const [count, runs] = await this.ctx.driver.batch([sql.countRuns(t, filters), sql.selectRuns(t, filters, window)], { idempotent: true });
      return { runs: runs!.rows.map(runFromRow), total: Number(count!.rows[0]?.total ?? 0) };
    });
  }

  async getWorkflowRunById(args: { runId: string; workflowName?: string }): Promise<WorkflowRun | null> {
    const op = 'getWorkflowRunById';
    const runId = requireText(op, 'runId', args?.runId);
    // As in LibSQLStore, an empty workflowName is no filter.
    const workflowName = optionalText(op, 'workflowName', args.workflowName) || undefined;
    return storageOperation(op, { runId, workflowName: workflowName ?? null }, async () => {
      const [row] = await this.ctx.driver.all(sql.selectRun(this.#table, runId, workflowName));
      return row ? runFromRow(row) : null;
    });
  }

  async deleteWorkflowRunById(args: { runId: string; workflowName: string }): Promise<void> {
    const op = 'deleteWorkflowRunById';
    const { workflowName, runId } = runKey(op, args);
    await storageOperation(op, { workflowName, runId }, async () => {
      await this.ctx.driver.run(sql.deleteRun(this.#table, workflowName, runId), { idempotent: true });
    });
  }
}
