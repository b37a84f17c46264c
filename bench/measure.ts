/**
 * Runs one workload on both packages: a fresh database each, setup, then counted and timed
 * repetitions, alternating between the packages so that load from other processes on the machine
 * falls on both alike.
 */
import { IMPLS, MissingDomain, openSubject, type Impl, type Subject } from './subjects';
import type { Tally } from './counting-d1';
import type { Workload } from './workload';

/** Added latency per round trip, in ms: none, and a typical Worker-to-D1 hop. */
export const LATENCIES = [0, 20] as const;
/** Repetitions per latency unless a workload asks for fewer. */
export const DEFAULT_REPS = 9;
/** Statements one Worker invocation may issue (paid plan); each statement of a batch counts. */
export const WORKER_QUERY_LIMIT = 1000;
/** Bound parameters D1 accepts per statement. */
export const PARAM_LIMIT = 100;

/** A workload's numbers on one package, or why there are none. */
export type Outcome =
  | {
      kind: 'measured';
      roundTrips: number;
      statements: number;
      params: number;
      maxParams: number;
      rowsRead: number;
      /** Median ms per op for each entry of LATENCIES. */
      ms: number[];
      reps: number;
      /** Wrong results (e.g. a read that swallowed an error) and D1 limits exceeded. */
      problems: string[];
    }
  | { kind: 'n/a' | 'failed'; reason: string };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function messages(error: unknown): string[] {
  const seen: string[] = [];
  for (let e = error; e instanceof Error && seen.length < 5; e = e.cause) seen.push(e.message);
  return seen.length ? seen : [String(error)];
}

/** A missing domain or a method still throwing "not implemented" is n/a; anything else failed. */
function explain(error: unknown, phase: string): Outcome {
  if (error instanceof MissingDomain) return { kind: 'n/a', reason: error.message };
  const text = messages(error);
  if (text.some((m) => /not implemented|does not support/i.test(m))) return { kind: 'n/a', reason: 'not implemented' };
  const first = text.find((m) => m.trim() !== '') ?? 'unknown error';
  return { kind: 'failed', reason: `${phase}: ${first.split('\n')[0]!.slice(0, 160)}` };
}

/** One package's side of a workload while it runs. */
interface Arm {
  impl: Impl;
  subject: Subject;
  shared?: unknown;
  reps: number;
  tallies: Tally[];
  times: number[][];
  problems: Set<string>;
  failure?: Outcome;
}

async function openArm(w: Workload, impl: Impl): Promise<Arm> {
  const subject = await openSubject(impl);
  const arm: Arm = { impl, subject, reps: w.reps?.[impl] ?? DEFAULT_REPS, tallies: [], times: LATENCIES.map(() => []), problems: new Set() };
  try {
    if (w.initialized !== false) await subject.store.init();
    arm.shared = await w.setup?.(subject);
  } catch (error) {
    arm.failure = explain(error, 'setup');
  }
  return arm;
}

async function repeat(w: Workload, arm: Arm, latencyIndex: number, rep: number): Promise<void> {
  const d1 = arm.subject.d1;
  let phase = 'setup';
  try {
    const prepared = await w.before?.(arm.subject, arm.shared, rep);
    phase = 'run';
    d1.reset();
    d1.delayMs = LATENCIES[latencyIndex]!;
    const start = performance.now();
    const result = await w.run(arm.subject, arm.shared, prepared).finally(() => (d1.delayMs = 0));
    arm.times[latencyIndex]!.push(performance.now() - start);
    if (latencyIndex === 0) arm.tallies.push({ ...d1.tally });
    const problem = w.check?.(result, arm.shared, prepared);
    if (problem) arm.problems.add(`wrong result (${problem})`);
  } catch (error) {
    arm.failure = explain(error, phase);
  }
}

function outcome(arm: Arm): Outcome {
  if (arm.failure) return arm.failure;
  const pick = (key: keyof Tally) => median(arm.tallies.map((t) => t[key]));
  const statements = pick('statements');
  const maxParams = Math.max(...arm.tallies.map((t) => t.maxParams));
  if (statements > WORKER_QUERY_LIMIT) arm.problems.add(`${statements} statements: over a Worker's ${WORKER_QUERY_LIMIT}-query limit`);
  if (maxParams > PARAM_LIMIT) arm.problems.add(`a statement binds ${maxParams} params: over D1's ${PARAM_LIMIT}`);
  return {
    kind: 'measured',
    roundTrips: pick('roundTrips'),
    statements,
    params: pick('params'),
    maxParams,
    rowsRead: pick('rowsRead'),
    ms: arm.times.map(median),
    reps: arm.reps,
    problems: [...arm.problems],
  };
}

/** Measures `w` on both packages at every latency. Never throws: failures become outcomes. */
export async function measure(w: Workload): Promise<Record<Impl, Outcome>> {
  const arms: Arm[] = [];
  try {
    for (const impl of IMPLS) arms.push(await openArm(w, impl));
    let rep = 0;
    for (let latency = 0; latency < LATENCIES.length; latency++) {
      const most = Math.max(...arms.map((a) => a.reps));
      for (let i = 0; i < most; i++, rep++) {
        // Alternate which package goes first, so neither always runs on a warmer machine.
        const order = i % 2 ? [...arms].reverse() : arms;
        for (const arm of order) if (!arm.failure && i < arm.reps) await repeat(w, arm, latency, rep);
      }
    }
    return Object.fromEntries(arms.map((arm) => [arm.impl, outcome(arm)])) as Record<Impl, Outcome>;
  } finally {
    for (const arm of arms) await arm.subject.close();
  }
}
