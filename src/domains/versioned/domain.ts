import type { SqlStatement } from '../../client/types';
import type { D1DomainConfig } from '../../config';
import { notFoundError, storageOperation, userError } from '../../errors';
import { quoteIdentifier } from '../../sql/identifiers';
import { jsonList } from '../../sql/params';
import { pageQuery, pageWindow, raw, where, type MaybeCondition } from '../../sql/query';
import { D1Domain, type D1DomainMembers, type D1DomainStatics, type DomainContext } from '../base';
import { requireText } from '../validation';
import { autoVersionUpdate } from './auto-version';
import type { VersionedConfig } from './config';
import { VersionedRows } from './rows';

type Row = Record<string, unknown>;
type AbstractClass<T> = abstract new (...args: any[]) => T;
type Direction = 'ASC' | 'DESC';

const ENTITY_ORDERS = { createdAt: 'createdAt', updatedAt: 'updatedAt' } as const;
const VERSION_ORDERS = { versionNumber: 'versionNumber', createdAt: 'createdAt' } as const;
const DIRECTIONS = { ASC: 'ASC', DESC: 'DESC' } as const;
const METADATA_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A table's value for an own key, else the fallback: unknown sort input falls back as core's `parseOrderBy` does. */
function pick<T extends Record<string, string>>(table: T, key: unknown, fallback: T[keyof T]): T[keyof T] {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key as keyof T] : fallback;
}

function sortOf<T extends Record<string, string>>(fields: T, input: unknown, fallback: T[keyof T]): { field: string; direction: Direction } {
  const given = (input ?? {}) as { field?: unknown; direction?: unknown };
  return { field: pick(fields, given.field, fallback), direction: pick(DIRECTIONS, given.direction, 'DESC') };
}

/** `page` as core's lists take it: an integer >= 0 (a USER `INVALID_PAGE` error otherwise). */
function pageArg(op: string, page: unknown): number {
  const value = page ?? 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw userError(op, 'page must be an integer >= 0', { page: String(page) }, 'INVALID_PAGE');
  return value;
}

/** `json_extract(a.metadata, '$.key') = value` per entry; keys as LibSQLStore accepts them. */
function metadataConditions(op: string, metadata: unknown): MaybeCondition[] {
  if (metadata == null) return [];
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw userError(op, 'metadata filter must be an object', { field: 'metadata' });
  return Object.entries(metadata).map(([key, value]) => {
    if (!METADATA_KEY.test(key)) throw userError(op, `Invalid metadata key: ${key}. Keys must be alphanumeric with underscores.`, { key }, 'INVALID_METADATA_KEY');
    // The value goes through json_extract too, so numbers, booleans and objects match as stored.
    return raw(`json_extract(a."metadata", ?) = json_extract(?, '$')`, `$.${key}`, JSON.stringify(value ?? null));
  });
}

/** The instance side a versioned domain adds: its rows and statements, bound to its driver. */
export interface VersionedMembers {
  readonly ctx: DomainContext;
  readonly versioned: VersionedRows;
}

/** Core's signature of method `K` of `T`. */
type Of<T, K extends string> = K extends keyof T ? (T[K] extends (...args: infer A) => infer R ? (...args: A) => R : never) : never;

/**
 * The methods implemented here, declared as methods (not mapped properties) with core's signatures, so
 * a domain class may override any of them and call `super`.
 */
