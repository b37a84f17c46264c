import {
  DatasetsStorage,
  TABLE_DATASET_ITEMS,
  TABLE_DATASET_VERSIONS,
  TABLE_DATASETS,
  TABLE_EXPERIMENT_RESULTS,
  TABLE_EXPERIMENTS,
  type AddDatasetItemInput,
  type BatchDeleteItemsInput,
  type BatchInsertItemsInput,
  type CreateDatasetInput,
  type DatasetItem,
  type DatasetItemRow,
  type DatasetRecord,
  type DatasetTenancyFilters,
  type DatasetVersion,
  type DeleteDatasetItemInput,
  type ListDatasetItemsInput,
  type ListDatasetItemsOutput,
  type ListDatasetsInput,
  type ListDatasetsOutput,
  type ListDatasetVersionsInput,
  type ListDatasetVersionsOutput,
  type PurgeDatasetItemInput,
  type UpdateDatasetInput,
  type UpdateDatasetItemInput,
} from '@mastra/core/storage';
import { MastraError } from '@mastra/core/error';
import type { SqlStatement } from '../../client/types';
import { notFoundError, storageOperation, userError } from '../../errors';
import { columnList, encodeRow } from '../../sql/codec';
import { quoteIdentifier } from '../../sql/identifiers';
import { inJsonList, jsonList, placeholders } from '../../sql/params';
import { eq, orderBy, raw, where, type MaybeCondition } from '../../sql/query';
import { D1Domain } from '../base';
import { optionalText, requireText } from '../validation';
import { DATASETS_TABLE, datasetFromRow, itemFromRow, itemRowFromRow, ITEMS_TABLE, versionFromRow, VERSIONS_TABLE } from './schema';
import { listPage, retryOnConflict, rowsOf, setClause, tenancy } from './shared';
import { closeRows, CURRENT, insertRows, itemValues, notPurged, tombstones, VERSION_CONFLICT, versionedBatch } from './sql';

type Row = Record<string, unknown>;

const DATASET_FIELDS = ['name', 'description', 'metadata', 'inputSchema', 'groundTruthSchema', 'requestContextSchema', 'tags', 'targetType', 'targetIds', 'scorerIds'] as const;
const ITEM_FIELDS = ['input', 'groundTruth', 'expectedTrajectory', 'toolMocks', 'unmockedToolPolicy', 'scorerIds', 'requestContext', 'metadata', 'source'] as const;
const isConflict = (message: string) => message.includes(VERSION_CONFLICT) || /UNIQUE constraint failed: \S*dataset_versions/.test(message);

/**
 * Evaluation datasets (`mastra.datasets`) with SCD-2 item versions: every item write makes a new dataset
 * version in ONE batch, and a dataset read at version N gives its items as of N. Writers on other Workers
 * never lose an item or share a version: a write that depends on what it read is guarded by the version
 * it read, and a lost race reads and computes again.
 */
export class DatasetsStorageD1 extends D1Domain(DatasetsStorage, { key: 'datasets', tables: [DATASETS_TABLE, ITEMS_TABLE, VERSIONS_TABLE] }) {
  /** Creates a dataset; reusing a caller-defined id returns the existing one when its immutable fields agree. */
  async createDataset(input: CreateDatasetInput): Promise<DatasetRecord> {
    const op = 'createDataset';
    if (input?.id !== undefined) this.validateCallerDefinedDatasetId(optionalText(op, 'id', input.id)!);
    const name = requireText(op, 'name', input?.name);
    const id = input.id ?? crypto.randomUUID();
    const now = new Date();
    const values = encodeRow(op, DATASETS_TABLE, { ...input, tags: undefined, name, id, version: 0, createdAt: now, updatedAt: now }, { record: `dataset ${id}` });
    const [inserted, stored] = await storageOperation(op, { id }, () =>
      this.ctx.driver.batch(
        [
          { sql: `INSERT INTO ${this.t(TABLE_DATASETS)} (${columnList(DATASETS_TABLE)}) VALUES (${placeholders(values.length)}) ON CONFLICT (id) DO NOTHING`, params: values },
          { sql: `SELECT * FROM ${this.t(TABLE_DATASETS)} WHERE id = ?`, params: [id] },
        ],
        { idempotent: true },
      ),
    );
    const record = datasetFromRow(stored!.rows[0]!);
    if (!inserted!.changes) return this.resolveExistingDataset(record, { ...input, id });
    return { ...record, description: input.description };
  }

