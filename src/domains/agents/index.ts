import { AGENT_VERSIONS_SCHEMA, AGENTS_SCHEMA, AgentsStorage, TABLE_AGENT_VERSIONS, TABLE_AGENTS } from '@mastra/core/storage';
import { ownedListFilters, Versioned, versionedTables } from '../versioned';

const [AGENTS, AGENT_VERSIONS] = versionedTables(TABLE_AGENTS, AGENTS_SCHEMA, TABLE_AGENT_VERSIONS, AGENT_VERSIONS_SCHEMA, 'agentId');

/** Instructions are text, or an array of blocks stored as its JSON text (as LibSQLStore stores them). */
function instructionsOf(stored: unknown): unknown {
  if (typeof stored !== 'string') return stored;
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed : stored;
  } catch {
    return stored;
  }
}

/**
 * Stored agents (`@mastra/editor`, Studio, `mastra.getAgent(id, { versionId })`): a thin agent row and
 * its append-only versions, shared by every Worker on the database. Unlike the other editor domains,
 * agents return unset text columns as `null` and carry `visibility`, `favoriteCount` and the favorites
 * list filters, as LibSQLStore's `AgentsLibSQL` does.
 */
export class AgentsStorageD1 extends Versioned(AgentsStorage, {
  key: 'agents',
  entity: AGENTS,
  versions: AGENT_VERSIONS,
  parent: 'agentId',
  createKey: 'agent',
  listKey: 'agents',
  thin: ['authorId', 'visibility', 'metadata'],
  ops: {
    getById: 'GET_AGENT_BY_ID',
    create: 'CREATE_AGENT',
    update: 'UPDATE_AGENT',
    delete: 'DELETE_AGENT',
    list: 'LIST_AGENTS',
    createVersion: 'CREATE_VERSION',
    getVersion: 'GET_VERSION',
    getVersions: 'GET_VERSIONS',
    getVersionByNumber: 'GET_VERSION_BY_NUMBER',
    getLatestVersion: 'GET_LATEST_VERSION',
    listVersions: 'LIST_VERSIONS',
    deleteVersion: 'DELETE_VERSION',
    deleteVersionsByParentId: 'DELETE_VERSIONS_BY_AGENT_ID',
    countVersions: 'COUNT_VERSIONS',
  },
  newEntity: (agent) => ({ visibility: agent.visibility ?? (agent.authorId ? 'private' : null), favoriteCount: 0 }),
  listFilters: ownedListFilters('agent'),
  toEntity: (record, row) => ({ ...record, activeVersionId: row.activeVersionId ?? null, authorId: row.authorId ?? null, favoriteCount: Number(row.favoriteCount ?? 0) }),
  toVersion: (record, row) => ({
    ...record,
    name: row.name ?? null,
    description: row.description ?? null,
    skillsFormat: row.skillsFormat ?? null,
    changeMessage: row.changeMessage ?? null,
    instructions: instructionsOf(row.instructions),
  }),
}) {}
