import { MAX_VALUE_BYTES } from '../../sql/params';

const encoder = new TextEncoder();

/**
 * Packs JSON-encoded items into JSON arrays of at most `MAX_VALUE_BYTES` each, so every array binds as
 * one D1 parameter under the per-value limit. Each item must fit on its own (checked by the caller).
 */
export function packJsonArrays(items: readonly string[]): string[] {
  const arrays: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = encoder.encode(item).byteLength + 1;
    if (current.length > 0 && bytes + size > MAX_VALUE_BYTES) {
      arrays.push(`[${current.join(',')}]`);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) arrays.push(`[${current.join(',')}]`);
  return arrays;
}