  async getDatasetById(args: { id: string; filters?: DatasetTenancyFilters }): Promise<DatasetRecord | null> {
    const op = 'getDatasetById';
    const filter = this.datasetScope(op, args);
    const [row] = await rowsOf(this.ctx, op, { sql: `SELECT * FROM ${this.t(TABLE_DATASETS)}${filter.sql}`, params: filter.params });
    return row ? datasetFromRow(row) : null;
  }

  /** Deletes a dataset (within the tenancy filters) with its items and versions; its experiments lose their link and results. */
  async deleteDataset(args: { id: string; filters?: DatasetTenancyFilters }): Promise<void> {
    const op = 'deleteDataset';
    const scope = this.datasetScope(op, args);
    const guard = { sql: ` AND EXISTS (SELECT 1 FROM ${this.t(TABLE_DATASETS)}${scope.sql})`, params: scope.params };
    const byDataset = (sql: string): SqlStatement => ({ sql: sql + guard.sql, params: [args.id, ...guard.params] });
    await storageOperation(op, { id: args.id }, () =>
      this.ctx.driver.batch(
        [
          byDataset(`DELETE FROM ${this.t(TABLE_EXPERIMENT_RESULTS)} WHERE "experimentId" IN (SELECT id FROM ${this.t(TABLE_EXPERIMENTS)} WHERE "datasetId" = ?)`),
          byDataset(`UPDATE ${this.t(TABLE_EXPERIMENTS)} SET "datasetId" = NULL, "datasetVersion" = NULL WHERE "datasetId" = ?`),
          byDataset(`DELETE FROM ${this.t(TABLE_DATASET_VERSIONS)} WHERE "datasetId" = ?`),
          byDataset(`DELETE FROM ${this.t(TABLE_DATASET_ITEMS)} WHERE "datasetId" = ?`),
          { sql: `DELETE FROM ${this.t(TABLE_DATASETS)}${scope.sql}`, params: scope.params },
        ],
        { idempotent: true },
      ),
    );
  }

  /** A page of datasets; the `name` filter matches a case-insensitive substring, `%` and `_` literally. */
  async listDatasets(args: ListDatasetsInput): Promise<ListDatasetsOutput> {
    const op = 'listDatasets';
    const f = args?.filters ?? {};
    const table = this.t(TABLE_DATASETS);
    const targetIds = f.targetIds?.length ? raw(`EXISTS (SELECT 1 FROM json_each(${table}."targetIds") WHERE ${inJsonList('value')})`, jsonList(f.targetIds)) : undefined;
    const name = f.name ? raw('instr(lower(name), ?) > 0', f.name.toLowerCase()) : undefined;
    const conditions = [...tenancy(op, f), eq('candidateKey', f.candidateKey), eq('candidateId', f.candidateId), eq('targetType', f.targetType), targetIds, name];
    const order = orderBy(op, { createdAt: 'createdAt', updatedAt: 'updatedAt', name: 'name' }, args?.orderBy, { field: 'createdAt', direction: 'DESC' });
    const { rows, pagination } = await listPage(this.ctx, op, { from: table, conditions, order: order.sql, pagination: args?.pagination });
    return { datasets: rows.map(datasetFromRow), pagination };
  }

  /** Changes the given fields (`undefined` keeps a field, `null` clears it) and returns the stored dataset. */
  protected async _doUpdateDataset(args: UpdateDatasetInput): Promise<DatasetRecord> {
    const op = 'updateDataset';
    const scope = this.datasetScope(op, args);
    const set = setClause(op, DATASETS_TABLE, args, DATASET_FIELDS, `dataset ${args.id}`);
    const [row] = await rowsOf(this.ctx, op, { sql: `UPDATE ${this.t(TABLE_DATASETS)}${set.sql}${scope.sql} RETURNING *`, params: [...set.params, ...scope.params] }, { idempotent: true });
    if (!row) throw notFoundError(op, `Dataset ${args.id} was not found`, { datasetId: args.id });
    return datasetFromRow(row);
  }

  protected async _doAddItem(args: AddDatasetItemInput): Promise<DatasetItem> {
    const { datasetId, filters: _filters, ...item } = args;
    const [added] = await this._doBatchInsertItems({ datasetId, items: [item] });
    return added!;
  }

