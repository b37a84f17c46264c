import type { ChannelInstallation } from '@mastra/core/storage';
import { MastraError } from '@mastra/core/error';
import { expect } from 'vitest';
import { describeConformance } from '../support/conformance';

const day = (d: number) => new Date(Date.UTC(2025, 0, d));
const installation = (id: string, over: Partial<ChannelInstallation> = {}): ChannelInstallation => ({
  id,
  platform: 'slack',
  agentId: 'helper',
  status: 'active',
  webhookId: `hook-${id}`,
  data: { botToken: `xoxb-${id}`, team: { id: 'T1' } },
  createdAt: day(1),
  updatedAt: day(1),
  ...over,
});

async function userFailure(call: () => Promise<unknown>): Promise<MastraError> {
  const error = await call().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe('USER');
  return error as MastraError;
}

describeConformance('channels', 'ChannelsStorageD1', (t) => {
  t.it('saves, finds (by id, agent and webhook), lists and deletes installations', async () => {
    const channels = await t.domain();
    expect(await channels.getInstallation('i1')).toBeNull();
    await channels.saveInstallation(installation('i1', { configHash: 'h1' }));
    await channels.saveInstallation(installation('i2', { platform: 'discord', createdAt: day(2) }));
    await channels.saveInstallation(installation('i3', { createdAt: day(3), webhookId: undefined }));

    const stored = await channels.getInstallation('i1');
    expect(stored).toMatchObject({ id: 'i1', platform: 'slack', agentId: 'helper', status: 'active', webhookId: 'hook-i1', configHash: 'h1', data: { botToken: 'xoxb-i1', team: { id: 'T1' } } });
    expect(stored!.createdAt).toEqual(day(1));
    expect(stored!.updatedAt.getTime()).toBeGreaterThan(day(2).getTime());
    expect(stored).not.toHaveProperty('error');
    expect(await channels.getInstallationByWebhookId('hook-i2')).toMatchObject({ id: 'i2', platform: 'discord' });
    expect(await channels.getInstallationByWebhookId('missing')).toBeNull();
    expect((await channels.listInstallations('slack')).map((i) => i.id)).toEqual(['i3', 'i1']);
    expect(await channels.listInstallations('telegram')).toEqual([]);

    await channels.deleteInstallation('i1');
    expect(await channels.getInstallation('i1')).toBeNull();
    await channels.deleteInstallation('i1');
  });

  t.it("resaving keeps createdAt, replaces the rest and clears what is left out", async () => {
    const channels = await t.domain();
    await channels.saveInstallation(installation('i1', { status: 'pending', error: 'old' }));
    await channels.saveInstallation(installation('i1', { status: 'active', createdAt: day(9), data: { botToken: 'new' }, webhookId: 'hook-2' }));
    const stored = await channels.getInstallation('i1');
    expect(stored).toMatchObject({ status: 'active', data: { botToken: 'new' }, webhookId: 'hook-2' });
    expect(stored).not.toHaveProperty('error');
    expect(stored!.createdAt).toEqual(day(1));
    expect(await channels.getInstallationByWebhookId('hook-i1')).toBeNull();
  });

  t.it("getInstallationByAgent prefers active, then pending, then the latest updated", async () => {
    const channels = await t.domain();
    await channels.saveInstallation(installation('error', { status: 'error' }));
    expect((await channels.getInstallationByAgent('slack', 'helper'))?.id).toBe('error');
    await channels.saveInstallation(installation('pending', { status: 'pending' }));
    expect((await channels.getInstallationByAgent('slack', 'helper'))?.id).toBe('pending');
    await channels.saveInstallation(installation('active', { status: 'active' }));
    await channels.saveInstallation(installation('other-agent', { agentId: 'other' }));
    expect((await channels.getInstallationByAgent('slack', 'helper'))?.id).toBe('active');
    expect(await channels.getInstallationByAgent('discord', 'helper')).toBeNull();
  });

  t.it('a webhook id held by another installation is a USER error and writes nothing', async () => {
    const channels = await t.domain();
    await channels.saveInstallation(installation('i1', { webhookId: 'shared' }));
    const error = await userFailure(() => channels.saveInstallation(installation('i2', { webhookId: 'shared' })));
    expect(error.id).toMatch(/WEBHOOK_ID_EXISTS$/);
    expect(await channels.getInstallation('i2')).toBeNull();
    expect((await channels.getInstallationByWebhookId('shared'))?.id).toBe('i1');
  });

  t.it('saves, replaces, reads and deletes platform config', async () => {
    const channels = await t.domain();
    expect(await channels.getConfig('slack')).toBeNull();
    await channels.saveConfig({ platform: 'slack', data: { refreshToken: 'r1' }, updatedAt: day(1) });
    await channels.saveConfig({ platform: 'slack', data: { refreshToken: 'r2' }, updatedAt: day(2) });
    expect(await channels.getConfig('slack')).toEqual({ platform: 'slack', data: { refreshToken: 'r2' }, updatedAt: day(2) });
    await channels.deleteConfig('slack');
    expect(await channels.getConfig('slack')).toBeNull();
  });

  t.it('is shared by every store on the same database and prefix, and invisible to another prefix', async () => {
    const prefix = `ch${Math.random().toString(36).slice(2, 8)}_`;
    await (await t.domain({ tablePrefix: prefix })).saveInstallation(installation('i1'));
    expect((await (await t.domain({ tablePrefix: prefix })).getInstallationByWebhookId('hook-i1'))?.id).toBe('i1');
    expect(await (await t.domain()).getInstallation('i1')).toBeNull();
  });

  t.it('refuses bad input as USER errors naming the field, writing nothing', async () => {
    const channels = await t.domain();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [field, call] of [
      ['id', () => channels.saveInstallation(installation(''))],
      ['platform', () => channels.saveInstallation(installation('bad', { platform: undefined as never }))],
      ['status', () => channels.saveInstallation(installation('bad', { status: 3 as never }))],
      ['webhookId', () => channels.saveInstallation(installation('bad', { webhookId: 7 as never }))],
      ['data', () => channels.saveInstallation(installation('bad', { data: undefined as never }))],
      ['data', () => channels.saveInstallation(installation('bad', { data: cyclic }))],
      ['createdAt', () => channels.saveInstallation(installation('bad', { createdAt: new Date('nope') }))],
      ['platform', () => channels.saveConfig({ platform: '', data: {}, updatedAt: day(1) })],
      ['updatedAt', () => channels.saveConfig({ platform: 'bad', data: {} } as never)],
      ['data', () => channels.saveConfig({ platform: 'bad', updatedAt: day(1) } as never)],
      ['id', () => channels.getInstallation(undefined as never)],
      ['agentId', () => channels.getInstallationByAgent('slack', '')],
      ['webhookId', () => channels.getInstallationByWebhookId(null as never)],
      ['platform', () => channels.listInstallations(undefined as never)],
      ['id', () => channels.deleteInstallation('')],
      ['platform', () => channels.getConfig('')],
      ['platform', () => channels.deleteConfig(undefined as never)],
    ] as const) {
      const error = await userFailure(call);
      expect(error.message).toContain(field);
    }
    expect(await channels.getInstallation('bad')).toBeNull();
    expect(await channels.getConfig('bad')).toBeNull();
  });

  t.it('empties both tables with dangerouslyClearAll', async () => {
    const channels = await t.domain();
    await channels.saveInstallation(installation('i1'));
    await channels.saveConfig({ platform: 'slack', data: {}, updatedAt: day(1) });
    await channels.dangerouslyClearAll();
    expect(await channels.listInstallations('slack')).toEqual([]);
    expect(await channels.getConfig('slack')).toBeNull();
  });
});
