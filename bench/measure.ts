/** Runs one workload on one package: fresh database, setup, then counted and timed repetitions. */
import { MissingDomain, openSubject, type Impl } from './subjects';
import type { Workload } from './workload';

/** Added latency per round trip, in ms: none, and a typical Worker-to-D1 hop. */
export const LATENCIES = [0, 20] as const;
const DEFAULT_REPS = 5;
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

/** Measures `w` on `impl` at every latency. Never throws: failures become the outcome. */
export async function measure(w: Workload, impl: Impl): Promise<Outcome> {
  const subject = await openSubject(impl);
  const d1 = subject.d1;
  let phase = 'setup';
  try {
    if (w.initialized !== false) await subject.store.init();
    const shared = await w.setup?.(subject);
    const reps = w.reps?.[impl] ?? DEFAULT_REPS;
    const tallies: { roundTrips: number; statements: number; params: number; maxParams: number }[] = [];
    const ms: number[] = [];
    const problems = new Set<string>();
    let rep = 0;
    for (const latency of LATENCIES) {
      const times: number[] = [];
      for (let i = 0; i < reps; i++, rep++) {
        phase = 'setup';
        const prepared = await w.before?.(subject, shared, rep);
        phase = 'run';
        d1.reset();
        d1.delayMs = latency;
        const start = performance.now();
        const result = await w.run(subject, shared, prepared).finally(() => (d1.delayMs = 0));
        times.push(performance.now() - start);
        if (latency === 0) tallies.push({ ...d1.tally });
        const problem = w.check?.(result, shared, prepared);
        if (problem) problems.add(`wrong result (${problem})`);
      }
      ms.push(median(times));
    }
    const pick = (key: keyof (typeof tallies)[number]) => median(tallies.map((t) => t[key]));
    const statements = pick('statements');
    const maxParams = Math.max(...tallies.map((t) => t.maxParams));
    if (statements > WORKER_QUERY_LIMIT) problems.add(`${statements} statements: over a Worker's ${WORKER_QUERY_LIMIT}-query limit`);
    if (maxParams > PARAM_LIMIT) problems.add(`a statement binds ${maxParams} params: over D1's ${PARAM_LIMIT}`);
    return { kind: 'measured', roundTrips: pick('roundTrips'), statements, params: pick('params'), maxParams, ms, reps, problems: [...problems] };
  } catch (error) {
    return explain(error, phase);
  } finally {
    await subject.close();
  }
}
