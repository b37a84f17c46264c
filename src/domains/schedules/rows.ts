import { normalizeScheduleTarget, type Schedule, type ScheduleTrigger } from '@mastra/core/storage';
import type { D1Value } from '../../client/types';
import { decodeRow, encodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { SCHEDULES_TABLE, TRIGGERS_TABLE } from './schema';

type Row = Record<string, unknown>;

/** Each schedule field and the column that stores it. */
export const SCHEDULE_COLUMNS = {
  id: 'id',
  target: 'target',
  cron: 'cron',
  timezone: 'timezone',
  status: 'status',
  nextFireAt: 'next_fire_at',
  lastFireAt: 'last_fire_at',
  lastRunId: 'last_run_id',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  metadata: 'metadata',
  ownerType: 'owner_type',
  ownerId: 'owner_id',
} as const;

const TRIGGER_COLUMNS = {
  id: 'id',
  scheduleId: 'schedule_id',
  runId: 'run_id',
  scheduledFireAt: 'scheduled_fire_at',
  actualFireAt: 'actual_fire_at',
  outcome: 'outcome',
  error: 'error',
  triggerKind: 'trigger_kind',
  parentTriggerId: 'parent_trigger_id',
  metadata: 'metadata',
} as const;

function encode(operation: string, spec: TableSpec, fields: Readonly<Record<string, string>>, record: object, name: string): D1Value[] {
  const row = Object.fromEntries(Object.entries(fields).map(([field, column]) => [column, (record as Row)[field]]));
  return encodeRow(operation, spec, row, { record: name });
}

/** A row's non-NULL columns, decoded, under their field names (absent fields are left out, as in LibSQLStore). */
function decode(spec: TableSpec, fields: Readonly<Record<string, string>>, row: Row): Row {
  const columns: Row = decodeRow(spec, row, { omitNull: true });
  return Object.fromEntries(Object.entries(fields).flatMap(([field, column]) => (column in columns ? [[field, columns[column]]] : [])));
}

/** A checked schedule as the values of one row, in column order. */
export function scheduleToRow(operation: string, schedule: Schedule): D1Value[] {
  return encode(operation, SCHEDULES_TABLE, SCHEDULE_COLUMNS, schedule, `schedule ${schedule.id}`);
}

/** A schedules row as core's `Schedule`, its target through core's legacy-type shim (which core requires). */
export function scheduleFromRow(row: Row): Schedule {
  const schedule = decode(SCHEDULES_TABLE, SCHEDULE_COLUMNS, row) as Schedule;
  return { ...schedule, target: normalizeScheduleTarget(schedule.target) };
}

/** A checked trigger, its id given, as the values of one row, in column order. */
export function triggerToRow(operation: string, trigger: ScheduleTrigger & { id: string }): D1Value[] {
  return encode(operation, TRIGGERS_TABLE, TRIGGER_COLUMNS, trigger, `trigger ${trigger.id} of schedule ${trigger.scheduleId}`);
}

/** A trigger row as core's `ScheduleTrigger`: `runId` is `null` rather than absent, as core types it. */
export function triggerFromRow(row: Row): ScheduleTrigger {
  const trigger = decode(TRIGGERS_TABLE, TRIGGER_COLUMNS, row) as ScheduleTrigger;
  return { ...trigger, runId: trigger.runId ?? null };
}
