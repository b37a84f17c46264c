import { MastraError } from '@mastra/core/error';
import {
  assertKnowledgeCeilingRaised,
  assertKnowledgeDescriptionWithinBound,
  assertKnowledgeScopeWithinCeiling,
  canonicalizeKnowledgeScope,
  createKnowledgeNodeCursor,
  createKnowledgeUlid,
  isKnowledgeScopeVisible,
  KnowledgeConflictError,
  KnowledgeNotFoundError,
  KnowledgeStorage,
  knowledgeScopeKey,
  parseKnowledgeNodeCursor,
  parseKnowledgeWikilinks,
  type AppendKnowledgeInput,
  type ClaimKnowledgeSemanticOutboxInput,
  type CreateKnowledgeNodeInput,
  type KnowledgeActivityEvent,
  type KnowledgeCurationCursor,
  type KnowledgeNode,
  type KnowledgeRecord,
  type KnowledgeScope,
  type KnowledgeScopeLevel,
  type KnowledgeSemanticOutboxEntry,
  type ListKnowledgeNodesInput,
  type QueryKnowledgeBySourceInput,
  type QueryKnowledgeInput,
  type QueryKnowledgeOutput,
  type SearchKnowledgeInput,
  type SearchKnowledgeResult,
  type UpdateKnowledgeNodeInput,
} from '@mastra/core/storage';
import type { SqlStatement, StatementResult } from '../../client/types';
import { toMastraError, userError } from '../../errors';
import { parseJson, serializeJson } from '../../sql/codec';
import { and, raw, where, type MaybeCondition } from '../../sql/query';
import { requireAtomicBatch } from '../atomic-batch';
import { D1Domain } from '../base';
import { isoTimestamp } from '../validation';
import { ancestorKeys, canonicalName, toCandidates, withPending, resolveName, type Candidate } from './resolve';
import { toActivity, toNode, toOutbox, toRecord } from './rows';
import { ACTIVITY, CURSORS, KNOWLEDGE_TABLES, MENTIONS, NODES, OUTBOX, RECORDS } from './schema';
import { candidatesRead, chainEnd, chainSql, guardFailed, KnowledgeBatch, terminalsSql, visible } from './sql';

type Row = Record<string, unknown>;

const isDuplicate = (error: unknown) => error instanceof Error && /UNIQUE constraint failed/i.test(error.message);
const nodeRef = (node: QueryKnowledgeInput['node']) => (typeof node === 'string' ? node : node?.id);
const keysOf = (scope: KnowledgeScope) => JSON.stringify(ancestorKeys(scope));

/**
 * Runs one knowledge operation and maps its failures: core's `KnowledgeConflictError` and
 * `KnowledgeNotFoundError` pass through as LibSQLStore throws them (callers retry on a conflict); a
 * plain `Error` is a refusal of the input (core's scope, ceiling, description and cursor checks, or the
 * domain rules LibSQLStore words the same way) and becomes a USER `MastraError` with that text; D1
 * failures are THIRD_PARTY.
 */
async function knowledgeOperation<T>(op: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof KnowledgeConflictError || error instanceof KnowledgeNotFoundError || error instanceof MastraError) throw error;
    if (error instanceof Error && error.constructor === Error) throw userError(op, error.message);
    throw toMastraError(op, error);
  }
}

/** A `limit` argument: a non-negative integer, or the default when left out. */
function limitOf(op: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw userError(op, 'limit must be an integer >= 0', { field: 'limit' });
  return value;
}

function text(op: string, field: string, value: unknown): string {
  if (typeof value !== 'string') throw userError(op, `${field} must be a string`, { field });
  return value;
}

/**
 * The knowledge graph behind Observational Memory's subconscious mode (experimental in core): nodes,
 * records, mentions, curation cursors, activity and the semantic-index outbox, on D1.
 *
 * LibSQLStore runs twelve of these methods in interactive transactions, which D1 does not have. Here each
 * mutation reads what it needs in one round trip, computes in JS, and writes in ONE batch whose first
 * statements are guards (a version compare-and-set followed by an assert that aborts the whole batch),
 * so a concurrent writer either sees all of it or none. A stale node version is core's
 * `KnowledgeConflictError`; a record mutation that lost a race, or a node create that lost an identity
 * race, re-reads and tries again. The outbox claim is one `UPDATE … RETURNING`, so two Workers draining
 * it never claim the same entry. Multi-statement writes need an all-or-nothing batch, which a custom
 * `client` does not give: those refuse with a USER error there.
 */
export class KnowledgeStorageD1 extends D1Domain(KnowledgeStorage, { key: 'knowledge', tables: KNOWLEDGE_TABLES }) {
  private t(name: string): string {
    return this.ctx.tables(name);
  }

  private read(statements: SqlStatement[]): Promise<StatementResult[]> {
    return this.ctx.driver.batch(statements, { idempotent: true });
  }

