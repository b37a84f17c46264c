import {
  createKnowledgeUlid,
  knowledgeScopeKey,
  knowledgeSemanticDocumentId,
  knowledgeSemanticIdempotencyKey,
  parseKnowledgeWikilinks,
  type KnowledgeActivityAction,
  type KnowledgeNode,
  type KnowledgeScope,
  type KnowledgeSemanticDocumentType,
  type KnowledgeSemanticOperation,
} from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import type { TableNamer } from '../../sql/identifiers';
import { ACTIVITY, MENTIONS, NODES, OUTBOX } from './schema';
import { canonicalName, resolveName, type Candidate } from './resolve';

/** Merge chains longer than this are treated as broken (LibSQLStore reports them as cycles). */
const MAX_MERGE_DEPTH = 64;

/** A scope filter over `column`, bound with the JSON list of the query scope's ancestor keys. */
export const visible = (column = 'scopeKey') => `${column} IN (SELECT value FROM json_each(?))`;

/** The merge chains of the nodes matching `start` (a condition over the nodes table), as CTE `chain`. */
export function chainSql(nodes: string, start: string): string {
  return `chain(start, startName, startKey, id, depth) AS (
    SELECT id, canonicalName, scopeKey, id, 0 FROM ${nodes} WHERE type = 'node' AND ${start}
    UNION ALL
    SELECT c.start, c.startName, c.startKey, n.mergedInto, c.depth + 1 FROM chain c CROSS JOIN ${nodes} n ON n.id = c.id
      WHERE n.mergedInto IS NOT NULL AND c.depth < ${MAX_MERGE_DEPTH})`;
}

/**
 * Where a chain ends: the node of `chain` that is not merged. CROSS JOIN keeps `chain` the outer loop;
 * SQLite would otherwise walk every node through the identity index's `type` column.
 */
export const chainEnd = (nodes: string) => `FROM chain c CROSS JOIN ${nodes} n ON n.id = c.id AND n.type = 'node' WHERE n.mergedInto IS NULL`;

/**
 * For every node matching `start`, one row: the start's id, name and scope key, then every column of the
 * node its merge chain ends at. One statement, so a merged node resolves without a round trip per hop.
 */
export function terminalsSql(nodes: string, start: string): string {
  return `WITH RECURSIVE ${chainSql(nodes, start)} SELECT c.start AS startId, c.startName, c.startKey, n.* ${chainEnd(nodes)}`;
}

/** The nodes named `names` (canonically) in the scopes keyed `keys`, each with its terminal node. */
export function candidatesRead(tables: TableNamer, names: readonly string[], keys: readonly string[]): SqlStatement {
  return {
    sql: terminalsSql(tables(NODES.name), `scopeKey IN (SELECT value FROM json_each(?)) AND canonicalName IN (SELECT value FROM json_each(?))`),
    params: [JSON.stringify([...new Set(keys)]), JSON.stringify(names.map(canonicalName))],
  };
}

/** Aborts the batch it is in (D1 rolls every statement back) unless `condition` holds. */
const assertion = (condition: string) => `SELECT CASE WHEN ${condition} THEN 1 ELSE json('knowledge guard failed') END`;

/** Whether a batch failed on one of the guards above. */
export const guardFailed = (error: unknown) => error instanceof Error && /malformed JSON/i.test(error.message);

/**
 * The statements of one knowledge mutation, built in the order LibSQLStore's transaction runs them so
 * ULIDs (activity and outbox ids) sort the same way; sent as one batch, so they apply all or nothing.
 */
export class KnowledgeBatch {
  readonly statements: SqlStatement[] = [];
  readonly now = new Date();
  private readonly at = this.now.toISOString();

  constructor(private readonly tables: TableNamer) {}

  /** Appends a statement and returns its position in the batch. */
  add(sql: string, ...params: D1Value[]): number {
    return this.statements.push({ sql, params }) - 1;
  }

  /** Aborts the batch unless the previous statement changed exactly one row. */
  assertChanged(): void {
    this.add(assertion('changes() = 1'));
  }

  /** Aborts the batch unless `sql` (an EXISTS body) finds a row. */
  assertExists(sql: string, ...params: D1Value[]): void {
    this.add(assertion(`EXISTS (${sql})`), ...params);
  }

  /** An activity event; with `onlyIf`, written only when that SQL condition holds. */
  activity(action: KnowledgeActivityAction, recordType: KnowledgeSemanticDocumentType, recordId: string, scope: KnowledgeScope, sourceThreadId?: string, onlyIf = '1', ...onlyIfParams: D1Value[]): void {
    this.add(
      `INSERT INTO ${this.tables(ACTIVITY.name)} (id, action, recordType, recordId, scope, scopeKey, sourceThreadId, createdAt) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${onlyIf}`,
      createKnowledgeUlid(), action, recordType, recordId, JSON.stringify(scope), knowledgeScopeKey(scope), sourceThreadId ?? null, this.at, ...onlyIfParams,
    );
  }

