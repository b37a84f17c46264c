import type { StorageBlobEntry } from '@mastra/core/storage';
import { describe, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('blobs');
const at = new Date('2025-01-01T00:00:00.000Z');
const blob = (hash: string, content: string, mimeType?: string): StorageBlobEntry => ({ hash, content, size: content.length, mimeType, createdAt: at });
const sorted = (map: unknown) => [...(map as Map<string, unknown>).entries()].sort(([a], [b]) => a.localeCompare(b));

describe('BlobsStorageD1 matches LibSQLStore', () => {
  it('answers every call alike', async () => {
    await p.same((s) => s.get('h1'));
    await p.same((s) => s.has('h1'));
    await p.same((s) => s.put(blob('h1', 'one', 'text/plain')));
    await p.same((s) => s.put(blob('h1', 'replaced?')));
    await p.same((s) => s.get('h1'));
    await p.same((s) => s.has('h1'));
    await p.same((s) => s.put({ hash: 'h2', content: 'two', size: 3 } as StorageBlobEntry));
    await p.same((s) => s.has('h2'));
    await p.same((s) => s.putMany([blob('h3', 'three'), blob('h4', 'four', 'application/json'), blob('h5', '')]));
    await p.same((s) => s.putMany([]));
    await p.same((s) => s.getMany(['h1', 'h3', 'h4', 'h5', 'missing', 'h3']), { normalize: sorted });
    await p.same((s) => s.getMany([]), { normalize: sorted });
    await p.same((s) => s.delete('h3'));
    await p.same((s) => s.delete('h3'));
    await p.same((s) => s.getMany(['h3', 'h4']), { normalize: sorted });
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.getMany(['h1', 'h2', 'h4']), { normalize: sorted });
  });

  it('refuses what LibSQLStore cannot store, as USER errors', async () => {
    await p.bothRefuse((s) => s.put({ hash: undefined, content: 'x', size: 1 } as unknown as StorageBlobEntry));
    await p.bothRefuse((s) => s.put({ hash: 'h', content: undefined, size: 1 } as unknown as StorageBlobEntry));
    await p.bothRefuse((s) => s.putMany([blob('ok', 'x'), { hash: 'h', content: null, size: 1 } as unknown as StorageBlobEntry]));
    await p.bothRefuse((s) => s.put({ hash: 'h', content: 'x', size: 1, createdAt: 'bad' } as unknown as StorageBlobEntry));
    await p.same((s) => s.getMany(['ok', 'h']), { normalize: sorted });
  });
});
