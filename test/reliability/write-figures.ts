/**
 * A vitest reporter that turns one full run of test/reliability into FIGURES.md and the README's
 * "Reliability" section (between `<!-- reliability:start -->` and `<!-- reliability:end -->`), so every
 * figure there comes from that run: pass and fail counts from vitest's own results, the rest from the
 * figures each file's rig attached to its test module (figures.ts). `npm run figures` runs it; a run of
 * only some of the files prints its figures and writes nothing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename } from 'node:path';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import type { FileFigures } from './figures';

type Summed = Exclude<keyof FileFigures, 'file'>;

const SUITE_DIR = new URL('./', import.meta.url);
const START = '<!-- reliability:start -->';
const END = '<!-- reliability:end -->';

interface FileRun {
  figures: FileFigures;
  passed: number;
  failed: number;
  skipped: number;
}

const n = (value: number) => value.toLocaleString('en-US');

function fileRun(module: TestModule): FileRun | undefined {
  const figures = module.meta().reliability;
  if (!figures) return undefined;
  const count = (state: 'passed' | 'failed' | 'skipped') => [...module.children.allTests(state)].length;
  return { figures, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

function markdown(runs: FileRun[], seconds: number): string {
  const sum = (key: Summed) => runs.reduce((total, r) => total + r.figures[key], 0);
  const max = (key: Summed) => Math.max(0, ...runs.map((r) => r.figures[key]));
  const tests = (key: 'passed' | 'failed' | 'skipped') => runs.reduce((total, r) => total + r[key], 0);
  const rows: [string, string][] = [
    ['Tests passed (most run once on the binding and once over REST)', `${n(tests('passed'))} (${n(tests('failed'))} failed, ${n(tests('skipped'))} skipped)`],
    ['Checks (assertions) made by the tests', n(sum('checks'))],
    ['Faults injected into D1 (statement or round trip)', n(sum('faultsInjected'))],
    ['HTTP faults answered by the REST emulator', n(sum('httpFaults'))],
    ['Fault sweeps / runs (one run per statement struck; the init() sweep strikes a sample)', `${n(sum('sweeps'))} / ${n(sum('sweepRuns'))}`],
    ['Rows read back and verified', n(sum('rowsVerified'))],
    ['Statements / round trips through the checking wrapper', `${n(sum('statements'))} / ${n(sum('roundTrips'))}`],
    ['Statements over 100 parameters or 100,000 bytes of SQL (checked after every test)', n(sum('overLimits'))],
    ['Widest / longest statement seen', `${max('maxParams')} parameters / ${n(max('maxSqlBytes'))} bytes of SQL`],
    [`Wall time (${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version})`, `${seconds} s`],
  ];
  const perFile = runs.map(
    ({ figures: f, passed }) => `| ${f.file} | ${n(passed)} | ${n(f.checks)} | ${n(f.faultsInjected + f.httpFaults)} | ${n(f.sweepRuns)} | ${n(f.rowsVerified)} |`,
  );

  return `Every figure below comes from one run of \`npm run figures\` (test/reliability, written by its reporter
test/reliability/write-figures.ts) on ${new Date().toISOString().slice(0, 10)}, on the Workers binding and on the
REST client (real HTTP to the local D1 REST emulator), against a real D1 (Miniflare). Faults are injected by a
wrapper around the D1 binding (test/support/faults.ts) that fails the k-th statement or round trip, either
through D1 itself (so a failing batch is rolled back by D1) or with Cloudflare's transient/permanent error texts,
before or after the write applied; the same wrapper checks every statement against D1's limits.
The custom \`client\` option is left out of the all-or-nothing claims (its batch runs statement by statement,
documented as not atomic); its retries, errors and limits are checked in custom-client.test.ts.

| figure | value |
|---|---|
${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

| file | tests passed | checks | faults | sweep runs | rows verified |
|---|---|---|---|---|---|
${perFile.join('\n')}

What the suite shows:
- **Nothing half-written.** A failure at every statement of \`saveMessages\` (250 messages), \`deleteThread\`,
  \`updateMessages\`, \`deleteMessages\`, \`cloneThread\`, \`updateThreadResourceId\`, \`batchCreateSpans\` (150 spans),
  \`batchUpdateSpans\`, \`batchDeleteTraces\`, \`swapBufferedToActive\`, memory's \`dangerouslyClearAll\` and \`init()\`
  leaves all or nothing.
- **Retries are safe.** Each of D1's five transient errors is retried on idempotent work, before or after the write
  applied, and the data exists exactly once; permanent errors are thrown after one attempt; a compare-and-set or a
  new reflection generation whose reply was lost is not repeated. Over REST: a 500 (even after the write applied),
  a 429 with \`retry-after\`, a hang (rejects within \`timeoutMs\`), a malformed body and a wrong token each give
  success-once or a clear error.
- **Limits.** 250 messages in one save, 1,000 ids in one lookup, 30 \`include\` entries (same result as LibSQL),
  1.5 MB messages and snapshots byte-exact; a 2.5 MB value is a USER error naming the record, nothing written.
- **Input never becomes SQL.** Quotes, emoji, control characters and SQL fragments round-trip exactly through every
  text field; crafted metadata filters and \`orderBy\` values match nothing or are refused; no executed SQL text ever
  contained the marker planted in the input; bad \`tablePrefix\` values are refused at construction.
- **Concurrency.** 50 concurrent saves (150 messages), 20 concurrent step results on one run, 10 concurrent
  \`init()\`s, two racing resumes (exactly one wins, 10 rounds) and concurrent metadata updates, from two stores
  (binding and REST) on one database.
- **Isolation and honesty.** Stores on look-alike prefixes never see each other's rows, clearing one leaves the others,
  and every read fails loudly (never \`null\`/\`[]\`) when D1 fails.`;
}

function writeBetweenMarkers(file: URL, body: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end < start) throw new Error(`${file.pathname} has no ${START} ... ${END} markers`);
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`);
}

/** Sums the reliability files of a run into FIGURES.md and the README, when the run covered them all. */
export default class FiguresReporter implements Reporter {
  #started = Date.now();

  onTestRunStart(): void {
    this.#started = Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): void {
    const runs = modules.flatMap((module) => fileRun(module) ?? []).sort((a, b) => a.figures.file.localeCompare(b.figures.file));
    const suite = readdirSync(SUITE_DIR).filter((name) => name.endsWith('.test.ts')).map((name) => basename(name, '.test.ts'));
    const missing = suite.filter((file) => !runs.some((r) => r.figures.file === file));
    const body = markdown(runs, Math.round((Date.now() - this.#started) / 1000));
    console.log(`\n${body}\n`);
    if (reason === 'interrupted' || missing.length > 0) {
      console.log(`Reliability figures not written: ${reason === 'interrupted' ? 'the run was interrupted' : `no figures from ${missing.join(', ')}`}.`);
      return;
    }
    writeFileSync(new URL('FIGURES.md', SUITE_DIR), `<!-- Generated by test/reliability/write-figures.ts (npm run figures); do not edit by hand. -->\n${body}\n`);
    writeBetweenMarkers(new URL('../../README.md', SUITE_DIR), body);
    console.log('Wrote test/reliability/FIGURES.md and the README\'s "Reliability" section.');
  }
}
