import { notFoundError, storageOperation, userError } from '../../errors';
import { requireText } from '../validation';
import type { AutoVersion } from './config';
import type { VersionedRows } from './rows';

type Row = Record<string, unknown>;

const VERSION_OWN = ['id', 'versionNumber', 'changedFields', 'changeMessage', 'createdAt'];

/**
 * `update` with auto-versioning, as LibSQLStore does it: thin fields are set on the entity row (an
 * `activeVersionId` without `status` publishes), and snapshot fields that differ from the latest version
 * make version latest+1 holding the latest snapshot with the changes. Without snapshot fields it is one
 * `UPDATE ... RETURNING`; with them, one read of the entity and its latest version, then ONE batch
 * [INSERT version; UPDATE entity] whose INSERT runs under UNIQUE (parent, versionNumber), so of two
 * concurrent updates one fails whole with "UNIQUE constraint failed" (what the editor retries on).
 */
export async function autoVersionUpdate(rows: VersionedRows, spec: AutoVersion, input: Row): Promise<Row> {
  const { ctx, config } = rows;
  const op = config.ops.update;
  const id = requireText(op, 'id', input?.id);
  const patch: Row = {};
  for (const key of [...config.thin, 'activeVersionId', 'status']) if (input[key] != null) patch[key] = input[key];
  if (patch.activeVersionId !== undefined) patch.status ??= 'published';
  const changes = Object.fromEntries(spec.snapshot.filter((field) => input[field] !== undefined).map((field) => [field, input[field]]));
  const now = new Date();
  // LibSQLStore's messages name the entity capitalised ("Skill s1 not found").
  const notFound = () => notFoundError(op, `${config.createKey[0]!.toUpperCase()}${config.createKey.slice(1)} ${id} not found`, { id });
  if (Object.keys(changes).length === 0) {
    const { rows: [row] } = await storageOperation(op, { id }, () => ctx.driver.run(rows.updateEntity(op, id, patch, now), { idempotent: true }));
    if (!row) throw notFound();
    return rows.entity(row);
  }
  const { entity, latest } = await rows.readWithLatest(op, id);
  if (!entity) throw notFound();
  if (!latest) throw userError(op, `No versions found for ${config.createKey} ${id}`, { id }, 'NO_VERSIONS');
  const changedFields = Object.keys(changes).filter((field) => !spec.equal(changes[field], latest[field]));
  const statements = [rows.updateEntity(op, id, patch, now)];
  if (changedFields.length) {
    const base = Object.fromEntries(Object.entries(latest).filter(([key]) => !VERSION_OWN.includes(key)));
    const version = { ...base, ...changes, id: crypto.randomUUID(), versionNumber: Number(latest.versionNumber) + 1, changedFields, changeMessage: `Updated ${changedFields.join(', ')}` };
    statements.unshift(rows.insertVersion(op, version, now));
  }
  const results = await storageOperation(op, { id }, () => ctx.driver.batch(statements));
  const row = results.at(-1)?.rows[0];
  if (!row) throw notFound();
  return rows.entity(row);
}
