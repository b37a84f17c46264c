import { TABLE_DATASET_ITEMS, TABLE_DATASET_VERSIONS, TABLE_DATASETS } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { columnList, encodeRow } from '../../sql/codec';
import type { TableNamer } from '../../sql/identifiers';
import { inJsonList, jsonList, MAX_VALUE_BYTES, placeholders } from '../../sql/params';
import { ITEMS_TABLE } from './schema';

// The statements of an item mutation. Every write that makes a new dataset version is one batch:
// [guard?] bump, close the replaced rows, insert the new ones, record the version. Rows take the
// version, organizationId and projectId from the dataset row inside the batch, so no value read
// before the batch can go stale in them.

/** The item columns a caller's values fill; the rest come from the dataset row in SQL. */
const ITEM_VALUES = ['id', 'externalId', 'isDeleted', 'input', 'groundTruth', 'expectedTrajectory', 'toolMocks', 'unmockedToolPolicy', 'scorerIds', 'requestContext', 'metadata', 'source', 'createdAt', 'updatedAt'];
const FROM_DATASET = ['datasetId', 'datasetVersion', 'organizationId', 'projectId'];
const INSERT_COLUMNS = columnList(ITEMS_TABLE, [...ITEM_VALUES, ...FROM_DATASET]);
/** Rows per JSON parameter stay under D1's value limit, with room for the escaping JSON adds. */
const CHUNK_BYTES = MAX_VALUE_BYTES * 0.9;

/** The rows current now: not replaced, not deleted. */
export const CURRENT = '"validTo" IS NULL AND "isDeleted" = 0';

/** The message of a batch the version guard aborted, told apart from every other failure. */
export const VERSION_CONFLICT = 'malformed JSON';

/** One item row to insert, as `encodeRow` encodes it. */
export function itemValues(operation: string, item: Record<string, unknown>): D1Value[] {
  return encodeRow(operation, ITEMS_TABLE, item, { columns: ITEM_VALUES, record: `dataset item ${String(item.id)}` });
}

/** The statements of one version bump of `datasetId`, written around `body`. */
export function versionedBatch(tables: TableNamer, datasetId: string, expected: number | undefined, body: SqlStatement[], now: string): SqlStatement[] {
  const datasets = tables(TABLE_DATASETS);
  return [
    // A version read before the batch that another writer has moved on aborts the whole batch.
    ...(expected === undefined
      ? []
      : [{ sql: `SELECT CASE WHEN (SELECT version FROM ${datasets} WHERE id = ?) = ? THEN 1 ELSE json('dataset version conflict') END`, params: [datasetId, expected] }]),
    { sql: `UPDATE ${datasets} SET version = version + 1 WHERE id = ? RETURNING version, "organizationId", "projectId"`, params: [datasetId] },
    ...body,
    {
      sql: `INSERT INTO ${tables(TABLE_DATASET_VERSIONS)} (id, "datasetId", version, "createdAt") SELECT ?, id, version, ? FROM ${datasets} WHERE id = ?`,
      params: [crypto.randomUUID(), now, datasetId],
    },
  ];
}

/** Aborts the batch, like a lost race, when the item was purged after it was read. */
export function notPurged(tables: TableNamer, id: string): SqlStatement {
  return {
    sql: `SELECT CASE WHEN EXISTS (SELECT 1 FROM ${tables(TABLE_DATASET_ITEMS)} WHERE id = ? AND ${CURRENT} AND json_extract(metadata, '$.__purged') = 1) THEN json('item purged') ELSE 1 END`,
    params: [id],
  };
}

/** Marks the current rows of `ids` as replaced by the version this batch made. */
export function closeRows(tables: TableNamer, datasetId: string, ids: readonly string[]): SqlStatement {
  return {
    sql: `UPDATE ${tables(TABLE_DATASET_ITEMS)} SET "validTo" = (SELECT version FROM ${tables(TABLE_DATASETS)} WHERE id = ?)
      WHERE "datasetId" = ? AND ${inJsonList('id')} AND ${CURRENT}`,
    params: [datasetId, datasetId, jsonList(ids)],
  };
}

/** A tombstone copy of each row `closeRows` just closed. */
export function tombstones(tables: TableNamer, datasetId: string, ids: readonly string[], now: string): SqlStatement {
  const copied = ITEM_VALUES.map((c) => (c === 'isDeleted' ? '1' : c === 'updatedAt' ? '?' : `i."${c}"`)).join(', ');
  return {
    sql: `INSERT INTO ${tables(TABLE_DATASET_ITEMS)} (${INSERT_COLUMNS}) SELECT ${copied}, d.id, d.version, d."organizationId", d."projectId"
      FROM ${tables(TABLE_DATASET_ITEMS)} i JOIN ${tables(TABLE_DATASETS)} d ON d.id = i."datasetId"
      WHERE i."datasetId" = ? AND i.${inJsonList('id')} AND i."validTo" = d.version`,
    params: [now, datasetId, jsonList(ids)],
  };
}

/**
 * INSERTs of any number of item rows: rows travel as JSON parameters of up to ~1.8 MB each, and a row
 * too large to share one is bound value by value.
 */
export function insertRows(tables: TableNamer, datasetId: string, rows: readonly D1Value[][]): SqlStatement[] {
  const fromDataset = `d.id, d.version, d."organizationId", d."projectId" FROM ${tables(TABLE_DATASETS)} d`;
  const into = `INSERT INTO ${tables(TABLE_DATASET_ITEMS)} (${INSERT_COLUMNS}) SELECT`;
  const statements: SqlStatement[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (!chunk.length) return;
    const values = ITEM_VALUES.map((_, i) => `r.value ->> ${i}`).join(', ');
    statements.push({ sql: `${into} ${values}, ${fromDataset}, json_each(?) r WHERE d.id = ?`, params: [`[${chunk.join(',')}]`, datasetId] });
    chunk = [];
    bytes = 0;
  };
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = new TextEncoder().encode(json).byteLength;
    if (size > CHUNK_BYTES) {
      statements.push({ sql: `${into} ${placeholders(ITEM_VALUES.length)}, ${fromDataset} WHERE d.id = ?`, params: [...row, datasetId] });
      continue;
    }
    if (bytes + size > CHUNK_BYTES) flush();
    chunk.push(json);
    bytes += size + 1;
  }
  flush();
  return statements;
}
