import { Mastra } from '@mastra/core';
import type { ChannelsStorage } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import { uniquePrefix, useHarness } from '../support/harness';

// @mastra/slack is not installed here, so this drives the store the way its SlackProvider does: it
// resolves `mastra.getStorage().getStore('channels')` on every request, and the Worker that receives a
// webhook is rarely the one that ran `connect()`.

const h = useHarness();

/** A Worker's Mastra, built per request over the shared database. */
async function channelsOf(tablePrefix: string): Promise<ChannelsStorage> {
  const mastra = new Mastra({ storage: new D1Store({ id: 'app', binding: h.d1.db, tablePrefix }), logger: false });
  const channels = await mastra.getStorage()!.getStore('channels');
  if (!channels) throw new Error('D1Store has no channels domain');
  return channels;
}

describe('channels across Workers', () => {
  it('an installation connected by one Worker routes the next Worker’s webhooks, and a disconnect is seen by all', async () => {
    const prefix = uniquePrefix('channels');
    const connecting = await channelsOf(prefix);
    await connecting.saveConfig({ platform: 'slack', data: { refreshToken: 'enc:r1' }, updatedAt: new Date() });
    const createdAt = new Date();
    await connecting.saveInstallation({ id: 'inst-1', platform: 'slack', agentId: 'helper', status: 'pending', data: { appId: 'A1' }, createdAt, updatedAt: createdAt });
    await connecting.saveInstallation({ id: 'inst-1', platform: 'slack', agentId: 'helper', status: 'active', webhookId: 'wh-1', data: { appId: 'A1', botToken: 'enc:b1' }, configHash: 'cfg', createdAt, updatedAt: new Date() });

    const webhook = await channelsOf(prefix);
    const routed = await webhook.getInstallationByWebhookId('wh-1');
    expect(routed).toMatchObject({ id: 'inst-1', agentId: 'helper', status: 'active', data: { botToken: 'enc:b1' }, configHash: 'cfg' });
    expect(routed!.createdAt).toEqual(createdAt);
    expect((await webhook.getInstallationByAgent('slack', 'helper'))?.id).toBe('inst-1');
    expect(await webhook.getConfig('slack')).toMatchObject({ data: { refreshToken: 'enc:r1' } });

    await webhook.deleteInstallation('inst-1');
    const another = await channelsOf(prefix);
    expect(await another.listInstallations('slack')).toEqual([]);
    expect(await another.getInstallationByWebhookId('wh-1')).toBeNull();
    expect(await (await channelsOf(uniquePrefix('channels'))).getConfig('slack')).toBeNull();
  });
});
