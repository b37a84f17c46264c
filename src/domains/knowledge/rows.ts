import type { KnowledgeActivityEvent, KnowledgeNode, KnowledgeRecord, KnowledgeSemanticOutboxEntry } from '@mastra/core/storage';
import { parseJson } from '../../sql/codec';

// Rows back to core's knowledge entities, shaped as LibSQLStore returns them: NULL columns are left
// out (`undefined`), a missing kind is '', timestamps are Dates.

type Row = Record<string, unknown>;

const text = (value: unknown): string | undefined => (value == null ? undefined : String(value));
const date = (value: unknown): Date | undefined => (value == null ? undefined : new Date(String(value)));

/** A node row as a `KnowledgeNode`. */
export function toNode(row: Row): KnowledgeNode {
  return {
    id: String(row.id),
    type: 'node',
    name: String(row.name),
    kind: text(row.kind) ?? '',
    content: text(row.content),
    description: text(row.description),
    scope: parseJson(row.scope) as string[],
    version: Number(row.version),
    mergedInto: text(row.mergedInto),
    createdAt: date(row.createdAt)!,
    updatedAt: date(row.updatedAt)!,
  };
}

/** A record row as a `KnowledgeRecord`. */
export function toRecord(row: Row): KnowledgeRecord {
  return {
    id: String(row.id),
    node: String(row.node),
    text: String(row.text),
    scope: parseJson(row.scope) as string[],
    sourceThreadId: String(row.sourceThreadId),
    capturedAt: date(row.capturedAt)!,
    when: date(row.when),
    maxScope: text(row.maxScope) as KnowledgeRecord['maxScope'],
    metadata: row.metadata == null ? undefined : (parseJson(row.metadata) as Record<string, unknown>),
    deletedAt: date(row.deletedAt),
    deletedBy: text(row.deletedBy),
  };
}

/** An activity row as a `KnowledgeActivityEvent`. */
export function toActivity(row: Row): KnowledgeActivityEvent {
  return {
    id: String(row.id),
    action: String(row.action) as KnowledgeActivityEvent['action'],
    recordType: String(row.recordType) as KnowledgeActivityEvent['recordType'],
    recordId: String(row.recordId),
    scope: parseJson(row.scope) as string[],
    sourceThreadId: text(row.sourceThreadId),
    createdAt: date(row.createdAt)!,
  };
}

/** An outbox row as a `KnowledgeSemanticOutboxEntry`. */
export function toOutbox(row: Row): KnowledgeSemanticOutboxEntry {
  return {
    id: String(row.id),
    idempotencyKey: String(row.idempotencyKey),
    documentId: String(row.documentId),
    documentType: String(row.documentType) as KnowledgeSemanticOutboxEntry['documentType'],
    operation: String(row.operation) as KnowledgeSemanticOutboxEntry['operation'],
    scope: parseJson(row.scope) as string[],
    status: String(row.status) as KnowledgeSemanticOutboxEntry['status'],
    attempts: Number(row.attempts),
    availableAt: date(row.availableAt)!,
    claimedAt: date(row.claimedAt),
    claimedBy: text(row.claimedBy),
    createdAt: date(row.createdAt)!,
    completedAt: date(row.completedAt),
  };
}
