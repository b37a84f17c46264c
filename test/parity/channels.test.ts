import type { ChannelInstallation } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { useParity } from '../support/parity';

const p = useParity('channels');

const day = (d: number) => new Date(Date.UTC(2025, 0, d));
const installation = (id: string, over: Partial<ChannelInstallation> = {}): ChannelInstallation => ({
  id,
  platform: 'slack',
  agentId: 'helper',
  status: 'active',
  webhookId: `hook-${id}`,
  data: { botToken: `xoxb-${id}`, scopes: ['chat:write'], nested: { n: 1.5, ok: true } },
  createdAt: day(1),
  updatedAt: day(1),
  ...over,
});

describe('ChannelsStorageD1 matches LibSQLStore', () => {
  it('installations: save, resave, every lookup, list and delete', async () => {
    await p.same((s) => s.getInstallation('i1'));
    await p.same((s) => s.saveInstallation(installation('i1', { configHash: 'h', error: 'e', status: 'error' })));
    await p.same((s) => s.getInstallation('i1'));
    await p.same((s) => s.saveInstallation(installation('i1', { status: 'pending', createdAt: day(5), webhookId: undefined, data: [1, 'two'] as never })));
    await p.same((s) => s.getInstallation('i1'));
    await p.same((s) => s.saveInstallation(installation('i2', { createdAt: undefined as never, status: 'error' })));
    await p.same((s) => s.saveInstallation(installation('i3', { createdAt: day(3), platform: 'discord' })));
    await p.same((s) => s.saveInstallation(installation('i4', { createdAt: day(2), agentId: 'other' })));
    await p.same((s) => s.getInstallationByWebhookId('hook-i3'));
    await p.same((s) => s.getInstallationByWebhookId('hook-i1'));
    await p.same((s) => s.getInstallationByAgent('slack', 'helper'));
    await p.same((s) => s.saveInstallation(installation('i5', { status: 'active', createdAt: day(4) })));
    await p.same((s) => s.getInstallationByAgent('slack', 'helper'));
    await p.same((s) => s.getInstallationByAgent('slack', 'nobody'));
    await p.same((s) => s.listInstallations('slack'));
    await p.same((s) => s.listInstallations('discord'));
    await p.same((s) => s.listInstallations('none'));
    await p.same((s) => s.deleteInstallation('i5'));
    await p.same((s) => s.deleteInstallation('missing'));
    await p.same((s) => s.getInstallationByAgent('slack', 'helper'));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.listInstallations('slack'));
  });

  it('config: save, replace, read and delete', async () => {
    await p.same((s) => s.getConfig('slack'));
    await p.same((s) => s.saveConfig({ platform: 'slack', data: { refreshToken: 'r1' }, updatedAt: day(1) }));
    await p.same((s) => s.saveConfig({ platform: 'slack', data: { refreshToken: 'r2', n: 2 }, updatedAt: day(2) }));
    await p.same((s) => s.saveConfig({ platform: 'discord', data: {}, updatedAt: day(3) }));
    await p.same((s) => s.getConfig('slack'));
    await p.same((s) => s.getConfig('discord'));
    await p.same((s) => s.deleteConfig('slack'));
    await p.same((s) => s.deleteConfig('slack'));
    await p.same((s) => s.getConfig('slack'));
    await p.same((s) => s.dangerouslyClearAll());
    await p.same((s) => s.getConfig('discord'));
  });

  it('refuses what LibSQLStore refuses (its errors are not MastraErrors), writing nothing', async () => {
    await p.same((s) => s.saveInstallation(installation('i1', { webhookId: 'shared' })));
    await p.bothRefuse((s) => s.saveInstallation(installation('i2', { webhookId: 'shared' })));
    await p.bothRefuse((s) => s.saveInstallation(installation('i3', { platform: undefined as never })));
    await p.bothRefuse((s) => s.saveInstallation(installation('i3', { data: undefined as never })));
    await p.bothRefuse((s) => s.saveConfig({ platform: 'slack', data: {} } as never));
    await p.bothRefuse((s) => s.saveConfig({ platform: 'slack', updatedAt: day(1) } as never));
    await p.bothRefuse((s) => s.getInstallation(undefined as never));
    await p.bothRefuse((s) => s.getInstallationByAgent('slack', undefined as never));
    await p.bothRefuse((s) => s.getInstallationByWebhookId(undefined as never));
    await p.bothRefuse((s) => s.listInstallations(undefined as never));
    await p.bothRefuse((s) => s.deleteInstallation(undefined as never));
    await p.bothRefuse((s) => s.getConfig(undefined as never));
    await p.bothRefuse((s) => s.deleteConfig(undefined as never));
    for (const id of ['i2', 'i3']) await p.same((s) => s.getInstallation(id));
    await p.same((s) => s.getConfig('slack'));
    expect((await p.d1.getInstallationByWebhookId('shared'))?.id).toBe('i1');
  });
});
