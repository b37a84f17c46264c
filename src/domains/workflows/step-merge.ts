import type { StepResult } from '@mastra/core/workflows';
import { shallowMergeSql } from '../../sql/json';

// Core's mergeWorkflowStepResult, done by SQL over the stored snapshot so parallel branches never
// overwrite each other. A foreach step's `output` array is merged element by element: each new
// element says what to do with the stored one at its index, and that instruction is decided here in
// JS (it depends only on the new result), leaving SQL one CASE per element.

const PENDING_MARKER_KEY = '__mastra_pending__';

/** What a new foreach element does to the stored element at its index. */
type ElementPlan = 'take' | 'pending' | 'keep';

/** How to merge one step result into the stored snapshot. */
export interface StepMergePlan {
  /** Whether the new result has an array `output`: then a stored array output is merged per element. */
  foreach: boolean;
  /** Whether any new element is a pending marker: then the stored result's other fields are kept. */
  hasPending: boolean;
  /** One plan per new element, as a JSON array bound as one parameter. */
  elementsJson: string;
}

function isPendingMarker(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.keys(value).length === 1 &&
    (value as Record<string, unknown>)[PENDING_MARKER_KEY] === true
  );
}

/** Plans the merge of `result` the way core's `mergeWorkflowStepResult` treats it. */
export function planStepMerge(result: StepResult<unknown, unknown, unknown, unknown>): StepMergePlan {
  const output = (result as { output?: unknown } | null)?.output;
  if (!Array.isArray(output)) return { foreach: false, hasPending: false, elementsJson: '[]' };
  const hasPending = output.some(isPendingMarker);
  const elements: ElementPlan[] = output.map((value) => {
    if (isPendingMarker(value)) return 'pending';
    return value !== null && value !== undefined && !hasPending ? 'take' : 'keep';
  });
  return { foreach: true, hasPending, elementsJson: JSON.stringify(elements) };
}

/** A stored element a pending marker may reset to null: none yet, a marker, or a suspended iteration. */
function resettable(element: string): string {
  return `(${element} IS NULL OR json_type(${element}) = 'null'
    OR (json_type(${element}) = 'object' AND json_type(${element}, '$.${PENDING_MARKER_KEY}') = 'true'
        AND (SELECT count(*) FROM json_each(${element})) = 1)
    OR (${element} ->> '$.status' = 'suspended'
        AND (json_type(${element}, '$.suspendPayload') IS NOT NULL OR json_type(${element}, '$.suspendedAt') IS NOT NULL)))`;
}

/**
 * SQL for the step's merged result. `stored` is the path parameter of the step's stored result (e.g.
 * `?5` holding `$.context."step"`), `result` the new result's JSON parameter, `elements` the
 * plan's JSON parameter; the snapshot column is `snapshot`.
 */
export function mergedStepResultSql(plan: StepMergePlan, stored: string, result: string, elements: string): string {
  if (!plan.foreach) return `json(${result})`;
  const storedOutput = `(${stored} || '.output')`;
  const storedElement = `(snapshot -> (${stored} || '.output[' || i.key || ']'))`;
  const instruction = `(${elements} ->> ('$[' || i.key || ']'))`;
  // Iterating the longer of the two arrays visits every index either side has, in order.
  const indexes = `json_each(CASE WHEN json_array_length(snapshot, ${storedOutput}) >= json_array_length(${result}, '$.output')
      THEN snapshot -> ${storedOutput} ELSE ${result} -> '$.output' END) AS i`;
  const output = `json((SELECT json_group_array(json(CASE
        WHEN ${instruction} = 'take' THEN ${result} -> ('$.output[' || i.key || ']')
        WHEN ${instruction} = 'pending' AND ${resettable(storedElement)} THEN NULL
        ELSE ${storedElement} END)) FROM ${indexes}))`;
  const base = plan.hasPending ? `(snapshot -> ${stored})` : shallowMergeSql(`(snapshot -> ${stored})`, result);
  return `CASE WHEN json_type(snapshot, ${storedOutput}) = 'array'
      THEN json_set(${base}, '$.output', ${output})
      ELSE json(${result}) END`;
}
