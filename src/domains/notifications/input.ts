import type { CreateNotificationInput, UpdateNotificationInput } from '@mastra/core/storage';
import type { D1Value } from '../../client/types';
import { userError } from '../../errors';
import { encodeValue } from '../../sql/codec';
import { optionalText, requireText } from '../validation';
import { NOTIFICATIONS_TABLE } from './schema';

// Input checks of the notifications domain. Each throws a USER error naming the field before anything is
// sent, so bad input writes nothing.

const STATUSES = ['pending', 'delivered', 'seen', 'dismissed', 'archived', 'discarded', 'failed'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
const OBJECT_FIELDS = new Set(['attributes', 'metadata']);

/** The column a status change stamps with the time of the change (none for `pending` and `failed`). */
const STATUS_STAMP: Readonly<Record<string, string>> = { delivered: 'deliveredAt', seen: 'seenAt', dismissed: 'dismissedAt', archived: 'archivedAt', discarded: 'discardedAt' };

/** What `updateNotification` may change besides `status`; a key left `undefined` keeps its value. */
const UPDATABLE = ['summary', 'payload', 'attributes', 'metadata', 'deliverAt', 'summaryAt', 'deliveryReason', 'deliveryAttempts', 'lastDeliveryAttemptAt', 'lastDeliveryError', 'deliveredSignalId', 'summarySignalId'] as const;

/** Optional fields of `createNotification` besides the required ones. */
const CREATE_OPTIONAL = ['id', 'payload', 'resourceId', 'agentId', 'sourceId', 'dedupeKey', 'coalesceKey', 'attributes', 'metadata', 'deliverAt', 'summaryAt', 'deliveryReason', 'createdAt'] as const;

/** A notification status, refused unless it is one of core's. */
function status(operation: string, value: unknown): string {
  if (typeof value !== 'string' || !STATUSES.includes(value)) throw userError(operation, `status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
  return value;
}

/**
 * One field's stored value: text columns take strings, `attributes` and `metadata` objects, NOT NULL
 * columns refuse `null` (which clears a nullable one); dates, numbers and JSON go through the codec.
 */
export function fieldValue(operation: string, field: string, value: unknown, record: string): D1Value {
  const { type, nullable } = NOTIFICATIONS_TABLE.columns[field]!;
  const name = `${field} of ${record}`;
  if (value === null) {
    if (nullable === false) throw userError(operation, `${name} must not be null`, { field });
    return null;
  }
  if (type === 'text' && typeof value !== 'string') throw userError(operation, `${name} must be a string`, { field });
  if (OBJECT_FIELDS.has(field) && (typeof value !== 'object' || Array.isArray(value))) throw userError(operation, `${name} must be an object`, { field });
  if (field === 'priority' && !PRIORITIES.includes(value as string)) throw userError(operation, `${name} must be one of ${PRIORITIES.join(', ')}`, { field });
  return encodeValue(operation, type, value, name);
}

/** A new record's stored values by column, for the given input and time. */
export function newRow(operation: string, input: CreateNotificationInput, now: Date): Record<string, D1Value> {
  const threadId = requireText(operation, 'threadId', input?.threadId);
  const record = `notification of thread ${threadId}`;
  const given: Record<string, unknown> = {
    threadId,
    source: requireText(operation, 'source', input.source),
    kind: requireText(operation, 'kind', input.kind),
    summary: input.summary,
    priority: input.priority ?? 'medium',
  };
  for (const field of CREATE_OPTIONAL) if (input[field] !== undefined) given[field] = input[field];
  const row: Record<string, unknown> = { id: crypto.randomUUID(), createdAt: now, ...given, status: 'pending', coalescedCount: 1, deliveryAttempts: 0 };
  row.updatedAt = row.createdAt;
  return Object.fromEntries(Object.keys(NOTIFICATIONS_TABLE.columns).map((field) => [field, fieldValue(operation, field, row[field] ?? null, record)]));
}

/** The stored values an update sets, by column; `undefined` keys are left out (they keep their value). */
export function updateChanges(operation: string, input: UpdateNotificationInput, now: Date): Record<string, D1Value> {
  const record = `notification ${input.id} of thread ${input.threadId}`;
  const changes: Record<string, D1Value> = input.status === undefined ? { updatedAt: now.toISOString() } : statusChanges(operation, input.status, now);
  for (const field of UPDATABLE) if (input[field] !== undefined) changes[field] = fieldValue(operation, field, input[field], record);
  return changes;
}

/** What setting `value` as the status writes: the status, its time stamp if it has one, `updatedAt`. */
export function statusChanges(operation: string, value: unknown, now: Date): Record<string, D1Value> {
  const next = status(operation, value);
  const stamp = STATUS_STAMP[next];
  return { status: next, ...(stamp ? { [stamp]: now.toISOString() } : {}), updatedAt: now.toISOString() };
}

/** `limit` of a list: an integer >= 0 when given; 0 means no limit, as in LibSQLStore. */
export function listLimit(operation: string, value: unknown): number {
  if (value === undefined) return -1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw userError(operation, 'limit must be an integer >= 0', { field: 'limit' });
  return value || -1;
}

/** A filter of one string or a list of them; absent or empty text means no filter, as in LibSQLStore. */
export function oneOrMany(operation: string, field: string, value: unknown): string[] | undefined {
  const values = Array.isArray(value) ? value : value ? [value] : undefined;
  if (values?.some((v) => typeof v !== 'string')) throw userError(operation, `${field} must be a string or an array of strings`, { field });
  return values;
}

/** An optional text filter; the empty string means no filter, as in LibSQLStore. */
export function textFilter(operation: string, field: string, value: unknown): string | undefined {
  return optionalText(operation, field, value) || undefined;
}

/** The id list of a bulk update: an array of strings, each once. */
export function idList(operation: string, ids: unknown): string[] {
  if (!Array.isArray(ids)) throw userError(operation, 'ids must be an array of strings', { field: 'ids' });
  return [...new Set(oneOrMany(operation, 'ids', ids))];
}
