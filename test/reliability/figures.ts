import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one test file of the suite counted; summed over files into FIGURES.md. */
export interface FileFigures {
  file: string;
  tests: number;
  checks: number;
  faultsInjected: number;
  httpFaults: number;
  sweeps: number;
  sweepRuns: number;
  rowsVerified: number;
  statements: number;
  roundTrips: number;
  maxParams: number;
  maxSqlBytes: number;
}

/** The running tally of the current test file. */
export const tally = { tests: 0, checks: 0, sweeps: 0, sweepRuns: 0, rowsVerified: 0, httpFaults: 0 };

/** Counts rows a test read back and compared, for the "rows verified" figure. */
export function verified(rows: number): void {
  tally.rowsVerified += rows;
}

/**
 * Writes this file's figures as JSON when `RELIABILITY_FIGURES_DIR` is set (see write-figures.ts);
 * an ordinary `npm test` writes nothing.
 */
export function saveFigures(figures: FileFigures): void {
  const dir = process.env.RELIABILITY_FIGURES_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${figures.file}.json`), JSON.stringify(figures, null, 2));
}
