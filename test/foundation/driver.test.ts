import { describe, expect, it } from 'vitest';
import { CLIENT_KINDS, useHarness } from '../support/harness';
import { driverFor, scratchTable } from './drivers';

const h = useHarness();

describe.each(CLIENT_KINDS)('the %s driver', (kind) => {
  it('binds values as D1 stores them: booleans as 0/1, undefined as NULL', async () => {
    const rows = await driverFor(h, kind).all({
      sql: 'SELECT ? AS yes, ? AS no, ? AS missing, ? AS nil, ? AS n, ? AS text, ? AS json',
      params: [true, false, undefined as never, null, 1.5, 'é "quoted"', JSON.stringify({ a: [1] })],
    });
    expect(rows).toEqual([{ yes: 1, no: 0, missing: null, nil: null, n: 1.5, text: 'é "quoted"', json: '{"a":[1]}' }]);
  });

  it('returns RETURNING rows and change counts from writes', async () => {
    const table = await scratchTable(h.d1.db);
    const driver = driverFor(h, kind);
    const inserted = await driver.run({ sql: `INSERT INTO ${table} (name) VALUES (?), (?) RETURNING name`, params: ['a', 'b'] });
    expect(inserted).toEqual({ rows: [{ name: 'a' }, { name: 'b' }], changes: 2 });
    const [updated, read] = await driver.batch([
      { sql: `UPDATE ${table} SET name = name || ? WHERE name = ?`, params: ['!', 'a'] },
      { sql: `SELECT name FROM ${table} ORDER BY id`, params: [] },
    ]);
    expect(updated).toEqual({ rows: [], changes: 1 });
    expect(read!.rows).toEqual([{ name: 'a!' }, { name: 'b' }]);
    expect(await driver.batch([])).toEqual([]);
  });
});
