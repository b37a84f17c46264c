import { MCP_CLIENT_VERSIONS_SCHEMA, MCP_CLIENTS_SCHEMA, MCPClientsStorage, TABLE_MCP_CLIENT_VERSIONS, TABLE_MCP_CLIENTS } from '@mastra/core/storage';
import { opNames, Versioned, versionedTables } from '../versioned';

const [CLIENTS, CLIENT_VERSIONS] = versionedTables(TABLE_MCP_CLIENTS, MCP_CLIENTS_SCHEMA, TABLE_MCP_CLIENT_VERSIONS, MCP_CLIENT_VERSIONS_SCHEMA, 'mcpClientId');

/** Stored MCP client configurations used by stored agents, with their versions; lists default to published ones. */
export class MCPClientsStorageD1 extends Versioned(MCPClientsStorage, {
  key: 'mcpClients',
  entity: CLIENTS,
  versions: CLIENT_VERSIONS,
  parent: 'mcpClientId',
  createKey: 'mcpClient',
  listKey: 'mcpClients',
  thin: ['authorId', 'metadata'],
  ops: opNames('MCP_CLIENT', 'MCP_CLIENTS', 'CLIENT'),
  listStatus: 'published',
}) {}
