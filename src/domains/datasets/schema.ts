import {
  DATASET_ITEMS_SCHEMA,
  DATASET_VERSIONS_SCHEMA,
  DATASETS_SCHEMA,
  TABLE_DATASET_ITEMS,
  TABLE_DATASET_VERSIONS,
  TABLE_DATASETS,
  type DatasetItemRow,
  type DatasetRecord,
  type DatasetVersion,
} from '@mastra/core/storage';
import { decodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';

type Row = Record<string, unknown>;

/** Datasets: listed newest first, optionally within a tenancy bucket or by candidate. */
export const DATASETS_TABLE: TableSpec = {
  name: TABLE_DATASETS,
  columns: DATASETS_SCHEMA,
  indexes: [
    { name: 'created_idx', columns: ['createdAt', 'id'] },
    { name: 'tenancy_created_idx', columns: ['organizationId', 'projectId', 'createdAt', 'id'] },
    { name: 'tenancy_candidate_idx', columns: ['organizationId', 'projectId', 'candidateKey', 'candidateId'] },
  ],
};

/**
 * Item rows, one per (item, dataset version) as core's composite key says (SCD-2): `validTo` is the version
 * that replaced the row, NULL while it is current; a delete is a current row with `isDeleted`.
 */
export const ITEMS_TABLE: TableSpec = {
  name: TABLE_DATASET_ITEMS,
  columns: DATASET_ITEMS_SCHEMA,
  primaryKey: ['id', 'datasetVersion'],
  indexes: [
    { name: 'current_idx', columns: ['datasetId', 'validTo', 'isDeleted', 'createdAt'] },
    { name: 'version_idx', columns: ['datasetId', 'datasetVersion'] },
    { name: 'external_idx', columns: ['datasetId', 'externalId', 'datasetVersion'] },
    { name: 'tenancy_idx', columns: ['organizationId', 'projectId', 'datasetId', 'validTo', 'isDeleted'] },
  ],
};

/** One row per dataset version; the UNIQUE (datasetId, version) index is the sentinel two writers of one version collide on. */
export const VERSIONS_TABLE: TableSpec = {
  name: TABLE_DATASET_VERSIONS,
  columns: DATASET_VERSIONS_SCHEMA,
  indexes: [{ name: 'dataset_version_idx', columns: ['datasetId', 'version'], unique: true }],
};

const orUndefined = (value: unknown) => value ?? undefined;

/** A datasets row as LibSQLStore returns it: absent JSON and `targetType` left out, tenancy and candidate `null`. */
export function datasetFromRow(row: Row): DatasetRecord {
  const d = decodeRow<Row>(DATASETS_TABLE, row);
  return {
    ...d,
    description: row.description,
    targetType: d.targetType || undefined,
    ...Object.fromEntries(['metadata', 'inputSchema', 'groundTruthSchema', 'requestContextSchema', 'tags', 'targetIds', 'scorerIds'].map((k) => [k, orUndefined(d[k])])),
    ...Object.fromEntries(['organizationId', 'projectId', 'candidateKey', 'candidateId'].map((k) => [k, d[k] ?? null])),
  } as DatasetRecord;
}

const OPTIONAL_ITEM_FIELDS = ['groundTruth', 'expectedTrajectory', 'toolMocks', 'unmockedToolPolicy', 'scorerIds', 'requestContext', 'source'];

/**
 * An item row with its SCD-2 columns. As in LibSQLStore, a purged item's scrubbed fields read as `null`
 * (so callers can tell them from fields never set, which are left out).
 */
export function itemRowFromRow(row: Row): DatasetItemRow {
  const d = decodeRow<Row>(ITEMS_TABLE, row);
  const metadata = orUndefined(d.metadata) as Row | undefined;
  const empty = metadata?.__purged === true ? null : undefined;
  return {
    ...d,
    ...Object.fromEntries(['externalId', 'organizationId', 'projectId'].map((k) => [k, d[k] ?? null])),
    ...Object.fromEntries(OPTIONAL_ITEM_FIELDS.map((k) => [k, d[k] ?? empty])),
    metadata,
    isDeleted: Boolean(d.isDeleted),
  } as DatasetItemRow;
}

/** An item row as the public item, without `validTo` and `isDeleted`. */
export function itemFromRow(row: Row): DatasetItemRow {
  const { validTo: _validTo, isDeleted: _isDeleted, ...item } = itemRowFromRow(row);
  return item as DatasetItemRow;
}

export function versionFromRow(row: Row): DatasetVersion {
  return decodeRow<DatasetVersion>(VERSIONS_TABLE, row);
}