  /**
   * Adds items as one new version. Without external ids nothing needs reading: the batch bumps the version
   * and stamps the rows with it. With them, the accepted history is read, planned by core, and the batch
   * is guarded by the version read.
   */
  protected async _doBatchInsertItems(input: BatchInsertItemsInput): Promise<DatasetItem[]> {
    const op = 'batchInsertItems';
    const datasetId = requireText(op, 'datasetId', input?.datasetId);
    if (!input.items.length) return [];
    const externalIds = [...new Set(input.items.flatMap((item) => (item.externalId ? [item.externalId] : [])))];
    return this.mutate(op, datasetId, async () => {
      let expected: number | undefined;
      let plan: ReturnType<DatasetsStorage['planDatasetItemBatch']> = {
        inserts: input.items.map((item) => ({ id: crypto.randomUUID(), item })),
        resolvedIds: [],
        existingCurrentItems: new Map(),
      };
      if (externalIds.length) {
        const read = await this.readVersion(datasetId, {
          sql: `SELECT * FROM ${this.t(TABLE_DATASET_ITEMS)} WHERE "datasetId" = ? AND ${inJsonList('"externalId"')}`,
          params: [datasetId, jsonList(externalIds)],
        });
        expected = required(op, datasetId, read.version);
        plan = this.planDatasetItemBatch(input.items, read.rows.map(itemRowFromRow), () => crypto.randomUUID());
      } else plan.resolvedIds = plan.inserts.map((insert) => insert.id);
      const resolved = new Map<string, DatasetItem>([...plan.existingCurrentItems].map(([id, row]) => [id, this.datasetItemFromRow(row)]));
      if (plan.inserts.length) {
        const now = new Date();
        const rows = plan.inserts.map(({ id, item }) => itemValues(op, { ...item, id, isDeleted: false, createdAt: now, updatedAt: now }));
        const bumped = await this.bump(op, datasetId, expected, insertRows(this.ctx.tables, datasetId, rows), now);
        for (const { id, item } of plan.inserts) resolved.set(id, { ...item, ...bumped, id, datasetId, externalId: item.externalId ?? null, createdAt: now, updatedAt: now });
      }
      return plan.resolvedIds.map((id) => resolved.get(id)!);
    });
  }

  /** Writes the item's next row: the given fields replace the current ones, the rest carry over. */
  protected async _doUpdateItem(args: UpdateDatasetItemInput): Promise<DatasetItem> {
    const op = 'updateItem';
    const { id, datasetId } = this.itemKey(op, args);
    return this.mutate(op, id, async () => {
      const { version, rows } = await this.readVersion(datasetId, this.currentItem(id));
      const existing = this.ownItem(op, rows[0], datasetId, true)!;
      required(op, datasetId, version);
      // A purge between the read and the write aborts the batch; the next read sees the purge and refuses.
      if ((existing.metadata as Row | undefined)?.__purged === true) {
        throw new MastraError({ id: 'DATASET_ITEM_PURGED', domain: 'STORAGE', category: 'USER', details: { datasetId, itemId: id }, text: `Purged dataset item cannot be updated: ${id}` });
      }
      const merged: Row = { ...existing };
      for (const field of ITEM_FIELDS) if (args[field] !== undefined) merged[field] = args[field] ?? (field === 'scorerIds' ? undefined : null);
      const now = new Date();
      const row = itemValues(op, { ...merged, isDeleted: false, updatedAt: now });
      const body = [notPurged(this.ctx.tables, id), closeRows(this.ctx.tables, datasetId, [id]), ...insertRows(this.ctx.tables, datasetId, [row])];
      return { ...merged, ...(await this.bump(op, datasetId, version, body, now)), updatedAt: now } as DatasetItem;
    });
  }

  protected async _doDeleteItem(args: DeleteDatasetItemInput): Promise<void> {
    const op = 'deleteItem';
    const { id, datasetId } = this.itemKey(op, args);
    await this.mutate(op, id, async () => {
      const { version, rows } = await this.readVersion(datasetId, this.currentItem(id));
      if (this.ownItem(op, rows[0], datasetId, false)) await this.tombstone(op, datasetId, required(op, datasetId, version), [id]);
    });
  }

  protected async _doBatchDeleteItems(input: BatchDeleteItemsInput): Promise<void> {
    const op = 'batchDeleteItems';
    const datasetId = requireText(op, 'datasetId', input?.datasetId);
    const ids = (input.itemIds ?? []).map((id, i) => requireText(op, `itemIds[${i}]`, id));
    await this.mutate(op, datasetId, async () => {
      const { version, rows } = await this.readVersion(datasetId, {
        sql: `SELECT id FROM ${this.t(TABLE_DATASET_ITEMS)} WHERE "datasetId" = ? AND ${inJsonList('id')} AND ${CURRENT}`,
        params: [datasetId, jsonList(ids)],
      });
      required(op, datasetId, version);
      if (rows.length) await this.tombstone(op, datasetId, version!, rows.map((row) => row.id as string));
    });
  }

