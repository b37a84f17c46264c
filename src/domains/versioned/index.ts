/**
 * The versioned-entity module: core's `VersionedStorageDomain` (a thin entity row plus append-only
 * version rows holding the snapshot) written once for the editor domains (agents, promptBlocks,
 * scorerDefinitions, mcpClients, mcpServers, workspaces and skills).
 *
 * A domain is its tables and a config:
 * ```ts
 * const [ENTITY, VERSIONS] = versionedTables(TABLE_X, X_SCHEMA, TABLE_X_VERSIONS, X_VERSIONS_SCHEMA, 'xId');
 * export class XStorageD1 extends Versioned(XStorage, {
 *   key: 'x', entity: ENTITY, versions: VERSIONS, parent: 'xId',
 *   createKey: 'x',                       // create({ x: { id, ...thin, ...snapshot } })
 *   thin: ['authorId', 'metadata'],       // create/update input fields that live on the entity row
 *   ops: opNames('X', 'X_VERSION', ...),  // error-id operation names, as LibSQLStore spells them
 *   listStatus: 'published',              // optional default status filter of list()
 *   statusFilter: false,                  // optional: list() ignores `status` (workspaces)
 *   autoVersion: { snapshot, equal },     // optional: update() versions snapshot changes (skills, workspaces)
 *   listKey: 'xs',                        // the key of list()'s output array (core's listKey)
 * }) {}
 * ```
 * What every method does (each ONE round trip):
 * - `create`: one batch [INSERT entity (status 'draft') RETURNING; INSERT version 1 (changedFields = the
 *   snapshot's keys, 'Initial version')]. Plain INSERTs: an existing id fails with "UNIQUE constraint
 *   failed" and writes nothing (LibSQLStore silently replaces).
 * - `update`: one `UPDATE ... RETURNING` of the thin fields given (metadata shallow-merged in SQL);
 *   an unknown id is a USER `NOT_FOUND` error. Snapshot fields are ignored, as in LibSQLStore, unless
 *   `autoVersion` is set (./auto-version): then snapshot fields that differ from the latest version make
 *   a new version (one read, then ONE batch [INSERT version; UPDATE entity]), and an `activeVersionId`
 *   without `status` publishes.
 * - `delete`: one batch [DELETE versions; DELETE entity].
 * - `list`: one `pageQuery` batch (count + page), filters status/authorId/metadata (+ `listFilters`).
 * - `createVersion`: one plain INSERT under UNIQUE (parent, versionNumber): two writers racing for a
 *   number never both win; the loser gets a THIRD_PARTY error whose message keeps "UNIQUE constraint
 *   failed" (what @mastra/editor and @mastra/server retry on).
 * - `getVersions(ids)`: one `id IN (SELECT value FROM json_each(?))` query (core's default loops).
 * - `getByIdResolved(id, options)`: one batch (entity, chosen version, latest) where core's default
 *   takes up to three; `listResolved`: one batch (count, page, the page's active and latest versions)
 *   where core's default takes two plus one per entity.
 * - `getVersion`, `getVersionByNumber`, `getLatestVersion`, `listVersions`, `deleteVersion`,
 *   `deleteVersionsByParentId`, `countVersions`: one statement each.
 *
 * Hooks (optional config functions) for a domain's quirks:
 * - `newEntity(input)`: extra entity columns create() writes (agents: visibility, favoriteCount).
 * - `listFilters(op, args, tables)`: extra conditions over the entity table aliased `a`, a join, an
 *   ORDER BY prefix (agents: visibility,
 *   entityIds, pinFavoritedFor/favoritedOnly via `ownedListFilters` in ./owned).
 * - `toEntity(record, row)` / `toVersion(record, row)`: post-process decoded rows (agents keep NULLs).
 *
 * A domain class may override any of these methods (`Versioned` returns a `VersionedClass`, whose
 * members are methods with core's signatures) and call `super`.
 * Building blocks for domains that override a method: `this.versioned` is a `VersionedRows` (./rows)
 * bound to the domain's ctx, with
 * `readWithLatest(op, id)` (entity + latest version, one batch), `insertVersion(op, input, now)` and
 * `updateEntity(op, id, patch, now)` (statements to put in ONE batch, the version INSERT first so a lost
 * race aborts the batch), `entity(row)` / `version(row)` decoders, and the table names.
 * Favorites: `favoriteCount` is a column of the agents (and skills) entity table; read the table name
 * with `ctx.tables(TABLE_AGENTS)` and recount it in the favorite batch (domains.md §1.5).
 */
export { opNames, versionedTables, type AutoVersion, type VersionedConfig, type ListExtras } from './config';
export { VersionedRows } from './rows';
export { Versioned, type VersionedClass } from './domain';
export { ownedListFilters } from './owned';
