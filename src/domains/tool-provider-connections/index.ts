import {
  TABLE_TOOL_PROVIDER_CONNECTIONS,
  TOOL_PROVIDER_CONNECTIONS_SCHEMA,
  ToolProviderConnectionsStorage,
  type StorageListToolProviderConnectionsInput,
  type StorageToolProviderConnection,
  type StorageToolProviderConnectionKey,
  type StorageToolProviderConnectionScope,
  type StorageUpsertToolProviderConnectionInput,
} from '@mastra/core/storage';
import { storageOperation, userError } from '../../errors';
import { columnList, decodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { eq, where } from '../../sql/query';
import { D1Domain } from '../base';
import { optionalText, requireText } from '../validation';

const KEY = ['authorId', 'providerId', 'connectionId'] as const;
const CONNECTIONS: TableSpec = {
  name: TABLE_TOOL_PROVIDER_CONNECTIONS,
  columns: TOOL_PROVIDER_CONNECTIONS_SCHEMA,
  primaryKey: [...KEY],
  // The primary key serves lookups by author (and provider); the server also lists by provider alone.
  indexes: [
    { name: 'author_provider_toolkit_idx', columns: ['authorId', 'providerId', 'toolkit'] },
    { name: 'provider_toolkit_idx', columns: ['providerId', 'toolkit'] },
  ],
};
const COLUMNS = columnList(CONNECTIONS);
const SCOPES: readonly StorageToolProviderConnectionScope[] = ['shared', 'per-author', 'caller-supplied'];
const BY_KEY = '"authorId" = ? AND "providerId" = ? AND "connectionId" = ?';

/**
 * The labels and owners of OAuth tool-provider connections (Composio, Arcade), one row per
 * (author, provider, connection). Every call is one statement; the upsert computes what LibSQLStore
 * reads in a transaction (`createdAt` kept, `scope` defaulted) inside its `ON CONFLICT` clause.
 */
export class ToolProviderConnectionsStorageD1 extends D1Domain(ToolProviderConnectionsStorage, {
  key: 'toolProviderConnections',
  tables: [CONNECTIONS],
}) {
  async getConnectionById(key: StorageToolProviderConnectionKey): Promise<StorageToolProviderConnection | null> {
    const op = 'getConnectionById';
    const params = keyOf(op, key);
    const [row] = await storageOperation(op, { ...key }, () => this.ctx.driver.all({ sql: `SELECT ${COLUMNS} FROM ${this.table} WHERE ${BY_KEY}`, params }));
    return row ? toConnection(row) : null;
  }

  /** Writes the row; on an existing key the first `createdAt` stays and a left-out `scope` keeps the stored one. */
  async upsertConnection(input: StorageUpsertToolProviderConnectionInput): Promise<StorageToolProviderConnection> {
    const op = 'upsertConnection';
    const [authorId, providerId, connectionId] = keyOf(op, input);
    const toolkit = requireText(op, 'toolkit', input.toolkit);
    if (input.label != null && typeof input.label !== 'string') throw userError(op, 'label must be a string or null', { field: 'label' });
    const scope = input.scope ?? null;
    if (scope !== null && !SCOPES.includes(scope)) throw userError(op, `scope must be one of ${SCOPES.join(', ')}`, { field: 'scope' });
    const now = new Date().toISOString();
    const [row] = await storageOperation(op, { authorId, providerId, connectionId }, () =>
      this.ctx.driver.all({
        sql: `INSERT INTO ${this.table} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, coalesce(?, 'per-author'), ?, ?)
          ON CONFLICT ("authorId", "providerId", "connectionId") DO UPDATE SET toolkit = excluded.toolkit, label = excluded.label,
            scope = coalesce(?, scope, 'per-author'), "updatedAt" = excluded."updatedAt" RETURNING ${COLUMNS}`,
        params: [authorId, providerId, connectionId, toolkit, input.label ?? null, scope, now, now, scope],
      }),
    );
    return toConnection(row!);
  }

  /** Rows of one author, or of every author when `authorId` is left out (as the server's listing does). */
  async listConnectionsByAuthor(input: StorageListToolProviderConnectionsInput): Promise<StorageToolProviderConnection[]> {
    const op = 'listConnectionsByAuthor';
    const filters = input ?? {};
    const text = (field: 'authorId' | 'providerId' | 'toolkit' | 'scope') => optionalText(op, field, filters[field]);
    const authorId = text('authorId');
    // As in LibSQLStore, an empty provider, toolkit or scope filter matches everything.
    const filter = where([eq('authorId', authorId), eq('providerId', text('providerId') || undefined), eq('toolkit', text('toolkit') || undefined), eq('scope', text('scope') || undefined)]);
    const rows = await storageOperation(op, { authorId: authorId ?? null }, () =>
      this.ctx.driver.all({ sql: `SELECT ${COLUMNS} FROM ${this.table}${filter.sql} ORDER BY "authorId", "providerId", "connectionId"`, params: filter.params }),
    );
    return rows.map(toConnection);
  }

  /** Idempotent: deleting a missing row does nothing. */
  async deleteConnection(key: StorageToolProviderConnectionKey): Promise<void> {
    const op = 'deleteConnection';
    const params = keyOf(op, key);
    await storageOperation(op, { ...key }, () => this.ctx.driver.run({ sql: `DELETE FROM ${this.table} WHERE ${BY_KEY}`, params }, { idempotent: true }));
  }

  private get table(): string {
    return this.ctx.tables(TABLE_TOOL_PROVIDER_CONNECTIONS);
  }
}

function keyOf(op: string, key: StorageToolProviderConnectionKey): [string, string, string] {
  const [authorId, providerId, connectionId] = KEY.map((field) => requireText(op, field, key?.[field]));
  return [authorId!, providerId!, connectionId!];
}

/** A stored row as core's record; a scope this package did not write reads as `per-author`, as in LibSQLStore. */
function toConnection(row: Record<string, unknown>): StorageToolProviderConnection {
  const { authorId, providerId, toolkit, connectionId, label, scope, createdAt, updatedAt } = decodeRow<StorageToolProviderConnection>(CONNECTIONS, row);
  return { authorId, providerId, toolkit, connectionId, label: label ?? null, scope: SCOPES.includes(scope) ? scope : 'per-author', createdAt, updatedAt };
}