  /** A pending outbox entry, ignored when its idempotency key exists; `onlyIf` as for `activity`. */
  outbox(type: KnowledgeSemanticDocumentType, id: string, operation: KnowledgeSemanticOperation, version: number | string, scope: KnowledgeScope, onlyIf = '1', ...onlyIfParams: D1Value[]): void {
    const documentId = knowledgeSemanticDocumentId(type, id);
    this.add(
      `INSERT OR IGNORE INTO ${this.tables(OUTBOX.name)} (${OUTBOX_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, ?, NULL WHERE ${onlyIf}`,
      createKnowledgeUlid(), knowledgeSemanticIdempotencyKey(documentId, operation, version), documentId, type, operation, JSON.stringify(scope), knowledgeScopeKey(scope), this.at, this.at, ...onlyIfParams,
    );
  }

  /**
   * Outbox entries for every row `from` selects, computed inside D1 so rows written by another Worker
   * since this one read are covered too. `source` gives SQL expressions over `from` for the document's
   * type, id, operation and scope; one fresh ULID is the version, and prefixes each entry id.
   */
  outboxFrom(source: { type: string; id: string; operation: string; scope: string; scopeKey: string }, from: string, ...params: D1Value[]): void {
    const version = createKnowledgeUlid();
    const documentId = `'knowledge:' || ${source.type} || ':' || ${source.id}`;
    this.add(
      `INSERT OR IGNORE INTO ${this.tables(OUTBOX.name)} (${OUTBOX_COLUMNS}) SELECT DISTINCT ? || ':' || ${source.id} || ':' || ${source.operation}, ${documentId} || ':' || ${source.operation} || ':' || ?, ${documentId}, ${source.type}, ${source.operation}, ${source.scope}, ${source.scopeKey}, 'pending', 0, ?, NULL, NULL, ?, NULL FROM ${from}`,
      version, version, this.at, this.at, ...params,
    );
  }

  /**
   * Re-derives the mentions of one source from the `[[wikilinks]]` in `text`, as LibSQLStore does: a
   * name resolves within `resolutionScope`, then by identity in `defaultScope`, else a node is created
   * there. Created nodes are `INSERT OR IGNORE` on the identity index and the mention selects the node by
   * identity, so a concurrent writer creating the same node first is harmless; the node's activity and
   * outbox entry are written only by the writer whose row won.
   */
  mentions(sourceType: 'record' | 'node', sourceId: string, text: string, resolutionScope: KnowledgeScope, defaultScope: KnowledgeScope, candidates: readonly Candidate[]): void {
    const mentions = this.tables(MENTIONS.name);
    const nodes = this.tables(NODES.name);
    this.add(`DELETE FROM ${mentions} WHERE sourceType = ? AND sourceId = ?`, sourceType, sourceId);
    for (const name of parseKnowledgeWikilinks(text)) {
      const node = resolveName(candidates, name, resolutionScope, defaultScope);
      if (node) {
        this.add(`INSERT OR IGNORE INTO ${mentions} (sourceType, sourceId, recordId) VALUES (?, ?, ?)`, sourceType, sourceId, node.id);
        continue;
      }
      const id = crypto.randomUUID();
      const key = knowledgeScopeKey(defaultScope);
      this.add(
        `INSERT OR IGNORE INTO ${nodes} (id, type, name, canonicalName, kind, content, description, scope, scopeKey, version, mergedInto, createdAt, updatedAt) VALUES (?, 'node', ?, ?, 'node', NULL, NULL, ?, ?, 1, NULL, ?, ?)`,
        id, name, canonicalName(name), JSON.stringify(defaultScope), key, this.at, this.at,
      );
      const won = `EXISTS (SELECT 1 FROM ${nodes} WHERE id = ?)`;
      this.activity('node-created', 'node', id, defaultScope, undefined, won, id);
      this.outbox('node', id, 'upsert', 1, defaultScope, won, id);
      this.add(
        `INSERT OR IGNORE INTO ${mentions} (sourceType, sourceId, recordId) SELECT ?, ?, id FROM ${nodes} WHERE type = 'node' AND scopeKey = ? AND canonicalName = ?`,
        sourceType, sourceId, key, canonicalName(name),
      );
    }
  }

  /** A node row's full column list and values, for inserting `node` as it will be stored. */
  insertNode(node: KnowledgeNode): void {
    this.add(
      `INSERT INTO ${this.tables(NODES.name)} (id, type, name, canonicalName, kind, content, description, scope, scopeKey, version, mergedInto, createdAt, updatedAt) VALUES (?, 'node', ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
      node.id, node.name, canonicalName(node.name), node.kind ?? null, node.content ?? null, node.description ?? null,
      JSON.stringify(node.scope), knowledgeScopeKey(node.scope), node.version, this.at, this.at,
    );
  }
}

const OUTBOX_COLUMNS = 'id, idempotencyKey, documentId, documentType, operation, scope, scopeKey, status, attempts, availableAt, claimedAt, claimedBy, createdAt, completedAt';
