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
