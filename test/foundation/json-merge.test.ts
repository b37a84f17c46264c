import { describe, expect, it } from 'vitest';
import { shallowMergeSql } from '../../src/sql/json';
import { useHarness } from '../support/harness';

const h = useHarness();

async function merge(target: string | null, patch: string, omit?: string): Promise<unknown> {
  const sql = `SELECT ${shallowMergeSql('?1', '?2', omit === undefined ? undefined : '?3')} AS merged`;
  const params = omit === undefined ? [target, patch] : [target, patch, omit];
  const { results } = await h.d1.db.prepare(sql).bind(...params).all();
  return (results?.[0] as { merged: string | null }).merged;
}

describe('shallowMergeSql on D1', () => {
  it('is a JS spread: the patch wins per key, nested values are replaced whole, nulls are kept', async () => {
    const target = { a: 1, nested: { x: 1, y: 2 }, keep: 'yes' };
    const patch = { nested: { x: 9 }, a: null, added: [1, { b: true }] };
    expect(JSON.parse((await merge(JSON.stringify(target), JSON.stringify(patch))) as string)).toEqual({ ...target, ...patch });
  });

  it('keeps numbers, booleans and key order exactly as JSON.stringify of the spread would', async () => {
    const target = '{"big":12345678901234567890,"tiny":0.30000000000000004,"flag":true,"z":false}';
    const patch = '{"d":1.1,"tiny":null}';
    expect(await merge(target, patch)).toBe('{"big":12345678901234567890,"tiny":null,"flag":true,"z":false,"d":1.1}');
  });

  it('treats NULL, plain text and non-object JSON targets as {}', async () => {
    for (const target of [null, 'not json', '[1,2]', '"text"']) {
      expect(await merge(target, '{"a":1}')).toBe('{"a":1}');
    }
  });

  it('drops the keys listed in omit', async () => {
    expect(await merge('{"a":1,"b":2,"c":3}', '{"c":4}', '["b"]')).toBe('{"a":1,"c":4}');
  });
});