export interface VersionedMethods<T> {
  getById(...args: Parameters<Of<T, 'getById'>>): ReturnType<Of<T, 'getById'>>;
  getByIdResolved(...args: Parameters<Of<T, 'getByIdResolved'>>): ReturnType<Of<T, 'getByIdResolved'>>;
  create(...args: Parameters<Of<T, 'create'>>): ReturnType<Of<T, 'create'>>;
  update(...args: Parameters<Of<T, 'update'>>): ReturnType<Of<T, 'update'>>;
  delete(...args: Parameters<Of<T, 'delete'>>): ReturnType<Of<T, 'delete'>>;
  list(...args: Parameters<Of<T, 'list'>>): ReturnType<Of<T, 'list'>>;
  listResolved(...args: Parameters<Of<T, 'listResolved'>>): ReturnType<Of<T, 'listResolved'>>;
  createVersion(...args: Parameters<Of<T, 'createVersion'>>): ReturnType<Of<T, 'createVersion'>>;
  getVersion(...args: Parameters<Of<T, 'getVersion'>>): ReturnType<Of<T, 'getVersion'>>;
  getVersions(...args: Parameters<Of<T, 'getVersions'>>): ReturnType<Of<T, 'getVersions'>>;
  getVersionByNumber(...args: Parameters<Of<T, 'getVersionByNumber'>>): ReturnType<Of<T, 'getVersionByNumber'>>;
  getLatestVersion(...args: Parameters<Of<T, 'getLatestVersion'>>): ReturnType<Of<T, 'getLatestVersion'>>;
  listVersions(...args: Parameters<Of<T, 'listVersions'>>): ReturnType<Of<T, 'listVersions'>>;
  deleteVersion(...args: Parameters<Of<T, 'deleteVersion'>>): ReturnType<Of<T, 'deleteVersion'>>;
  deleteVersionsByParentId(...args: Parameters<Of<T, 'deleteVersionsByParentId'>>): ReturnType<Of<T, 'deleteVersionsByParentId'>>;
  countVersions(...args: Parameters<Of<T, 'countVersions'>>): ReturnType<Of<T, 'countVersions'>>;
}

/** Core's class without the members implemented here (nor its protected ones), plus them as methods. */
type VersionedInstance<T> = Omit<T, keyof VersionedMethods<T> | keyof D1DomainMembers> & VersionedMethods<T> & D1DomainMembers & VersionedMembers;

/**
 * What `Versioned(...)` returns: a class whose instances keep `VersionedMethods` as methods, so a
 * subclass may override them (with core's signatures) and call `super`.
 */
export type VersionedClass<T> = (new (config: D1DomainConfig) => VersionedInstance<T>) & D1DomainStatics;

/**
 * Core's `VersionedStorageDomain` on D1 for one editor domain: `Base` is core's class (`AgentsStorage`,
 * ...), `config` its tables and quirks. Every method is one round trip; see ./index.ts.
 */
