import { at, score } from '../../../bench/data';
import { STORED, GROUPS, FILTERED_BUDGET, range, expectIndexed, rowsRead, storeWithLog, domain, seed, type PlanCases } from '../plan-kit';

export default {
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
} satisfies PlanCases;
