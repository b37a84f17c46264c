export { D1Store, schemaSql } from './store';
export * from './domains/all';
export type { D1BaseConfig, D1ClientConfig, D1Config, D1DomainConfig, D1StoreConfig, D1WorkersConfig } from './config';
export type { D1Client, D1DatabaseLike, D1QueryResult, D1Value } from './client/types';
export { D1QueryError, type D1FailureKind } from './client/errors';
export type { RetryPolicy } from './client/retry';
