import type { BackgroundTask, BackgroundTaskStatus, TaskFilter, TaskListResult, UpdateBackgroundTask } from '@mastra/core/background-tasks';
import { BackgroundTasksStorage, TABLE_BACKGROUND_TASKS } from '@mastra/core/storage';
import { storageOperation, userError } from '../../errors';
import { columnList } from '../../sql/codec';
import { placeholders } from '../../sql/params';
import { orderBy, pageQuery, pageWindow, where } from '../../sql/query';
import { D1Domain } from '../base';
import { requireText } from '../validation';
import { taskConditions } from './filter';
import { rowToTask, taskValues, updateAssignments } from './row';
import { DATE_FIELDS, requireStatus, TASKS_TABLE } from './schema';

const COLUMNS = columnList(TASKS_TABLE);
const DIRECTIONS: Readonly<Record<string, 'ASC' | 'DESC'>> = { asc: 'ASC', desc: 'DESC' };

/**
 * Durable background tasks (tools run with `background: { enabled: true }`), in D1 so that every Worker
 * sees, claims, resumes and cancels the same tasks. Each call is one statement (a list, one batch); a
 * status-guarded `updateTask` is a single compare-and-set, so of two managers claiming one task exactly
 * one wins.
 */
export class BackgroundTasksStorageD1 extends D1Domain(BackgroundTasksStorage, {
  key: 'backgroundTasks',
  tables: [TASKS_TABLE],
  // As in LibSQLStore: `completedAt` is NULL while a task is live, so only finished tasks are pruned.
  retention: { tables: { backgroundTasks: { table: TABLE_BACKGROUND_TASKS, column: 'completedAt', indexed: true } }, order: ['backgroundTasks'] },
}) {
  #table(): string {
    return this.ctx.tables(TABLE_BACKGROUND_TASKS);
  }

  /** Inserts a task; an id already stored is a USER error (`TASK_EXISTS`) and the stored task is kept. */
  async createTask(task: BackgroundTask): Promise<void> {
    const op = 'createTask';
    const values = taskValues(op, task);
    // Not marked idempotent: a retry after a lost reply would find its own row and report a duplicate.
    const { changes } = await storageOperation(op, { taskId: task.id }, () =>
      this.ctx.driver.run({ sql: `INSERT INTO ${this.#table()} (${COLUMNS}) VALUES (${placeholders(values.length)}) ON CONFLICT (id) DO NOTHING`, params: values }),
    );
    if (changes === 0) throw userError(op, `task ${task.id} already exists`, { taskId: task.id }, 'TASK_EXISTS');
  }

  async updateTask(taskId: string, update: UpdateBackgroundTask, options?: { expectedStatus?: BackgroundTaskStatus }): Promise<boolean> {
    const op = 'updateTask';
    requireText(op, 'taskId', taskId);
    const expected = options?.expectedStatus ? requireStatus(op, 'expectedStatus', options.expectedStatus) : undefined;
    const set = updateAssignments(op, update);
    if (set.sql.length === 0) return false;
    const guard = expected ? ' AND status = ?' : '';
    // Not idempotent: a compare-and-set repeated after a lost reply would report the claim it won as lost.
    const { changes } = await storageOperation(op, { taskId }, () =>
      this.ctx.driver.run({ sql: `UPDATE ${this.#table()} SET ${set.sql.join(', ')} WHERE id = ?${guard}`, params: [...set.params, taskId, ...(expected ? [expected] : [])] }),
    );
    return changes > 0;
  }

  async getTask(taskId: string): Promise<BackgroundTask | null> {
    const op = 'getTask';
    requireText(op, 'taskId', taskId);
    const [row] = await storageOperation(op, { taskId }, () => this.ctx.driver.all({ sql: `SELECT ${COLUMNS} FROM ${this.#table()} WHERE id = ?`, params: [taskId] }));
    return row ? rowToTask(row) : null;
  }

  /** The matching tasks and their total, in one batch; every match when `perPage` is not given. */
  async listTasks(filter: TaskFilter = {}): Promise<TaskListResult> {
    const op = 'listTasks';
    const filterWhere = where(taskConditions(op, filter));
    const window = pageWindow(op, filter.page ?? 0, filter.perPage ?? false);
    const direction = filter.orderDirection ?? 'asc';
    if (!Object.hasOwn(DIRECTIONS, direction)) throw userError(op, 'orderDirection must be asc or desc', { field: 'orderDirection' });
    const order = orderBy(op, DATE_FIELDS, { field: filter.orderBy, direction: DIRECTIONS[direction] }, { field: 'createdAt', direction: 'ASC' });
    const page = await storageOperation(op, {}, () => pageQuery(this.ctx.driver, { select: COLUMNS, from: this.#table(), where: filterWhere, order: order.sql, window }));
    return { tasks: page.rows.map(rowToTask), total: page.total };
  }

  async deleteTask(taskId: string): Promise<void> {
    const op = 'deleteTask';
    requireText(op, 'taskId', taskId);
    await storageOperation(op, { taskId }, () => this.ctx.driver.run({ sql: `DELETE FROM ${this.#table()} WHERE id = ?`, params: [taskId] }, { idempotent: true }));
  }

  /**
   * Deletes the tasks matching every given criterion; a filter with none deletes nothing. Unlike
   * LibSQLStore, the thread, resource, tool name and tool call filters are honoured too.
   */
  async deleteTasks(filter: TaskFilter): Promise<void> {
    const op = 'deleteTasks';
    const filterWhere = where(taskConditions(op, filter));
    if (!filterWhere.sql) return;
    await storageOperation(op, {}, () => this.ctx.driver.run({ sql: `DELETE FROM ${this.#table()}${filterWhere.sql}`, params: filterWhere.params }, { idempotent: true }));
  }

  getRunningCount(): Promise<number> {
    return this.#countRunning('getRunningCount');
  }

  async getRunningCountByAgent(agentId: string): Promise<number> {
    return this.#countRunning('getRunningCountByAgent', requireText('getRunningCountByAgent', 'agentId', agentId));
  }

  async #countRunning(op: string, agentId?: string): Promise<number> {
    const filterWhere = where(taskConditions(op, { status: 'running', agentId }));
    const [row] = await storageOperation(op, {}, () => this.ctx.driver.all<{ total: number }>({ sql: `SELECT COUNT(*) AS total FROM ${this.#table()}${filterWhere.sql}`, params: filterWhere.params }));
    return Number(row?.total ?? 0);
  }
}
