import { ChannelsStorage, TABLE_CHANNEL_CONFIG, TABLE_CHANNEL_INSTALLATIONS, TABLE_SCHEMAS, type ChannelConfig, type ChannelInstallation } from '@mastra/core/storage';
import type { SqlStatement } from '../../client/types';
import { storageOperation, userError } from '../../errors';
import { columnList, decodeRow, encodeRow, upsertSql } from '../../sql/codec';
import type { TableSpec } from '../../sql/ddl';
import { quoteIdentifier } from '../../sql/identifiers';
import { placeholders } from '../../sql/params';
import { D1Domain } from '../base';
import { isoDate, optionalText, requireText } from '../validation';

/** Installations: a webhook routes to at most one of them; an agent's are found by platform. */
const INSTALLATIONS: TableSpec = {
  name: TABLE_CHANNEL_INSTALLATIONS,
  columns: TABLE_SCHEMAS[TABLE_CHANNEL_INSTALLATIONS],
  indexes: [
    { name: 'webhook_idx', columns: ['webhookId'], unique: true },
    { name: 'platform_agent_idx', columns: ['platform', 'agentId'] },
  ],
};

/** One configuration row per platform. */
const CONFIG: TableSpec = { name: TABLE_CHANNEL_CONFIG, columns: TABLE_SCHEMAS[TABLE_CHANNEL_CONFIG] };

const INSTALLATION_COLUMNS = Object.keys(INSTALLATIONS.columns);
const INSTALLATION_SELECT = columnList(INSTALLATIONS);
// The first save's `createdAt` is kept; every other column takes the new value.
const INSTALLATION_UPDATES = INSTALLATION_COLUMNS.filter((c) => c !== 'id' && c !== 'createdAt')
  .map((c) => `${quoteIdentifier(c)} = excluded.${quoteIdentifier(c)}`)
  .join(', ');
// Status preference of `getInstallationByAgent`, as LibSQLStore ranks it.
const BY_AGENT_ORDER = `CASE status WHEN 'active' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, "updatedAt" DESC, id ASC`;

function objectArg(operation: string, field: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) throw userError(operation, `${field} must be an object`, { field });
}

const toInstallation = (row: Record<string, unknown>) => decodeRow<ChannelInstallation>(INSTALLATIONS, row, { omitNull: true });

/**
 * Channel installations and platform configuration (what `@mastra/slack`'s provider persists: app
 * credentials, per-agent installations and their webhook routes), shared by every Worker on the
 * database. Each call is one statement.
 */
