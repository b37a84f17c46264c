import type { Schedule, ScheduleFilter, ScheduleTrigger, ScheduleTriggerListOptions, ScheduleUpdate } from '@mastra/core/storage';
import { userError } from '../../errors';
import { requireText } from '../validation';

// Checks of every argument of the schedules domain. Each throws a USER error naming the field before
// anything is sent, so bad input never writes anything.

type Check = (operation: string, field: string, value: unknown) => void;

const text: Check = (operation, field, value) => void requireText(operation, field, value);

const string: Check = (operation, field, value) => {
  if (typeof value !== 'string') throw userError(operation, `${field} must be a string`, { field });
};

const epochMs: Check = (operation, field, value) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw userError(operation, `${field} must be an integer (epoch milliseconds)`, { field });
};

const object: Check = (operation, field, value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw userError(operation, `${field} must be an object`, { field });
};

const status: Check = (operation, field, value) => {
  if (value !== 'active' && value !== 'paused') throw userError(operation, `${field} must be 'active' or 'paused'`, { field });
};

const target: Check = (operation, field, value) => {
  object(operation, field, value);
  text(operation, `${field}.type`, (value as { type?: unknown }).type);
};

/** How each field of a schedule is checked, and whether it may be left out (`undefined` or `null`). */
const SCHEDULE_FIELDS: Record<string, [Check, 'required' | 'optional']> = {
  id: [text, 'required'],
  target: [target, 'required'],
  cron: [text, 'required'],
  status: [status, 'required'],
  nextFireAt: [epochMs, 'required'],
  createdAt: [epochMs, 'required'],
  updatedAt: [epochMs, 'required'],
  timezone: [string, 'optional'],
  lastFireAt: [epochMs, 'optional'],
  lastRunId: [string, 'optional'],
  metadata: [object, 'optional'],
  ownerType: [string, 'optional'],
  ownerId: [string, 'optional'],
};

const TRIGGER_FIELDS: Record<string, [Check, 'required' | 'optional']> = {
  scheduleId: [text, 'required'],
  scheduledFireAt: [epochMs, 'required'],
  actualFireAt: [epochMs, 'required'],
  outcome: [text, 'required'],
  id: [text, 'optional'],
  runId: [string, 'optional'],
  error: [string, 'optional'],
  triggerKind: [text, 'optional'],
  parentTriggerId: [string, 'optional'],
  metadata: [object, 'optional'],
};

function checkRecord(operation: string, name: string, record: unknown, fields: Record<string, [Check, 'required' | 'optional']>): void {
  object(operation, name, record);
  for (const [field, [check, presence]] of Object.entries(fields)) {
    const value = (record as Record<string, unknown>)[field];
    if (value == null) {
      if (presence === 'required') throw userError(operation, `${field} is required`, { field });
    } else check(operation, field, value);
  }
}

/** A schedule to create, checked. */
export function scheduleArg(operation: string, schedule: Schedule): Schedule {
  checkRecord(operation, 'schedule', schedule, SCHEDULE_FIELDS);
  return schedule;
}

/** A trigger to record, checked. */
export function triggerArg(operation: string, trigger: ScheduleTrigger): ScheduleTrigger {
  checkRecord(operation, 'trigger', trigger, TRIGGER_FIELDS);
  return trigger;
}

/** A schedule id to look up: any string (an empty one matches nothing, as in LibSQLStore). */
export function idArg(operation: string, id: unknown, field = 'id'): string {
  string(operation, field, id);
  return id as string;
}

/** An epoch-ms argument, checked. */
export function epochArg(operation: string, field: string, value: unknown): number {
  epochMs(operation, field, value);
  return value as number;
}

/**
 * A row limit: an integer >= 0 (a fractional one is floored, as LibSQLStore does), or `fallback` when
 * left out; -1 is SQLite's "no limit".
 */
export function limitArg(operation: string, field: string, value: unknown, fallback: number): number {
  if (value == null) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw userError(operation, `${field} must be a number >= 0`, { field });
  return Math.floor(value);
}

/**
 * The columns a patch sets, by field. As in LibSQLStore, `cron`, `status`, `nextFireAt` and `target`
 * (NOT NULL columns) are left alone when `undefined`, while a present `timezone`, `metadata`, `ownerType`
 * or `ownerId` key clears the column when its value is `undefined` or `null`. Other keys are ignored.
 */
export function patchArg(operation: string, patch: ScheduleUpdate): Partial<Record<keyof ScheduleUpdate, unknown>> {
  object(operation, 'patch', patch);
  const set: Partial<Record<keyof ScheduleUpdate, unknown>> = {};
  for (const field of ['cron', 'status', 'nextFireAt', 'target'] as const) {
    if (patch[field] === undefined) continue;
    if (patch[field] === null) throw userError(operation, `${field} cannot be cleared`, { field });
    SCHEDULE_FIELDS[field]![0](operation, field, patch[field]);
    set[field] = patch[field];
  }
  for (const field of ['timezone', 'metadata', 'ownerType', 'ownerId'] as const) {
    if (!Object.hasOwn(patch, field)) continue;
    if (patch[field] != null) SCHEDULE_FIELDS[field]![0](operation, field, patch[field]);
    set[field] = patch[field] ?? null;
  }
  return set;
}

/** listSchedules filters, checked; `null` owner filters match rows without an owner. */
export function filterArg(operation: string, filter: ScheduleFilter | undefined): ScheduleFilter {
  if (filter === undefined) return {};
  object(operation, 'filter', filter);
  for (const field of ['status', 'workflowId', 'ownerType', 'ownerId'] as const) {
    if (filter[field] != null) string(operation, `filter.${field}`, filter[field]);
  }
  return filter;
}

/** listTriggers options, checked. */
export function triggerListArg(operation: string, opts: ScheduleTriggerListOptions | undefined): { limit: number; from?: number; to?: number } {
  if (opts === undefined) return { limit: -1 };
  object(operation, 'opts', opts);
  const bound = (field: 'fromActualFireAt' | 'toActualFireAt') => (opts[field] == null ? undefined : epochArg(operation, `opts.${field}`, opts[field]));
  return { limit: limitArg(operation, 'opts.limit', opts.limit, -1), from: bound('fromActualFireAt'), to: bound('toActualFireAt') };
}
