/**
 * The query-plan cases of the versioned editor domains, written once: `plans/<domain>.ts` builds its
 * cases from its fixture. Every lookup and list path must find rows through an index, and filtered pages
 * and version reads stay within budget with 1,000 entities and 1,000 versions stored.
 */
import { at } from '../../bench/data';
import type { VersionedFixture, VersionedLike } from '../conformance/versioned-fixtures';
import { domain, expectIndexed, FILTERED_BUDGET, GROUPS, MATCHES, range, rowsRead, seed, STORED, storeWithLog, type PlanCase } from './plan-kit';

const ENTITY_TABLES: Record<string, [string, string]> = {
  agents: ['mastra_agents', 'mastra_agent_versions'],
  promptBlocks: ['mastra_prompt_blocks', 'mastra_prompt_block_versions'],
  scorerDefinitions: ['mastra_scorer_definitions', 'mastra_scorer_definition_versions'],
  mcpClients: ['mastra_mcp_clients', 'mastra_mcp_client_versions'],
  mcpServers: ['mastra_mcp_servers', 'mastra_mcp_server_versions'],
  skills: ['mastra_skills', 'mastra_skill_versions'],
  workspaces: ['mastra_workspaces', 'mastra_workspace_versions'],
};

/**
 * Plan cases for one versioned domain; `extra` adds the domain's own list filters and updates to the
 * indexed check. `statusFilter: false` (workspaces, whose list ignores `status`) drops the status budgets.
 */
export function versionedPlanCase(f: VersionedFixture, extra: (s: VersionedLike) => Promise<unknown> = async () => {}, options: { statusFilter?: false } = {}): PlanCase {
  const open = async () => {
    const { store, counter, prefix } = await storeWithLog();
    return { s: (await domain(store, f.key)) as unknown as VersionedLike, counter, prefix };
  };
  return {
    async indexed() {
      const { s, counter, prefix } = await open();
      await s.create({ [f.createKey]: { id: 'e1', authorId: 'u1', metadata: { team: 'red' }, ...f.snapshot(1) } });
      await s.createVersion({ id: 'v2', [f.parent]: 'e1', versionNumber: 2, ...f.snapshot(2) });
      await expectIndexed(prefix, counter, async () => {
        await s.getById('e1');
        await s.list();
        await s.list({ status: 'draft', orderBy: { field: 'updatedAt', direction: 'ASC' } });
        await s.list({ authorId: 'u1', status: 'draft' });
        await s.list({ authorId: 'u1', metadata: { team: 'red' } });
        await s.listResolved({ status: 'draft' });
        await s.getByIdResolved('e1');
        await extra(s);
        await s.getVersion('v2');
        await s.getVersions(['v2', 'missing']);
        await s.getVersionByNumber('e1', 2);
        await s.getLatestVersion('e1');
        await s.listVersions({ [f.parent]: 'e1' });
        await s.listVersions({ [f.parent]: 'e1', orderBy: { field: 'createdAt', direction: 'ASC' } });
        await s.countVersions('e1');
        await s.update({ id: 'e1', status: 'published', metadata: { team: 'blue' } });
        await s.deleteVersion('v2');
        await s.deleteVersionsByParentId('e1');
        await s.delete('e1');
      });
    },
    async budgets() {
      const { s, counter, prefix } = await open();
      const [entities, versions] = ENTITY_TABLES[f.key]!;
      const group = (i: number) => i % GROUPS;
      await seed(
        prefix,
        entities,
        range(STORED).map((i) => ({ id: `e-${i}`, status: group(i) === 0 ? 'published' : 'draft', authorId: `author-${group(i)}`, metadata: { i }, createdAt: at(i), updatedAt: at(i) })),
      );
      await seed(
        prefix,
        versions,
        range(STORED).map((i) => ({ ...f.snapshot(i), id: `v-${i}`, [f.parent]: `e-${group(i)}`, versionNumber: Math.floor(i / GROUPS) + 1, createdAt: at(i) })),
      );
      const byStatus = {
        'list by status': [() => s.list({ status: 'published', perPage: MATCHES }), FILTERED_BUDGET],
        'listResolved by status': [() => s.listResolved({ status: 'published', perPage: MATCHES }), 2 * FILTERED_BUDGET],
      } satisfies Parameters<typeof rowsRead>[1];
      await rowsRead(counter, {
        getById: [() => s.getById('e-7'), 2],
        ...(options.statusFilter === false ? {} : byStatus),
        'list by author': [() => s.list({ authorId: 'author-7', status: 'draft', perPage: MATCHES }), FILTERED_BUDGET],
        getLatestVersion: [() => s.getLatestVersion('e-7'), 2],
        getVersionByNumber: [() => s.getVersionByNumber('e-7', 3), 2],
        listVersions: [() => s.listVersions({ [f.parent]: 'e-7', perPage: MATCHES }), FILTERED_BUDGET],
        'listVersions by date': [() => s.listVersions({ [f.parent]: 'e-7', perPage: 5, orderBy: { field: 'createdAt' } }), FILTERED_BUDGET],
        countVersions: [() => s.countVersions('e-7'), MATCHES + 2],
        getVersions: [() => s.getVersions(range(30).map((i) => `v-${i}`)), 3 * 30],
      });
    },
  };
}
