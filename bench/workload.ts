import type { Impl, Subject } from './subjects';

/**
 * One benchmarked operation. `setup` runs once per package on its fresh database, `before` once per
 * repetition (both uncounted, with no added latency); only `run` is counted and timed.
 */
export interface Workload<Shared = any, Prepared = any> {
  /** Group heading in the table. */
  group: string;
  name: string;
  /** Fewest round trips possible (from mastra-storage.md). */
  floor: number;
  /** False for an end-to-end check outside the list, kept out of the summary's means. */
  inSummary?: boolean;
  /** False for workloads that measure init() itself: the runner then leaves the store uninitialized. */
  initialized?: boolean;
  /** Repetitions per latency setting; heavy workloads use fewer, especially on the original. */
  reps?: Partial<Record<Impl, number>>;
  setup?(subject: Subject): Promise<Shared>;
  before?(subject: Subject, shared: Shared, rep: number): Promise<Prepared>;
  run(subject: Subject, shared: Shared, prepared: Prepared): Promise<unknown>;
  /** Returns what is wrong with a result (e.g. a read that silently came back empty), if anything. */
  check?(result: unknown, shared: Shared, prepared: Prepared): string | undefined;
}

/** Identity helper that keeps a workload's `Shared`/`Prepared` types tied together. */
export function workload<S, P = undefined>(w: Workload<S, P>): Workload<S, P> {
  return w;
}

/** A check that a result list has the expected length. */
export function expectCount(what: string, actual: number | undefined, expected: number): string | undefined {
  return actual === expected ? undefined : `${what}: got ${actual ?? 'none'}, expected ${expected}`;
}
