import {
  SchedulesStorage,
  TABLE_SCHEDULE_TRIGGERS,
  TABLE_SCHEDULES,
  type Schedule,
  type ScheduleFilter,
  type ScheduleTrigger,
  type ScheduleTriggerListOptions,
  type ScheduleUpdate,
} from '@mastra/core/storage';
import type { D1Value } from '../../client/types';
import { notFoundError, storageOperation, userError } from '../../errors';
import { columnList, encodeValue, upsertSql } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { quoteIdentifier } from '../../sql/identifiers';
import { compare, eq, raw, where, type Condition } from '../../sql/query';
import { D1Domain } from '../base';
import { epochArg, filterArg, idArg, limitArg, patchArg, scheduleArg, triggerArg, triggerListArg } from './input';
import { SCHEDULE_COLUMNS, scheduleFromRow, scheduleToRow, triggerFromRow, triggerToRow } from './rows';
import { SCHEDULES_TABLE, TRIGGERS_TABLE, WORKFLOW_ID } from './schema';

const SCHEDULE_SELECT = columnList(SCHEDULES_TABLE);
const TRIGGER_SELECT = columnList(TRIGGERS_TABLE);

/** `column IS NULL` for a `null` filter, `column = ?` for a value, nothing for `undefined`. */
const eqOrNull = (column: string, value: string | null | undefined): Condition | undefined =>
  value === null ? raw(`${quoteIdentifier(column)} IS NULL`) : eq(column, value);

/**
 * Cron schedules of workflows and agents (`mastra.schedules`) and their trigger history, stored in D1 so
 * every Worker polling the database sees them. Each call is one round trip; the scheduler's claim of a
 * due fire is one compare-and-set statement, so of many instances racing on a fire exactly one wins.
 */
