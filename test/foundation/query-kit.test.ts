import { MastraError } from '@mastra/core/error';
import { TABLE_SCHEMAS, TABLE_THREADS } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow, upsertSql } from '../../src/sql/codec';
import type { TableSpec } from '../../src/sql/ddl';
import { and, compare, eq, hasMore, orderBy, pageQuery, pageWindow, raw, where } from '../../src/sql/query';
import { createTableNamer } from '../../src/sql/identifiers';
import { createBindingDriver } from '../../src/client/binding';
import { useHarness } from '../support/harness';

const h = useHarness();

const userFailure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).category).toBe('USER');
    return (error as MastraError).message;
  }
  throw new Error('expected a USER error');
};

describe('conditions', () => {
  it('skip absent filters and bind every value', () => {
    expect(where([eq('resourceId', 'r1'), eq('title', undefined), compare('createdAt', '>=', '2026-01-01'), false, raw('json_extract(metadata, ?) = ?', '$.a', 1)])).toEqual({
      sql: ' WHERE ("resourceId" = ?) AND ("createdAt" >= ?) AND (json_extract(metadata, ?) = ?)',
      params: ['r1', '2026-01-01', '$.a', 1],
    });
    expect(where([eq('a', undefined)])).toEqual({ sql: '', params: [] });
    expect(and([eq('a', 1)])).toEqual({ sql: '"a" = ?', params: [1] });
  });
});

describe('orderBy', () => {
  const fields = { createdAt: 'createdAt', updatedAt: 'updatedAt' };
  const defaults = { field: 'createdAt', direction: 'DESC' } as const;

  it('maps field and direction and breaks ties by id ascending in either direction', () => {
    expect(orderBy('op', fields, undefined, defaults).sql).toBe('"createdAt" DESC, "id" ASC');
    expect(orderBy('op', fields, { field: 'updatedAt', direction: 'ASC' }, defaults).sql).toBe('"updatedAt" ASC, "id" ASC');
    expect(orderBy('op', { id: 'id' }, { field: 'id' }, { field: 'id', direction: 'DESC' }).sql).toBe('"id" DESC');
  });

  it('refuses inherited names and anything not in its tables as USER errors', () => {
    for (const input of [{ field: 'constructor' }, { field: 'toString' }, { field: '__proto__' }, { field: 'title' }, { field: 1 }]) {
      expect(userFailure(() => orderBy('listThreads', fields, input, defaults))).toMatch(/orderBy.field must be one of createdAt, updatedAt/);
    }
    for (const direction of ['toString', 'constructor', 'asc', 'DESC; DROP TABLE x']) {
      expect(userFailure(() => orderBy('listThreads', fields, { direction }, defaults))).toMatch(/orderBy.direction must be ASC or DESC/);
    }
  });
});

describe('pageWindow and hasMore', () => {
  it('computes the window and one hasMore rule', () => {
    const window = pageWindow('op', 2, 10);
    expect(window).toEqual({ page: 2, offset: 20, limit: 10, perPage: 10 });
    expect(hasMore(window, 31)).toBe(true);
    expect(hasMore(window, 30)).toBe(false);
    expect(hasMore(pageWindow('op', 0, false), 1_000)).toBe(false);
    expect(userFailure(() => pageWindow('op', 1, false, { strict: true }))).toMatch(/page must be 0/);
    expect(userFailure(() => pageWindow('op', -1, 10))).toMatch(/page must be an integer/);
    expect(userFailure(() => pageWindow('op', 0, 1.5))).toMatch(/perPage/);
  });
});

describe('row codec', () => {
  const spec: TableSpec = {
    name: 'codec_test',
    columns: {
      id: { type: 'text', primaryKey: true },
      data: { type: 'jsonb', nullable: true },
      flag: { type: 'boolean', nullable: true },
      at: { type: 'timestamp', nullable: true },
      epoch: { type: 'bigint', nullable: true },
      note: { type: 'text', nullable: true },
    },
  };

  it('encodes JSON, booleans, timestamps and epoch-ms integers, and decodes them back', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    const values = encodeRow('op', spec, { id: 'a', data: { x: [1, null] }, flag: true, at, epoch: at, note: undefined }, { record: 'row a' });
    expect(values).toEqual(['a', '{"x":[1,null]}', 1, '2026-01-01T00:00:00.000Z', at.getTime(), null]);
    const row = Object.fromEntries(Object.keys(spec.columns).map((column, i) => [column, values[i]]));
    expect(decodeRow(spec, row)).toEqual({ id: 'a', data: { x: [1, null] }, flag: true, at, epoch: at.getTime(), note: null });
    expect(decodeRow(spec, row, { omitNull: true })).not.toHaveProperty('note');
    expect(decodeRow(spec, { ...row, data: 'not json' })).toMatchObject({ data: 'not json' });
  });

  it('refuses values it cannot store as USER errors naming the record', () => {
    expect(userFailure(() => encodeRow('op', spec, { id: 'a', at: 'garbage' }, { record: 'row a' }))).toMatch(/at of row a must be a valid date/);
    expect(userFailure(() => encodeRow('op', spec, { id: 'a', flag: 'yes' }, { record: 'row a' }))).toMatch(/flag of row a must be a boolean/);
    expect(userFailure(() => encodeRow('op', spec, { id: 'a', epoch: 1.5 }, { record: 'row a' }))).toMatch(/epoch of row a must be an integer/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(userFailure(() => encodeRow('op', spec, { id: 'a', data: cyclic }, { record: 'row a' }))).toMatch(/cannot be serialized/);
    expect(userFailure(() => encodeRow('op', spec, { id: 'a', note: 'x'.repeat(2_000_001) }, { record: 'row a' }))).toMatch(/2,000,000-byte value limit/);
    expect(userFailure(() => encodeRow('op', spec, { id: 'a', note: 'x'.repeat(1_100_000), data: 'y'.repeat(1_000_000) }, { record: 'row a' }))).toMatch(/row limit/);
  });

  it('upserts on real D1, keeping the columns the first write owns', async () => {
    const threads: TableSpec = { name: TABLE_THREADS, columns: TABLE_SCHEMAS[TABLE_THREADS] };
    const tables = createTableNamer('codec_');
    const driver = createBindingDriver(h.d1.db);
    await driver.run({ sql: `CREATE TABLE IF NOT EXISTS ${tables(TABLE_THREADS)} (id TEXT PRIMARY KEY, "resourceId" TEXT, title TEXT, metadata TEXT, "createdAt" TEXT, "updatedAt" TEXT)`, params: [] });
    const write = (title: string, createdAt: Date) =>
      driver.run(upsertSql(tables(TABLE_THREADS), threads, encodeRow('op', threads, { id: 't', resourceId: 'r', title, metadata: { a: 1 }, createdAt, updatedAt: createdAt }, { record: 'thread t' }), { key: ['id'], keep: ['createdAt'] }));
    await write('first', new Date('2026-01-01T00:00:00Z'));
    await write('second', new Date('2026-02-01T00:00:00Z'));
    const page = await pageQuery(driver, { select: '*', from: tables(TABLE_THREADS), where: where([eq('resourceId', 'r')]), order: '"createdAt" DESC, "id" ASC', window: pageWindow('op', 0, 10) });
    expect(page.total).toBe(1);
    expect(page.hasMore).toBe(false);
    expect(decodeRow(threads, page.rows[0]!)).toMatchObject({ title: 'second', metadata: { a: 1 }, createdAt: new Date('2026-01-01T00:00:00Z'), updatedAt: new Date('2026-02-01T00:00:00Z') });
  });
});