  /**
   * Runs `attempt` (read, then one guarded batch), again after a lost race up to three times in all
   * when `retry` is set. A guard still failing is a conflict on `id`; a duplicate id or name is the caller's.
   */
  private async guarded<T>(op: string, id: string, attempt: (batch: KnowledgeBatch) => Promise<T>, retry = true): Promise<T> {
    requireAtomicBatch(this.ctx.driver, op);
    for (let tries = 1; ; tries++) {
      try {
        return await attempt(new KnowledgeBatch(this.ctx.tables));
      } catch (error) {
        const lost = guardFailed(error) || isDuplicate(error);
        if (lost && retry && tries < 3) continue;
        if (guardFailed(error)) throw new KnowledgeConflictError(id);
        if (isDuplicate(error)) throw userError(op, `a knowledge node or record with this id or name already exists: ${id}`, {}, 'EXISTS');
        throw error;
      }
    }
  }

  private write(batch: KnowledgeBatch): Promise<StatementResult[]> {
    return this.ctx.driver.batch(batch.statements);
  }

  private nodeById(id: string): SqlStatement {
    return { sql: `SELECT * FROM ${this.t(NODES.name)} WHERE id = ? AND type = 'node'`, params: [id] };
  }

  private terminalOf(id: string): SqlStatement {
    return { sql: terminalsSql(this.t(NODES.name), 'id = ?'), params: [id] };
  }

  private recordById(id: string, includeDeleted = true): SqlStatement {
    return { sql: `SELECT * FROM ${this.t(RECORDS.name)} WHERE id = ?${includeDeleted ? '' : ' AND deletedAt IS NULL'}`, params: [id] };
  }

  private async readRecord(id: string): Promise<KnowledgeRecord> {
    const [row] = await this.ctx.driver.all(this.recordById(id));
    if (!row) throw new KnowledgeNotFoundError('record', id);
    return toRecord(row);
  }

  async createNode(input: CreateKnowledgeNodeInput): Promise<KnowledgeNode> {
    const op = 'createNode';
    return knowledgeOperation(op, async () => {
      assertKnowledgeDescriptionWithinBound(input.description);
      const name = text(op, 'name', input.name).trim();
      const scope = canonicalizeKnowledgeScope(input.scope);
      const resolution = canonicalizeKnowledgeScope(input.resolutionScope ?? scope);
      const links = parseKnowledgeWikilinks(input.content ?? '');
      return this.guarded(op, name, async (batch) => {
        const [found] = await this.read([candidatesRead(this.ctx.tables, [name, ...links], [knowledgeScopeKey(scope), ...ancestorKeys(resolution)])]);
        const candidates = toCandidates(found!.rows);
        const existing = candidates.find((c) => c.startName === canonicalName(name) && c.startKey === knowledgeScopeKey(scope))?.node;
        if (existing) {
          if (!isKnowledgeScopeVisible(existing.scope, scope)) throw new Error(`Merged knowledge node is not visible from scope: ${input.name}`);
          return existing;
        }
        const node: KnowledgeNode = {
          id: input.id ?? crypto.randomUUID(), type: 'node', name, kind: input.kind, content: input.content, description: input.description,
          scope, version: 1, createdAt: batch.now, updatedAt: batch.now,
        };
        batch.insertNode(node);
        batch.mentions('node', node.id, node.content ?? '', resolution, scope, withPending(candidates, node));
        batch.activity('node-created', 'node', node.id, scope);
        batch.outbox('node', node.id, 'upsert', node.version, scope);
        await this.write(batch);
        return node;
      });
    });
  }

  async getNode(id: string): Promise<KnowledgeNode | null> {
    return knowledgeOperation('getNode', async () => {
      const [row] = await this.ctx.driver.all(this.nodeById(text('getNode', 'id', id)));
      return row ? toNode(row) : null;
    });
  }

  async getNodeByName(input: { name: string; scope: KnowledgeScope }): Promise<KnowledgeNode | null> {
    const op = 'getNodeByName';
    return knowledgeOperation(op, async () => {
      const [row] = await this.ctx.driver.all({
        sql: `SELECT * FROM ${this.t(NODES.name)} WHERE type = 'node' AND scopeKey = ? AND canonicalName = ?`,
        params: [knowledgeScopeKey(canonicalizeKnowledgeScope(input.scope)), canonicalName(text(op, 'name', input.name))],
      });
      return row ? toNode(row) : null;
    });
  }

  async resolveNode(input: { name: string; scope: KnowledgeScope }): Promise<KnowledgeNode | null> {
    const op = 'resolveNode';
    return knowledgeOperation(op, async () => {
      const name = text(op, 'name', input.name);
      const scope = canonicalizeKnowledgeScope(input.scope);
      const rows = await this.ctx.driver.all(candidatesRead(this.ctx.tables, [name], ancestorKeys(scope)));
      return resolveName(toCandidates(rows), name, scope) ?? null;
    });
  }