export function Versioned<T extends object>(Base: AbstractClass<T>, config: VersionedConfig): VersionedClass<T> {
  const { ops, parent } = config;
  const parentColumn = quoteIdentifier(parent);
  const DomainBase = D1Domain(Base, { key: config.key, tables: [config.entity, config.versions] }) as unknown as abstract new (arg: D1DomainConfig) => D1DomainMembers & {
    readonly ctx: DomainContext;
  };

  abstract class VersionedDomain extends DomainBase {
    readonly versioned: VersionedRows;

    constructor(arg: D1DomainConfig) {
      super(arg);
      this.versioned = new VersionedRows(config, this.ctx);
    }

    async #one(op: string, details: Record<string, string | number>, statement: SqlStatement, decode: (row: Row) => Row): Promise<Row | null> {
      const [row] = await storageOperation(op, details, () => this.ctx.driver.all<Row>(statement));
      return row ? decode(row) : null;
    }

    /** Core's `mergeVersion` (protected in core's class): the entity, the version's snapshot, `resolvedVersionId`. */
    #merge(entity: Row, version: Row): Row {
      return (this as unknown as { mergeVersion(entity: Row, version: Row): Row }).mergeVersion(entity, version);
    }

    async #run(op: string, details: Record<string, string | number>, sql: string, ...params: string[]): Promise<void> {
      await storageOperation(op, details, () => this.ctx.driver.run({ sql, params }, { idempotent: true }));
    }

    async getById(id: string): Promise<Row | null> {
      const v = this.versioned;
      return this.#one(ops.getById, { id }, v.selectEntity(requireText(ops.getById, 'id', id)), (r) => v.entity(r));
    }

    /**
     * The entity merged with the version `options` picks (core's `resolveEntity` rules: `versionId`; the
     * latest for 'draft'; else the active version, falling back to the latest), read in ONE batch
     * where core's default takes two or three round trips.
     */
    async getByIdResolved(id: string, options?: { versionId?: string; status?: string }): Promise<Row | null> {
      const op = ops.getById;
      const v = this.versioned;
      const key = requireText(op, 'id', id);
      const versionId = options?.versionId;
      const statements = [
        v.selectEntity(key),
        versionId
          ? v.selectVersions('id = ?', requireText(op, 'versionId', versionId))
          : v.selectVersions(`id = (SELECT "activeVersionId" FROM ${v.entityTable} WHERE id = ?) AND ? != 'draft'`, key, options?.status ?? 'published'),
        ...(versionId ? [] : [v.latestVersion(key)]),
      ];
      const [entity, chosen, latest] = await storageOperation(op, { id: key }, () => this.ctx.driver.batch(statements, { idempotent: true }));
      if (!entity?.rows[0]) return null;
      const version = chosen?.rows[0] ?? latest?.rows[0];
      const record = v.entity(entity.rows[0]);
      return version ? this.#merge(record, v.version(version)) : record;
    }

    /** The entity (status 'draft') and its version 1, in one batch. */
    async create(input: Row): Promise<Row> {
      const op = ops.create;
      const v = this.versioned;
      const given = input?.[config.createKey] as Row | undefined;
      if (!given || typeof given !== 'object') throw userError(op, `${config.createKey} must be an object`, { field: config.createKey });
      const id = requireText(op, 'id', given.id);
      const now = new Date();
      const entity: Row = { id, status: 'draft', createdAt: now, updatedAt: now, ...config.newEntity?.(given) };
      const snapshot: Row = {};
      for (const [key, value] of Object.entries(given)) {
        if (key === 'id') continue;
        if (config.thin.includes(key)) entity[key] ??= value;
        else snapshot[key] = value;
      }
      const version = { ...snapshot, id: crypto.randomUUID(), [parent]: id, versionNumber: 1, changedFields: Object.keys(snapshot), changeMessage: 'Initial version' };
      const statements = [v.insertEntity(op, entity), v.insertVersion(op, version, now)];
      const [created] = await storageOperation(op, { id }, () => this.ctx.driver.batch(statements));
      return v.entity(created!.rows[0] as Row);
    }

    /**
     * Sets the thin fields given (undefined leaves one unchanged) in one `UPDATE ... RETURNING`; with
     * `autoVersion`, see ./auto-version.
     */
    async update(input: Row): Promise<Row> {
      if (config.autoVersion) return autoVersionUpdate(this.versioned, config.autoVersion, input);
      const op = ops.update;
      const id = requireText(op, 'id', input?.id);
      const patch: Row = {};
      for (const key of [...config.thin, 'activeVersionId', 'status']) if (input[key] !== undefined) patch[key] = input[key];
      if (patch.metadata === null) delete patch.metadata;
      const statement = this.versioned.updateEntity(op, id, patch, new Date());
      const { rows } = await storageOperation(op, { id }, () => this.ctx.driver.run(statement, { idempotent: true }));
      if (!rows[0]) throw notFoundError(op, `${config.createKey} ${id} not found`, { id });
      return this.versioned.entity(rows[0]);
    }

    /** The entity and all its versions, in one batch. */
    async delete(id: string): Promise<void> {
      const v = this.versioned;
      const key = requireText(ops.delete, 'id', id);
      await storageOperation(ops.delete, { id: key }, () =>
        this.ctx.driver.batch(
          [
            { sql: `DELETE FROM ${v.versionTable} WHERE ${parentColumn} = ?`, params: [key] },
            { sql: `DELETE FROM ${v.entityTable} WHERE id = ?`, params: [key] },
          ],
          { idempotent: true },
        ),
      );
    }

    async list(args?: Row): Promise<Row> {
      return this.#list(args, false);
    }

    /**
     * The page of `list(args)`, each entity merged with its version as core's `listResolved` picks it
     * ('draft': the latest; otherwise the active one, else the latest), in ONE batch where core's
     * default takes two round trips plus one per entity without a found active version.
     */
    async listResolved(args?: Row): Promise<Row> {
      return this.#list(args, true);
    }

    async #list(args: Row | undefined, resolve: boolean): Promise<Row> {
      const op = ops.list;
      const v = this.versioned;
      const input = args ?? {};
      const page = pageArg(op, input.page);
      const window = pageWindow(op, page, input.perPage);
      const { field, direction } = sortOf(ENTITY_ORDERS, input.orderBy, 'createdAt');
      const extras = config.listFilters?.(op, input, this.ctx.tables) ?? {};
      const status = config.statusFilter === false ? undefined : ((input.status ?? config.listStatus) as string | undefined);
      const filter = where([
        status ? raw('a."status" = ?', status) : undefined,
        input.authorId !== undefined ? raw('a."authorId" = ?', input.authorId as string) : undefined,
        ...metadataConditions(op, input.metadata),
        ...(extras.conditions ?? []),
      ]);
      const answer = (rows: Row[], total: number, more: boolean) => ({ [config.listKey]: rows, total, page, perPage: window.perPage, hasMore: more });
      if (extras.empty) return answer([], 0, false);
      const from = `${v.entityTable} AS a${extras.join ? ` ${extras.join.sql}` : ''}`;
      const params = [...(extras.join?.params ?? []), ...filter.params];
      const order = `${extras.orderPrefix ? `${extras.orderPrefix}, ` : ''}a.${quoteIdentifier(field)} ${direction}, a."id" ASC`;
      // The page's active versions and latest versions, found through the same page as a CTE.
      const pageIds = `WITH page AS (SELECT a."id", a."activeVersionId" FROM ${from}${filter.sql} ORDER BY ${order} LIMIT ? OFFSET ?)`;
      const latestOf = `(SELECT l.id FROM ${v.versionTable} AS l WHERE l.${parentColumn} = page.id ORDER BY l."versionNumber" DESC LIMIT 1)`;
      const versions = {
        sql: `${pageIds} SELECT ${v.versionSelect} FROM ${v.versionTable} WHERE id IN (SELECT "activeVersionId" FROM page) OR id IN (SELECT ${latestOf} FROM page)`,
        params: [...params, window.limit, window.offset],
      };
      const result = await storageOperation(op, {}, () =>
        pageQuery<Row>(this.ctx.driver, {
          select: v.entitySelect.split(', ').map((c) => `a.${c}`).join(', '),
          from,
          where: { sql: filter.sql, params },
          order,
          window,
          extra: resolve ? [versions] : [],
        }),
      );
      const entities = result.rows.map((r) => v.entity(r));
      if (!resolve) return answer(entities, result.total, result.hasMore);
      const byId = new Map<string, Row>();
      const latest = new Map<string, Row>();
      for (const row of result.extras[0] ?? []) {
        const version = v.version(row);
        byId.set(version.id as string, version);
        const current = latest.get(version[parent] as string);
        if (!current || (current.versionNumber as number) < (version.versionNumber as number)) latest.set(version[parent] as string, version);
      }
      const resolved = entities.map((entity) => {
        const version = (input.status !== 'draft' && byId.get(entity.activeVersionId as string)) || latest.get(entity.id as string);
        return version ? this.#merge(entity, version) : entity;
      });
      return answer(resolved, result.total, result.hasMore);
    }

    /** One plain INSERT: a version number another writer took fails with "UNIQUE constraint failed". */
    async createVersion(input: Row): Promise<Row> {
      const now = new Date();
      const statement = this.versioned.insertVersion(ops.createVersion, input, now);
      await storageOperation(ops.createVersion, { id: input.id as string }, () => this.ctx.driver.run(statement));
      return { ...input, createdAt: now };
    }

    async getVersion(id: string): Promise<Row | null> {
      const v = this.versioned;
      return this.#one(ops.getVersion, { id }, v.selectVersions('id = ?', requireText(ops.getVersion, 'id', id)), (r) => v.version(r));
    }

    /** Every version among `ids` that exists, in one query whatever the number of ids. */
    async getVersions(ids: string[]): Promise<Row[]> {
      const op = ops.getVersions;
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) throw userError(op, 'ids must be an array of strings', { field: 'ids' });
      if (ids.length === 0) return [];
      const v = this.versioned;
      const rows = await storageOperation(op, { count: ids.length }, () => this.ctx.driver.all<Row>(v.selectVersions('id IN (SELECT value FROM json_each(?))', jsonList(ids))));
      return rows.map((r) => v.version(r));
    }

    async getVersionByNumber(entityId: string, versionNumber: number): Promise<Row | null> {
      const op = ops.getVersionByNumber;
      const v = this.versioned;
      if (typeof versionNumber !== 'number' || !Number.isFinite(versionNumber)) throw userError(op, 'versionNumber must be a number', { field: 'versionNumber' });
      return this.#one(op, { entityId, versionNumber }, v.selectVersions(`${parentColumn} = ? AND "versionNumber" = ?`, requireText(op, parent, entityId), versionNumber), (r) => v.version(r));
    }

    async getLatestVersion(entityId: string): Promise<Row | null> {
      const v = this.versioned;
      return this.#one(ops.getLatestVersion, { entityId }, v.latestVersion(requireText(ops.getLatestVersion, parent, entityId)), (r) => v.version(r));
    }

    async listVersions(input: Row): Promise<Row> {
      const op = ops.listVersions;
      const v = this.versioned;
      const entityId = requireText(op, parent, input?.[parent]);
      const page = pageArg(op, input.page);
      const window = pageWindow(op, page, input.perPage, { defaultPerPage: 20 });
      const { field, direction } = sortOf(VERSION_ORDERS, input.orderBy, 'versionNumber');
      const result = await storageOperation(op, { entityId }, () =>
        pageQuery<Row>(this.ctx.driver, {
          select: v.versionSelect,
          from: v.versionTable,
          where: where([raw(`${parentColumn} = ?`, entityId)]),
          order: field === 'versionNumber' ? `"versionNumber" ${direction}` : `"createdAt" ${direction}, "versionNumber" ${direction}`,
          window,
        }),
      );
      return { versions: result.rows.map((r) => v.version(r)), total: result.total, page, perPage: window.perPage, hasMore: result.hasMore };
    }

    async deleteVersion(id: string): Promise<void> {
      await this.#run(ops.deleteVersion, { id }, `DELETE FROM ${this.versioned.versionTable} WHERE id = ?`, requireText(ops.deleteVersion, 'id', id));
    }

    async deleteVersionsByParentId(entityId: string): Promise<void> {
      const op = ops.deleteVersionsByParentId;
      await this.#run(op, { entityId }, `DELETE FROM ${this.versioned.versionTable} WHERE ${parentColumn} = ?`, requireText(op, parent, entityId));
    }

    async countVersions(entityId: string): Promise<number> {
      const op = ops.countVersions;
      const [row] = await storageOperation(op, { entityId }, () =>
        this.ctx.driver.all<{ total: number }>({ sql: `SELECT COUNT(*) AS total FROM ${this.versioned.versionTable} WHERE ${parentColumn} = ?`, params: [requireText(op, parent, entityId)] }),
      );
      return Number(row?.total ?? 0);
    }
  }
  return VersionedDomain as unknown as VersionedClass<T>;
}
