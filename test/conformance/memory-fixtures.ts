import { ErrorCategory, MastraError } from '@mastra/core/error';
import type { MastraDBMessage, StorageThreadType } from '@mastra/core/memory';
import type { MemoryStorage } from '@mastra/core/storage';
import { expect } from 'vitest';
import type { D1Store } from '../../src';

/** The memory domain of a (possibly still starting) store. */
export async function memoryOf(store: D1Store | Promise<D1Store>): Promise<MemoryStorage> {
  return (await (await store).getStore('memory')) as MemoryStorage;
}

/** Expects a USER `MastraError`, optionally mentioning `mentions` (e.g. the offending record's id). */
export async function expectUserError(promise: Promise<unknown>, mentions?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MastraError);
  expect((error as MastraError).category).toBe(ErrorCategory.USER);
  if (mentions) expect((error as MastraError).message).toContain(mentions);
}

/** A fixed clock so tests are deterministic: minute `n` after a base instant. */
export const at = (n: number): Date => new Date(Date.UTC(2026, 0, 1, 0, n, 0));

/** A thread with defaults. */
export function thread(id: string, resourceId = 'res-1', overrides: Partial<StorageThreadType> = {}): StorageThreadType {
  return { id, resourceId, title: `Title ${id}`, metadata: { kind: 'test' }, createdAt: at(0), updatedAt: at(0), ...overrides };
}

/** A v2 message with text content created at minute `minute`. */
export function message(id: string, threadId: string, minute: number, overrides: Partial<MastraDBMessage> = {}): MastraDBMessage {
  return {
    id,
    threadId,
    resourceId: 'res-1',
    role: minute % 2 === 0 ? 'user' : 'assistant',
    createdAt: at(minute),
    content: { format: 2, parts: [{ type: 'text', text: `text of ${id}` }] },
    ...overrides,
  } as MastraDBMessage;
}

/** `count` messages `${prefix}-0..` in one thread, one minute apart starting at `startMinute`. */
export function messages(prefix: string, threadId: string, count: number, startMinute = 1, overrides: Partial<MastraDBMessage> = {}): MastraDBMessage[] {
  return Array.from({ length: count }, (_, i) => message(`${prefix}-${i}`, threadId, startMinute + i, overrides));
}
