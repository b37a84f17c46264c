import { BlobStore, SKILL_BLOBS_SCHEMA, TABLE_SKILL_BLOBS, type StorageBlobEntry } from '@mastra/core/storage';
import type { D1Value, SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import { columnList, decodeRow, encodeRow } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { inJsonList, jsonList, MAX_BOUND_PARAMS, MAX_VALUE_BYTES, placeholders } from '../../sql/params';
import { D1Domain } from '../base';
import { checkValueSize, requireText } from '../validation';

const BLOBS: TableSpec = { name: TABLE_SKILL_BLOBS, columns: SKILL_BLOBS_SCHEMA };
const COLUMNS = columnList(BLOBS);
const WIDTH = Object.keys(BLOBS.columns).length;

/**
 * Content-addressed file contents of skill versions, keyed by SHA-256 hash. A blob is written once and
 * never changed, so every write is `INSERT OR IGNORE`: storing a hash that exists is a no-op. One value
 * (and one row) is capped at D1's 2,000,000 bytes; a larger file is a USER error.
 */
export class BlobsStorageD1 extends D1Domain(BlobStore, { key: 'blobs', tables: [BLOBS] }) {
  async put(entry: StorageBlobEntry): Promise<void> {
    await this.insert('put', [entry]);
  }

  async get(hash: string): Promise<StorageBlobEntry | null> {
    const op = 'get';
    requireText(op, 'hash', hash);
    const [row] = await storageOperation(op, { hash }, () => this.ctx.driver.all({ sql: `SELECT ${COLUMNS} FROM ${this.table} WHERE hash = ?`, params: [hash] }));
    return row ? toEntry(row) : null;
  }

  async has(hash: string): Promise<boolean> {
    const op = 'has';
    requireText(op, 'hash', hash);
    const rows = await storageOperation(op, { hash }, () => this.ctx.driver.all({ sql: `SELECT 1 FROM ${this.table} WHERE hash = ? LIMIT 1`, params: [hash] }));
    return rows.length > 0;
  }

  async delete(hash: string): Promise<boolean> {
    const op = 'delete';
    requireText(op, 'hash', hash);
    const { changes } = await storageOperation(op, { hash }, () => this.ctx.driver.run({ sql: `DELETE FROM ${this.table} WHERE hash = ?`, params: [hash] }, { idempotent: true }));
    return changes > 0;
  }

  /** Stores every entry in ONE batch, skipping hashes already stored (LibSQLStore replaces them). */
  async putMany(entries: StorageBlobEntry[]): Promise<void> {
    await this.insert('putMany', entries);
  }

  async getMany(hashes: string[]): Promise<Map<string, StorageBlobEntry>> {
    const op = 'getMany';
    if (!Array.isArray(hashes)) throw userError(op, 'hashes must be an array', { field: 'hashes' });
    hashes.forEach((hash, i) => requireText(op, `hashes[${i}]`, hash));
    const found = new Map<string, StorageBlobEntry>();
    if (hashes.length === 0) return found;
    const list = jsonList(hashes);
    checkValueSize(op, 'hashes', list);
    const rows = await storageOperation(op, { count: hashes.length }, () =>
      this.ctx.driver.all({ sql: `SELECT ${COLUMNS} FROM ${this.table} WHERE ${inJsonList('hash')}`, params: [list] }),
    );
    for (const row of rows) found.set(String(row.hash), toEntry(row));
    return found;
  }

  /**
   * Multi-row `INSERT OR IGNORE`s in one batch, each under 100 bound parameters and about 2 MB of values,
   * so no statement nears D1's limits whatever the count. Every entry is checked (and sized) first, so
   * bad input or an oversized file fails before anything is written.
   */
  private async insert(op: string, entries: StorageBlobEntry[]): Promise<void> {
    if (!Array.isArray(entries)) throw userError(op, 'entries must be an array', { field: 'entries' });
    if (entries.length === 0) return;
    const now = new Date();
    const rows = entries.map((entry, i) => encodeRow(op, BLOBS, checkEntry(op, entry, i, now), { record: `blob ${entry.hash}` }));
    const statements: SqlStatement[] = chunkBySize(rows).map((chunk) => ({
      sql: `INSERT OR IGNORE INTO ${this.table} (${COLUMNS}) VALUES ${chunk.map(() => `(${placeholders(WIDTH)})`).join(', ')}`,
      params: chunk.flat(),
    }));
    await storageOperation(op, { count: entries.length }, () => this.ctx.driver.batch(statements, { idempotent: true }));
  }

  private get table(): string {
    return this.ctx.tables(TABLE_SKILL_BLOBS);
  }
}

/** Rows grouped so a group binds at most 100 parameters and, unless one row alone is larger, 2 MB of text. */
function chunkBySize(rows: D1Value[][]): D1Value[][][] {
  const chunks: D1Value[][][] = [];
  let chunk: D1Value[][] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = row.reduce<number>((sum, value) => sum + (typeof value === 'string' ? value.length : 8), 0);
    if (chunk.length && ((chunk.length + 1) * WIDTH > MAX_BOUND_PARAMS || bytes + size > MAX_VALUE_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  chunks.push(chunk);
  return chunks;
}

/** An entry checked field by field, `createdAt` defaulting to now as in LibSQLStore. */
function checkEntry(op: string, entry: StorageBlobEntry, index: number, now: Date): Record<string, unknown> {
  const at = (field: string) => `entries[${index}].${field}`;
  if (!entry || typeof entry !== 'object') throw userError(op, `${at('')} must be a blob entry`, { field: `entries[${index}]` });
  requireText(op, at('hash'), entry.hash);
  if (typeof entry.content !== 'string') throw userError(op, `${at('content')} must be a string`, { field: at('content') });
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw userError(op, `${at('size')} must be an integer >= 0`, { field: at('size') });
  if (entry.mimeType != null && typeof entry.mimeType !== 'string') throw userError(op, `${at('mimeType')} must be a string`, { field: at('mimeType') });
  const createdAt = entry.createdAt ?? now;
  if (!(createdAt instanceof Date) || Number.isNaN(createdAt.getTime())) throw userError(op, `${at('createdAt')} must be a valid Date`, { field: at('createdAt') });
  return { ...entry, createdAt };
}

function toEntry(row: Record<string, unknown>): StorageBlobEntry {
  const entry = decodeRow<StorageBlobEntry>(BLOBS, row);
  return { ...entry, size: Number(entry.size), mimeType: entry.mimeType || undefined };
}
