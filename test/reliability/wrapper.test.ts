import { describe, expect, it } from 'vitest';
import { PERMANENT_D1_MESSAGES, TRANSIENT_D1_MESSAGES } from '../support/faults';
import { uniquePrefix } from '../support/harness';
import { useRig } from './rig';

const rig = useRig(import.meta.url);

/** A scratch table reached through the wrapper, to prove the wrapper itself before trusting it. */
async function scratch() {
  const table = `"${uniquePrefix('w')}scratch"`;
  await rig.faults.db.prepare(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, v TEXT)`).all();
  const insert = (id: number) => rig.faults.db.prepare(`INSERT INTO ${table} (id, v) VALUES (?, ?)`).bind(id, `v${id}`);
  const count = async () => (await rig.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n;
  return { insert, count };
}

describe('the fault-injecting wrapper', () => {
  it('fails the k-th statement of a batch through D1 itself, which rolls the whole batch back', async () => {
    const { insert, count } = await scratch();
    for (let k = 1; k <= 4; k++) {
      rig.faults.arm({ statement: k });
      await expect(rig.faults.db.batch([insert(1), insert(2), insert(3), insert(4)])).rejects.toThrow(/__injected_fault__/);
      expect(rig.faults.fired).toBe(true);
      expect(await count()).toBe(0);
    }
    await rig.faults.db.batch([insert(1), insert(2)]);
    expect(await count()).toBe(2);
  });

  it('counts statements across round trips and fails the one armed', async () => {
    const { insert, count } = await scratch();
    rig.faults.arm({ statement: 3 });
    await rig.faults.db.batch([insert(1), insert(2)]);
    await expect(insert(3).all()).rejects.toThrow(/__injected_fault__/);
    await insert(4).all();
    expect(rig.faults.since()).toEqual({ statements: 4, roundTrips: 3 });
    expect(await count()).toBe(3);
  });

  it('throws a given message before executing, or after executing (the reply was lost)', async () => {
    const { insert, count } = await scratch();
    rig.faults.arm({ roundTrip: 1, message: TRANSIENT_D1_MESSAGES[0] });
    await expect(insert(1).all()).rejects.toThrow(TRANSIENT_D1_MESSAGES[0]);
    expect(await count()).toBe(0);
    rig.faults.arm({ roundTrip: 1, message: PERMANENT_D1_MESSAGES[0], afterExecute: true });
    await expect(rig.faults.db.batch([insert(1), insert(2)])).rejects.toThrow(PERMANENT_D1_MESSAGES[0]);
    expect(await count()).toBe(2);
  });

  it('repeats a fault over consecutive round trips', async () => {
    const { insert } = await scratch();
    rig.faults.arm({ roundTrip: 2, message: TRANSIENT_D1_MESSAGES[1], repeat: 2 });
    await insert(1).all();
    await expect(insert(2).all()).rejects.toThrow(TRANSIENT_D1_MESSAGES[1]);
    await expect(insert(3).all()).rejects.toThrow(TRANSIENT_D1_MESSAGES[1]);
    await insert(4).all();
    expect(rig.faults.fired).toBe(true);
  });

  it('records every statement over 100 parameters or 100,000 bytes of SQL', async () => {
    const wide = `SELECT ${Array.from({ length: 101 }, () => '?').join(', ')}`;
    await expect(rig.faults.db.prepare(wide).bind(...Array.from({ length: 101 }, (_, i) => i)).all()).rejects.toThrow(/too many SQL variables/);
    const long = `SELECT 1 -- ${'x'.repeat(100_000)}`;
    await expect(rig.faults.db.prepare(long).all()).rejects.toThrow();
    const caught = rig.faults.takeViolations();
    expect(caught.map((v) => [v.params, v.sqlBytes > 100_000])).toEqual([
      [101, false],
      [0, true],
    ]);
  });
});
