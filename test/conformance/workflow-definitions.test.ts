import { MastraError } from '@mastra/core/error';
import type { CreateWorkflowDefinitionInput, UpdateWorkflowDefinitionInput } from '@mastra/core/storage';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const schema = (key: string) => ({ type: 'object', properties: { [key]: { type: 'string' } }, required: [key] });
const graph = [{ type: 'step', step: { id: 'echo', type: 'tool', toolId: 'echo' } }] as unknown as CreateWorkflowDefinitionInput['graph'];
const full = (id: string, extra: Partial<CreateWorkflowDefinitionInput> = {}): CreateWorkflowDefinitionInput => ({ id, inputSchema: schema('in'), outputSchema: schema('out'), graph, ...extra });
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

describeConformance('workflowDefinitions', 'WorkflowDefinitionsStorageD1', (t) => {
  t.it('creates a definition with its schedule, updates it in place and reads it back', async () => {
    const defs = await t.domain();
    const schedule = { cron: '0 2 * * *', timezone: 'Europe/Paris', inputData: { in: 'x' } };
    const created = await defs.upsert(full('dyn', { description: 'd', metadata: { team: 'ops' }, authorId: 'ann', schedule }));
    expect(created).toEqual({ ...full('dyn'), description: 'd', metadata: { team: 'ops' }, authorId: 'ann', schedule, status: 'active', source: 'storage', createdAt: expect.any(Date), updatedAt: created.createdAt });
    expect(await defs.get('dyn')).toEqual(created);

    await tick();
    const updated = await defs.upsert({ id: 'dyn', schedule: [schedule, { cron: '0 3 * * *' }], status: 'archived', description: undefined });
    expect(updated).toEqual({ ...created, schedule: [schedule, { cron: '0 3 * * *' }], status: 'archived', updatedAt: expect.any(Date) });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());

    const cleared = await defs.upsert({ id: 'dyn', schedule: null, metadata: null, description: null, authorId: null } as unknown as UpdateWorkflowDefinitionInput);
    expect(cleared).toEqual({ ...full('dyn'), status: 'archived', source: 'storage', createdAt: created.createdAt, updatedAt: expect.any(Date) });
    // A full definition of an existing id keeps its status and createdAt.
    const again = await defs.upsert(full('dyn', { graph: [...graph, ...graph] }));
    expect(again).toMatchObject({ status: 'archived', createdAt: created.createdAt, graph: [...graph, ...graph] });
    expect(await defs.get('dyn')).toEqual(again);
  });

  t.it('lists by status and author, most recently updated first, and deletes', async () => {
    const defs = await t.domain();
    for (const [id, authorId] of [['a', 'ann'], ['b', 'bob'], ['c', 'ann']] as const) {
      await defs.upsert(full(id, { authorId }));
      await tick();
    }
    await defs.upsert({ id: 'a', status: 'archived' });
    const ids = async (args?: Parameters<typeof defs.list>[0]) => {
      const { definitions, total } = await defs.list(args);
      expect(total).toBe(definitions.length);
      return definitions.map((d) => d.id);
    };
    expect(await ids()).toEqual(['a', 'c', 'b']);
    expect(await ids({ status: 'active' })).toEqual(['c', 'b']);
    expect(await ids({ status: 'archived' })).toEqual(['a']);
    expect(await ids({ authorId: 'ann' })).toEqual(['a', 'c']);
    expect(await ids({ status: 'active', authorId: 'ann' })).toEqual(['c']);
    expect(await ids({ authorId: 'nobody' })).toEqual([]);
    await defs.delete('c');
    await defs.delete('c');
    expect(await defs.get('c')).toBeNull();
    expect(await ids()).toEqual(['a', 'b']);
    await defs.dangerouslyClearAll();
    expect(await ids()).toEqual([]);
  });

  t.it('is shared by every store on the same database and prefix, and invisible to another prefix', async () => {
    const prefix = `wd${Math.random().toString(36).slice(2, 8)}_`;
    await (await t.domain({ tablePrefix: prefix })).upsert(full('shared'));
    expect(await (await t.domain({ tablePrefix: prefix })).get('shared')).toMatchObject({ id: 'shared', status: 'active' });
    expect(await (await t.domain()).list()).toEqual({ definitions: [], total: 0 });
  });

  t.it('refuses bad input as USER errors naming the field, writing nothing', async () => {
    const defs = await t.domain();
    const stored = await defs.upsert(full('dyn'));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [string, () => Promise<unknown>][] = [
      ['id', () => defs.upsert(full(''))],
      ['id', () => defs.get(undefined as unknown as string)],
      ['id', () => defs.delete('')],
      ['inputSchema', () => defs.upsert({ id: 'new', outputSchema: schema('out'), graph })],
      ['graph', () => defs.upsert({ id: 'new', inputSchema: schema('in'), outputSchema: schema('out') })],
      ['inputSchema', () => defs.upsert({ id: 'dyn', inputSchema: null })],
      ['graph', () => defs.upsert({ id: 'dyn', graph: {} as never })],
      ['status', () => defs.upsert({ id: 'dyn', status: 'deleted' as never })],
      ['description', () => defs.upsert({ id: 'dyn', description: 5 as never })],
      ['metadata', () => defs.upsert({ id: 'dyn', metadata: [] as never })],
      ['authorId', () => defs.list({ authorId: 5 as never })],
      ['outputSchema', () => defs.upsert({ id: 'dyn', outputSchema: cyclic })],
      ['stateSchema', () => defs.upsert({ id: 'dyn', stateSchema: { big: 'x'.repeat(2_000_001) } })],
    ];
    for (const [field, call] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(error, field).toBeInstanceOf(MastraError);
      expect((error as MastraError).category, field).toBe('USER');
      expect((error as MastraError).message, field).toContain(field);
    }
    expect(await defs.list()).toEqual({ definitions: [stored], total: 1 });
  });
});