  async listNodes(input: ListKnowledgeNodesInput): Promise<KnowledgeNode[]> {
    const op = 'listNodes';
    return knowledgeOperation(op, async () => {
      const keys = keysOf(input.scope);
      const filters = { namePrefix: input.namePrefix, kind: input.kind, hasContent: input.hasContent };
      const prefix = input.namePrefix ? canonicalName(text(op, 'namePrefix', input.namePrefix)) : undefined;
      const cursor = input.cursor ? parseKnowledgeNodeCursor(input.cursor, filters) : undefined;
      const after = cursor?.updatedAt.toISOString();
      const conditions: MaybeCondition[] = [
        raw(`type = 'node' AND mergedInto IS NULL AND ${visible()}`, keys),
        // D1 caps a LIKE pattern at 50 bytes, so the prefix test compares a substring instead.
        prefix !== undefined && raw('substr(canonicalName, 1, length(?)) = ?', prefix, prefix),
        input.kind ? raw('kind = ?', input.kind) : undefined,
        input.hasContent !== undefined && raw(input.hasContent ? "content IS NOT NULL AND content <> ''" : "(content IS NULL OR content = '')"),
        cursor && raw('(updatedAt < ? OR (updatedAt = ? AND (name > ? OR (name = ? AND id > ?))))', after!, after!, cursor.name, cursor.name, cursor.id),
      ];
      const filter = where(conditions);
      const rows = await this.ctx.driver.all({
        sql: `SELECT * FROM ${this.t(NODES.name)}${filter.sql} ORDER BY updatedAt DESC, name ASC, id ASC LIMIT ?`,
        params: [...filter.params, limitOf(op, input.limit, 100)],
      });
      return rows.map(toNode);
    });
  }

  async updateNode(input: UpdateKnowledgeNodeInput): Promise<KnowledgeNode> {
    const op = 'updateNode';
    return knowledgeOperation(op, async () => {
      assertKnowledgeDescriptionWithinBound(input.description);
      const id = text(op, 'id', input.id);
      if (input.name !== undefined) text(op, 'name', input.name);
      return this.guarded(
        op,
        id,
        async (batch) => {
          // New content with a known resolution scope (how memory's tools write) lets the candidates ride
          // along with the node read; otherwise they depend on the stored node and need a second read.
          const early = input.content !== undefined && (input.resolutionScope ?? input.scope) ? ancestorKeys(input.resolutionScope ?? input.scope!) : undefined;
          const earlyLinks = parseKnowledgeWikilinks(input.content ?? '');
          const [found, prefetched] = await this.read([this.nodeById(id), ...(early ? [candidatesRead(this.ctx.tables, earlyLinks, early)] : [])]);
          if (!found!.rows[0]) throw new KnowledgeNotFoundError('node', id);
          const existing = toNode(found!.rows[0]);
          if (existing.mergedInto) throw new Error(`Cannot update merged knowledge node: ${id}`);
          if (existing.version !== input.version) throw new KnowledgeConflictError(id);
          const scope = canonicalizeKnowledgeScope(input.scope ?? existing.scope);
          const name = (input.name ?? existing.name).trim();
          const node: KnowledgeNode = {
            ...existing, name, kind: input.kind ?? existing.kind, content: input.content ?? existing.content,
            description: input.description ?? existing.description, scope, version: input.version + 1, updatedAt: batch.now,
          };
          const nodes = this.t(NODES.name);
          batch.add(
            `UPDATE ${nodes} SET name = ?, canonicalName = ?, kind = ?, content = ?, description = ?, scope = ?, scopeKey = ?, version = version + 1, updatedAt = ? WHERE id = ? AND type = 'node' AND version = ? AND mergedInto IS NULL`,
            name, canonicalName(name), node.kind ?? null, node.content ?? null, node.description ?? null, JSON.stringify(scope), knowledgeScopeKey(scope),
            batch.now.toISOString(), id, input.version,
          );
          batch.assertChanged();
          if (input.content !== undefined || input.name !== undefined || input.scope !== undefined) {
            const resolution = canonicalizeKnowledgeScope(input.resolutionScope ?? scope);
            const links = parseKnowledgeWikilinks(node.content ?? '');
            const keys = [...ancestorKeys(resolution), knowledgeScopeKey(scope)];
            const covered = early !== undefined && keys.every((key) => early.includes(key));
            const rows = covered ? prefetched!.rows : links.length ? await this.ctx.driver.all(candidatesRead(this.ctx.tables, links, keys)) : [];
            const candidates = toCandidates(rows);
            batch.mentions('node', id, node.content ?? '', resolution, scope, withPending(candidates, node));
          }
          batch.activity('node-updated', 'node', id, scope);
          if (knowledgeScopeKey(existing.scope) !== knowledgeScopeKey(scope)) {
            batch.outbox('node', id, 'delete', createKnowledgeUlid(), existing.scope);
            const records = `${this.t(RECORDS.name)} r WHERE r.node = ?`;
            batch.outboxFrom({ type: "'record'", id: 'r.id', operation: "'delete'", scope: 'r.scope', scopeKey: 'r.scopeKey' }, records, id);
            batch.outboxFrom({ type: "'record'", id: 'r.id', operation: "'upsert'", scope: 'r.scope', scopeKey: 'r.scopeKey' }, `${records} AND r.deletedAt IS NULL`, id);
          }
          batch.outbox('node', id, 'upsert', input.version + 1, scope);
          await this.write(batch);
          return node;
        },
        false,
      );
    });
  }

