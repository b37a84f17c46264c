/**
 * The versioned surface (core's `VersionedStorageDomain`) tested once for every editor domain: each
 * domain's test files call `versionedParity(FIXTURES.x)` and `versionedConformance(FIXTURES.x)` with
 * what differs between domains (the create key, the parent-id field, a valid snapshot).
 */
import { MastraError } from '@mastra/core/error';
import type { StorageDomains } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { describeConformance } from '../support/conformance';
import { uniquePrefix } from '../support/harness';
import { useParity } from '../support/parity';

type Row = Record<string, any>;

/** The methods every versioned domain has, loosely typed so one suite drives all of them. */
export interface VersionedLike {
  getById(id: string): Promise<Row | null>;
  create(input: Row): Promise<Row>;
  update(input: Row): Promise<Row>;
  delete(id: string): Promise<void>;
  list(args?: Row): Promise<Row>;
  listResolved(args?: Row): Promise<Row>;
  getByIdResolved(id: string, options?: Row): Promise<Row | null>;
  createVersion(input: Row): Promise<Row>;
  getVersion(id: string): Promise<Row | null>;
  getVersions(ids: string[]): Promise<Row[]>;
  getVersionByNumber(id: string, n: number): Promise<Row | null>;
  getLatestVersion(id: string): Promise<Row | null>;
  listVersions(input: Row): Promise<Row>;
  deleteVersion(id: string): Promise<void>;
  deleteVersionsByParentId(id: string): Promise<void>;
  countVersions(id: string): Promise<number>;
  dangerouslyClearAll(): Promise<void>;
}

export type VersionedKey = 'agents' | 'promptBlocks' | 'scorerDefinitions' | 'mcpClients' | 'mcpServers';

export interface VersionedFixture {
  key: VersionedKey;
  title: string;
  createKey: string;
  parent: string;
  listKey: string;
  /** A valid snapshot (the version fields), varied by `n`. */
  snapshot(n: number): Row;
  /** mcpClients and mcpServers list only published entities unless a status is given. */
  publishedByDefault?: boolean;
  /** Agents refuse an update of a missing id with a USER error, as we do; the others fail as THIRD_PARTY. */
  updateMissingIsUser?: boolean;
}

const model = { provider: 'openai', name: 'gpt-4o-mini' };

export const FIXTURES: Record<VersionedKey, VersionedFixture> = {
  agents: {
    key: 'agents',
    title: 'AgentsStorageD1',
    createKey: 'agent',
    parent: 'agentId',
    listKey: 'agents',
    updateMissingIsUser: true,
    snapshot: (n) => ({ name: `Agent ${n}`, description: `d${n}`, instructions: n % 2 ? 'Be brief' : [{ type: 'text', content: `hi ${n}` }], model, tools: { calc: { description: 'c' } } }),
  },
  promptBlocks: {
    key: 'promptBlocks',
    title: 'PromptBlocksStorageD1',
    createKey: 'promptBlock',
    parent: 'blockId',
    listKey: 'promptBlocks',
    snapshot: (n) => ({ name: `Block ${n}`, content: `Be {{style}} ${n}`, rules: { operator: 'AND', conditions: [{ field: 'tier', operator: 'equals', value: n }] } }),
  },
  scorerDefinitions: {
    key: 'scorerDefinitions',
    title: 'ScorerDefinitionsStorageD1',
    createKey: 'scorerDefinition',
    parent: 'scorerDefinitionId',
    listKey: 'scorerDefinitions',
    snapshot: (n) => ({ name: `Scorer ${n}`, type: 'llm-judge', instructions: `judge ${n}`, model, scoreRange: { min: 0, max: n } }),
  },
  mcpClients: {
    key: 'mcpClients',
    title: 'MCPClientsStorageD1',
    createKey: 'mcpClient',
    parent: 'mcpClientId',
    listKey: 'mcpClients',
    publishedByDefault: true,
    snapshot: (n) => ({ name: `Client ${n}`, description: 'd', servers: { s1: { type: 'http', url: `https://mcp${n}.example.com` } } }),
  },
  mcpServers: {
    key: 'mcpServers',
    title: 'MCPServersStorageD1',
    createKey: 'mcpServer',
    parent: 'mcpServerId',
    listKey: 'mcpServers',
    publishedByDefault: true,
    snapshot: (n) => ({ name: `Server ${n}`, version: `1.${n}.0`, instructions: 'use it', tools: { t: { description: 'x' } }, isLatest: n % 2 === 0 }),
  },
};

