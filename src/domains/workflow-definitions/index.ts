import {
  TABLE_WORKFLOW_DEFINITIONS,
  WORKFLOW_DEFINITIONS_SCHEMA,
  WorkflowDefinitionsStorage,
  type CreateWorkflowDefinitionInput,
  type ListWorkflowDefinitionsInput,
  type ListWorkflowDefinitionsOutput,
  type UpdateWorkflowDefinitionInput,
  type WorkflowDefinition,
} from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import { columnList, decodeRow, encodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { quoteIdentifier } from '../../sql/identifiers';
import { placeholders } from '../../sql/params';
import { eq, where } from '../../sql/query';
import { D1Domain } from '../base';
import { requireText } from '../validation';
import { FIELDS, REQUIRED, listArg, upsertArg } from './input';

/** Core's columns; each list filter (and the unfiltered list) reads an index already in `updatedAt DESC, id` order. */
const DEFINITIONS_TABLE: TableSpec = {
  name: TABLE_WORKFLOW_DEFINITIONS,
  columns: WORKFLOW_DEFINITIONS_SCHEMA,
  indexes: [
    { name: 'status_updated_idx', columns: ['status', 'updatedAt DESC', 'id'] },
    { name: 'author_updated_idx', columns: ['authorId', 'updatedAt DESC', 'id'] },
    { name: 'updated_idx', columns: ['updatedAt DESC', 'id'] },
  ],
};

const COLUMNS = Object.keys(WORKFLOW_DEFINITIONS_SCHEMA);
const SELECT = columnList(DEFINITIONS_TABLE);
const set = (column: string, value = `excluded.${quoteIdentifier(column)}`) => `${quoteIdentifier(column)} = ${value}`;

/** A row as core's definition: NULL optional fields are left out, as LibSQLStore leaves them. */
const definition = (row: Record<string, unknown>) => decodeRow<WorkflowDefinition>(DEFINITIONS_TABLE, row, { omitNull: true });

/**
 * Dynamic workflow definitions (`mastra.addDynamicWorkflow(s)`), stored in D1 so every Worker's
 * `startWorkers()` reloads the active ones. `upsert` overwrites in place (core versions nothing here),
 * in one statement that returns the stored row.
 */
export class WorkflowDefinitionsStorageD1 extends D1Domain(WorkflowDefinitionsStorage, { key: 'workflowDefinitions', tables: [DEFINITIONS_TABLE] }) {
  get #table(): string {
    return this.ctx.tables(TABLE_WORKFLOW_DEFINITIONS);
  }

  /**
   * Creates the definition (status `active`, whatever `status` says, as in LibSQLStore) or sets the
   * fields given on the stored one; `createdAt` and `source` stay. A definition without a truthy
   * `inputSchema`, `outputSchema` and `graph` can only update: if no row has its id, it is refused.
   */
  async upsert(input: CreateWorkflowDefinitionInput | UpdateWorkflowDefinitionInput): Promise<WorkflowDefinition> {
    const op = 'upsertWorkflowDefinition';
    const { id, given } = upsertArg(op, input);
    const now = new Date();
    const record = `workflow definition ${id}`;
    const columns = FIELDS.filter((field) => field in given);
    let statement: SqlStatement;
    if (REQUIRED.every((field) => given[field])) {
      const values = encodeRow(op, DEFINITIONS_TABLE, { ...given, id, status: 'active', source: 'storage', createdAt: now, updatedAt: now }, { record });
      // The inserted row is always `active`; only an existing row takes the given status.
      const sets = [...columns.map((c) => (c === 'status' ? set(c, '?') : set(c))), set('updatedAt')];
      statement = {
        sql: `INSERT INTO ${this.#table} (${SELECT}) VALUES (${placeholders(COLUMNS.length)}) ON CONFLICT ("id") DO UPDATE SET ${sets.join(', ')} RETURNING ${SELECT}`,
        params: [...values, ...(given.status === undefined ? [] : [given.status as string])],
      };
    } else {
      const values = encodeRow(op, DEFINITIONS_TABLE, { ...given, updatedAt: now }, { record, columns: [...columns, 'updatedAt'] });
      statement = { sql: `UPDATE ${this.#table} SET ${[...columns, 'updatedAt'].map((c) => set(c, '?')).join(', ')} WHERE "id" = ? RETURNING ${SELECT}`, params: [...values, id] };
    }
    const { rows } = await storageOperation(op, { id }, () => this.ctx.driver.run(statement, { idempotent: true }));
    if (!rows[0]) {
      const missing = REQUIRED.find((field) => !given[field])!;
      throw userError(op, `Cannot create workflow definition "${id}": ${missing} is required`, { id, field: missing });
    }
    return definition(rows[0]);
  }

  async get(id: string): Promise<WorkflowDefinition | null> {
    const op = 'getWorkflowDefinition';
    requireText(op, 'id', id);
    return storageOperation(op, { id }, async () => {
      const [row] = await this.ctx.driver.all({ sql: `SELECT ${SELECT} FROM ${this.#table} WHERE "id" = ?`, params: [id] });
      return row ? definition(row) : null;
    });
  }

  /** Every match, most recently updated first (ties by id). */
  async list(args?: ListWorkflowDefinitionsInput): Promise<ListWorkflowDefinitionsOutput> {
    const op = 'listWorkflowDefinitions';
    const { status, authorId } = listArg(op, args);
    const match = where([eq('status', status), eq('authorId', authorId)]);
    return storageOperation(op, {}, async () => {
      const rows = await this.ctx.driver.all({ sql: `SELECT ${SELECT} FROM ${this.#table}${match.sql} ORDER BY "updatedAt" DESC, "id" ASC`, params: match.params });
      return { definitions: rows.map(definition), total: rows.length };
    });
  }

  async delete(id: string): Promise<void> {
    const op = 'deleteWorkflowDefinition';
    requireText(op, 'id', id);
    await storageOperation(op, { id }, () => this.ctx.driver.run({ sql: `DELETE FROM ${this.#table} WHERE "id" = ?`, params: [id] }, { idempotent: true }));
  }
}