  /** Scrubs the item's content from every one of its rows and from the experiment results that used it, keeping its versions. */
  protected async _doPurgeItem(args: PurgeDatasetItemInput): Promise<void> {
    const op = 'purgeItem';
    const { id, datasetId } = this.itemKey(op, args);
    const marker = JSON.stringify({ __purged: true, purgedAt: new Date().toISOString() });
    const scrub = (table: string, columns: string[]) => `UPDATE ${this.t(table)} SET input = 'null', metadata = ?, ${columns.map((c) => `${quoteIdentifier(c)} = NULL`).join(', ')}`;
    await storageOperation(op, { id, datasetId }, () =>
      this.ctx.driver.batch(
        [
          { sql: `${scrub(TABLE_DATASET_ITEMS, ITEM_FIELDS.filter((f) => f !== 'input' && f !== 'metadata'))} WHERE id = ? AND "datasetId" = ?`, params: [marker, id, datasetId] },
          {
            sql: `${scrub(TABLE_EXPERIMENT_RESULTS, ['output', 'groundTruth', 'error', 'toolMockReport', 'tags', 'comment'])} WHERE "itemId" = ? AND "experimentId" IN (SELECT id FROM ${this.t(TABLE_EXPERIMENTS)} WHERE "datasetId" = ?)`,
            params: [marker, id, datasetId],
          },
        ],
        { idempotent: true },
      ),
    );
  }

  /** A page of the items current now, or as of `version`, optionally matching `search` in input or ground truth. */
  async listItems(args: ListDatasetItemsInput): Promise<ListDatasetItemsOutput> {
    const op = 'listItems';
    const datasetId = requireText(op, 'datasetId', args?.datasetId);
    const search = args.search ? args.search.toLowerCase() : undefined;
    const conditions = [
      eq('datasetId', datasetId),
      ...this.asOf(op, args.version),
      ...tenancy(op, args.filters),
      search ? raw(`(instr(lower(input), ?) > 0 OR instr(lower(coalesce("groundTruth", '')), ?) > 0)`, search, search) : undefined,
    ];
    const order = orderBy(op, { createdAt: 'createdAt', updatedAt: 'updatedAt' }, args.orderBy, { field: 'createdAt', direction: 'DESC' });
    const { rows, pagination } = await listPage(this.ctx, op, { from: this.t(TABLE_DATASET_ITEMS), conditions, order: order.sql, pagination: args.pagination });
    return { items: rows.map(itemFromRow), pagination };
  }

  async getItemById(args: { id: string; datasetVersion?: number }): Promise<DatasetItem | null> {
    const op = 'getItemById';
    const id = requireText(op, 'id', args?.id);
    const filter = where([eq('id', id), ...this.asOf(op, args.datasetVersion)]);
    const [row] = await rowsOf(this.ctx, op, { sql: `SELECT * FROM ${this.t(TABLE_DATASET_ITEMS)}${filter.sql} ORDER BY "datasetVersion" DESC LIMIT 1`, params: filter.params });
    return row ? itemFromRow(row) : null;
  }

  /** The dataset's items as of `version`, newest first. */
  async getItemsByVersion(args: { datasetId: string; version: number }): Promise<DatasetItem[]> {
    const op = 'getItemsByVersion';
    const filter = where([eq('datasetId', requireText(op, 'datasetId', args?.datasetId)), ...this.asOf(op, args.version ?? null)]);
    const rows = await rowsOf(this.ctx, op, { sql: `SELECT * FROM ${this.t(TABLE_DATASET_ITEMS)}${filter.sql} ORDER BY "createdAt" DESC, id ASC`, params: filter.params });
    return rows.map(itemFromRow);
  }

  /** Every row of an item, tombstones included, the newest version first. */
  async getItemHistory(itemId: string): Promise<DatasetItemRow[]> {
    const op = 'getItemHistory';
    const rows = await rowsOf(this.ctx, op, { sql: `SELECT * FROM ${this.t(TABLE_DATASET_ITEMS)} WHERE id = ? ORDER BY "datasetVersion" DESC`, params: [requireText(op, 'itemId', itemId)] });
    return rows.map(itemRowFromRow);
  }

  /** Records a version row; a version the dataset already has fails rather than replacing it. */
  async createDatasetVersion(datasetId: string, version: number): Promise<DatasetVersion> {
    const op = 'createDatasetVersion';
    const record = { id: crypto.randomUUID(), datasetId: requireText(op, 'datasetId', datasetId), version, createdAt: new Date() };
    const values = encodeRow(op, VERSIONS_TABLE, record, { record: `version ${version} of dataset ${datasetId}` });
    await storageOperation(op, { datasetId }, () =>
      this.ctx.driver.run({ sql: `INSERT INTO ${this.t(TABLE_DATASET_VERSIONS)} (${columnList(VERSIONS_TABLE)}) VALUES (${placeholders(values.length)})`, params: values }),
    );
    return record;
  }

