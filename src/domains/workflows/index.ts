import { createEmptyWorkflowSnapshot, mergeWorkflowStepResult, WorkflowsStorage, TABLE_WORKFLOW_SNAPSHOT, type StorageListWorkflowRunsInput, type UpdateWorkflowStateOptions, type WorkflowRun, type WorkflowRuns } from '@mastra/core/storage';
import type { StepResult, WorkflowRunState } from '@mastra/core/workflows';
import { notFoundError, storageOperation } from '../../errors';
import { encodeRow, parseJson } from '../../sql/codec';
import { keyPath } from '../../sql/json';
import { pageQuery, pageWindow } from '../../sql/query';
import { D1Domain } from '../base';
import { optionalText, requireText, serializeJson } from '../validation';
import { pages, runFilters, runKey, snapshotArg, stateOptions } from './input';
import { runFromRow } from './rows';
import { SNAPSHOT_TABLE, WORKFLOW_TABLES } from './schema';
import * as sql from './sql';
import { planStepMerge } from './step-merge';

type AnyStepResult = StepResult<any, any, any, any>;

/**
 * A run whose stored snapshot has no `context` object cannot take a step result or a state change.
 * Core's stores throw a plain "Snapshot not found" there. Such a snapshot was persisted by a caller (this
 * store, like LibSQLStore, keeps whatever snapshot it is given), D1 did nothing wrong and a retry cannot
 * help, so it is a USER error naming the run.
 */
function snapshotNotFound(operation: string, key: { workflowName: string; runId: string }) {
  return notFoundError(operation, `Snapshot not found for runId ${key.runId}: the stored snapshot of workflow ${key.workflowName} has no context`, key);
}

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
    const key = runKey(op, args);
    const { workflowName, runId } = key;
    const stepId = requireText(op, 'stepId', args.stepId);
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
    return storageOperation(op, { workflowName, runId, stepId }, async () => {
      // Re-applying the same result gives the same snapshot, so a retry after an unknown outcome is safe.
      const { rows } = await this.ctx.driver.run<{ context: string }>(statement, { idempotent: true });
      if (!rows[0]) throw snapshotNotFound(op, key);
      return JSON.parse(rows[0].context) as Record<string, AnyStepResult>;
    });
  }

  /**
   * Applies `opts` to the run's snapshot. With `opts.expectedStatus` it is a compare-and-set: when the
   * stored status is not one of them nothing changes and it resolves to `undefined`, as it does for a
   * run that does not exist.
   */
  async updateWorkflowState(args: { workflowName: string; runId: string; opts: UpdateWorkflowStateOptions }): Promise<WorkflowRunState | undefined> {
    const op = 'updateWorkflowState';
    const key = runKey(op, args);
    const { expectedStatus, ...state } = stateOptions(op, args.opts);
    const omitted = Object.keys(state).filter((field) => state[field as keyof typeof state] === undefined);
    const expected = expectedStatus === undefined ? undefined : JSON.stringify([expectedStatus].flat());
    const stateJson = { json: serializeJson(op, state, `state of workflow run ${key.runId}`), omitJson: JSON.stringify(omitted), touchesContext: 'context' in state };
    const t = this.#table;
    return storageOperation(op, key, async () => {
      const [updated, probe] = await this.ctx.driver.batch(
        [sql.updateState(t, key, stateJson, expected), sql.selectContextType(t, key.workflowName, key.runId)],
        // A repeated compare-and-set would see its own write and report a lost claim.
        { idempotent: expected === undefined },
      );
      const row = updated!.rows[0] as { snapshot: string } | undefined;
      if (row) return JSON.parse(row.snapshot) as WorkflowRunState;
      const stored = probe!.rows[0] as { context: string | null } | undefined;
      if (stored && stored.context !== 'object') throw snapshotNotFound(op, key);
      return undefined;
    });
  }

  /** Upserts a run's snapshot in one statement; snapshots over D1's 2 MB value limit are refused. */
  async persistWorkflowSnapshot(args: { workflowName: string; runId: string; resourceId?: string; snapshot: WorkflowRunState; createdAt?: Date; updatedAt?: Date }): Promise<void> {
    const op = 'persistWorkflowSnapshot';
    const { workflowName, runId } = runKey(op, args);
    const now = new Date();
    const run = {
      workflow_name: workflowName,
      run_id: runId,
      resourceId: optionalText(op, 'resourceId', args.resourceId),
      snapshot: snapshotArg(op, args.snapshot),
      createdAt: args.createdAt ?? now,
      updatedAt: args.updatedAt ?? now,
    };
    const values = encodeRow(op, SNAPSHOT_TABLE, run, { record: `workflow run ${runId}`, columns: sql.RUN_COLUMNS });
    await storageOperation(op, { workflowName, runId }, () => this.ctx.driver.run(sql.upsertSnapshot(this.#table, values), { idempotent: true }));
  }

  async loadWorkflowSnapshot(args: { workflowName: string; runId: string }): Promise<WorkflowRunState | null> {
    const op = 'loadWorkflowSnapshot';
    const { workflowName, runId } = runKey(op, args);
    const [row] = await storageOperation(op, { workflowName, runId }, () => this.ctx.driver.all<{ snapshot: string }>(sql.selectSnapshot(this.#table, workflowName, runId)));
    return row ? (parseJson(row.snapshot) as WorkflowRunState) : null;
  }

  /**
   * Runs newest first. With both `page` and a numeric `perPage` it returns that page and the total of
   * all matches (one batch: count and page); otherwise every match.
   */
  async listWorkflowRuns(args: StorageListWorkflowRunsInput = {}): Promise<WorkflowRuns> {
    const op = 'listWorkflowRuns';
    const filters = runFilters(op, args);
    const paging = pages(op, args);
    const window = paging && pageWindow(op, paging.page, paging.perPage);
    return storageOperation(op, { workflowName: filters.workflowName ?? null }, async () => {
      if (!window) {
        const rows = await this.ctx.driver.all(sql.selectRuns(this.#table, filters));
        return { runs: rows.map(runFromRow), total: rows.length };
      }
      const { rows, total } = await pageQuery(this.ctx.driver, { ...sql.runQuery(this.#table, filters), window });
      return { runs: rows.map(runFromRow), total };
    });
  }

  async getWorkflowRunById(args: { runId: string; workflowName?: string }): Promise<WorkflowRun | null> {
    const op = 'getWorkflowRunById';
    const runId = requireText(op, 'runId', args?.runId);
    // As in LibSQLStore, an empty workflowName is no filter.
    const workflowName = optionalText(op, 'workflowName', args.workflowName) || undefined;
    const [row] = await storageOperation(op, { runId, workflowName: workflowName ?? null }, () => this.ctx.driver.all(sql.selectRun(this.#table, runId, workflowName)));
    return row ? runFromRow(row) : null;
  }

  async deleteWorkflowRunById(args: { runId: string; workflowName: string }): Promise<void> {
    const op = 'deleteWorkflowRunById';
    const { workflowName, runId } = runKey(op, args);
    await storageOperation(op, { workflowName, runId }, () => this.ctx.driver.run(sql.deleteRun(this.#table, workflowName, runId), { idempotent: true }));
  }
}
