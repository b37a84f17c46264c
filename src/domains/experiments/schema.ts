import { EXPERIMENT_RESULTS_SCHEMA, EXPERIMENTS_SCHEMA, TABLE_EXPERIMENT_RESULTS, TABLE_EXPERIMENTS, type Experiment, type ExperimentResult } from '@mastra/core/storage';
import { decodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';

type Row = Record<string, unknown>;

/** Experiments: listed newest first, by dataset, grouping or tenancy; pruned by `completedAt`. */
export const EXPERIMENTS_TABLE: TableSpec = {
  name: TABLE_EXPERIMENTS,
  columns: EXPERIMENTS_SCHEMA,
  indexes: [
    { name: 'created_idx', columns: ['createdAt', 'id'] },
    { name: 'dataset_created_idx', columns: ['datasetId', 'createdAt'] },
    { name: 'grouping_idx', columns: ['experimentSetId', 'comparisonId', 'variantId', 'trialIndex'] },
    { name: 'tenancy_created_idx', columns: ['organizationId', 'projectId', 'createdAt'] },
    { name: 'completed_idx', columns: ['completedAt'] },
  ],
};

/** Results: one per (experiment, item, attempt), which the UNIQUE index enforces and upserts key on. */
export const RESULTS_TABLE: TableSpec = {
  name: TABLE_EXPERIMENT_RESULTS,
  columns: EXPERIMENT_RESULTS_SCHEMA,
  indexes: [
    { name: 'exp_item_attempt_idx', columns: ['experimentId', 'itemId', 'attempt'], unique: true },
    { name: 'exp_started_idx', columns: ['experimentId', 'startedAt'] },
    { name: 'item_idx', columns: ['itemId'] },
    { name: 'tenancy_idx', columns: ['organizationId', 'projectId'] },
  ],
};

/** An experiments row as LibSQLStore returns it: `name`, `description` and `metadata` left out when absent, the rest `null`. */
export function experimentFromRow(row: Row): Experiment {
  const e = decodeRow<Row>(EXPERIMENTS_TABLE, row);
  return { ...e, name: e.name ?? undefined, description: e.description ?? undefined, metadata: e.metadata ?? undefined, skippedCount: e.skippedCount ?? 0 } as Experiment;
}

export function resultFromRow(row: Row): ExperimentResult {
  const r = decodeRow<Row>(RESULTS_TABLE, row);
  return { ...r, attempt: Number(r.attempt ?? 0) } as ExperimentResult;
}
