import type { StorageListWorkflowRunsInput, UpdateWorkflowStateOptions } from '@mastra/core/storage';
import { userError } from '../../errors';
import { isoDate, optionalText, requireText } from '../validation';
import type { RunFilters } from './sql';

/** A run's key, checked: both parts non-empty strings (a USER error otherwise, before anything is sent). */
export function runKey(operation: string, args: { workflowName: unknown; runId: unknown }): { workflowName: string; runId: string } {
  return { workflowName: requireText(operation, 'workflowName', args?.workflowName), runId: requireText(operation, 'runId', args?.runId) };
}

/** The snapshot to persist: any JSON value, as LibSQLStore stores it, but not `undefined`. */
export function snapshotArg(operation: string, snapshot: unknown): unknown {
  if (snapshot === undefined) throw userError(operation, 'snapshot is required', { field: 'snapshot' });
  return snapshot;
}

/** `opts` of updateWorkflowState, checked: a string status and, when given, string expected statuses. */
export function stateOptions(operation: string, opts: UpdateWorkflowStateOptions): UpdateWorkflowStateOptions {
  if (typeof opts !== 'object' || opts === null) throw userError(operation, 'opts must be an object', { field: 'opts' });
  requireText(operation, 'opts.status', opts.status);
  const expected = opts.expectedStatus;
  if (expected !== undefined && ![expected].flat().every((status) => typeof status === 'string')) {
    throw userError(operation, 'opts.expectedStatus must be a status or a list of statuses', { field: 'opts.expectedStatus' });
  }
  return opts;
}

/** listWorkflowRuns filters in their stored form; wrong types are USER errors. */
export function runFilters(operation: string, args: StorageListWorkflowRunsInput): RunFilters {
  const date = (field: 'fromDate' | 'toDate') => (args[field] === undefined ? undefined : isoDate(operation, args[field], field));
  return {
    workflowName: optionalText(operation, 'workflowName', args.workflowName),
    resourceId: optionalText(operation, 'resourceId', args.resourceId),
    status: optionalText(operation, 'status', args.status),
    threadId: optionalText(operation, 'threadId', args.threadId),
    fromDate: date('fromDate'),
    toDate: date('toDate'),
  };
}

/**
 * Whether listWorkflowRuns pages: only with both a numeric `page` and a numeric `perPage`, as in
 * LibSQLStore (otherwise every match). Values of the wrong type are USER errors, not "no paging".
 */
export function pages(operation: string, { page, perPage }: StorageListWorkflowRunsInput): { page: number; perPage: number } | undefined {
  if (page !== undefined && typeof page !== 'number') throw userError(operation, 'page must be a number', { page: String(page) });
  if (perPage !== undefined && perPage !== false && typeof perPage !== 'number') throw userError(operation, 'perPage must be a number or false', { perPage: String(perPage) });
  return typeof page === 'number' && typeof perPage === 'number' ? { page, perPage } : undefined;
}
