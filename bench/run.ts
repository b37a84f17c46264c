/**
 * `npm run bench [-- --only <text>] [-- --no-bundle] [-- --write]`: every workload on a fresh Miniflare D1
 * for this package and for @mastra/cloudflare-d1@1.0.1, counted and timed, printed as one markdown report.
 * `--write` (full runs only) puts that report into README.md and bench/RESULTS.md between their
 * `<!-- bench:start -->` and `<!-- bench:end -->` markers, so every figure there comes from one run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { bundleSizes } from './bundle-size';
import { measure } from './measure';
import { bundleTable, highlights, LEGEND, table, type Row } from './report';
import { IMPLS } from './subjects';
import type { Workload } from './workload';
import { agentWorkloads } from './workloads/agent';
import { editorWorkloads } from './workloads/editor';
import { evalsWorkloads } from './workloads/evals';
import { initWorkloads } from './workloads/init';
import { memoryWorkloads } from './workloads/memory';
import { observabilityWorkloads } from './workloads/observability';
import { observabilitySignalsWorkloads } from './workloads/observability-signals';
import { runtimeWorkloads } from './workloads/runtime';
import { scoreWorkloads } from './workloads/scores';
import { traceQueryWorkloads } from './workloads/trace-query';
import { workflowWorkloads } from './workloads/workflows';

process.env.MASTRA_TELEMETRY_DISABLED ??= '1';

const WORKLOADS: Workload[] = [
  ...initWorkloads,
  ...memoryWorkloads,
  ...agentWorkloads,
  ...workflowWorkloads,
  ...scoreWorkloads,
  ...observabilityWorkloads,
  ...observabilitySignalsWorkloads,
  ...traceQueryWorkloads,
  ...runtimeWorkloads,
  ...editorWorkloads,
  ...evalsWorkloads,
];

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
  out.push('', highlights(rows));
  if (!process.argv.includes('--no-bundle')) out.push('', bundleTable(await bundleSizes()));
  const report = out.join('\n');
  process.stdout.write(`${report}\n`);
  if (process.argv.includes('--write')) {
    if (only || process.argv.includes('--no-bundle')) throw new Error('--write needs a full run: drop --only and --no-bundle');
    for (const file of ['README.md', 'bench/RESULTS.md']) await writeBetweenMarkers(new URL(`../${file}`, import.meta.url), report);
    process.stderr.write('Wrote the report into README.md and bench/RESULTS.md.\n');
  }
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

async function writeBetweenMarkers(file: URL, report: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${file.pathname} has no ${START} ... ${END} markers`);
  await writeFile(file, `${text.slice(0, start + START.length)}\n${report}\n${text.slice(end)}`);
}

await main();
