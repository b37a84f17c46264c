import { basename } from 'node:path';
import { expect, type RunnerTestFile, type RunnerTestSuite } from 'vitest';
import type { FaultCounters } from '../support/faults';

/** What one test file of the suite counted; write-figures.ts sums them over the files into FIGURES.md. */
export interface FileFigures extends FaultCounters {
  file: string;
  /** Assertions the tests made, not counting the rig's own check after each test. */
  checks: number;
  sweeps: number;
  sweepRuns: number;
  rowsVerified: number;
  httpFaults: number;
  /** Statements over D1's limits left in the wrapper after a test (a test that breaks them on purpose takes its own). */
  overLimits: number;
}

declare module 'vitest' {
  interface TaskMeta {
    /** A reliability file's figures, set on its test module when the file ends. */
    reliability?: FileFigures;
  }
}

/** The running tally of the current test file. */
export const tally = { checks: 0, sweeps: 0, sweepRuns: 0, rowsVerified: 0, httpFaults: 0, overLimits: 0 };

/** Counts rows a test read back and compared, for the "rows verified" figure. */
export function verified(rows: number): void {
  tally.rowsVerified += rows;
}

/**
 * Counts a test that just ended: its assertions and the over-limit statements it left. Call it in the
 * rig's `afterEach` before the rig asserts anything, so the rig's own check is not counted as the test's.
 */
export function countTest(overLimits: number): void {
  tally.checks += expect.getState().assertionCalls;
  tally.overLimits += overLimits;
}

/**
 * Puts this file's figures in its test module's meta (from a top-level `afterAll`), where vitest hands
 * them to the write-figures.ts reporter together with its own results for the file.
 */
export function attachFigures(file: Readonly<RunnerTestSuite | RunnerTestFile>, fileUrl: string, counters: FaultCounters): void {
  file.meta.reliability = { file: basename(fileUrl).replace(/\.test\.ts$/, ''), ...tally, ...counters };
}
