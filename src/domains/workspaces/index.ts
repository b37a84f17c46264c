import { TABLE_WORKSPACE_VERSIONS, TABLE_WORKSPACES, WORKSPACE_VERSIONS_SCHEMA, WORKSPACES_SCHEMA, WorkspacesStorage } from '@mastra/core/storage';
import { opNames, Versioned, versionedTables } from '../versioned';

const [WORKSPACES, WORKSPACE_VERSIONS] = versionedTables(TABLE_WORKSPACES, WORKSPACES_SCHEMA, TABLE_WORKSPACE_VERSIONS, WORKSPACE_VERSIONS_SCHEMA, 'workspaceId');

/**
 * Stored workspaces (`@mastra/editor`, the Agent Builder's workspace): a thin row with metadata and
 * append-only versions; `update` creates a version when snapshot fields change (see ../versioned/auto-version).
 * Core's workspace list input has no status filter: `list` ignores one, as LibSQLStore does, while
 * `listResolved({ status: 'draft' })` still merges each workspace with its latest version.
 */
export class WorkspacesStorageD1 extends Versioned(WorkspacesStorage, {
  key: 'workspaces',
  entity: WORKSPACES,
  versions: WORKSPACE_VERSIONS,
  parent: 'workspaceId',
  createKey: 'workspace',
  listKey: 'workspaces',
  thin: ['authorId', 'metadata'],
  ops: opNames('WORKSPACE', 'WORKSPACES', 'WORKSPACE'),
  statusFilter: false,
  autoVersion: {
    snapshot: ['name', 'description', 'filesystem', 'sandbox', 'mounts', 'search', 'skills', 'tools', 'autoSync', 'operationTimeout'],
    // As LibSQLStore compares them.
    equal: (given, stored) => JSON.stringify(given) === JSON.stringify(stored),
  },
}) {}
