import type { VersionedFixture } from './versioned-fixtures';

/** The versioned suite's fixture for workspaces (thin metadata like the others; updates auto-version). */
export const WORKSPACES_FIXTURE = {
  key: 'workspaces' as VersionedFixture['key'],
  title: 'WorkspacesStorageD1',
  createKey: 'workspace',
  parent: 'workspaceId',
  listKey: 'workspaces',
  snapshot: (n: number) => ({ name: `Workspace ${n}`, description: `ws ${n}`, filesystem: { type: 'local', path: `/w/${n}` }, tools: { read: { enabled: n % 2 === 0 } }, autoSync: n % 2 === 0, operationTimeout: 1000 * n }),
} satisfies VersionedFixture;