const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

/** Parity with LibSQLStore on every method of one versioned domain, errors included. */
export function versionedParity(f: VersionedFixture): void {
  const p = useParity(f.key);
  const same = (call: (s: VersionedLike) => Promise<unknown>, options?: { throws?: boolean }) => p.same((s) => call(s as unknown as VersionedLike), options);
  const refuse = (call: (s: VersionedLike) => Promise<unknown>) => p.bothRefuse((s) => call(s as unknown as VersionedLike));
  const create = (id: string, n: number, thin: Row = {}) => same((s) => s.create({ [f.createKey]: { id, ...thin, ...f.snapshot(n) } }));

  describe(`${f.title} matches LibSQLStore`, () => {
    it('creates, reads, updates, lists and deletes entities', async () => {
      await create('e1', 1, { authorId: 'u1', metadata: { team: 'red', tier: 1 } });
      await pause();
      await create('e2', 2);
      await pause();
      await create('e3', 3, { authorId: 'u2', metadata: { team: 'blue' } });
      await same((s) => s.getById('e1'));
      await same((s) => s.getById('missing'));
      await same(async (s) => s.update({ id: 'e1', status: 'published', activeVersionId: (await s.getLatestVersion('e1'))!.id, metadata: { tier: 2, extra: true } }));
      await pause();
      await same((s) => s.update({ id: 'e2', authorId: 'u1', metadata: { team: 'red' }, name: 'ignored snapshot field' }));
      await same((s) => s.update({ id: 'e3', status: 'archived', metadata: { team: undefined, more: [1, 2] } }));
      if (f.updateMissingIsUser) await same((s) => s.update({ id: 'missing', status: 'published' }), { throws: true });
      else await refuse((s) => s.update({ id: 'missing', status: 'published' }));
      for (const args of [
        undefined,
        { status: 'draft' },
        { status: 'published' },
        { status: 'archived' },
        { authorId: 'u1' },
        { metadata: { team: 'red' } },
        { metadata: { team: 'red' }, authorId: 'u1', status: 'draft' },
        { orderBy: { field: 'updatedAt', direction: 'ASC' }, status: 'draft' },
        { orderBy: { field: 'createdAt', direction: 'ASC' }, perPage: 1, page: 1, status: 'draft' },
        { orderBy: { field: 'bogus', direction: 'sideways' } },
        { perPage: false },
        { perPage: 0 },
        { page: 5, perPage: 2 },
      ]) {
        await same((s) => s.list(args));
        await same((s) => s.listResolved(args));
      }
      await same((s) => s.list({ metadata: { 'bad-key': 1 } }), { throws: true });
      if (f.updateMissingIsUser) await same((s) => s.list({ page: -1 }), { throws: true });
      else await refuse((s) => s.list({ page: -1 }));
      await same((s) => s.getByIdResolved('e1'));
      await same((s) => s.getByIdResolved('e2', { status: 'draft' }));
      await same((s) => s.getByIdResolved('missing'));
      await same((s) => s.delete('e3'));
      await same((s) => s.getById('e3'));
      await same((s) => s.countVersions('e3'));
      await same((s) => s.delete('missing'));
      await same((s) => s.dangerouslyClearAll());
      await same((s) => s.list({ status: 'draft' }));
    });

    it('creates, reads, lists, counts and deletes versions', async () => {
      await create('e1', 1);
      const version = (n: number, id = `e1-v${n}`) => ({ id, [f.parent]: 'e1', versionNumber: n, ...f.snapshot(n), changedFields: ['name'], changeMessage: `v${n}` });
      await pause();
      await same((s) => s.createVersion(version(2)));
      await pause();
      await same((s) => s.createVersion({ ...version(3), changeMessage: undefined, changedFields: undefined }));
      await same((s) => s.getVersion('e1-v2'));
      await same((s) => s.getVersion('missing'));
      await same((s) => s.getVersions(['e1-v3', 'missing', 'e1-v2']).then((rows) => rows.sort((a, b) => a.versionNumber - b.versionNumber)));
      await same((s) => s.getVersions([]));
      await same((s) => s.getVersionByNumber('e1', 2));
      await same((s) => s.getVersionByNumber('e1', 9));
      await same((s) => s.getLatestVersion('e1'));
      await same((s) => s.getLatestVersion('missing'));
      await same((s) => s.countVersions('e1'));
      await same((s) => s.countVersions('missing'));
      for (const args of [
        {},
        { orderBy: { field: 'createdAt', direction: 'ASC' } },
        { orderBy: { field: 'versionNumber', direction: 'ASC' }, perPage: 2, page: 1 },
        { orderBy: { field: 'nope' } },
        { perPage: false },
        { perPage: 1 },
      ]) {
        await same((s) => s.listVersions({ [f.parent]: 'e1', ...args }));
      }
      await same((s) => s.listVersions({ [f.parent]: 'missing' }));
      await same(async (s) => s.update({ id: 'e1', activeVersionId: 'e1-v2', status: 'published' }));
      await same((s) => s.getByIdResolved('e1'));
      await same((s) => s.getByIdResolved('e1', { versionId: 'e1-v3' }));
      await same((s) => s.listResolved({ status: 'published' }));
      await same((s) => s.deleteVersion('e1-v3'));
      await same((s) => s.deleteVersion('missing'));
      await same((s) => s.getLatestVersion('e1'));
      await same((s) => s.deleteVersionsByParentId('e1'));
      await same((s) => s.countVersions('e1'));
      await same((s) => s.getById('e1'));
      await same((s) => s.getByIdResolved('e1'));
    });
  });
}

