/**
 * `npm run bench [-- --only <text>] [-- --no-bundle]`: every workload on a fresh Miniflare D1 for this
 * package and for @mastra/cloudflare-d1@1.0.1, counted and timed, printed as one markdown report.
 */
import os from 'node:os';
import { bundleSizes } from './bundle-size';
import { measure } from './measure';
import { bundleTable, LEGEND, table, type Row } from './report';
import { IMPLS } from './subjects';
import type { Workload } from './workload';
import { agentWorkloads } from './workloads/agent';
import { initWorkloads } from './workloads/init';
import { memoryWorkloads } from './workloads/memory';
import { observabilityWorkloads } from './workloads/observability';
import { scoreWorkloads } from './workloads/scores';
import { workflowWorkloads } from './workloads/workflows';

process.env.MASTRA_TELEMETRY_DISABLED ??= '1';

const WORKLOADS: Workload[] = [...initWorkloads, ...memoryWorkloads, ...agentWorkloads, ...workflowWorkloads, ...scoreWorkloads, ...observabilityWorkloads];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : (process.argv[i + 1] ?? '');
}

async function main() {
  const only = option('--only')?.toLowerCase();
  const selected = WORKLOADS.filter((w) => !only || w.name.toLowerCase().includes(only));
  const started = performance.now();
  const rows: Row[] = [];
  for (const w of selected) {
    const t = performance.now();
    const outcomes = await measure(w);
    const brief = IMPLS.map((impl) => {
      const o = outcomes[impl];
      return `${impl} ${o.kind === 'measured' ? `${o.roundTrips} round trips` : `${o.kind}: ${o.reason}`}`;
    });
    process.stderr.write(`${w.name}: ${brief.join(', ')} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
    rows.push({ workload: w, outcomes });
  }

  const cpus = os.cpus();
  const out = [
    `Command: \`npm run bench\`${only ? ` (--only ${only})` : ''}. Node ${process.version}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `load average ${os.loadavg()[0]!.toFixed(1)} at the end, ${new Date().toISOString().slice(0, 16)}Z, total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    '',
    LEGEND,
    '',
    table(rows),
  ];
  if (!process.argv.includes('--no-bundle')) out.push('', bundleTable(await bundleSizes()));
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