  async listDatasetVersions(input: ListDatasetVersionsInput): Promise<ListDatasetVersionsOutput> {
    const op = 'listDatasetVersions';
    const conditions = [eq('datasetId', requireText(op, 'datasetId', input?.datasetId))];
    const { rows, pagination } = await listPage(this.ctx, op, { from: this.t(TABLE_DATASET_VERSIONS), conditions, order: 'version DESC', pagination: input.pagination });
    return { versions: rows.map(versionFromRow), pagination };
  }

  private t(table: string): string {
    return this.ctx.tables(table);
  }

  private datasetScope(op: string, args: { id: string; filters?: DatasetTenancyFilters }) {
    return where([eq('id', requireText(op, 'id', args?.id)), ...tenancy(op, args.filters)]);
  }

  private itemKey(op: string, args: { id: string; datasetId: string }) {
    return { id: requireText(op, 'id', args?.id), datasetId: requireText(op, 'datasetId', args?.datasetId) };
  }

  /** Conditions for the rows current now (`version` undefined) or as of a version. */
  private asOf(op: string, version: number | null | undefined): MaybeCondition[] {
    if (version === undefined) return [raw(CURRENT)];
    if (!Number.isSafeInteger(version)) throw userError(op, 'version must be an integer', { field: 'version' });
    return [raw('"datasetVersion" <= ?', version), raw('("validTo" IS NULL OR "validTo" > ?)', version), raw('"isDeleted" = 0')];
  }

  private currentItem(id: string): SqlStatement {
    return { sql: `SELECT * FROM ${this.t(TABLE_DATASET_ITEMS)} WHERE id = ? AND ${CURRENT}`, params: [id] };
  }

  /** The current item of `row`, refused when it belongs to another dataset; a missing item is NOT_FOUND when `required`. */
  private ownItem(op: string, row: Row | undefined, datasetId: string, required: boolean): DatasetItem | undefined {
    if (!row) {
      if (required) throw notFoundError(op, 'Dataset item was not found', { datasetId });
      return undefined;
    }
    const item = itemFromRow(row);
    if (item.datasetId !== datasetId) throw userError(op, `Dataset item ${item.id} belongs to another dataset`, { itemId: item.id, expectedDatasetId: datasetId }, 'DATASET_MISMATCH');
    return item;
  }

  /** An item mutation with its error id, started over when its guarded batch lost a race. */
  private mutate<T>(op: string, key: string, attempt: () => Promise<T>): Promise<T> {
    return storageOperation(op, { key }, () => retryOnConflict(isConflict, attempt));
  }

  /** The dataset's version (undefined when it does not exist) and `read`'s rows, in one round trip. */
  private async readVersion(datasetId: string, read: SqlStatement): Promise<{ version: number | undefined; rows: Row[] }> {
    const [dataset, rows] = await this.ctx.driver.batch([{ sql: `SELECT version FROM ${this.t(TABLE_DATASETS)} WHERE id = ?`, params: [datasetId] }, read], { idempotent: true });
    return { version: dataset!.rows[0]?.version as number | undefined, rows: rows!.rows };
  }

  /** Sends `body` as a new version of the dataset; the version, organizationId and projectId it got. */
  private async bump(op: string, datasetId: string, expected: number | undefined, body: SqlStatement[], now: Date) {
    const results = await this.ctx.driver.batch(versionedBatch(this.ctx.tables, datasetId, expected, body, now.toISOString()));
    const bumped = results[expected === undefined ? 0 : 1]!.rows[0];
    if (!bumped) throw notFoundError(op, `Dataset ${datasetId} was not found`, { datasetId });
    return { datasetVersion: bumped.version as number, organizationId: (bumped.organizationId ?? null) as string | null, projectId: (bumped.projectId ?? null) as string | null };
  }

  private async tombstone(op: string, datasetId: string, version: number, ids: string[]): Promise<void> {
    const now = new Date();
    await this.bump(op, datasetId, version, [closeRows(this.ctx.tables, datasetId, ids), tombstones(this.ctx.tables, datasetId, ids, now.toISOString())], now);
  }
}

/** The version a read found, or NOT_FOUND for a dataset that does not exist. */
function required(op: string, datasetId: string, version: number | undefined): number {
  if (version === undefined) throw notFoundError(op, `Dataset ${datasetId} was not found`, { datasetId });
  return version;
}
