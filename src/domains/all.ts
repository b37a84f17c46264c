// Every storage domain of this package, one line each. `D1Store.stores`, the schema, `schemaSql()`, the
// public exports and the tests' lists of domains and tables all derive from this file: adding a domain
// is its folder plus one line here.
export { MemoryStorageD1 } from './memory';
export { WorkflowsStorageD1 } from './workflows';
export { ScoresStorageD1 } from './scores';
export { ObservabilityStorageD1 } from './observability';
export { ThreadStateStorageD1 } from './thread-state';
export { BackgroundTasksStorageD1 } from './background-tasks';
export { SchedulesStorageD1 } from './schedules';
export { NotificationsStorageD1 } from './notifications';
export { AgentsStorageD1 } from './agents';
export { PromptBlocksStorageD1 } from './prompt-blocks';
export { ScorerDefinitionsStorageD1 } from './scorer-definitions';
export { MCPClientsStorageD1 } from './mcp-clients';
export { MCPServersStorageD1 } from './mcp-servers';
export { BlobsStorageD1 } from './blobs';
export { ChannelsStorageD1 } from './channels';
export { WorkflowDefinitionsStorageD1 } from './workflow-definitions';
export { DatasetsStorageD1 } from './datasets';
export { KnowledgeStorageD1 } from './knowledge';
export { ToolProviderConnectionsStorageD1 } from './tool-provider-connections';
export { ExperimentsStorageD1 } from './experiments';
export { HarnessStorageD1 } from './harness';
export { SkillsStorageD1 } from './skills';
export { FavoritesStorageD1 } from './favorites';
export { WorkspacesStorageD1 } from './workspaces';
