/** The runtime domains a Worker hits while it runs: the scheduler's claims and due list, background tasks. */
import type { BackgroundTask } from '@mastra/core/background-tasks';
import type { Schedule } from '@mastra/core/storage';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const T0 = Date.UTC(2026, 0, 1);

function schedule(i: number): Schedule {
  return { id: `wf_s${i}`, target: { type: 'workflow', workflowId: `flow${i % 10}` }, cron: '* * * * *', status: 'active', nextFireAt: T0 + i * 1_000, createdAt: T0, updatedAt: T0 };
}

function task(i: number, status: BackgroundTask['status']): BackgroundTask {
  return {
    id: `task${i}`,
    status,
    toolName: 'research',
    toolCallId: `call${i}`,
    args: { query: `question ${i}` },
    agentId: 'assistant',
    threadId: `thread${i % 5}`,
    resourceId: 'user',
    runId: `run${i}`,
    createdAt: new Date(T0 + i * 1_000),
    retryCount: 0,
    maxRetries: 3,
    timeoutMs: 60_000,
  };
}

/** 200 schedules due one second apart. */
async function seedSchedules(s: Subject): Promise<void> {
  const schedules = await s.domain('schedules');
  for (let i = 0; i < 200; i++) await schedules.createSchedule(schedule(i));
}

/** 500 tasks of one agent, a fifth of them still pending. */
async function seedTasks(s: Subject): Promise<void> {
  const tasks = await s.domain('backgroundTasks');
  for (let i = 0; i < 500; i++) await tasks.createTask(task(i, i % 5 === 0 ? 'pending' : 'completed'));
}

export const runtimeWorkloads: Workload[] = [
  workload({
    group: 'schedules and background tasks',
    name: 'listDueSchedules: 100 due of 200',
    floor: 1,
    setup: seedSchedules,
    run: async (s) => (await s.domain('schedules')).listDueSchedules(T0 + 99_500, 100),
    check: (r) => expectCount('due schedules', (r as unknown[]).length, 100),
  }),
  workload<void, number>({
    group: 'schedules and background tasks',
    name: 'updateScheduleNextFire (the claim of a due fire)',
    floor: 1,
    setup: seedSchedules,
    // Each repetition claims the next schedule's fire, so every claim is a win.
    before: async (_s, _shared, rep) => rep,
    run: async (s, _shared, i) => (await s.domain('schedules')).updateScheduleNextFire(`wf_s${i}`, T0 + i * 1_000, T0 + i * 1_000 + 60_000, T0 + i * 1_000, `run${i}`),
    check: (won) => (won === true ? undefined : 'the claim was lost'),
  }),
  workload<void, number>({
    group: 'schedules and background tasks',
    name: 'updateTask with expectedStatus (the claim of a task)',
    floor: 1,
    setup: seedTasks,
    before: async (_s, _shared, rep) => rep * 5,
    run: async (s, _shared, i) => (await s.domain('backgroundTasks')).updateTask(`task${i}`, { status: 'running', startedAt: new Date() }, { expectedStatus: 'pending' }),
    check: (won) => (won === true ? undefined : 'the claim was lost'),
  }),
  workload({
    group: 'schedules and background tasks',
    name: 'listTasks: page of 20 pending of 500, with the total',
    floor: 1,
    setup: seedTasks,
    run: async (s) => (await s.domain('backgroundTasks')).listTasks({ agentId: 'assistant', status: 'pending', page: 0, perPage: 20 }),
    check: (r) => expectCount('tasks', (r as { tasks?: unknown[] }).tasks?.length, 20),
  }),
];
