import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import { userFailure, schemaNamesSql } from './assertions';
import { verified } from './figures';
import { ATOMIC_KINDS, useRig } from './rig';

const rig = useRig(import.meta.url);

const ATTACKS = [
  'x"; DROP TABLE mastra_threads; --',
  "x'; DELETE FROM sqlite_schema; --",
  'a b',
  'a-b',
  'a.b',
  'x"',
  '`x`',
  '[x]',
  'mastra\u0000',
  'x\n',
  'x;',
  '🙂',
  'é',
  '/* */',
];

const NOT_STRINGS: unknown[] = [42, true, {}, ['a'], () => 'x'];

describe.each(ATOMIC_KINDS)('tablePrefix attacks at construction on %s', (kind) => {
  it.each(ATTACKS)('%j is a USER error at construction and sends nothing', async (tablePrefix) => {
    const before = rig.faults.counters.roundTrips + rig.emulator.requests.length;
    await userFailure(async () => rig.store(kind, { tablePrefix }), /tablePrefix/);
    expect(rig.faults.counters.roundTrips + rig.emulator.requests.length).toBe(before);
  });

  it('a prefix that is not a string is a USER error naming the field', async () => {
    for (const tablePrefix of NOT_STRINGS) {
      await userFailure(async () => rig.store(kind, { tablePrefix: tablePrefix as string }), /tablePrefix/);
    }
  });

  it.each(['', '_', 'A', 'UPPER_lower_09_', 'x'.repeat(120) + '_'])('the valid prefix %j names every table exactly', async (tablePrefix) => {
    const store = rig.store(kind, { tablePrefix });
    if (tablePrefix === '') {
      // The empty prefix is valid but shared by every unprefixed user of this database: only its names are checked.
      expect(store).toBeInstanceOf(D1Store);
      return;
    }
    await store.init();
    const names = (await rig.rows<{ type: string; name: string }>(schemaNamesSql(), tablePrefix)).filter((n) => n.type === 'table');
    expect(names.map((n) => n.name)).toContain(`${tablePrefix}mastra_threads`);
    verified(names.length);
  });

  it('a prefix starting with a digit either works exactly or is refused at construction as USER', async () => {
    let store: D1Store | undefined;
    try {
      store = rig.store(kind, { tablePrefix: '9lives_' });
    } catch {
      await userFailure(async () => rig.store(kind, { tablePrefix: '9lives_' }), /tablePrefix/);
      return;
    }
    await store.init();
    const names = await rig.rows<{ name: string }>(schemaNamesSql(), '9lives_');
    expect(names.map((n) => n.name)).toContain('9lives_mastra_threads');
  });
});
