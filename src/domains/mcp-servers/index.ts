import { MCP_SERVER_VERSIONS_SCHEMA, MCP_SERVERS_SCHEMA, MCPServersStorage, TABLE_MCP_SERVER_VERSIONS, TABLE_MCP_SERVERS } from '@mastra/core/storage';
import { opNames, Versioned, versionedTables } from '../versioned';

const [SERVERS, SERVER_VERSIONS] = versionedTables(TABLE_MCP_SERVERS, MCP_SERVERS_SCHEMA, TABLE_MCP_SERVER_VERSIONS, MCP_SERVER_VERSIONS_SCHEMA, 'mcpServerId');

/** Stored MCP servers that `@mastra/editor` hydrates into `MCPServer`s, with their versions; lists default to published ones. */
export class MCPServersStorageD1 extends Versioned(MCPServersStorage, {
  key: 'mcpServers',
  entity: SERVERS,
  versions: SERVER_VERSIONS,
  parent: 'mcpServerId',
  createKey: 'mcpServer',
  listKey: 'mcpServers',
  thin: ['authorId', 'metadata'],
  ops: opNames('MCP_SERVER', 'MCP_SERVERS', 'SERVER'),
  listStatus: 'published',
}) {}