export class ChannelsStorageD1 extends D1Domain(ChannelsStorage, {
  key: 'channels',
  tables: [INSTALLATIONS, CONFIG],
}) {
  get #installations(): string {
    return this.ctx.tables(TABLE_CHANNEL_INSTALLATIONS);
  }

  get #config(): string {
    return this.ctx.tables(TABLE_CHANNEL_CONFIG);
  }

  /**
   * Creates or replaces an installation; `updatedAt` is the time of the save, `createdAt` the first
   * save's. A webhook id another installation holds is a USER error and nothing is written: the insert
   * selects no row when the id is taken, so the check and the write are one statement.
   */
  async saveInstallation(installation: ChannelInstallation): Promise<void> {
    const op = 'saveInstallation';
    const id = requireText(op, 'id', installation?.id);
    for (const field of ['platform', 'agentId', 'status'] as const) requireText(op, field, installation[field]);
    for (const field of ['webhookId', 'configHash', 'error'] as const) optionalText(op, field, installation[field] ?? undefined);
    objectArg(op, 'data', installation.data);
    const now = new Date();
    const values = encodeRow(op, INSTALLATIONS, { ...installation, createdAt: installation.createdAt ?? now, updatedAt: now }, { record: `channel installation ${id}` });
    const webhookId = installation.webhookId ?? null;
    const table = this.#installations;
    const statement: SqlStatement = {
      sql: `INSERT INTO ${table} (${INSTALLATION_SELECT}) SELECT ${placeholders(values.length)}
        WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE "webhookId" = ? AND id <> ?)
        ON CONFLICT (id) DO UPDATE SET ${INSTALLATION_UPDATES}`,
      params: [...values, webhookId, id],
    };
    const { changes } = await storageOperation(op, { id }, () => this.ctx.driver.run(statement, { idempotent: true }));
    if (changes === 0) throw userError(op, `webhookId ${webhookId} belongs to another installation`, { id, webhookId }, 'WEBHOOK_ID_EXISTS');
  }

  async getInstallation(id: string): Promise<ChannelInstallation | null> {
    const op = 'getInstallation';
    return this.#oneInstallation(op, 'id = ?', [requireText(op, 'id', id)]);
  }

  /** The agent's active installation, else its pending one, else any; the latest updated first. */
  async getInstallationByAgent(platform: string, agentId: string): Promise<ChannelInstallation | null> {
    const op = 'getInstallationByAgent';
    const params = [requireText(op, 'platform', platform), requireText(op, 'agentId', agentId)];
    return this.#oneInstallation(op, `platform = ? AND "agentId" = ? ORDER BY ${BY_AGENT_ORDER} LIMIT 1`, params);
  }

  async getInstallationByWebhookId(webhookId: string): Promise<ChannelInstallation | null> {
    const op = 'getInstallationByWebhookId';
    return this.#oneInstallation(op, '"webhookId" = ?', [requireText(op, 'webhookId', webhookId)]);
  }

  /** Newest first. */
  async listInstallations(platform: string): Promise<ChannelInstallation[]> {
    const op = 'listInstallations';
    const params = [requireText(op, 'platform', platform)];
    return storageOperation(op, { platform }, async () => {
      const rows = await this.ctx.driver.all({ sql: `SELECT ${INSTALLATION_SELECT} FROM ${this.#installations} WHERE platform = ? ORDER BY "createdAt" DESC, id ASC`, params });
      return rows.map(toInstallation);
    });
  }

  async deleteInstallation(id: string): Promise<void> {
    const op = 'deleteInstallation';
    await this.#delete(op, this.#installations, 'id', requireText(op, 'id', id));
  }

  /** Creates or replaces the platform's configuration, with the `updatedAt` given. */
  async saveConfig(config: ChannelConfig): Promise<void> {
    const op = 'saveConfig';
    const platform = requireText(op, 'platform', config?.platform);
    objectArg(op, 'data', config.data);
    isoDate(op, config.updatedAt, 'updatedAt');
    const values = encodeRow(op, CONFIG, config as unknown as Record<string, unknown>, { record: `${platform} channel config` });
    await storageOperation(op, { platform }, () => this.ctx.driver.run(upsertSql(this.#config, CONFIG, values, { key: ['platform'] }), { idempotent: true }));
  }

  async getConfig(platform: string): Promise<ChannelConfig | null> {
    const op = 'getConfig';
    const params = [requireText(op, 'platform', platform)];
    return storageOperation(op, { platform }, async () => {
      const [row] = await this.ctx.driver.all({ sql: `SELECT ${columnList(CONFIG)} FROM ${this.#config} WHERE platform = ?`, params });
      return row ? decodeRow<ChannelConfig>(CONFIG, row) : null;
    });
  }

  async deleteConfig(platform: string): Promise<void> {
    const op = 'deleteConfig';
    await this.#delete(op, this.#config, 'platform', requireText(op, 'platform', platform));
  }

  #oneInstallation(operation: string, condition: string, params: string[]): Promise<ChannelInstallation | null> {
    return storageOperation(operation, { key: params.join('/') }, async () => {
      const [row] = await this.ctx.driver.all({ sql: `SELECT ${INSTALLATION_SELECT} FROM ${this.#installations} WHERE ${condition}`, params });
      return row ? toInstallation(row) : null;
    });
  }

  async #delete(operation: string, table: string, column: string, value: string): Promise<void> {
    await storageOperation(operation, { [column]: value }, () => this.ctx.driver.run({ sql: `DELETE FROM ${table} WHERE ${quoteIdentifier(column)} = ?`, params: [value] }, { idempotent: true }));
  }
}
