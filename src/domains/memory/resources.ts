import { TABLE_RESOURCES, type StorageResourceType } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { userError } from '../../errors';
import { upsertSql } from '../../sql/codec';
import type { TableNamer } from '../../sql/identifiers';
import type { DomainContext } from '../base';
import { shallowMergeSql } from '../../sql/json';
import { resourceFromRow } from './rows';
import { RESOURCES } from './schema';
import { checkValueSize, isoTimestamp, objectJson, requireText } from '../validation';

const selectResource = (tables: TableNamer, id: string): SqlStatement => ({ sql: `SELECT * FROM ${tables(TABLE_RESOURCES)} WHERE id = ?`, params: [id] });

/**
 * Creates the resource, or updates only what was given: working memory replaced when given, metadata
 * shallow-merged inside D1 when given. One statement, the row back via RETURNING.
 */
const createOrPatchResource = (tables: TableNamer, id: string, workingMemory: string | undefined, metadata: string | undefined, now: string): SqlStatement => {
  const sets = ['"updatedAt" = excluded."updatedAt"'];
  if (workingMemory !== undefined) sets.push('"workingMemory" = excluded."workingMemory"');
  if (metadata !== undefined) sets.push(`metadata = ${shallowMergeSql('metadata', 'excluded.metadata')}`);
  return {
    sql: `INSERT INTO ${tables(TABLE_RESOURCES)} (id, "workingMemory", metadata, "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET ${sets.join(', ')} RETURNING *`,
    params: [id, workingMemory ?? null, metadata ?? '{}', now, now],
  };
};

/** One resource (working memory and metadata), or null. */
export async function getResource(ctx: DomainContext, resourceId: string): Promise<StorageResourceType | null> {
  requireText('getResourceById', 'resourceId', resourceId);
  const [row] = await ctx.driver.all(selectResource(ctx.tables, resourceId));
  return row ? resourceFromRow(row) : null;
}

/** Inserts or fully replaces a resource. */
export async function saveResource(ctx: DomainContext, resource: StorageResourceType): Promise<StorageResourceType> {
  const op = 'saveResource';
  const id = requireText(op, 'resource.id', resource?.id);
  const workingMemory = resource.workingMemory ?? null;
  checkValueSize(op, `Resource ${id} working memory`, workingMemory);
  const values = [id, workingMemory, objectJson(op, `Resource ${id} metadata`, resource.metadata) ?? null, isoTimestamp(op, 'resource.createdAt', resource.createdAt), isoTimestamp(op, 'resource.updatedAt', resource.updatedAt)];
  await ctx.driver.run(upsertSql(ctx.tables(TABLE_RESOURCES), RESOURCES, values, { key: ['id'] }), { idempotent: true });
  return resource;
}

/** Updates working memory and/or merges metadata, creating the resource when missing (working memory needs that). */
export async function updateResource(
  ctx: DomainContext,
  args: { resourceId: string; workingMemory?: string; metadata?: Record<string, unknown> },
): Promise<StorageResourceType> {
  const op = 'updateResource';
  const id = requireText(op, 'resourceId', args?.resourceId);
  if (args.workingMemory !== undefined && typeof args.workingMemory !== 'string') throw userError(op, 'workingMemory must be a string', { resourceId: id });
  checkValueSize(op, `Resource ${id} working memory`, args.workingMemory ?? null);
  const statement = createOrPatchResource(ctx.tables, id, args.workingMemory, objectJson(op, `Resource ${id} metadata`, args.metadata), new Date().toISOString());
  const { rows } = await ctx.driver.run(statement, { idempotent: true });
  return resourceFromRow(rows[0]!);
}