  async mergeNodes(input: { sourceId: string; targetId: string; sourceVersion: number }): Promise<KnowledgeNode> {
    const op = 'mergeNodes';
    return knowledgeOperation(op, async () => {
      const sourceId = text(op, 'sourceId', input.sourceId);
      const targetId = text(op, 'targetId', input.targetId);
      if (sourceId === targetId) throw new Error('Cannot merge a knowledge node into itself');
      return this.guarded(
        op,
        sourceId,
        async (batch) => {
          const [sourceRows, targetRows] = await this.read([this.nodeById(sourceId), this.terminalOf(targetId)]);
          if (!sourceRows!.rows[0]) throw new KnowledgeNotFoundError('node', sourceId);
          if (!targetRows!.rows[0]) throw new KnowledgeNotFoundError('node', targetId);
          const source = toNode(sourceRows!.rows[0]);
          const target = toNode(targetRows!.rows[0]);
          if (target.id === source.id) throw new Error('Cannot create a knowledge merge cycle');
          if (!isKnowledgeScopeVisible(target.scope, source.scope)) throw new Error('Cannot merge a knowledge node into a target that is narrower than its source scope');
          if (source.mergedInto || source.version !== input.sourceVersion) throw new KnowledgeConflictError(sourceId);
          const [nodes, records, mentions] = [this.t(NODES.name), this.t(RECORDS.name), this.t(MENTIONS.name)];
          const at = batch.now.toISOString();
          // The target must still be where its chain ends, or the source would merge into a merged node.
          batch.add(
            `UPDATE ${nodes} SET mergedInto = ?, version = version + 1, updatedAt = ? WHERE id = ? AND type = 'node' AND version = ? AND mergedInto IS NULL AND EXISTS (SELECT 1 FROM ${nodes} t WHERE t.id = ? AND t.mergedInto IS NULL)`,
            target.id, at, sourceId, input.sourceVersion, target.id,
          );
          batch.assertChanged();
          const upsertUnlessDeleted = (alias: string) => `CASE WHEN ${alias}.deletedAt IS NULL THEN 'upsert' ELSE 'delete' END`;
          batch.outboxFrom({ type: "'record'", id: 'r.id', operation: upsertUnlessDeleted('r'), scope: 'r.scope', scopeKey: 'r.scopeKey' }, `${records} r WHERE r.node = ?`, sourceId);
          batch.outboxFrom(
            { type: 'm.sourceType', id: 'm.sourceId', operation: upsertUnlessDeleted('f'), scope: 'coalesce(f.scope, s.scope)', scopeKey: 'coalesce(f.scopeKey, s.scopeKey)' },
            `${mentions} m LEFT JOIN ${records} f ON m.sourceType = 'record' AND f.id = m.sourceId LEFT JOIN ${nodes} s ON m.sourceType = 'node' AND s.id = m.sourceId WHERE m.recordId = ?`,
            sourceId,
          );
          batch.add(`UPDATE ${records} SET node = ? WHERE node = ?`, target.id, sourceId);
          batch.add(
            `DELETE FROM ${mentions} WHERE recordId = ? AND EXISTS (SELECT 1 FROM ${mentions} t WHERE t.sourceType = ${mentions}.sourceType AND t.sourceId = ${mentions}.sourceId AND t.recordId = ?)`,
            sourceId, target.id,
          );
          batch.add(`UPDATE ${mentions} SET recordId = ? WHERE recordId = ?`, target.id, sourceId);
          const adopt = target.description === undefined && source.description
            ? batch.add(`UPDATE ${nodes} SET description = ?, version = version + 1, updatedAt = ? WHERE id = ? AND type = 'node' AND version = ? AND description IS NULL RETURNING id`, source.description, at, target.id, target.version)
            : -1;
          if (adopt >= 0) batch.activity('node-updated', 'node', target.id, target.scope, undefined, 'changes() = 1');
          batch.activity('node-merged', 'node', sourceId, source.scope);
          batch.outbox('node', sourceId, 'delete', input.sourceVersion + 1, source.scope);
          batch.outbox('node', target.id, 'upsert', createKnowledgeUlid(), target.scope);
          const results = await this.write(batch);
          const adopted = adopt >= 0 && results[adopt]!.rows.length > 0;
          return adopted ? { ...target, description: source.description, version: target.version + 1, updatedAt: batch.now } : target;
        },
        false,
      );
    });
  }

