import { describe, expect, it } from 'vitest';
import { useHarness } from '../support/harness';
import { driverFor, names, scratchTable } from './drivers';

const h = useHarness();

const insert = (table: string, name: string) => ({ sql: `INSERT INTO ${table} (name) VALUES (?)`, params: [name] });

describe.each(['binding', 'rest'] as const)('batch on %s is all or nothing', (kind) => {
  it('declares an atomic batch', () => {
    expect(driverFor(h, kind).atomicBatch).toBe(true);
  });

  it('writes nothing when the last statement fails on a constraint', async () => {
    const table = await scratchTable(h.d1.db);
    const batch = [insert(table, 'a'), insert(table, 'b'), insert(table, 'a')];
    await expect(driverFor(h, kind).batch(batch)).rejects.toMatchObject({ message: expect.stringMatching(/UNIQUE constraint failed/) });
    expect(await names(h.d1.db, table)).toEqual([]);
  });

  it('writes nothing when the last statement is invalid SQL', async () => {
    const table = await scratchTable(h.d1.db);
    const batch = [insert(table, 'a'), insert(table, 'b'), { sql: 'INSERT INTO "no_such_items" (name) VALUES (?)', params: ['c'] }];
    await expect(driverFor(h, kind).batch(batch)).rejects.toMatchObject({ kind: 'permanent' });
    expect(await names(h.d1.db, table)).toEqual([]);
  });

  it('writes every statement when none fails, in one round trip', async () => {
    const table = await scratchTable(h.d1.db);
    const before = h.emulator.requests.length;
    const results = await driverFor(h, kind).batch([insert(table, 'a'), insert(table, 'b'), { sql: `SELECT count(*) AS n FROM ${table}`, params: [] }]);
    expect(results.map((r) => r.changes)).toEqual([1, 1, 0]);
    expect(results[2]!.rows).toEqual([{ n: 2 }]);
    expect(await names(h.d1.db, table)).toEqual(['a', 'b']);
    if (kind === 'rest') expect(h.emulator.requests.length - before).toBe(1);
  });
});

describe('batch on a custom client (documented limitation)', () => {
  it('is NOT atomic: statements before the failing one stay written', async () => {
    const driver = driverFor(h, 'custom');
    expect(driver.atomicBatch).toBe(false);
    const table = await scratchTable(h.d1.db);
    await expect(driver.batch([insert(table, 'a'), insert(table, 'b'), insert(table, 'a')])).rejects.toMatchObject({
      message: expect.stringMatching(/UNIQUE constraint failed/),
    });
    expect(await names(h.d1.db, table)).toEqual(['a', 'b']);
  });
});