export class SchedulesStorageD1 extends D1Domain(SchedulesStorage, {
  key: 'schedules',
  tables: [SCHEDULES_TABLE, TRIGGERS_TABLE],
  retention: {
    tables: { triggers: { table: TABLE_SCHEDULE_TRIGGERS, column: 'actual_fire_at', indexed: true, anchorType: 'epoch-ms' } },
    order: ['triggers'],
  },
}) {
  get #schedules(): string {
    return this.ctx.tables(TABLE_SCHEDULES);
  }

  get #triggers(): string {
    return this.ctx.tables(TABLE_SCHEDULE_TRIGGERS);
  }

  /**
   * Inserts a row that must be new. `ON CONFLICT DO NOTHING` and a check of the change count make a
   * duplicate id a USER error without replacing the stored row, however many writers race on it.
   * Not idempotent: a repeat after a lost answer would report the first write as a duplicate.
   */
  async #insertNew(operation: string, table: string, spec: TableSpec, values: D1Value[], record: string, details: Record<string, string>): Promise<void> {
    const insert = upsertSql(table, spec, values, { key: ['id'], keep: Object.keys(spec.columns) });
    const { changes } = await storageOperation(operation, details, () => this.ctx.driver.run(insert));
    if (changes === 0) throw userError(operation, `${record} already exists`, details, 'ALREADY_EXISTS');
  }

  /** Returns the schedule as given, as LibSQLStore does. */
  async createSchedule(schedule: Schedule): Promise<Schedule> {
    const op = 'createSchedule';
    const values = scheduleToRow(op, scheduleArg(op, schedule));
    await this.#insertNew(op, this.#schedules, SCHEDULES_TABLE, values, `Schedule with id "${schedule.id}"`, { id: schedule.id });
    return schedule;
  }

  async getSchedule(id: string): Promise<Schedule | null> {
    const op = 'getSchedule';
    idArg(op, id);
    return storageOperation(op, { id }, async () => {
      const [row] = await this.ctx.driver.all({ sql: `SELECT ${SCHEDULE_SELECT} FROM ${this.#schedules} WHERE "id" = ?`, params: [id] });
      return row ? scheduleFromRow(row) : null;
    });
  }

  /** Oldest first; schedules created in the same millisecond in the order they were stored. */
  async listSchedules(filter?: ScheduleFilter): Promise<Schedule[]> {
    const op = 'listSchedules';
    const { status, workflowId, ownerType, ownerId } = filterArg(op, filter);
    // As in LibSQLStore, an empty status or workflowId is no filter.
    const match = where([eq('status', status || undefined), workflowId ? raw(`${WORKFLOW_ID} = ?`, workflowId) : undefined, eqOrNull('owner_type', ownerType), eqOrNull('owner_id', ownerId)]);
    return storageOperation(op, {}, async () => {
      const rows = await this.ctx.driver.all({ sql: `SELECT ${SCHEDULE_SELECT} FROM ${this.#schedules}${match.sql} ORDER BY "created_at" ASC, rowid ASC`, params: match.params });
      return rows.map(scheduleFromRow);
    });
  }

  /** Active schedules due by `now`, soonest first, at most `limit` (100 by default). */
  async listDueSchedules(now: number, limit?: number): Promise<Schedule[]> {
    const op = 'listDueSchedules';
    const params = [epochArg(op, 'now', now), limitArg(op, 'limit', limit, 100)];
    return storageOperation(op, {}, async () => {
      const rows = await this.ctx.driver.all({
        sql: `SELECT ${SCHEDULE_SELECT} FROM ${this.#schedules} WHERE "status" = 'active' AND "next_fire_at" <= ? ORDER BY "next_fire_at" ASC, rowid ASC LIMIT ?`,
        params,
      });
      return rows.map(scheduleFromRow);
    });
  }

  /**
   * Sets the patched columns and `updatedAt` in one statement that returns the stored row. An empty
   * patch only reads the row (LibSQLStore leaves `updatedAt` alone then). A missing id is NOT_FOUND.
   */
  async updateSchedule(id: string, patch: ScheduleUpdate): Promise<Schedule> {
    const op = 'updateSchedule';
    idArg(op, id);
    const assignments = Object.entries(patchArg(op, patch)).map(([field, value]) => {
      const column = SCHEDULE_COLUMNS[field as keyof ScheduleUpdate];
      return { column, value: encodeValue(op, SCHEDULES_TABLE.columns[column]!.type, value, `${field} of schedule ${id}`) };
    });
    const statement = assignments.length
      ? {
          sql: `UPDATE ${this.#schedules} SET ${[...assignments.map((a) => `${quoteIdentifier(a.column)} = ?`), '"updated_at" = ?'].join(', ')} WHERE "id" = ? RETURNING ${SCHEDULE_SELECT}`,
          params: [...assignments.map((a) => a.value), Date.now(), id],
        }
      : { sql: `SELECT ${SCHEDULE_SELECT} FROM ${this.#schedules} WHERE "id" = ?`, params: [id] };
    const [row] = await storageOperation(op, { id }, async () => (await this.ctx.driver.run(statement, { idempotent: true })).rows);
    if (!row) throw notFoundError(op, `Schedule ${id} not found`, { id });
    return scheduleFromRow(row);
  }

  /**
   * The scheduler's claim of a fire: advances `nextFireAt` only if it still is `expectedNextFireAt` and
   * the schedule is active, in one statement, so of instances racing on the same fire exactly one gets
   * `true`. Never retried after a lost answer, which could report the caller's own claim as lost.
   */
  async updateScheduleNextFire(id: string, expectedNextFireAt: number, newNextFireAt: number, lastFireAt: number, lastRunId: string): Promise<boolean> {
    const op = 'updateScheduleNextFire';
    idArg(op, id);
    const params = [
      epochArg(op, 'newNextFireAt', newNextFireAt),
      epochArg(op, 'lastFireAt', lastFireAt),
      idArg(op, lastRunId, 'lastRunId'),
      Date.now(),
      id,
      epochArg(op, 'expectedNextFireAt', expectedNextFireAt),
    ];
    const { changes } = await storageOperation(op, { id }, () =>
      this.ctx.driver.run({
        sql: `UPDATE ${this.#schedules} SET "next_fire_at" = ?, "last_fire_at" = ?, "last_run_id" = ?, "updated_at" = ? WHERE "id" = ? AND "next_fire_at" = ? AND "status" = 'active'`,
        params,
      }),
    );
    return changes > 0;
  }

  /** Deletes the schedule and its trigger history in one atomic batch. */
  async deleteSchedule(id: string): Promise<void> {
    const op = 'deleteSchedule';
    idArg(op, id);
    await storageOperation(op, { id }, () =>
      this.ctx.driver.batch(
        [
          { sql: `DELETE FROM ${this.#triggers} WHERE "schedule_id" = ?`, params: [id] },
          { sql: `DELETE FROM ${this.#schedules} WHERE "id" = ?`, params: [id] },
        ],
        { idempotent: true },
      ),
    );
  }

  /** Appends a trigger; an id that is already recorded is a USER error and the stored trigger stays. */
  async recordTrigger(trigger: ScheduleTrigger): Promise<void> {
    const op = 'recordTrigger';
    triggerArg(op, trigger);
    const stored = { ...trigger, id: trigger.id ?? crypto.randomUUID(), runId: trigger.runId ?? null, triggerKind: trigger.triggerKind ?? 'schedule-fire' };
    await this.#insertNew(op, this.#triggers, TRIGGERS_TABLE, triggerToRow(op, stored), `Trigger with id "${stored.id}"`, { id: stored.id, scheduleId: stored.scheduleId });
  }

  /** Newest first; triggers of the same millisecond newest-stored first. */
  async listTriggers(scheduleId: string, opts?: ScheduleTriggerListOptions): Promise<ScheduleTrigger[]> {
    const op = 'listTriggers';
    idArg(op, scheduleId, 'scheduleId');
    const { limit, from, to } = triggerListArg(op, opts);
    const match = where([eq('schedule_id', scheduleId), compare('actual_fire_at', '>=', from), compare('actual_fire_at', '<', to)]);
    return storageOperation(op, { scheduleId }, async () => {
      const rows = await this.ctx.driver.all({
        sql: `SELECT ${TRIGGER_SELECT} FROM ${this.#triggers}${match.sql} ORDER BY "actual_fire_at" DESC, rowid DESC LIMIT ?`,
        params: [...match.params, limit],
      });
      return rows.map(triggerFromRow);
    });
  }
}
