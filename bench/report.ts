/** Turns measurements into the markdown table, its notes and the one-line summary. */
import type { BundleSize } from './bundle-size';
import { DEFAULT_REPS, LATENCIES, type Outcome } from './measure';
import { IMPL_LABEL, type Impl } from './subjects';
import type { Workload } from './workload';
import { DOMAIN_CLASSES } from '../src/domains/registry';

/** One row of the table. */
export interface Row {
  workload: Workload;
  outcomes: Record<Impl, Outcome>;
}

type Measured = Extract<Outcome, { kind: 'measured' }>;
const measured = (o: Outcome): o is Measured => o.kind === 'measured';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(1) : int(n));
const ratio = (a: number, b: number) => {
  if (b === 0) return '–';
  const r = a / b;
  // Two significant digits below 0.1, so 1/2,001 does not print as 0.00.
  return r < 0.1 ? r.toPrecision(2) : r.toFixed(2);
};

function pair(row: Row, value: (o: Measured) => string): string {
  const cell = (o: Outcome) => (measured(o) ? value(o) : o.kind);
  return `${cell(row.outcomes.ours)} / ${cell(row.outcomes.original)}`;
}

function atFloor(row: Row): string {
  const ours = row.outcomes.ours;
  if (!measured(ours)) return '–';
  return ours.roundTrips <= row.workload.floor ? 'yes' : `**no** (${int(ours.roundTrips)})`;
}

function ratios(row: Row): [string, string] {
  const { ours, original } = row.outcomes;
  // 0 round trips on both sides (init again) leaves only timer noise to compare.
  if (!measured(ours) || !measured(original) || original.roundTrips === 0) return ['–', '–'];
  return [ratio(ours.roundTrips, original.roundTrips), ratio(ours.ms[1]!, original.ms[1]!)];
}

function describe(o: Outcome): string | undefined {
  if (measured(o)) return o.problems.length ? o.problems.join('; ') : undefined;
  return o.kind === 'n/a' ? `n/a (${o.reason})` : `failed: ${o.reason}`;
}

function reducedReps(row: Row): string | undefined {
  const counts = (['ours', 'original'] as const).flatMap((impl) => {
    const o = row.outcomes[impl];
    return measured(o) && o.reps < DEFAULT_REPS ? [`${impl === 'ours' ? 'ours' : 'original'} ${o.reps}`] : [];
  });
  return counts.length ? `repetitions per latency: ${counts.join(', ')}` : undefined;
}

const geomean = (values: number[]) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);

/** The one summary line: geometric means of ours/original over workloads both packages ran. */
export function summary(rows: Row[]): string {
  const both = rows.flatMap((row) => {
    if (row.workload.inSummary === false) return [];
    const { ours, original } = row.outcomes;
    return measured(ours) && measured(original) && ours.roundTrips > 0 && original.roundTrips > 0 ? [{ ours, original }] : [];
  });
  if (both.length === 0) return 'Summary: no workload ran on both packages yet.';
  const rt = geomean(both.map(({ ours, original }) => ours.roundTrips / original.roundTrips));
  const wall = geomean(both.map(({ ours, original }) => ours.ms[1]! / original.ms[1]!));
  return (
    `Summary over the ${both.length} listed operations measured on both packages (round trips > 0; the end-to-end agent turn ` +
    `is not included): geometric-mean ratio ours/original ` +
    `of round trips = **${rt.toFixed(2)}**, of wall time at ${LATENCIES[1]} ms per round trip = **${wall.toFixed(2)}**.`
  );
}