  async appendKnowledge(input: AppendKnowledgeInput): Promise<KnowledgeRecord> {
    const op = 'appendKnowledge';
    return knowledgeOperation(op, async () => {
      const scope = canonicalizeKnowledgeScope(input.scope);
      const resolution = canonicalizeKnowledgeScope(input.resolutionScope);
      const defaultScope = canonicalizeKnowledgeScope(input.defaultScope);
      assertKnowledgeScopeWithinCeiling(scope, input.maxScope);
      const body = text(op, 'text', input.text);
      const sourceThreadId = text(op, 'sourceThreadId', input.sourceThreadId);
      const ref = text(op, 'node', nodeRef(input.node));
      const when = input.when === undefined ? undefined : new Date(isoTimestamp(op, 'when', input.when));
      const metadata = input.metadata ? serializeJson(op, input.metadata, 'metadata') : null;
      const links = parseKnowledgeWikilinks(body);
      return this.guarded(op, ref, async (batch) => {
        const [parentRows, found] = await this.read([this.terminalOf(ref), candidatesRead(this.ctx.tables, links, [...ancestorKeys(resolution), knowledgeScopeKey(defaultScope)])]);
        if (!parentRows!.rows[0]) throw new KnowledgeNotFoundError('node', ref);
        const parent = toNode(parentRows!.rows[0]);
        const record: KnowledgeRecord = {
          id: input.id ?? createKnowledgeUlid(), node: parent.id, text: body, scope, sourceThreadId,
          capturedAt: batch.now, when, maxScope: input.maxScope, metadata: input.metadata,
        };
        batch.assertExists(`SELECT 1 FROM ${this.t(NODES.name)} WHERE id = ? AND mergedInto IS NULL`, parent.id);
        batch.add(
          `INSERT INTO ${this.t(RECORDS.name)} (id, node, text, scope, scopeKey, sourceThreadId, capturedAt, "when", maxScope, metadata, deletedAt, deletedBy) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
          record.id, parent.id, body, JSON.stringify(scope), knowledgeScopeKey(scope), sourceThreadId, batch.now.toISOString(), when?.toISOString() ?? null, input.maxScope ?? null, metadata,
        );
        batch.mentions('record', record.id, body, resolution, defaultScope, toCandidates(found!.rows));
        batch.activity('record-created', 'record', record.id, scope, sourceThreadId);
        batch.outbox('record', record.id, 'upsert', record.id, scope);
        await this.write(batch);
        return record;
      });
    });
  }

  async getKnowledge(input: { id: string; includeDeleted?: boolean }): Promise<KnowledgeRecord | null> {
    return knowledgeOperation('getKnowledge', async () => {
      const [row] = await this.ctx.driver.all(this.recordById(text('getKnowledge', 'id', input.id), Boolean(input.includeDeleted)));
      return row ? toRecord(row) : null;
    });
  }

  listKnowledgeAbout(input: QueryKnowledgeInput): Promise<QueryKnowledgeOutput> {
    return this.queryKnowledge('listKnowledgeAbout', input, 'node = (SELECT id FROM target)');
  }

  listKnowledgeMentioning(input: QueryKnowledgeInput): Promise<QueryKnowledgeOutput> {
    return this.queryKnowledge('listKnowledgeMentioning', input, `id IN (${this.mentioningTarget()})`);
  }

  listKnowledgeRelatedTo(input: QueryKnowledgeInput): Promise<QueryKnowledgeOutput> {
    return this.queryKnowledge('listKnowledgeRelatedTo', input, `(node = (SELECT id FROM target) OR id IN (${this.mentioningTarget()}))`);
  }

  private mentioningTarget(): string {
    return `SELECT sourceId FROM ${this.t(MENTIONS.name)} WHERE recordId = (SELECT id FROM target) AND sourceType = 'record'`;
  }

  /** Records related to the node `input.node` merged into (about it, mentioning it, or either), newest first. */
  private async queryKnowledge(op: string, input: QueryKnowledgeInput, relation: string): Promise<QueryKnowledgeOutput> {
    return knowledgeOperation(op, async () => {
      const keys = keysOf(input.scope);
      const ref = text(op, 'node', nodeRef(input.node));
      const limit = limitOf(op, input.limit, 100);
      const nodes = this.t(NODES.name);
      const filter = where([raw(relation), raw(visible(), keys), !input.includeDeleted && raw('deletedAt IS NULL'), input.after !== undefined && raw('id < ?', text(op, 'after', input.after))]);
      const rows = await this.ctx.driver.all({
        sql: `WITH RECURSIVE ${chainSql(nodes, 'id = ?')}, target AS (SELECT n.id ${chainEnd(nodes)}) SELECT * FROM ${this.t(RECORDS.name)}${filter.sql} ORDER BY id DESC LIMIT ?`,
        params: [ref, ...filter.params, limit + 1],
      });
      const page = rows.slice(0, limit).map(toRecord);
      return { records: page, nextCursor: rows.length > limit ? String(page.at(-1)?.id) : undefined };
    });
  }

  async knowledgeBySource(input: QueryKnowledgeBySourceInput): Promise<QueryKnowledgeOutput> {
    const op = 'knowledgeBySource';
    return knowledgeOperation(op, async () => {
      const keys = keysOf(input.scope);
      const limit = limitOf(op, input.limit, 100);
      const filter = where([
        raw('sourceThreadId = ?', text(op, 'sourceThreadId', input.sourceThreadId)),
        raw(visible(), keys),
        !input.includeDeleted && raw('deletedAt IS NULL'),
        input.after !== undefined && input.after !== '' && raw('id > ?', text(op, 'after', input.after)),
      ]);
      const rows = await this.ctx.driver.all({ sql: `SELECT * FROM ${this.t(RECORDS.name)}${filter.sql} ORDER BY id ASC LIMIT ?`, params: [...filter.params, limit + 1] });
      const records = rows.map(toRecord);
      return { records: records.slice(0, limit), nextCursor: records.length > limit ? records[limit - 1]?.id : undefined };
    });
  }

  async removeKnowledge(input: { id: string; deletedBy: string }): Promise<KnowledgeRecord> {
    const op = 'removeKnowledge';
    return knowledgeOperation(op, async () => {
      const id = text(op, 'id', input.id);
      const deletedBy = text(op, 'deletedBy', input.deletedBy);
      return this.guarded(op, id, async (batch) => {
        const record = await this.readRecord(id);
        if (record.deletedAt) return record;
        const at = batch.now.toISOString();
        batch.add(`UPDATE ${this.t(RECORDS.name)} SET deletedAt = ?, deletedBy = ? WHERE id = ? AND deletedAt IS NULL AND scopeKey = ?`, at, deletedBy, id, knowledgeScopeKey(record.scope));
        batch.assertChanged();
        batch.activity('record-deleted', 'record', id, record.scope, record.sourceThreadId);
        batch.outbox('record', id, 'delete', at, record.scope);
        await this.write(batch);
        return { ...record, deletedAt: batch.now, deletedBy };
      });
    });
  }

  async restoreKnowledge(input: { id: string }): Promise<KnowledgeRecord> {
    const op = 'restoreKnowledge';
    return knowledgeOperation(op, async () => {
      const id = text(op, 'id', input.id);
      return this.guarded(op, id, async (batch) => {
        const record = await this.readRecord(id);
        if (!record.deletedAt) return record;
        batch.add(`UPDATE ${this.t(RECORDS.name)} SET deletedAt = NULL, deletedBy = NULL WHERE id = ? AND deletedAt IS NOT NULL AND scopeKey = ?`, id, knowledgeScopeKey(record.scope));
        batch.assertChanged();
        batch.activity('record-restored', 'record', id, record.scope, record.sourceThreadId);
        batch.outbox('record', id, 'upsert', createKnowledgeUlid(), record.scope);
        await this.write(batch);
        return { ...record, deletedAt: undefined, deletedBy: undefined };
      });
    });
  }

  async rescopeKnowledge(input: { id: string; scope: KnowledgeScope }): Promise<KnowledgeRecord> {
    const op = 'rescopeKnowledge';
    return knowledgeOperation(op, async () => {
      const scope = canonicalizeKnowledgeScope(input.scope);
      const id = text(op, 'id', input.id);
      return this.guarded(op, id, async (batch) => {
        const record = await this.readRecord(id);
        assertKnowledgeScopeWithinCeiling(scope, record.maxScope);
        const [before, after] = [knowledgeScopeKey(record.scope), knowledgeScopeKey(scope)];
        batch.add(
          `UPDATE ${this.t(RECORDS.name)} SET scope = ?, scopeKey = ? WHERE id = ? AND scopeKey = ? AND (deletedAt IS NULL) = ? AND maxScope IS ?`,
          JSON.stringify(scope), after, id, before, record.deletedAt ? 0 : 1, record.maxScope ?? null,
        );
        batch.assertChanged();
        batch.activity('record-rescoped', 'record', id, scope, record.sourceThreadId);
        if (before !== after) batch.outbox('record', id, 'delete', createKnowledgeUlid(), record.scope);
        if (!record.deletedAt) batch.outbox('record', id, 'upsert', createKnowledgeUlid(), scope);
        await this.write(batch);
        return { ...record, scope };
      });
    });
  }

  async raiseKnowledgeCeiling(input: { id: string; maxScope?: KnowledgeScopeLevel }): Promise<KnowledgeRecord> {
    const op = 'raiseKnowledgeCeiling';
    return knowledgeOperation(op, async () => {
      const id = text(op, 'id', input.id);
      for (let tries = 1; ; tries++) {
        const record = await this.readRecord(id);
        assertKnowledgeScopeWithinCeiling(record.scope, input.maxScope);
        assertKnowledgeCeilingRaised(record.maxScope, input.maxScope);
        // One statement, guarded by what the checks above read; a concurrent change makes it re-check.
        const { changes } = await this.ctx.driver.run({
          sql: `UPDATE ${this.t(RECORDS.name)} SET maxScope = ? WHERE id = ? AND scopeKey = ? AND maxScope IS ?`,
          params: [input.maxScope ?? null, id, knowledgeScopeKey(record.scope), record.maxScope ?? null],
        });
        if (changes === 1) return { ...record, maxScope: input.maxScope };
        if (tries === 3) throw new KnowledgeConflictError(id);
      }
    });
  }

  async search(input: SearchKnowledgeInput): Promise<SearchKnowledgeResult[]> {
    const op = 'search';
    return knowledgeOperation(op, async () => {
      const keys = keysOf(input.scope);
      const limit = limitOf(op, input.limit, 20);
      const query = text(op, 'query', input.query).trim().toLocaleLowerCase();
      if (!query) return [];
      // `instr` rather than LIKE: D1 caps LIKE patterns at 50 bytes, and the text is matched literally.
      const has = (column: string) => `instr(${column}, ?) > 0`;
      const [nodes, records] = await this.read([
        {
          sql: `SELECT * FROM ${this.t(NODES.name)} WHERE mergedInto IS NULL AND ${visible()} AND (${has('canonicalName')} OR ${has("lower(coalesce(kind, ''))")} OR ${has("lower(coalesce(content, ''))")} OR ${has("lower(coalesce(description, ''))")}) ORDER BY updatedAt DESC LIMIT ?`,
          params: [keys, query, query, query, query, limit],
        },
        {
          sql: `SELECT k.*, n.name FROM ${this.t(RECORDS.name)} k CROSS JOIN ${this.t(NODES.name)} n ON n.id = k.node AND n.type = 'node' AND n.mergedInto IS NULL WHERE k.deletedAt IS NULL AND ${visible('k.scopeKey')} AND ${has('lower(k.text)')} ORDER BY k.id DESC LIMIT ?`,
          params: [keys, query, limit],
        },
      ]);
      const results: SearchKnowledgeResult[] = nodes!.rows.map((row) => ({
        type: 'node',
        id: String(row.id),
        recordId: String(row.id),
        name: String(row.name),
        text: [row.name, row.description, row.content].filter(Boolean).map(String).join('\n'),
        scope: parseJson(row.scope) as KnowledgeScope,
      }));
      const room = limit - results.length;
      if (room <= 0) return results;
      return results.concat(
        records!.rows.slice(0, room).map((row: Row) => ({ type: 'record', id: String(row.id), recordId: String(row.node), name: String(row.name), text: String(row.text), scope: parseJson(row.scope) as KnowledgeScope })),
      );
    });
  }

  async getCurationCursor(input: { sourceThreadId: string; agent: string }): Promise<KnowledgeCurationCursor | null> {
    const op = 'getCurationCursor';
    return knowledgeOperation(op, async () => {
      const [row] = await this.ctx.driver.all({
        sql: `SELECT * FROM ${this.t(CURSORS.name)} WHERE sourceThreadId = ? AND agent = ?`,
        params: [text(op, 'sourceThreadId', input.sourceThreadId), text(op, 'agent', input.agent)],
      });
      return row ? { sourceThreadId: String(row.sourceThreadId), agent: String(row.agent), lastKnowledgeId: String(row.lastKnowledgeId), updatedAt: new Date(String(row.updatedAt)) } : null;
    });
  }

  /** Moves a curation cursor forward (or keeps it); moving it backwards is refused. One upsert. */
  async advanceCurationCursor(input: { sourceThreadId: string; agent: string; lastKnowledgeId: string }): Promise<KnowledgeCurationCursor> {
    const op = 'advanceCurationCursor';
    return knowledgeOperation(op, async () => {
      const updatedAt = new Date();
      const table = this.t(CURSORS.name);
      const { changes } = await this.ctx.driver.run(
        {
          sql: `INSERT INTO ${table} (sourceThreadId, agent, lastKnowledgeId, updatedAt) VALUES (?, ?, ?, ?) ON CONFLICT (sourceThreadId, agent) DO UPDATE SET lastKnowledgeId = excluded.lastKnowledgeId, updatedAt = excluded.updatedAt WHERE excluded.lastKnowledgeId >= ${table}.lastKnowledgeId`,
          params: [text(op, 'sourceThreadId', input.sourceThreadId), text(op, 'agent', input.agent), text(op, 'lastKnowledgeId', input.lastKnowledgeId), updatedAt.toISOString()],
        },
        { idempotent: true },
      );
      if (changes === 0) throw new Error('Knowledge curation cursor cannot move backwards');
      return { ...input, updatedAt };
    });
  }

  async listActivity(input: { scope: KnowledgeScope; after?: string; limit?: number }): Promise<KnowledgeActivityEvent[]> {
    const op = 'listActivity';
    return knowledgeOperation(op, async () => {
      const filter = where([raw(visible(), keysOf(input.scope)), input.after ? raw('id < ?', text(op, 'after', input.after)) : undefined]);
      const rows = await this.ctx.driver.all({ sql: `SELECT * FROM ${this.t(ACTIVITY.name)}${filter.sql} ORDER BY id DESC LIMIT ?`, params: [...filter.params, limitOf(op, input.limit, 100)] });
      return rows.map(toActivity);
    });
  }

  async listSemanticOutbox(input: { status?: KnowledgeSemanticOutboxEntry['status']; scope?: KnowledgeScope; limit?: number } = {}): Promise<KnowledgeSemanticOutboxEntry[]> {
    const op = 'listSemanticOutbox';
    return knowledgeOperation(op, async () => {
      const filter = where([input.status && raw('status = ?', text(op, 'status', input.status)), input.scope && raw(visible(), keysOf(input.scope))]);
      const rows = await this.ctx.driver.all({ sql: `SELECT * FROM ${this.t(OUTBOX.name)}${filter.sql} ORDER BY createdAt ASC, id ASC LIMIT ?`, params: [...filter.params, limitOf(op, input.limit, 100)] });
      return rows.map(toOutbox);
    });
  }

  /**
   * Claims up to `limit` available entries for `workerId` in ONE statement, so concurrent claimers get
   * disjoint sets. As in LibSQLStore, an entry waits while an earlier entry of the same document is
   * unfinished, and a claim older than `claimTimeoutMs` (default 60 s) may be taken over.
   */
  async claimSemanticOutbox(input: ClaimKnowledgeSemanticOutboxInput): Promise<KnowledgeSemanticOutboxEntry[]> {
    const op = 'claimSemanticOutbox';
    return knowledgeOperation(op, async () => {
      const workerId = text(op, 'workerId', input.workerId);
      const now = input.now ?? new Date();
      const at = isoTimestamp(op, 'now', now);
      const timeout = input.claimTimeoutMs ?? 60_000;
      if (typeof timeout !== 'number' || !Number.isFinite(timeout)) throw userError(op, 'claimTimeoutMs must be a number', { field: 'claimTimeoutMs' });
      const stale = new Date(now.getTime() - timeout).toISOString();
      const table = this.t(OUTBOX.name);
      const eligible = and([
        raw("o.availableAt <= ? AND (o.status = 'pending' OR (o.status = 'processing' AND o.claimedAt <= ?))", at, stale),
        raw(`NOT EXISTS (SELECT 1 FROM ${table} e WHERE e.documentId = o.documentId AND e.status != 'completed' AND (e.createdAt < o.createdAt OR (e.createdAt = o.createdAt AND e.id < o.id)))`),
        input.scope && raw(visible('o.scopeKey'), keysOf(input.scope)),
      ]);
      const rows = await this.ctx.driver.all({
        sql: `UPDATE ${table} SET status = 'processing', attempts = attempts + 1, claimedAt = ?, claimedBy = ? WHERE id IN (SELECT o.id FROM ${table} o WHERE ${eligible.sql} ORDER BY o.createdAt ASC, o.id ASC LIMIT ?) RETURNING *`,
        params: [at, workerId, ...eligible.params, limitOf(op, input.limit, 100)],
      });
      return rows.map(toOutbox).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  async completeSemanticOutbox(input: { ids: string[]; workerId: string }): Promise<void> {
    await this.settle('completeSemanticOutbox', input, "status = 'completed', completedAt = ?", [new Date().toISOString()]);
  }

  async releaseSemanticOutbox(input: { ids: string[]; workerId: string; retryAt?: Date }): Promise<void> {
    const op = 'releaseSemanticOutbox';
    const retryAt = isoTimestamp(op, 'retryAt', input?.retryAt ?? new Date());
    await this.settle(op, input, "status = 'pending', availableAt = ?, claimedAt = NULL, claimedBy = NULL", [retryAt]);
  }

  /** Sets `assignments` on the listed entries this worker still holds; one statement for any number of ids. */
  private async settle(op: string, input: { ids: string[]; workerId: string }, assignments: string, params: string[]): Promise<void> {
    await knowledgeOperation(op, async () => {
      if (!Array.isArray(input?.ids) || input.ids.some((id) => typeof id !== 'string')) throw userError(op, 'ids must be an array of strings', { field: 'ids' });
      const workerId = text(op, 'workerId', input.workerId);
      if (!input.ids.length) return;
      await this.ctx.driver.run({
        sql: `UPDATE ${this.t(OUTBOX.name)} SET ${assignments} WHERE id IN (SELECT value FROM json_each(?)) AND status = 'processing' AND claimedBy = ?`,
        params: [...params, JSON.stringify(input.ids), workerId],
      });
    });
  }
}
