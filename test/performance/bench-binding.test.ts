/**
 * The bench's instruments: the Worker-dispatch binding must answer like Miniflare's own binding, and
 * the counting wrapper must count what production would send over the network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingD1, type D1Like } from '../../bench/counting-d1';
import { startWorkerD1, type WorkerD1 } from '../../bench/worker-d1';

let worker: WorkerD1;
beforeAll(async () => {
  worker = await startWorkerD1('bench-binding-test');
  await worker.binding.prepare('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)').run();
});
afterAll(() => worker.dispose());

type Result = { results: Record<string, unknown>[]; meta: { changes: number; rows_read: number } };

describe('bench Worker-dispatch binding', () => {
  it('answers run, all, first and batch like a D1 binding', async () => {
    const db = worker.binding;
    const inserted = (await db.prepare('INSERT INTO t (v) VALUES (?), (?)').bind('a', 'b').run()) as Result;
    expect(inserted.meta.changes).toBe(2);
    const all = (await db.prepare('SELECT v FROM t ORDER BY id').all()) as Result;
    expect(all.results).toEqual([{ v: 'a' }, { v: 'b' }]);
    expect(await db.prepare('SELECT v FROM t WHERE v = ?').bind('b').first()).toEqual({ v: 'b' });
    expect(await db.prepare('SELECT v FROM t WHERE v = ?').bind('b').first('v')).toBe('b');
    expect(await db.prepare('SELECT v FROM t WHERE v = ?').bind('zz').first()).toBeNull();
    const batch = (await db.batch([db.prepare('SELECT COUNT(*) AS n FROM t'), db.prepare('SELECT v FROM t WHERE id = ?').bind(1)])) as Result[];
    expect(batch.map((r) => r.results)).toEqual([[{ n: 2 }], [{ v: 'a' }]]);
  });

  it("passes D1's error text through, and a failed batch writes nothing", async () => {
    const db = worker.binding;
    await expect(db.prepare('SELECT * FROM missing').all()).rejects.toThrow(/no such table: missing/);
    await expect(db.batch([db.prepare('INSERT INTO t (v) VALUES (?)').bind('c'), db.prepare('INSERT INTO missing VALUES (1)')])).rejects.toThrow(/no such table/);
    expect(await db.prepare("SELECT COUNT(*) AS n FROM t WHERE v = 'c'").first('n')).toBe(0);
  });
});

describe('counting wrapper', () => {
  it('counts one round trip per call and per batch, every statement and parameter, and rows read', async () => {
    const counter = countingD1(worker.binding as D1Like);
    const db = counter.binding;
    await db.prepare('SELECT v FROM t WHERE id = ?').bind(1).first();
    await db.prepare('SELECT v FROM t').all();
    await db.batch([db.prepare('SELECT v FROM t WHERE id IN (?, ?, ?)').bind(1, 2, 3), db.prepare('SELECT 1').bind()]);
    expect(counter.tally).toMatchObject({ roundTrips: 3, statements: 4, params: 4, maxParams: 3 });
    expect(counter.tally.rowsRead).toBeGreaterThanOrEqual(5);
    expect(counter.sqlLog.map((s) => s.params)).toEqual([[1], [], [1, 2, 3], []]);
    counter.reset();
    expect(counter.tally).toEqual({ roundTrips: 0, statements: 0, params: 0, maxParams: 0, rowsRead: 0 });
  });

  it('adds its delay to every round trip', async () => {
    const counter = countingD1(worker.binding as D1Like);
    counter.delayMs = 60;
    const start = performance.now();
    await counter.binding.prepare('SELECT 1').all();
    await counter.binding.batch([counter.binding.prepare('SELECT 1'), counter.binding.prepare('SELECT 2')]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(120);
  });
});
