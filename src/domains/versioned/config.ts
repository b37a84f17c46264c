import type { StorageColumn } from '@mastra/core/storage';
import type { TableSpec } from '../../sql/ddl';
import type { TableNamer } from '../../sql/identifiers';
import type { Condition, MaybeCondition } from '../../sql/query';
import type { DomainKey } from '../base';

type Row = Record<string, unknown>;

/**
 * What a domain adds to `list()`, over the entity table aliased `a`: conditions, a joined table (its
 * params bind before the WHERE's), an ORDER BY prefix, or `empty` when the filters match nothing.
 */
export interface ListExtras {
  conditions?: MaybeCondition[];
  join?: Condition;
  /** Sorts before the requested field, e.g. favorites pinned first. */
  orderPrefix?: string;
  empty?: boolean;
}

/** The error-id operation names of the 13 methods, as LibSQLStore spells them (parity compares them). */
export interface OpNames {
  getById: string;
  create: string;
  update: string;
  delete: string;
  list: string;
  createVersion: string;
  getVersion: string;
  getVersions: string;
  getVersionByNumber: string;
  getLatestVersion: string;
  listVersions: string;
  deleteVersion: string;
  deleteVersionsByParentId: string;
  countVersions: string;
}

/** How one editor domain is stored: its two tables and the quirks it keeps. See ./index.ts. */
export interface VersionedConfig {
  key: DomainKey;
  entity: TableSpec;
  versions: TableSpec;
  /** The version table's column holding the entity id (`agentId`, `blockId`, ...). */
  parent: string;
  /** The key of `create()`'s input object (`agent`, `promptBlock`, ...). */
  createKey: string;
  /** The key of `list()`'s output array (core's `listKey`). */
  listKey: string;
  /** Fields of create/update input kept on the entity row; the rest of a create input is the snapshot. */
  thin: readonly string[];
  ops: OpNames;
  /** The status `list()` filters on when none is given (mcpClients, mcpServers: 'published'). */
  listStatus?: string;
  /** `false`: `list()` ignores `status` (workspaces, as LibSQLStore); `listResolved` still resolves drafts by it. */
  statusFilter?: false;
  /** Makes `update` create a version when snapshot fields change (skills, workspaces). */
  autoVersion?: AutoVersion;
  newEntity?(input: Row): Row;
  listFilters?(op: string, args: Row, tables: TableNamer): ListExtras;
  toEntity?(record: Row, row: Row): Row;
  toVersion?(record: Row, row: Row): Row;
}

/** How an auto-versioning domain tells a snapshot change in `update` input. See ./auto-version. */
export interface AutoVersion {
  /** Fields of update input that live on version rows. */
  snapshot: readonly string[];
  /** Whether a snapshot field's new value equals the latest version's. */
  equal(given: unknown, stored: unknown): boolean;
}

/**
 * The two table specs of a versioned domain, with the indexes of every lookup and list path: UNIQUE
 * (parent, versionNumber) (the version-number guard, and latest/by-number/count/list by number),
 * (parent, createdAt) for versions listed by date, and per entity table the list orders alone, under
 * a status filter and under an author filter.
 */
export function versionedTables(
  entityName: string,
  entityColumns: Record<string, StorageColumn>,
  versionsName: string,
  versionColumns: Record<string, StorageColumn>,
  parent: string,
): [TableSpec, TableSpec] {
  const orders = ['createdAt', 'updatedAt'];
  return [
    {
      name: entityName,
      columns: entityColumns,
      indexes: orders.flatMap((order) => [
        { name: `${order}_idx`, columns: [order, 'id'] },
        { name: `status_${order}_idx`, columns: ['status', order, 'id'] },
        { name: `author_${order}_idx`, columns: ['authorId', order, 'id'] },
      ]),
    },
    {
      name: versionsName,
      columns: versionColumns,
      indexes: [
        { name: 'parent_number_uidx', columns: [parent, 'versionNumber'], unique: true },
        { name: 'parent_created_idx', columns: [parent, 'createdAt'] },
      ],
    },
  ];
}

/**
 * The operation names of a domain whose LibSQLStore methods are named `GET_<ENTITY>`,
 * `CREATE_<ENTITY>_VERSION`, ... (all but agents). `byParent` ends `DELETE_<VERSIONS>_BY_<...>`.
 */
export function opNames(entity: string, plural: string, byParent: string): OpNames {
  const version = `${entity}_VERSION`;
  return {
    getById: `GET_${entity}`,
    create: `CREATE_${entity}`,
    update: `UPDATE_${entity}`,
    delete: `DELETE_${entity}`,
    list: `LIST_${plural}`,
    createVersion: `CREATE_${version}`,
    getVersion: `GET_${version}`,
    getVersions: `GET_${version}S`,
    getVersionByNumber: `GET_${version}_BY_NUMBER`,
    getLatestVersion: `GET_LATEST_${version}`,
    listVersions: `LIST_${version}S`,
    deleteVersion: `DELETE_${version}`,
    deleteVersionsByParentId: `DELETE_${version}S_BY_${byParent}`,
    countVersions: `COUNT_${version}S`,
  };
}
