import { MastraError } from '@mastra/core/error';
import type { StorageBlobEntry } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const blob = (hash: string, content = `content of ${hash}`, extra: Partial<StorageBlobEntry> = {}): StorageBlobEntry => ({
  hash,
  content,
  size: new TextEncoder().encode(content).byteLength,
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
  ...extra,
});

/** Text of `bytes` UTF-8 bytes mixing 1-, 2-, 3- and 4-byte characters, quotes, backslashes and newlines. */
function textOfBytes(bytes: number): string {
  const unit = 'a"\\\né中😀\t{}'; // 1+1+1+1+2+3+4+1+1+1 = 16 bytes
  const text = unit.repeat(Math.floor(bytes / 16));
  return text + 'x'.repeat(bytes - new TextEncoder().encode(text).byteLength);
}

describeConformance('blobs', 'BlobsStorageD1', (t) => {
  t.it('puts, reads, checks and deletes a blob; a second put of a hash is a no-op', async () => {
    const blobs = await t.domain();
    expect(await blobs.get('h1')).toBeNull();
    expect(await blobs.has('h1')).toBe(false);
    await blobs.put(blob('h1', 'first', { mimeType: 'text/markdown' }));
    await blobs.put(blob('h1', 'second'));
    expect(await blobs.get('h1')).toEqual({ hash: 'h1', content: 'first', size: 5, mimeType: 'text/markdown', createdAt: new Date('2025-01-01T00:00:00.000Z') });
    expect(await blobs.has('h1')).toBe(true);
    expect(await blobs.delete('h1')).toBe(true);
    expect(await blobs.delete('h1')).toBe(false);
    expect(await blobs.has('h1')).toBe(false);
  });

  t.it('putMany stores 250 blobs in one batch, skips stored hashes, and getMany returns them by hash', async () => {
    const blobs = await t.domain();
    await blobs.put(blob('h0', 'kept'));
    const entries = Array.from({ length: 250 }, (_, i) => blob(`h${i}`));
    await blobs.putMany([...entries, entries[3]!]);
    const found = await blobs.getMany([...entries.map((e) => e.hash), 'missing', 'h3']);
    expect(found.size).toBe(250);
    expect(found.get('h0')!.content).toBe('kept');
    expect(found.get('h249')).toEqual({ ...entries[249], mimeType: undefined });
    expect(found.has('missing')).toBe(false);
    expect((await blobs.getMany([])).size).toBe(0);
    await blobs.putMany([]);
  });

  t.it('round-trips values near the 2 MB limit byte-exact, several in one putMany', async () => {
    const blobs = await t.domain();
    const big = textOfBytes(1_999_800);
    const other = textOfBytes(1_500_000) + 'z';
    await blobs.putMany([blob('big', big), blob('other', other), blob('small', 'tiny')]);
    const read = await blobs.getMany(['big', 'other', 'small']);
    expect(read.get('big')!.content === big).toBe(true);
    expect(read.get('other')!.content === other).toBe(true);
    expect(read.get('big')!.size).toBe(1_999_800);
    expect((await blobs.get('big'))!.content === big).toBe(true);
  });

  t.it('refuses a file over 2 MB, or a malformed entry, as USER errors writing nothing', async () => {
    const blobs = await t.domain();
    const over = textOfBytes(2_000_001);
    for (const call of [
      () => blobs.put(blob('over', over)),
      () => blobs.putMany([blob('ok'), blob('over', over)]),
      () => blobs.putMany([blob('ok'), { hash: 'bad', content: 1, size: 1 } as unknown as StorageBlobEntry]),
      () => blobs.putMany([blob('ok'), blob('', 'no hash')]),
      () => blobs.put(blob('ok', 'x', { size: -1 })),
      () => blobs.put(blob('ok', 'x', { createdAt: 'yesterday' as unknown as Date })),
      () => blobs.putMany('ok' as unknown as StorageBlobEntry[]),
      () => blobs.get(undefined as unknown as string),
      () => blobs.getMany([1 as unknown as string]),
      () => blobs.delete(''),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    }
    expect((await blobs.getMany(['ok', 'over', 'bad'])).size).toBe(0);
  });

  t.it('empties with dangerouslyClearAll, and one prefix does not see another', async () => {
    const prefix = `bl${Math.random().toString(36).slice(2, 8)}_`;
    const blobs = await t.domain({ tablePrefix: prefix });
    await blobs.put(blob('h'));
    expect(await (await t.domain({ tablePrefix: prefix })).has('h')).toBe(true);
    expect(await (await t.domain()).has('h')).toBe(false);
    await blobs.dangerouslyClearAll();
    expect(await blobs.has('h')).toBe(false);
  });
});
