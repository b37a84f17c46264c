import { TABLE_FAVORITES } from '@mastra/core/storage';
import { userError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import { jsonList } from '../../sql/params';
import { raw } from '../../sql/query';
import type { ListExtras } from './config';

/**
 * The list filters of entities users own and star (agents, skills): `visibility`, `entityIds` (one JSON
 * parameter), and `pinFavoritedFor` / `favoritedOnly` through a LEFT JOIN on the favorites table, whose
 * rows sort first, as LibSQLStore lists them. The favorites domain must be registered for the join.
 */
export function ownedListFilters(entityType: 'agent' | 'skill') {
  return (op: string, args: Record<string, unknown>, tables: TableNamer): ListExtras => {
    const { visibility, entityIds, pinFavoritedFor, favoritedOnly } = args;
    if (entityIds !== undefined && !(Array.isArray(entityIds) && entityIds.every((id) => typeof id === 'string'))) {
      throw userError(op, 'entityIds must be an array of strings', { field: 'entityIds' });
    }
    if (entityIds?.length === 0) return { empty: true };
    const conditions = [
      visibility !== undefined ? raw('a."visibility" = ?', visibility as string) : undefined,
      entityIds ? raw('a."id" IN (SELECT value FROM json_each(?))', jsonList(entityIds)) : undefined,
    ];
    if (typeof pinFavoritedFor !== 'string' || !pinFavoritedFor) return { conditions: [...conditions, favoritedOnly ? raw('0') : undefined] };
    return {
      conditions: [...conditions, favoritedOnly ? raw('f."userId" IS NOT NULL') : undefined],
      join: raw(`LEFT JOIN ${tables(TABLE_FAVORITES)} AS f ON f."entityType" = ? AND f."entityId" = a."id" AND f."userId" = ?`, entityType, pinFavoritedFor),
      orderPrefix: '(f."userId" IS NOT NULL) DESC',
    };
  };
}