/** The full markdown: table, notes, summary. */
export function table(rows: Row[]): string {
  const head =
    `| workload | floor | ours at floor | round trips/op (ours / original) | statements/op | bound params/op | rows read/op | ` +
    `ms/op at ${LATENCIES[0]} ms | ms/op at ${LATENCIES[1]} ms | round-trip ratio | ${LATENCIES[1]} ms wall ratio |`;
  const lines = [head, '|---|--:|:-:|--:|--:|--:|--:|--:|--:|--:|--:|'];
  const notes: string[] = [];
  let group = '';
  for (const row of rows) {
    if (row.workload.group !== group) {
      group = row.workload.group;
      lines.push(`| **${group}** | | | | | | | | | | |`);
    }
    const [rtRatio, wallRatio] = ratios(row);
    const noteParts = [
      describe(row.outcomes.ours) && `ours: ${describe(row.outcomes.ours)}`,
      describe(row.outcomes.original) && `original: ${describe(row.outcomes.original)}`,
      reducedReps(row),
    ].filter(Boolean);
    const mark = noteParts.length ? ` [${notes.length + 1}]` : '';
    if (noteParts.length) notes.push(`${notes.length + 1}. ${row.workload.name}: ${noteParts.join('; ')}.`);
    lines.push(
      `| ${row.workload.name}${mark} | ${row.workload.floor} | ${atFloor(row)} | ${pair(row, (o) => int(o.roundTrips))} | ` +
        `${pair(row, (o) => int(o.statements))} | ${pair(row, (o) => int(o.params))} | ${pair(row, (o) => int(o.rowsRead))} | ${pair(row, (o) => ms(o.ms[0]!))} | ` +
        `${pair(row, (o) => ms(o.ms[1]!))} | ${rtRatio} | ${wallRatio} |`,
    );
  }
  return [lines.join('\n'), '', ...notes, '', summary(rows)].join('\n');
}

/** The budget for the package's minified Worker bundle with all 24 of core's storage domains. */
export const BUNDLE_BUDGET_BYTES = 138 * 1000;

/** The bundle-size table, and where this package stands against its budget. */
export function bundleTable(sizes: BundleSize[]): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const ours = sizes[0]!;
  const verdict = ours.raw <= BUNDLE_BUDGET_BYTES ? 'within' : '**over**';
  return [
    '| bundle (minified, esbuild, `@mastra/core` and `zod` external unless stated) | raw | gzip |',
    '|---|--:|--:|',
    ...sizes.map((s) => `| ${s.label} | ${kb(s.raw)} | ${kb(s.gzip)} |`),
    '',
    `Budget for the package with all 24 of \`@mastra/core\`'s storage domains: ${int(BUNDLE_BUDGET_BYTES / 1000)} KB minified; ` +
      `with the ${DOMAIN_CLASSES.length} domains it has now, ${ours.label} is ${kb(ours.raw)} (${int(ours.raw / 1000)} KB), ${verdict} budget.`,
  ].join('\n');
}

/** Sentences for the figures the README talks about, written from this run's rows. */
export function highlights(rows: Row[]): string {
  const find = (name: string) => rows.find((row) => row.workload.name === name);
  const lines: string[] = [];
  const save = find('saveMessages of 1,000');
  if (save && measured(save.outcomes.ours) && measured(save.outcomes.original)) {
    const [ours, original] = [save.outcomes.ours, save.outcomes.original];
    lines.push(
      `- \`saveMessages\` of 1,000 messages: ${int(ours.roundTrips)} round trip of ${int(ours.statements)} statements here; ` +
        `the original sends ${int(original.statements)} statements one after another (${ms(original.ms[1]! / 1000)} s against ${ms(ours.ms[1]! / 1000)} s at ${LATENCIES[1]} ms per round trip).`,
    );
  }
  const page = find('listMessages: newest 40 of 1,000');
  if (page && measured(page.outcomes.ours) && measured(page.outcomes.original)) {
    lines.push(
      `- A page of 40 of a thread's 1,000 messages reads ${int(page.outcomes.ours.rowsRead)} rows here (served by an index) and ` +
        `${int(page.outcomes.original.rowsRead)} in the original, which has no secondary index.`,
    );
  }
  const init = find('init() of a new instance on an up-to-date database');
  if (init && measured(init.outcomes.ours)) {
    lines.push(
      `- A new store instance on an up-to-date database initialises in ${int(init.outcomes.ours.roundTrips)} round trip of ` +
        `${int(init.outcomes.ours.statements)} statement (the schema marker read), whatever the number of domains.`,
    );
  }
  const offFloor = rows.filter((row) => measured(row.outcomes.ours) && row.outcomes.ours.roundTrips > row.workload.floor);
  lines.push(offFloor.length === 0 ? '- Every operation ran at its floor.' : `- Above their floor: ${offFloor.map((row) => row.workload.name).join(', ')}.`);
  return lines.join('\n');
}

/** Labels for the two columns of every pair. */
export const LEGEND = `Each pair is ours / original: ours = ${IMPL_LABEL.ours}, original = ${IMPL_LABEL.original}.`;
