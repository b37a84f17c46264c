import {
  FAVORITES_SCHEMA,
  FavoritesStorage,
  TABLE_AGENTS,
  TABLE_FAVORITES,
  TABLE_SKILLS,
  type StorageDeleteFavoritesForEntityInput,
  type StorageFavoriteEntityType,
  type StorageFavoriteKey,
  type StorageIsFavoritedBatchInput,
  type StorageListFavoritesInput,
} from '@mastra/core/storage';
import type { FavoriteToggleResult } from '@mastra/core/storage/domains/favorites';
import type { SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import type { TableSpec } from '../../sql/ddl';
import { inJsonList, jsonList } from '../../sql/params';
import { D1Domain } from '../base';
import { checkValueSize, requireText } from '../validation';

const FAVORITES: TableSpec = {
  name: TABLE_FAVORITES,
  columns: FAVORITES_SCHEMA,
  primaryKey: ['userId', 'entityType', 'entityId'],
  // The recount of an entity's stars and deleteFavoritesForEntity find its rows here.
  indexes: [{ name: 'entity_idx', columns: ['entityType', 'entityId'] }],
};
/** The table holding each entity type's rows and their `favoriteCount` (agents: another domain's table, written only here). */
const ENTITY_TABLES: Readonly<Record<StorageFavoriteEntityType, string>> = { agent: TABLE_AGENTS, skill: TABLE_SKILLS };
const BY_KEY = '"userId" = ? AND "entityType" = ? AND "entityId" = ?';

/**
 * Stars on stored agents and skills. Each star or unstar is ONE batch: the favorite row's INSERT OR
 * IGNORE (or DELETE), guarded by the entity existing, then `favoriteCount` recomputed from the favorite
 * rows (`COUNT(*)`) rather than incremented, so concurrent stars from any number of Workers leave it equal
 * to the number of rows, never negative, and a repeated call changes nothing.
 */
export class FavoritesStorageD1 extends D1Domain(FavoritesStorage, { key: 'favorites', tables: [FAVORITES] }) {
  async favorite(input: StorageFavoriteKey): Promise<FavoriteToggleResult> {
    const op = 'favorite';
    const key = keyOf(op, input);
    const entity = this.entityTable(key.entityType);
    const write = {
      sql: `INSERT OR IGNORE INTO ${this.table} ("userId", "entityType", "entityId", "createdAt") SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM ${entity} WHERE id = ?)`,
      params: [key.userId, key.entityType, key.entityId, new Date().toISOString(), key.entityId],
    };
    return { favorited: true, favoriteCount: await this.toggle(op, key, write) };
  }

  async unfavorite(input: StorageFavoriteKey): Promise<FavoriteToggleResult> {
    const op = 'unfavorite';
    const key = keyOf(op, input);
    const write = {
      sql: `DELETE FROM ${this.table} WHERE ${BY_KEY} AND EXISTS (SELECT 1 FROM ${this.entityTable(key.entityType)} WHERE id = ?)`,
      params: [key.userId, key.entityType, key.entityId, key.entityId],
    };
    return { favorited: false, favoriteCount: await this.toggle(op, key, write) };
  }

  async isFavorited(input: StorageFavoriteKey): Promise<boolean> {
    const op = 'isFavorited';
    const key = keyOf(op, input);
    const rows = await storageOperation(op, key, () => this.ctx.driver.all({ sql: `SELECT 1 FROM ${this.table} WHERE ${BY_KEY} LIMIT 1`, params: [key.userId, key.entityType, key.entityId] }));
    return rows.length > 0;
  }

  /** The starred ones among any number of ids, in one query (the ids travel as one JSON parameter). */
  async isFavoritedBatch(input: StorageIsFavoritedBatchInput): Promise<Set<string>> {
    const op = 'isFavoritedBatch';
    const userId = requireText(op, 'userId', input?.userId);
    const entityType = typeOf(op, input.entityType);
    const { entityIds } = input;
    if (!Array.isArray(entityIds) || entityIds.some((id) => typeof id !== 'string')) throw userError(op, 'entityIds must be an array of strings', { field: 'entityIds' });
    if (entityIds.length === 0) return new Set();
    const list = jsonList(entityIds);
    checkValueSize(op, 'entityIds', list);
    const rows = await storageOperation(op, { userId, entityType }, () =>
      this.ctx.driver.all<{ entityId: string }>({ sql: `SELECT "entityId" FROM ${this.table} WHERE "userId" = ? AND "entityType" = ? AND ${inJsonList('"entityId"')}`, params: [userId, entityType, list] }),
    );
    return new Set(rows.map((row) => row.entityId));
  }

  /** A user's starred ids of one type, newest star first. */
  async listFavoritedIds(input: StorageListFavoritesInput): Promise<string[]> {
    const op = 'listFavoritedIds';
    const userId = requireText(op, 'userId', input?.userId);
    const entityType = typeOf(op, input.entityType);
    const rows = await storageOperation(op, { userId, entityType }, () =>
      this.ctx.driver.all<{ entityId: string }>({
        sql: `SELECT "entityId" FROM ${this.table} WHERE "userId" = ? AND "entityType" = ? ORDER BY "createdAt" DESC, "entityId" ASC`,
        params: [userId, entityType],
      }),
    );
    return rows.map((row) => row.entityId);
  }

  /** Removes every star of an entity (when it is deleted) and recounts it, in one batch; returns how many. */
  async deleteFavoritesForEntity(input: StorageDeleteFavoritesForEntityInput): Promise<number> {
    const op = 'deleteFavoritesForEntity';
    const entityType = typeOf(op, input?.entityType);
    const entityId = requireText(op, 'entityId', input.entityId);
    const [deleted] = await storageOperation(op, { entityType, entityId }, () =>
      this.ctx.driver.batch([{ sql: `DELETE FROM ${this.table} WHERE "entityType" = ? AND "entityId" = ?`, params: [entityType, entityId] }, this.recount(entityType, entityId)], { idempotent: true }),
    );
    return deleted!.changes;
  }

  /** Empties the favorites and zeroes every agent's and skill's count, in one batch. */
  override async dangerouslyClearAll(): Promise<void> {
    const zero = (type: StorageFavoriteEntityType) => ({ sql: `UPDATE ${this.entityTable(type)} SET "favoriteCount" = 0 WHERE "favoriteCount" > 0`, params: [] });
    await storageOperation('dangerouslyClearAll', {}, () => this.ctx.driver.batch([{ sql: `DELETE FROM ${this.table}`, params: [] }, zero('agent'), zero('skill')], { idempotent: true }));
  }

  /** The guarded write, then the recount returning the new count; no entity row means nothing was written. */
  private async toggle(op: string, key: StorageFavoriteKey, write: SqlStatement): Promise<number> {
    const [, counted] = await storageOperation(op, key, () => this.ctx.driver.batch([write, this.recount(key.entityType, key.entityId)], { idempotent: true }));
    const row = counted?.rows[0];
    if (!row) throw userError(op, `${key.entityType} ${key.entityId} not found`, { entityType: key.entityType, entityId: key.entityId }, 'ENTITY_NOT_FOUND');
    return Number(row.favoriteCount ?? 0);
  }

  /** `favoriteCount` derived from the favorite rows, never incremented. */
  private recount(entityType: StorageFavoriteEntityType, entityId: string): SqlStatement {
    return {
      sql: `UPDATE ${this.entityTable(entityType)} SET "favoriteCount" = (SELECT COUNT(*) FROM ${this.table} WHERE "entityType" = ? AND "entityId" = ?) WHERE id = ? RETURNING "favoriteCount"`,
      params: [entityType, entityId, entityId],
    };
  }

  private entityTable(type: StorageFavoriteEntityType): string {
    return this.ctx.tables(ENTITY_TABLES[type]);
  }

  private get table(): string {
    return this.ctx.tables(TABLE_FAVORITES);
  }
}

function typeOf(op: string, value: unknown): StorageFavoriteEntityType {
  if (typeof value !== 'string' || !Object.hasOwn(ENTITY_TABLES, value)) throw userError(op, `entityType must be one of ${Object.keys(ENTITY_TABLES).join(', ')}`, { field: 'entityType' });
  return value as StorageFavoriteEntityType;
}

function keyOf(op: string, input: StorageFavoriteKey): StorageFavoriteKey {
  return { userId: requireText(op, 'userId', input?.userId), entityType: typeOf(op, input.entityType), entityId: requireText(op, 'entityId', input.entityId) };
}
