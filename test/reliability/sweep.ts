import { expect } from 'vitest';
import { tally, verified } from './figures';
import type { Rig } from './rig';

/** How a call under a fault ended. */
export type Outcome = 'resolved' | 'rejected';

/** One operation to sweep: fresh data for each run, the call, and the all-or-nothing check. */
export interface SweepCase<T> {
  setup(): Promise<T>;
  act(data: T): Promise<unknown>;
  /** Must hold whether the call failed (nothing applied) or succeeded (everything applied). */
  check(data: T, outcome: Outcome): Promise<void>;
}

/**
 * Runs the operation once cleanly to count its statements, then once per statement k with a D1
 * failure injected at statement k, checking all-or-nothing after each run. Returns how many
 * statements the operation took.
 */
export async function sweepStatements<T>(rig: Rig, operation: SweepCase<T>): Promise<number> {
  const reference = await operation.setup();
  rig.faults.mark();
  await operation.act(reference);
  const { statements } = rig.faults.since();
  await operation.check(reference, 'resolved');
  expect(statements).toBeGreaterThan(0);

  tally.sweeps += 1;
  for (let k = 1; k <= statements; k++) {
    tally.sweepRuns += 1;
    const data = await operation.setup();
    rig.faults.arm({ statement: k });
    const outcome: Outcome = await operation.act(data).then(
      () => 'resolved',
      () => 'rejected',
    );
    const struck = rig.faults.fired;
    rig.faults.disarm();
    if (struck) expect(outcome, `statement ${k} of ${statements} failed but the call resolved`).toBe('rejected');
    await operation.check(data, outcome);
  }
  return statements;
}

/** Runs a call and reports how it ended, keeping the error for inspection. */
export async function settle(call: Promise<unknown>): Promise<{ outcome: Outcome; error?: unknown }> {
  try {
    await call;
    return { outcome: 'resolved' };
  } catch (error) {
    return { outcome: 'rejected', error };
  }
}

/**
 * Sweeps a read: a failure at any of its statements must reject, and a read that resolves must give
 * exactly the answer of a clean run (a swallowed failure would show up as a short answer).
 */
export async function sweepRead(rig: Rig, read: () => Promise<unknown>): Promise<void> {
  const expected = JSON.stringify(await read());
  let answer: string | undefined;
  await sweepStatements(rig, {
    setup: async () => {
      answer = undefined;
    },
    act: async () => {
      answer = JSON.stringify(await read());
    },
    check: async (_none, outcome) => {
      if (outcome === 'resolved') expect(answer).toBe(expected);
      verified(1);
    },
  });
}
