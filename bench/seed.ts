/**
 * Puts the data a workload reads in place, outside the measurement. Each package is seeded through
 * its own public API, except where the original's API issues a statement (or two) per row: its
 * messages and workflow runs are written with ONE `json_each` INSERT in exactly the row format its
 * `saveMessages` / `persistWorkflowSnapshot` produce, because 2,001 statements through the Miniflare
 * proxy would take a minute per seed.
 */
import type { MastraDBMessage } from '@mastra/core/agent';
import type { WorkflowRunState } from '@mastra/core/workflows';
import type { Subject } from './subjects';

async function insertJsonRows(subject: Subject, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const columns = Object.keys(rows[0]!);
  const sql =
    `INSERT INTO ${subject.table(table)} (${columns.join(', ')}) ` +
    `SELECT ${columns.map((c) => `value ->> '$.${c}'`).join(', ')} FROM json_each(?)`;
  await subject.raw.prepare(sql).bind(JSON.stringify(rows)).run();
}

/** Stores `list` (all in one thread that already exists). */
export async function seedMessages(subject: Subject, list: MastraDBMessage[]): Promise<void> {
  if (subject.impl === 'ours') {
    await (await subject.domain('memory')).saveMessages({ messages: list });
    return;
  }
  await insertJsonRows(
    subject,
    'mastra_messages',
    list.map((m) => ({
      id: m.id,
      thread_id: m.threadId,
      content: JSON.stringify(m.content),
      createdAt: m.createdAt.toISOString(),
      role: m.role,
      type: m.type ?? 'v2',
      resourceId: m.resourceId,
    })),
  );
}

/** A workflow run to seed. */
export interface SeedRun {
  workflowName: string;
  runId: string;
  resourceId?: string;
  snapshot: WorkflowRunState;
  createdAt: Date;
}

/** Stores `runs`. */
export async function seedWorkflowRuns(subject: Subject, runs: SeedRun[]): Promise<void> {
  if (subject.impl === 'ours') {
    const workflows = await subject.domain('workflows');
    for (const run of runs) await workflows.persistWorkflowSnapshot({ ...run, updatedAt: run.createdAt });
    return;
  }
  await insertJsonRows(
    subject,
    'mastra_workflow_snapshot',
    runs.map((run) => ({
      workflow_name: run.workflowName,
      run_id: run.runId,
      resourceId: run.resourceId ?? null,
      snapshot: JSON.stringify(run.snapshot),
      createdAt: run.createdAt.toISOString(),
      updatedAt: run.createdAt.toISOString(),
    })),
  );
}
