import type { CreateWorkflowDefinitionInput, ListWorkflowDefinitionsInput, UpdateWorkflowDefinitionInput } from '@mastra/core/storage';
import { userError } from '../../errors';
import { requireText } from '../validation';

// Checks of the workflow-definitions arguments. Each throws a USER error naming the field before
// anything is sent, so bad input never writes anything.

/** The fields `upsert` may set, in the order they are written. */
export const FIELDS = ['description', 'metadata', 'inputSchema', 'outputSchema', 'stateSchema', 'requestContextSchema', 'graph', 'schedule', 'status', 'authorId'] as const;

/** What a new definition must carry (truthy, as LibSQLStore requires), in the order the error names them. */
export const REQUIRED = ['inputSchema', 'outputSchema', 'graph'] as const;

type Field = (typeof FIELDS)[number];
type Check = (value: unknown) => string | undefined;

const textOrNull: Check = (v) => (typeof v === 'string' || v === null ? undefined : 'must be a string or null');
const present: Check = (v) => (v === null ? 'must not be null' : undefined);

/** Why a given (not `undefined`) value of a field is refused; JSON fields are checked by the codec. */
const CHECKS: Partial<Record<Field, Check>> = {
  description: textOrNull,
  authorId: textOrNull,
  metadata: (v) => (v === null || (typeof v === 'object' && !Array.isArray(v)) ? undefined : 'must be an object or null'),
  inputSchema: present,
  outputSchema: present,
  graph: (v) => (Array.isArray(v) ? undefined : 'must be an array'),
  status: (v) => (v === 'active' || v === 'archived' ? undefined : "must be 'active' or 'archived'"),
};

function check(operation: string, field: string, value: unknown, rule: Check | undefined): void {
  const problem = rule?.(value);
  if (problem) throw userError(operation, `${field} ${problem}`, { field });
}

/**
 * The id and the fields `input` gives. A key whose value is `undefined` is not given, as in
 * LibSQLStore: it leaves the stored value alone; `null` clears an optional field.
 */
export function upsertArg(operation: string, input: CreateWorkflowDefinitionInput | UpdateWorkflowDefinitionInput): { id: string; given: Partial<Record<Field, unknown>> } {
  if (typeof input !== 'object' || input === null) throw userError(operation, 'the definition must be an object', { field: 'input' });
  const id = requireText(operation, 'id', input.id);
  const given: Partial<Record<Field, unknown>> = {};
  for (const field of FIELDS) {
    const value = (input as unknown as Record<string, unknown>)[field];
    if (value === undefined) continue;
    check(operation, field, value, CHECKS[field]);
    given[field] = value;
  }
  return { id, given };
}

/** The list filters; as in LibSQLStore, an empty status is no filter. */
export function listArg(operation: string, args: ListWorkflowDefinitionsInput | undefined): { status?: string; authorId?: string | null } {
  if (args === undefined) return {};
  if (typeof args !== 'object' || args === null) throw userError(operation, 'the filter must be an object', { field: 'args' });
  if (args.status !== undefined) check(operation, 'status', args.status, (v) => (typeof v === 'string' ? undefined : 'must be a string'));
  if (args.authorId !== undefined) check(operation, 'authorId', args.authorId, textOrNull);
  return { status: args.status || undefined, authorId: args.authorId };
}
