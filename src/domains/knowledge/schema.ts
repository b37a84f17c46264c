import {
  KNOWLEDGE_ACTIVITY_SCHEMA,
  KNOWLEDGE_CURSORS_SCHEMA,
  KNOWLEDGE_MENTIONS_SCHEMA,
  KNOWLEDGE_NODES_SCHEMA,
  KNOWLEDGE_RECORDS_SCHEMA,
  KNOWLEDGE_SEMANTIC_OUTBOX_SCHEMA,
  TABLE_KNOWLEDGE_ACTIVITY,
  TABLE_KNOWLEDGE_CURSORS,
  TABLE_KNOWLEDGE_MENTIONS,
  TABLE_KNOWLEDGE_NODES,
  TABLE_KNOWLEDGE_RECORDS,
  TABLE_KNOWLEDGE_SEMANTIC_OUTBOX,
} from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';

// Every read filters scopes as `scopeKey IN (<the query scope's ancestor keys>)`, so each index leads
// with the column a lookup pins and the scope key follows where a list needs it.

/** Graph nodes; a node's identity (type, scope, canonical name) is unique, so concurrent creates collide. */
export const NODES: TableSpec = {
  name: TABLE_KNOWLEDGE_NODES,
  columns: KNOWLEDGE_NODES_SCHEMA,
  indexes: [
    { name: 'identity_idx', columns: ['type', 'scopeKey', 'canonicalName'], unique: true },
    { name: 'scope_updated_idx', columns: ['scopeKey', 'updatedAt DESC'] },
  ],
};

/** Knowledge records, listed newest first per node and per source thread. */
export const RECORDS: TableSpec = {
  name: TABLE_KNOWLEDGE_RECORDS,
  columns: KNOWLEDGE_RECORDS_SCHEMA,
  indexes: [
    { name: 'node_idx', columns: ['node', 'id DESC'] },
    { name: 'thread_idx', columns: ['sourceThreadId', 'id DESC'] },
    { name: 'scope_idx', columns: ['scopeKey', 'id DESC'] },
  ],
};

/** Which record or node mentions which node (`recordId` is the mentioned node's id, as core names it). */
export const MENTIONS: TableSpec = {
  name: TABLE_KNOWLEDGE_MENTIONS,
  columns: KNOWLEDGE_MENTIONS_SCHEMA,
  primaryKey: ['sourceType', 'sourceId', 'recordId'],
  indexes: [{ name: 'target_idx', columns: ['recordId', 'sourceType', 'sourceId'] }],
};

/** Curation cursors, one per (source thread, agent). */
export const CURSORS: TableSpec = { name: TABLE_KNOWLEDGE_CURSORS, columns: KNOWLEDGE_CURSORS_SCHEMA, primaryKey: ['sourceThreadId', 'agent'] };

/** The activity log, read newest first within visible scopes. */
export const ACTIVITY: TableSpec = {
  name: TABLE_KNOWLEDGE_ACTIVITY,
  columns: KNOWLEDGE_ACTIVITY_SCHEMA,
  indexes: [{ name: 'scope_idx', columns: ['scopeKey', 'id DESC'] }],
};

/** The semantic-index outbox: idempotent inserts, claims in creation order, per-document ordering. */
export const OUTBOX: TableSpec = {
  name: TABLE_KNOWLEDGE_SEMANTIC_OUTBOX,
  columns: KNOWLEDGE_SEMANTIC_OUTBOX_SCHEMA,
  indexes: [
    { name: 'idempotency_idx', columns: ['idempotencyKey'], unique: true },
    { name: 'claim_idx', columns: ['status', 'availableAt', 'createdAt'] },
    { name: 'status_idx', columns: ['status', 'createdAt', 'id'] },
    { name: 'created_idx', columns: ['createdAt', 'id'] },
    { name: 'document_idx', columns: ['documentId', 'createdAt', 'id'] },
  ],
};

/** The domain's tables, children first (the order `dangerouslyClearAll` empties them in). */
export const KNOWLEDGE_TABLES = [MENTIONS, RECORDS, NODES, CURSORS, ACTIVITY, OUTBOX] as const;
