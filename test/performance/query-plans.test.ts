/**
 * How the domains' reads find their rows, checked on Miniflare's D1:
 * - every SELECT sent during representative reads, and every UPDATE and DELETE of their writes, finds its
 *   rows through an index: `EXPLAIN QUERY PLAN` may SEARCH a table or SCAN it USING an INDEX, never plain
 *   `SCAN <table>` (read every row);
 * - every filtered page reads a bounded number of rows, as D1 reports them (`meta.rows_read`, what D1
 *   bills): with 1,000 rows stored, a page of 20 out of 20 matches reads those matches for the count and
 *   the page, well under 1,000. An index that sorts but does not filter would read on until LIMIT.
 * The tables come from the domain registry, and every registered domain must have its cases here.
 */
import { D1Store as OriginalD1Store } from '@mastra/cloudflare-d1';
import { SpanType } from '@mastra/core/observability';
import type { CreateSpanRecord, MastraCompositeStore, StorageDomains } from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import { D1Store } from '../../src';
import { ALL_TABLES, DOMAIN_KEYS } from '../../src/domains/registry';
import { columnList, encodeRow } from '../../src/sql/codec';
import { createTableNamer } from '../../src/sql/identifiers';
import { countingD1, type CountingD1, type D1Like } from '../../bench/counting-d1';
import { at, messages, score, snapshot, spans, thread } from '../../bench/data';
import { uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();

const TABLE_NAMES = ALL_TABLES.map((table) => table.name);

/** Rows stored before a budgeted read, and how many of them each filter matches. */
const STORED = 1_000;
const GROUPS = 50;
const MATCHES = STORED / GROUPS;
/** What a page of `MATCHES` rows out of `STORED` may read: count and page over the matches, with slack. */
const FILTERED_BUDGET = 4 * MATCHES + 20;

/** The statements `calls` sent that look rows up: SELECTs, UPDATEs and DELETEs (INSERTs look nothing up). */
async function lookupsOf(counter: CountingD1, calls: () => Promise<unknown>): Promise<{ sql: string; params: unknown[] }[]> {
  counter.reset();
  await calls();
  return counter.sqlLog.filter((s) => /^\s*(SELECT|WITH|UPDATE|DELETE)\b/i.test(s.sql));
}

/** Plan lines that read a whole table of this package, by name or by the alias the SQL gives it. */
async function fullScans(statement: { sql: string; params: unknown[] }, prefix: string): Promise<string[]> {
  const details = (await planOf(statement)).split(' ; ');
  const names = new Set(TABLE_NAMES.map((t) => prefix + t));
  for (const match of statement.sql.matchAll(/(?:FROM|JOIN)\s+"?([A-Za-z0-9_]+)"?(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?/gi)) {
    const [, table, alias] = match;
    if (table && names.has(table) && alias && !/^(WHERE|ORDER|GROUP|LIMIT|JOIN|LEFT|INNER|ON|UNION|WINDOW)$/i.test(alias)) names.add(alias);
  }
  return details.filter((d) => {
    const scanned = /^SCAN (\S+)(.*)$/.exec(d);
    return scanned !== null && names.has(scanned[1]!) && !/USING (COVERING )?INDEX/.test(scanned[2]!);
  });
}

async function planOf(statement: { sql: string; params: unknown[] }): Promise<string> {
  const { results } = await h.d1.db.prepare(`EXPLAIN QUERY PLAN ${statement.sql}`).bind(...statement.params).all();
  return (results as { detail: string }[]).map((r) => r.detail).join(' ; ');
}

/** Runs `calls` and asserts none of the statements it sent reads a whole table. */
async function expectIndexed(prefix: string, counter: CountingD1, calls: () => Promise<unknown>) {
  const lookups = await lookupsOf(counter, calls);
  expect(lookups.length, 'the calls looked rows up').toBeGreaterThan(0);
  const offenders: string[] = [];
  for (const statement of lookups) {
    const scans = await fullScans(statement, prefix);
    if (scans.length) offenders.push(`${scans.join(', ')}  <=  ${statement.sql.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  expect(offenders).toEqual([]);
}

/** Rows D1 reports each call read, by name, next to the budget; the test compares them all at once. */
async function rowsRead(counter: CountingD1, calls: Record<string, [() => Promise<unknown>, number]>) {
  const over: Record<string, string> = {};
  for (const [name, [call, budget]] of Object.entries(calls)) {
    counter.reset();
    await call();
    if (counter.tally.rowsRead > budget) over[name] = `${counter.tally.rowsRead} rows read, budget ${budget}`;
  }
  expect(over).toEqual({});
}

async function storeWithLog(Store: typeof D1Store | typeof OriginalD1Store = D1Store): Promise<{ store: MastraCompositeStore; counter: CountingD1; prefix: string }> {
  const prefix = uniquePrefix('qp');
  const counter = countingD1(h.d1.db as unknown as D1Like);
  const store = new Store({ id: 'query-plans', tablePrefix: prefix, binding: counter.binding as never });
  await store.init();
  return { store, counter, prefix };
}

async function domain<K extends keyof StorageDomains>(store: MastraCompositeStore, key: K): Promise<NonNullable<StorageDomains[K]>> {
  return (await store.getStore(key))!;
}

/**
 * Inserts rows straight into a table, as its spec encodes them: the bulk a budgeted read runs against,
 * without a thousand calls through the domain. Rows travel as one JSON parameter per statement.
 */
async function seed(prefix: string, table: string, rows: Record<string, unknown>[]) {
  const spec = ALL_TABLES.find((t) => t.name === table)!;
  const values = Object.keys(spec.columns).map((_, i) => `value ->> ${i}`).join(', ');
  const sql = `INSERT INTO ${createTableNamer(prefix)(table)} (${columnList(spec)}) SELECT ${values} FROM json_each(?)`;
  const encoded = rows.map((row) => encodeRow('seed', spec, row, { record: `${table} seed row` }));
  const statements = [];
  for (let i = 0; i < encoded.length; i += 200) statements.push(h.d1.db.prepare(sql).bind(JSON.stringify(encoded.slice(i, i + 200))));
  await h.d1.db.batch(statements);
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

/** One root span and one tool call per trace, the entity and resource cycling through `GROUPS` values. */
function traces(count: number): CreateSpanRecord[] {
  return range(count).flatMap((t) => {
    const traceId = `trace-${t}`;
    const root = { traceId, spanId: `${traceId}-root`, parentSpanId: null, name: 'agent run', spanType: SpanType.AGENT_RUN, isEvent: false, startedAt: at(t), endedAt: at(t + 1) };
    return [
      { ...root, entityId: `agent-${t % GROUPS}`, resourceId: `user-${t % GROUPS}` },
      { ...root, spanId: `${traceId}-tool`, parentSpanId: root.spanId, name: 'tool', spanType: SpanType.TOOL_CALL, entityId: `tool-${t % GROUPS}` },
    ] as CreateSpanRecord[];
  });
}

/** A run of a thread, as an agent's suspended loop or a durable loop stores it. */
function threadedSnapshot(runId: string, threadId: string, suspendedLoop: boolean) {
  const memoryInfo = { threadId, resourceId: 'user-t' };
  const context = suspendedLoop
    ? { input: {}, llm: { status: 'suspended', suspendPayload: { __streamState: { messageList: { memoryInfo } } } } }
    : { input: { messageListState: { memoryInfo } } };
  return { ...snapshot(runId, 'suspended', 200), context } as unknown as ReturnType<typeof snapshot>;
}

/** Query-plan and rows-read cases of every registered domain. */
const CASES: Record<string, { indexed: () => Promise<void>; budgets: () => Promise<void> }> = {
  memory: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const memory = await domain(store, 'memory');
      await memory.saveThread({ thread: thread('t1', 'user-1') });
      await memory.saveThread({ thread: thread('t2', 'user-2', 1) });
      const list = messages('t1', 'user-1', 30);
      await memory.saveMessages({ messages: list });
      await expectIndexed(prefix, counter, async () => {
        await memory.getThreadById({ threadId: 't1' });
        await memory.getResourceById({ resourceId: 'user-1' });
        await memory.listThreads({ filter: { resourceId: 'user-1' }, perPage: 20, page: 0, orderBy: { field: 'updatedAt', direction: 'DESC' } });
        await memory.listThreads({ filter: { resourceId: 'user-1' }, perPage: 20, page: 0, orderBy: { field: 'createdAt', direction: 'ASC' } });
        await memory.listMessages({ threadId: 't1', resourceId: 'user-1', perPage: 10, page: 0, orderBy: { field: 'createdAt', direction: 'DESC' } });
        await memory.listMessages({ threadId: 't1', perPage: false });
        await memory.listMessages({ threadId: 't1', perPage: 10, include: [{ id: list[5]!.id, withPreviousMessages: 2, withNextMessages: 2 }] });
        await memory.listMessages({ threadId: 't1', perPage: 10, filter: { dateRange: { start: list[3]!.createdAt, end: list[20]!.createdAt } } });
        await memory.listMessagesById({ messageIds: list.slice(0, 5).map((m) => m.id) });
        await memory.updateThread({ id: 't1', title: 'Renamed', metadata: { pinned: true } });
        await memory.updateResource({ resourceId: 'user-1', workingMemory: '# Notes' });
        await memory.saveMessages({ messages: messages('t1', 'user-1', 2, 100) });
        await memory.updateMessages({ messages: list.slice(0, 3).map((m) => ({ id: m.id, content: { format: 2 as const, parts: [{ type: 'text' as const, text: 'edited' }] } })) });
        await memory.deleteMessages(list.slice(25, 27).map((m) => m.id));
        await memory.deleteThread({ threadId: 't2' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const memory = await domain(store, 'memory');
      await seed(prefix, 'mastra_threads', range(STORED).map((i) => ({ ...thread(`thread-${i}`, `user-${i % GROUPS}`, i), metadata: {} })));
      await seed(
        prefix,
        'mastra_messages',
        range(STORED).map((i) => ({ id: `m-${i}`, thread_id: `thread-${i % GROUPS}`, resourceId: `user-${i % GROUPS}`, role: 'user', type: 'v2', content: '{"format":2,"parts":[]}', createdAt: at(i) })),
      );
      await rowsRead(counter, {
        'listThreads by resource': [() => memory.listThreads({ filter: { resourceId: 'user-7' }, perPage: 20, page: 0 }), FILTERED_BUDGET],
        'listMessages of a thread': [() => memory.listMessages({ threadId: 'thread-7', perPage: 20, page: 0 }), FILTERED_BUDGET],
        'listMessages of a thread and resource': [() => memory.listMessages({ threadId: 'thread-7', resourceId: 'user-7', perPage: 20, page: 0 }), FILTERED_BUDGET],
      });
    },
  },

  workflows: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const workflows = await domain(store, 'workflows');
      for (let i = 0; i < 6; i++) {
        await workflows.persistWorkflowSnapshot({ workflowName: `wf-${i % 2}`, runId: `run-${i}`, resourceId: `user-${i % 3}`, snapshot: snapshot(`run-${i}`, i % 2 ? 'success' : 'failed', 500) });
      }
      await workflows.persistWorkflowSnapshot({ workflowName: 'wf-0', runId: 'run-t', snapshot: threadedSnapshot('run-t', 'thread-1', true) });
      await expectIndexed(prefix, counter, async () => {
        await workflows.loadWorkflowSnapshot({ workflowName: 'wf-0', runId: 'run-0' });
        await workflows.getWorkflowRunById({ runId: 'run-1', workflowName: 'wf-1' });
        await workflows.getWorkflowRunById({ runId: 'run-1' });
        await workflows.listWorkflowRuns({ workflowName: 'wf-1', status: 'success', perPage: 20, page: 0 });
        await workflows.listWorkflowRuns({ resourceId: 'user-1', perPage: 20, page: 0 });
        await workflows.listWorkflowRuns({ threadId: 'thread-1', perPage: 20, page: 0 });
        await workflows.listWorkflowRuns({ perPage: 20, page: 0 });
        await workflows.persistWorkflowSnapshot({ workflowName: 'wf-0', runId: 'run-0', snapshot: snapshot('run-0', 'success', 500) });
        await workflows.updateWorkflowResults({ workflowName: 'wf-0', runId: 'run-t', stepId: 'llm', result: { status: 'success', output: 1 } as never, requestContext: {} });
        await workflows.updateWorkflowState({ workflowName: 'wf-0', runId: 'run-2', opts: { status: 'running' } });
        await workflows.deleteWorkflowRunById({ workflowName: 'wf-1', runId: 'run-3' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const workflows = await domain(store, 'workflows');
      // Runs of one thread are written through the domain, which finds their thread; the bulk has none.
      for (const i of range(MATCHES)) {
        await workflows.persistWorkflowSnapshot({ workflowName: 'agentic-loop', runId: `threaded-${i}`, snapshot: threadedSnapshot(`threaded-${i}`, 'thread-7', i % 2 === 0), createdAt: at(i) });
      }
      await seed(
        prefix,
        'mastra_workflow_snapshot',
        range(STORED - MATCHES).map((i) => ({
          workflow_name: `wf-${i % 10}`,
          run_id: `run-${i}`,
          resourceId: `user-${i % GROUPS}`,
          snapshot: snapshot(`run-${i}`, i % GROUPS < 10 ? 'suspended' : 'success', 200),
          createdAt: at(i),
          updatedAt: at(i),
          snapshot_thread_id: '',
        })),
      );
      const page = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        'listWorkflowRuns by thread': [() => workflows.listWorkflowRuns({ threadId: 'thread-7', ...page }), FILTERED_BUDGET],
        'listWorkflowRuns by resource': [() => workflows.listWorkflowRuns({ resourceId: 'user-7', ...page }), FILTERED_BUDGET],
        'listWorkflowRuns by workflow and status': [() => workflows.listWorkflowRuns({ workflowName: 'wf-3', status: 'suspended', ...page }), FILTERED_BUDGET],
        'listWorkflowRuns of suspended agent runs of a thread': [() => workflows.listWorkflowRuns({ workflowName: 'agentic-loop', status: 'suspended', threadId: 'thread-7', ...page }), FILTERED_BUDGET],
      });
    },
  },

  scores: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const scores = await domain(store, 'scores');
      for (let i = 0; i < 6; i++) await scores.saveScore(score(`run-${i % 2}`, i));
      await expectIndexed(prefix, counter, async () => {
        await scores.getScoreById({ id: 'missing' });
        await scores.listScoresByRunId({ runId: 'run-1', pagination: { page: 0, perPage: 20 } });
        await scores.listScoresByScorerId({ scorerId: 'answer-relevancy', pagination: { page: 0, perPage: 20 } });
        await scores.listScoresByEntityId({ entityId: 'weather-agent', entityType: 'AGENT', pagination: { page: 0, perPage: 20 } });
        await scores.listScoresBySpan({ traceId: 'trace-1', spanId: 'span-1', pagination: { page: 0, perPage: 20 } });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const scores = await domain(store, 'scores');
      await seed(
        prefix,
        'mastra_scorers',
        range(STORED).map((i) => ({
          ...score(`run-${i % GROUPS}`, i),
          id: `score-${i}`,
          scorerId: `scorer-${i % GROUPS}`,
          entityId: `agent-${i % GROUPS}`,
          traceId: `trace-${i % GROUPS}`,
          spanId: 'span',
          createdAt: at(i),
          updatedAt: at(i),
        })),
      );
      const pagination = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        listScoresByRunId: [() => scores.listScoresByRunId({ runId: 'run-7', pagination }), FILTERED_BUDGET],
        listScoresByScorerId: [() => scores.listScoresByScorerId({ scorerId: 'scorer-7', pagination }), FILTERED_BUDGET],
        listScoresByEntityId: [() => scores.listScoresByEntityId({ entityId: 'agent-7', entityType: 'AGENT', pagination }), FILTERED_BUDGET],
        listScoresBySpan: [() => scores.listScoresBySpan({ traceId: 'trace-7', spanId: 'span', pagination }), FILTERED_BUDGET],
      });
    },
  },

  observability: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const observability = await domain(store, 'observability');
      const records = spans(4, 5);
      await observability.batchCreateSpans({ records });
      await expectIndexed(prefix, counter, async () => {
        await observability.getTrace({ traceId: records[0]!.traceId });
        await observability.getRootSpan({ traceId: records[0]!.traceId });
        await observability.getBranch({ traceId: records[0]!.traceId, spanId: records[0]!.spanId });
        await observability.listTraces({ pagination: { page: 0, perPage: 20 } });
        await observability.listTraces({ filters: { entityId: 'weather-agent', resourceId: 'user-1' }, pagination: { page: 0, perPage: 20 } });
        await observability.listTraces({ filters: { hasChildError: true }, orderBy: { field: 'endedAt', direction: 'DESC' }, pagination: { page: 0, perPage: 20 } });
        await observability.listBranches({ filters: { spanType: SpanType.TOOL_CALL }, pagination: { page: 0, perPage: 20 } });
        await observability.batchUpdateSpans({ records: [{ traceId: records[1]!.traceId, spanId: records[1]!.spanId, updates: { endedAt: new Date(), output: { text: 'done' } } }] });
        await observability.batchDeleteTraces({ traceIds: [records[19]!.traceId] });
      });
    },
    async budgets() {
      const { store, counter } = await storeWithLog();
      const observability = await domain(store, 'observability');
      await observability.batchCreateSpans({ records: traces(STORED) });
      const pagination = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        'listTraces by entity': [() => observability.listTraces({ filters: { entityId: 'agent-7' }, pagination }), FILTERED_BUDGET],
        'listTraces by resource': [() => observability.listTraces({ filters: { resourceId: 'user-7' }, pagination }), FILTERED_BUDGET],
        'listTracesLight by entity': [() => observability.listTracesLight({ filters: { entityId: 'agent-7' }, pagination }), FILTERED_BUDGET],
        // Unfiltered, the total is every trace: the count reads each root once, the page only its rows.
        'listTraces, every trace': [() => observability.listTraces({ pagination }), STORED + FILTERED_BUDGET],
      });
    },
  },

  threadState: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const threadState = await domain(store, 'threadState');
      await threadState.setState({ threadId: 't1', type: 'tasks', value: [{ id: 1 }] });
      await expectIndexed(prefix, counter, async () => {
        await threadState.getState({ threadId: 't1', type: 'tasks' });
        await threadState.deleteState({ threadId: 't1', type: 'tasks' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const threadState = await domain(store, 'threadState');
      await seed(prefix, 'mastra_thread_state', range(STORED).map((i) => ({ threadId: `thread-${i}`, type: 'tasks', value: [{ id: i }], createdAt: at(i), updatedAt: at(i) })));
      await rowsRead(counter, { getState: [() => threadState.getState({ threadId: 'thread-7', type: 'tasks' }), 2] });
    },
  },

  schedules: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const schedules = await domain(store, 'schedules');
      const base = { cron: '* * * * *', status: 'active' as const, nextFireAt: 1_000, createdAt: 1, updatedAt: 1 };
      await schedules.createSchedule({ ...base, id: 'wf_1', target: { type: 'workflow', workflowId: 'nightly' } });
      await schedules.createSchedule({ ...base, id: 'agent_1', target: { type: 'agent', agentId: 'pinger', prompt: 'hi' }, ownerType: 'agent', ownerId: 'pinger' });
      await schedules.recordTrigger({ scheduleId: 'wf_1', runId: 'r', scheduledFireAt: 1_000, actualFireAt: 1_001, outcome: 'published' });
      await expectIndexed(prefix, counter, async () => {
        await schedules.getSchedule('wf_1');
        await schedules.listSchedules();
        await schedules.listSchedules({ status: 'active' });
        await schedules.listSchedules({ workflowId: 'nightly' });
        await schedules.listSchedules({ ownerType: 'agent', ownerId: 'pinger' });
        await schedules.listSchedules({ ownerType: null, ownerId: null });
        await schedules.listDueSchedules(2_000, 100);
        await schedules.updateScheduleNextFire('wf_1', 1_000, 2_000, 1_000, 'run');
        await schedules.updateSchedule('agent_1', { status: 'paused' });
        await schedules.listTriggers('wf_1', { fromActualFireAt: 0, toActualFireAt: 5_000, limit: 10 });
        await schedules.deleteSchedule('wf_1');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const schedules = await domain(store, 'schedules');
      await seed(
        prefix,
        'mastra_schedules',
        range(STORED).map((i) => ({
          id: `s-${i}`,
          target: { type: 'workflow', workflowId: `wf-${i % GROUPS}` },
          cron: '* * * * *',
          status: 'active',
          next_fire_at: i < MATCHES ? i : 1_000_000 + i,
          created_at: i,
          updated_at: i,
          owner_type: 'agent',
          owner_id: `agent-${i % GROUPS}`,
        })),
      );
      await seed(
        prefix,
        'mastra_schedule_triggers',
        range(STORED).map((i) => ({ id: `t-${i}`, schedule_id: `s-${i % GROUPS}`, run_id: `r-${i}`, scheduled_fire_at: i, actual_fire_at: i, outcome: 'published', trigger_kind: 'schedule-fire' })),
      );
      await rowsRead(counter, {
        listDueSchedules: [() => schedules.listDueSchedules(1_000, 100), FILTERED_BUDGET],
        'listSchedules by workflow': [() => schedules.listSchedules({ workflowId: 'wf-7' }), FILTERED_BUDGET],
        'listSchedules by owner': [() => schedules.listSchedules({ ownerType: 'agent', ownerId: 'agent-7' }), FILTERED_BUDGET],
        listTriggers: [() => schedules.listTriggers('s-7', { limit: 20 }), FILTERED_BUDGET],
      });
    },
  },

  notifications: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const notifications = await domain(store, 'notifications');
      const base = { threadId: 't1', source: 'ci', kind: 'build', summary: 'red', agentId: 'ops', resourceId: 'u' };
      await notifications.createNotification({ ...base, id: 'n1', deliverAt: at(1) });
      await notifications.createNotification({ ...base, id: 'n2', summaryAt: at(2), dedupeKey: 'd' });
      // The coalescing lookup rides inside the INSERT, which the lookup filter leaves out: check it here.
      counter.reset();
      await notifications.createNotification({ ...base, dedupeKey: 'd', coalesceKey: 'c' });
      expect(await fullScans(counter.sqlLog[0]!, prefix)).toEqual([]);
      await expectIndexed(prefix, counter, async () => {
        await notifications.getNotification({ threadId: 't1', id: 'n1' });
        await notifications.listNotifications({ threadId: 't1' });
        await notifications.listNotifications({ threadId: 't1', status: ['pending', 'delivered'], limit: 20 });
        await notifications.listNotifications({ threadId: 't1', priority: 'high', source: 'ci', search: 'red' });
        await notifications.listDueNotifications({ now: at(10), limit: 100 });
        await notifications.listDueNotifications({ now: at(10), agentId: 'ops', resourceId: 'u' });
        await notifications.updateNotification({ threadId: 't1', id: 'n1', status: 'delivered', deliverAt: null });
        await notifications.updateNotificationsStatus({ threadId: 't1', ids: ['n1', 'n2', 'missing'], status: 'seen' });
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const notifications = await domain(store, 'notifications');
      await seed(
        prefix,
        'mastra_notifications',
        range(STORED).map((i) => ({
          id: `n-${i}`,
          threadId: `thread-${i % GROUPS}`,
          source: 'ci',
          kind: 'build',
          priority: 'medium',
          status: i % 2 ? 'pending' : 'seen',
          summary: `notification ${i}`,
          coalescedCount: 1,
          deliveryAttempts: 0,
          createdAt: at(i),
          updatedAt: at(i),
          // The first MATCHES are due (half by deliverAt, half by summaryAt), the rest later or never.
          deliverAt: i < MATCHES && i % 4 === 1 ? at(i) : i % 3 ? at(STORED * 10 + i) : null,
          summaryAt: i < MATCHES && i % 4 === 3 ? at(i) : null,
        })),
      );
      await rowsRead(counter, {
        getNotification: [() => notifications.getNotification({ threadId: 'thread-7', id: 'n-7' }), 2],
        'listNotifications of a thread': [() => notifications.listNotifications({ threadId: 'thread-7', limit: 20 }), FILTERED_BUDGET],
        'listNotifications of a thread by status': [() => notifications.listNotifications({ threadId: 'thread-7', status: 'pending' }), FILTERED_BUDGET],
        listDueNotifications: [() => notifications.listDueNotifications({ now: at(STORED), limit: 100 }), FILTERED_BUDGET],
      });
    },
  },
  backgroundTasks: {
    async indexed() {
      const { store, counter, prefix } = await storeWithLog();
      const tasks = await domain(store, 'backgroundTasks');
      const base = { toolName: 'slow', args: {}, agentId: 'agent-1', runId: 'run-1', retryCount: 0, maxRetries: 0, timeoutMs: 1_000 };
      for (let i = 0; i < 6; i++) {
        await tasks.createTask({ ...base, id: `task-${i}`, toolCallId: `call-${i}`, threadId: `thread-${i % 2}`, resourceId: 'user-1', status: i % 2 ? 'running' : 'completed', createdAt: at(i), completedAt: at(i + 1) });
      }
      await expectIndexed(prefix, counter, async () => {
        await tasks.getTask('task-1');
        await tasks.listTasks({ perPage: 20, page: 0 });
        await tasks.listTasks({ status: 'running' });
        await tasks.listTasks({ status: 'pending', orderBy: 'createdAt', orderDirection: 'asc' });
        await tasks.listTasks({ status: ['completed', 'failed'], orderBy: 'completedAt', orderDirection: 'desc', perPage: 20 });
        await tasks.listTasks({ agentId: 'agent-1', status: ['running'], perPage: 20 });
        await tasks.listTasks({ threadId: 'thread-1', perPage: 20 });
        await tasks.listTasks({ resourceId: 'user-1', perPage: 20 });
        await tasks.listTasks({ runId: 'run-1', agentId: 'agent-1', threadId: 'thread-1', resourceId: 'user-1', status: 'running' });
        await tasks.listTasks({ toolCallId: 'call-1', runId: 'run-1', agentId: 'agent-1', toolName: 'slow', status: 'suspended' });
        await tasks.getRunningCount();
        await tasks.getRunningCountByAgent('agent-1');
        await tasks.updateTask('task-1', { status: 'completed', completedAt: at(9) }, { expectedStatus: 'running' });
        await tasks.deleteTasks({ status: ['completed'], toDate: at(3), dateFilterBy: 'completedAt' });
        await tasks.deleteTask('task-3');
      });
    },
    async budgets() {
      const { store, counter, prefix } = await storeWithLog();
      const tasks = await domain(store, 'backgroundTasks');
      await seed(
        prefix,
        'mastra_background_tasks',
        range(STORED).map((i) => ({
          id: `task-${i}`,
          tool_call_id: `call-${i}`,
          tool_name: 'slow',
          agent_id: `agent-${i % GROUPS}`,
          run_id: `run-${i % GROUPS}`,
          thread_id: `thread-${i % GROUPS}`,
          status: i % GROUPS === 7 ? 'running' : 'completed',
          args: {},
          retry_count: 0,
          max_retries: 0,
          timeout_ms: 1_000,
          createdAt: at(i),
          completedAt: i % GROUPS === 7 ? null : at(i + 1),
        })),
      );
      const page = { page: 0, perPage: 20 };
      await rowsRead(counter, {
        getTask: [() => tasks.getTask('task-7'), 2],
        'listTasks by agent': [() => tasks.listTasks({ agentId: 'agent-7', ...page }), FILTERED_BUDGET],
        'listTasks by thread': [() => tasks.listTasks({ threadId: 'thread-7', ...page }), FILTERED_BUDGET],
        'listTasks of running tasks': [() => tasks.listTasks({ status: 'running', ...page }), FILTERED_BUDGET],
        getRunningCount: [() => tasks.getRunningCount(), FILTERED_BUDGET],
        getRunningCountByAgent: [() => tasks.getRunningCountByAgent('agent-7'), FILTERED_BUDGET],
      });
    },
  },

};

describe('query plans and rows read of list and lookup reads (binding)', () => {
  it('every registered domain has cases here', () => {
    expect(DOMAIN_KEYS.filter((key) => !(key in CASES))).toEqual([]);
  });

  it('the check sees full scans: @mastra/cloudflare-d1@1.0.1 creates no secondary indexes', async () => {
    const { store, counter, prefix } = await storeWithLog(OriginalD1Store);
    const memory = await domain(store, 'memory');
    await memory.saveThread({ thread: thread('t1', 'user-1') });
    const lookups = await lookupsOf(counter, () => memory.listThreads({ filter: { resourceId: 'user-1' }, perPage: 20, page: 0 }));
    const scans = (await Promise.all(lookups.map((s) => fullScans(s, prefix)))).flat();
    expect(scans).toContain(`SCAN ${prefix}mastra_threads`);
  });

  // With both thread_id and resourceId given (as an Agent's recall does), SQLite must not pick the
  // (resourceId, createdAt) index, which would read the user's whole history.
  it("memory: a thread's messages are found through the thread index even when resourceId is given too", async () => {
    const { store, counter } = await storeWithLog();
    const memory = await domain(store, 'memory');
    await memory.saveThread({ thread: thread('t1', 'user-1') });
    await memory.saveMessages({ messages: messages('t1', 'user-1', 5) });
    const lookups = await lookupsOf(counter, () =>
      memory.listMessages({ threadId: 't1', resourceId: 'user-1', perPage: 40, page: 0, orderBy: { field: 'createdAt', direction: 'DESC' } }),
    );
    const plans = await Promise.all(lookups.filter((s) => /"?thread_id"? = \?/.test(s.sql)).map(planOf));
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) expect(plan).toMatch(/\(thread_id=/);
  });

  for (const [key, cases] of Object.entries(CASES)) {
    it(`${key}: reads and writes find their rows through indexes`, cases.indexed);
    it(`${key}: with ${STORED} rows stored, each read stays within its rows-read budget`, cases.budgets);
  }
});
