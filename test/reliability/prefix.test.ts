import { describe, expect, it } from 'vitest';
import { schemaSql } from '../../src';
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

/** Every table and index `init()` creates under a prefix, read from the DDL it runs, sorted as SQLite sorts names. */
function declaredNames(tablePrefix: string): string[] {
  return schemaSql({ tablePrefix })
    .flatMap((sql) => /^CREATE (?:TABLE|(?:UNIQUE )?INDEX|TRIGGER) IF NOT EXISTS "([^"]+)"/.exec(sql)?.[1] ?? [])
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

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

  it.each(['', '_', 'A', '9lives_', 'UPPER_lower_09_', 'x'.repeat(120) + '_'])('the valid prefix %j names every table and index exactly', async (tablePrefix) => {
    await rig.store(kind, { tablePrefix }).init();
    const expected = declaredNames('').map((name) => `${tablePrefix}${name}`);
    const created = await rig.rows<{ name: string }>('SELECT name FROM sqlite_schema WHERE name IN (SELECT value FROM json_each(?)) ORDER BY name', JSON.stringify(expected));
    expect(created.map((n) => n.name)).toEqual(expected);
    expect(declaredNames(tablePrefix)).toEqual(expected);
    if (tablePrefix !== '') {
      // Every other store in this database has a prefix of its own, so only the empty prefix shares the
      // namespace; D1 keeps its own `_cf_` tables.
      const underPrefix = await rig.rows<{ name: string }>(schemaNamesSql(), tablePrefix);
      expect(underPrefix.map((n) => n.name).filter((name) => !name.startsWith('_cf_'))).toEqual(expected);
    }
    verified(created.length);
  });
});
