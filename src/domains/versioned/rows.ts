import type { D1Value, SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import { columnList, decodeRow, encodeRow, encodeValue } from '../../sql/codec';
import { quoteIdentifier } from '../../sql/identifiers';
import { shallowMergeSql } from '../../sql/json';
import { placeholders } from '../../sql/params';
import type { DomainContext } from '../base';
import { requireText } from '../validation';
import type { VersionedConfig } from './config';

type Row = Record<string, unknown>;

/**
 * A versioned domain's rows and statements, bound to its config and driver: what the generic methods
 * are made of, and what auto-versioning `update` (./auto-version) or a domain overriding a method
 * composes into ONE batch.
 */
export class VersionedRows {
  readonly entitySelect: string;
  readonly versionSelect: string;

  constructor(
    readonly config: VersionedConfig,
    readonly ctx: DomainContext,
  ) {
    this.entitySelect = columnList(config.entity);
    this.versionSelect = columnList(config.versions);
  }

  get entityTable(): string {
    return this.ctx.tables(this.config.entity.name);
  }

  get versionTable(): string {
    return this.ctx.tables(this.config.versions.name);
  }

  /** An entity row as core's record: NULL columns left out, then the domain's `toEntity`. */
  entity(row: Row): Row {
    const record = decodeRow<Row>(this.config.entity, row, { omitNull: true });
    return this.config.toEntity?.(record, row) ?? record;
  }

  /** A version row as core's record: NULL columns left out, then the domain's `toVersion`. */
  version(row: Row): Row {
    const record = decodeRow<Row>(this.config.versions, row, { omitNull: true });
    record.versionNumber = Number(record.versionNumber);
    return this.config.toVersion?.(record, row) ?? record;
  }

  /** The entity row with this id. */
  selectEntity(id: string): SqlStatement {
    return { sql: `SELECT ${this.entitySelect} FROM ${this.entityTable} WHERE id = ?`, params: [id] };
  }

  /** `SELECT <version columns> FROM versions WHERE <sql>`. */
  selectVersions(sql: string, ...params: D1Value[]): SqlStatement {
    return { sql: `SELECT ${this.versionSelect} FROM ${this.versionTable} WHERE ${sql}`, params };
  }

  /** The newest version of an entity. */
  latestVersion(id: string): SqlStatement {
    return this.selectVersions(`${quoteIdentifier(this.config.parent)} = ? ORDER BY "versionNumber" DESC LIMIT 1`, id);
  }

  /** The entity row and its latest version, in one batch (`null` for either when absent). */
  async readWithLatest(op: string, id: string): Promise<{ entity: Row | null; latest: Row | null }> {
    const [entity, latest] = await storageOperation(op, { id }, () =>
      this.ctx.driver.batch([this.selectEntity(id), this.latestVersion(id)], { idempotent: true }),
    );
    const first = (rows: Row[] | undefined, decode: (row: Row) => Row) => (rows?.[0] ? decode(rows[0]) : null);
    return { entity: first(entity?.rows, (r) => this.entity(r)), latest: first(latest?.rows, (r) => this.version(r)) };
  }

  /**
   * A plain INSERT of one version row: under UNIQUE (parent, versionNumber) a number another writer
   * took fails the statement (and its batch) with "UNIQUE constraint failed", never replacing a row.
   * Bad input (missing id, parent, number or a required snapshot field) is a USER error.
   */
  insertVersion(op: string, input: Row, now: Date): SqlStatement {
    const { versions, parent } = this.config;
    requireText(op, 'id', input?.id);
    requireText(op, parent, input[parent]);
    const number = input.versionNumber;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) throw userError(op, 'versionNumber must be an integer >= 1', { field: 'versionNumber' });
    for (const [column, spec] of Object.entries(versions.columns)) {
      if (spec.nullable === false && spec.type !== 'jsonb' && column !== 'createdAt' && input[column] == null) throw userError(op, `${column} is required`, { field: column });
    }
    const values = encodeRow(op, versions, { ...input, createdAt: now }, { record: `version ${String(input.id)}` });
    return { sql: `INSERT INTO ${this.versionTable} (${this.versionSelect}) VALUES (${placeholders(values.length)})`, params: values };
  }

  /** A plain INSERT of a new entity row, returning it; an existing id fails with "UNIQUE constraint failed". */
  insertEntity(op: string, record: Row): SqlStatement {
    const values = encodeRow(op, this.config.entity, record, { record: `${this.config.createKey} ${String(record.id)}` });
    return { sql: `INSERT INTO ${this.entityTable} (${this.entitySelect}) VALUES (${placeholders(values.length)}) RETURNING ${this.entitySelect}`, params: values };
  }

  /**
   * `UPDATE ... RETURNING` of the given entity columns and `updatedAt`; `metadata` is shallow-merged
   * into the stored object inside D1 (`{ ...stored, ...patch }`), so no read precedes the write.
   */
  updateEntity(op: string, id: string, patch: Row, now: Date): SqlStatement {
    const { columns } = this.config.entity;
    const params: D1Value[] = [];
    const bind = (value: D1Value) => `?${params.push(value)}`;
    const sets = Object.entries({ ...patch, updatedAt: now }).map(([column, value]) => {
      const spec = columns[column];
      if (!spec) throw userError(op, `${column} is not a column of ${this.config.createKey}`, { field: column });
      if (column !== 'metadata') return `${quoteIdentifier(column)} = ${bind(encodeValue(op, spec.type, value, `${column} of ${this.config.createKey} ${id}`))}`;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw userError(op, 'metadata must be an object', { field: 'metadata' });
      const cleared = Object.entries(value).flatMap(([key, item]) => (item === undefined ? [key] : []));
      const merged = shallowMergeSql('"metadata"', bind(encodeValue(op, 'jsonb', value, `metadata of ${this.config.createKey} ${id}`)), bind(JSON.stringify(cleared)));
      return `"metadata" = ${merged}`;
    });
    return { sql: `UPDATE ${this.entityTable} SET ${sets.join(', ')} WHERE id = ${bind(id)} RETURNING ${this.entitySelect}`, params };
  }
}