/** Behaviour on every client kind: round trips, USER errors writing nothing, the version-number race. */
export function versionedConformance(f: VersionedFixture): void {
  describeConformance(f.key, f.title, (t) => {
    const domain = async (config?: { tablePrefix?: string }) => (await t.domain(config)) as unknown as VersionedLike;
    const input = (id: string, n: number, thin: Row = {}) => ({ [f.createKey]: { id, ...thin, ...f.snapshot(n) } });
    const userError = async (call: () => Promise<unknown>) => {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect((error as MastraError).category).toBe('USER');
    };

    t.it('creates an entity with its first version, and deletes both', async () => {
      const s = await domain();
      const created = await s.create(input('e1', 1, { authorId: 'u1', metadata: { k: 'v' } }));
      expect(created).toMatchObject({ id: 'e1', status: 'draft', authorId: 'u1', metadata: { k: 'v' } });
      expect(await s.getLatestVersion('e1')).toMatchObject({ [f.parent]: 'e1', versionNumber: 1, ...f.snapshot(1), changeMessage: 'Initial version' });
      expect((await s.getByIdResolved('e1', { status: 'draft' }))!).toMatchObject({ id: 'e1', ...f.snapshot(1) });
      await s.delete('e1');
      expect(await s.getById('e1')).toBeNull();
      expect(await s.countVersions('e1')).toBe(0);
    });

    t.it('refuses to re-create an existing id and keeps the stored entity and versions', async () => {
      const s = await domain();
      await s.create(input('e1', 1, { metadata: { keep: true } }));
      await s.update({ id: 'e1', status: 'published' });
      const error = await s.create(input('e1', 2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MastraError);
      expect(String((error as Error).message)).toContain('UNIQUE constraint failed');
      expect(await s.getById('e1')).toMatchObject({ status: 'published', metadata: { keep: true } });
      expect(await s.countVersions('e1')).toBe(1);
      expect(await s.getLatestVersion('e1')).toMatchObject(f.snapshot(1));
    });

    t.it('shallow-merges metadata in place and leaves omitted fields alone', async () => {
      const s = await domain();
      await s.create(input('e1', 1, { authorId: 'u1', metadata: { a: 1, nested: { x: 1 }, gone: 'y' } }));
      const updated = await s.update({ id: 'e1', metadata: { nested: { y: 2 }, gone: undefined, b: null } });
      expect(updated).toMatchObject({ authorId: 'u1', status: 'draft', metadata: { a: 1, nested: { y: 2 }, b: null } });
      expect(updated.metadata).not.toHaveProperty('gone');
      await userError(() => s.update({ id: 'nope', status: 'published' }));
    });

    t.it('lists with filters and pages; metadata filters match numbers and booleans as stored', async () => {
      const s = await domain();
      for (const n of [1, 2, 3]) await s.create(input(`e${n}`, n, { authorId: n === 2 ? 'u2' : 'u1', metadata: { n, flag: n === 3, team: 'red' } }));
      await s.update({ id: 'e3', status: 'published' });
      const ids = (page: Row) => page[f.listKey].map((e: Row) => e.id);
      expect(ids(await s.list({ status: 'draft', metadata: { n: 2 } }))).toEqual(['e2']);
      expect(ids(await s.list({ status: 'published', metadata: { flag: true } }))).toEqual(['e3']);
      expect(ids(await s.list({ authorId: 'u1', status: 'draft' }))).toEqual(['e1']);
      const all = await s.list({ ...(f.publishedByDefault ? {} : {}), status: 'draft', perPage: 1, page: 0, orderBy: { field: 'createdAt', direction: 'ASC' } });
      expect(all).toMatchObject({ total: 2, perPage: 1, hasMore: true });
      expect(ids(await s.list())).toEqual(f.publishedByDefault ? ['e3'] : ['e3', 'e2', 'e1']);
      await userError(() => s.list({ metadata: { 'x;drop': 1 } }));
      await userError(() => s.list({ page: -1 }));
      await userError(() => s.list({ perPage: -5 }));
    });

    t.it('gets any number of versions by id in one query', async () => {
      const s = await domain();
      await s.create(input('e1', 1));
      for (let n = 2; n <= 6; n++) await s.createVersion({ id: `v${n}`, [f.parent]: 'e1', versionNumber: n, ...f.snapshot(n) });
      const ids = [...Array.from({ length: 145 }, (_, i) => `missing-${i}`), 'v2', 'v4', 'v6'];
      expect((await s.getVersions(ids)).map((v) => v.versionNumber).sort()).toEqual([2, 4, 6]);
      expect(await s.getVersionByNumber('e1', 4)).toMatchObject({ id: 'v4' });
      expect(await s.listVersions({ [f.parent]: 'e1', perPage: 2 })).toMatchObject({ total: 6, hasMore: true, perPage: 2 });
    });

    t.it('refuses bad input as USER errors and writes nothing', async () => {
      const s = await domain();
      await userError(() => s.create({ [f.createKey]: { ...f.snapshot(1), id: '' } }));
      await userError(() => s.create({}));
      await userError(() => s.create({ [f.createKey]: { id: 'e1', ...f.snapshot(1), name: undefined } }));
      expect(await s.getById('e1')).toBeNull();
      await s.create(input('e1', 1));
      await userError(() => s.createVersion({ id: 'v', [f.parent]: 'e1', versionNumber: 0, ...f.snapshot(2) }));
      await userError(() => s.createVersion({ id: 'v', [f.parent]: '', versionNumber: 2, ...f.snapshot(2) }));
      await userError(() => s.update({ id: 'e1', metadata: 'not an object' }));
      await userError(() => s.getVersions('v' as unknown as string[]));
      await userError(() => s.listVersions({ [f.parent]: 'e1', page: 1.5 }));
      expect(await s.countVersions('e1')).toBe(1);
      expect(await s.getById('e1')).toMatchObject({ status: 'draft' });
    });

    t.it('two stores racing for the next version number never share it nor replace each other', async () => {
      const prefix = uniquePrefix('race');
      const [a, b] = [await domain({ tablePrefix: prefix }), await domain({ tablePrefix: prefix })];
      await a.create(input('e1', 1));
      const next = (await a.getLatestVersion('e1'))!.versionNumber + 1;
      const results = await Promise.allSettled([
        a.createVersion({ id: 'va', [f.parent]: 'e1', versionNumber: next, ...f.snapshot(2) }),
        b.createVersion({ id: 'vb', [f.parent]: 'e1', versionNumber: next, ...f.snapshot(3) }),
      ]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.reason).toBeInstanceOf(MastraError);
      expect(String(failed[0]!.reason.message)).toContain('UNIQUE constraint failed');
      const winner = results.findIndex((r) => r.status === 'fulfilled') === 0 ? 'va' : 'vb';
      expect(await b.getVersionByNumber('e1', next)).toMatchObject({ id: winner });
      expect(await a.countVersions('e1')).toBe(2);
      // The loser retries with the next number, as @mastra/editor and @mastra/server do.
      const loser = winner === 'va' ? b : a;
      await loser.createVersion({ id: 'vc', [f.parent]: 'e1', versionNumber: next + 1, ...f.snapshot(4) });
      expect((await a.listVersions({ [f.parent]: 'e1' })).versions.map((v: Row) => v.versionNumber)).toEqual([next + 1, next, 1]);
    });

    t.it('empties both tables with dangerouslyClearAll', async () => {
      const s = await domain();
      await s.create(input('e1', 1));
      await s.dangerouslyClearAll();
      expect(await s.getById('e1')).toBeNull();
      expect(await s.countVersions('e1')).toBe(0);
    });
  });
}
