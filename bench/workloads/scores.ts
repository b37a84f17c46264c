/** Evaluation scores: one write per scorer run, read per run in Studio. */
import type { ListScoresResponse } from '@mastra/core/evals';
import { score } from '../data';
import type { Subject } from '../subjects';
import { expectCount, workload, type Workload } from '../workload';

const RUN = 'scorer-run-1';
const scores = (s: Subject) => s.domain('scores');

export const scoreWorkloads: Workload[] = [
  workload<void, number>({
    group: 'scores',
    name: 'saveScore',
    floor: 1,
    before: async (_s, _shared, rep) => rep,
    run: async (s, _shared, rep) => (await scores(s)).saveScore(score(`run-${rep}`, rep)),
  }),
  workload({
    group: 'scores',
    name: 'listScoresByRunId: 20 of 200',
    floor: 1,
    setup: async (s) => {
      const domain = await scores(s);
      for (let i = 0; i < 200; i++) await domain.saveScore(score(RUN, i));
    },
    run: async (s) => (await scores(s)).listScoresByRunId({ runId: RUN, pagination: { page: 0, perPage: 20 } }),
    check: (r) => {
      const out = r as ListScoresResponse;
      return expectCount('scores', out.scores?.length, 20) ?? expectCount('total', out.pagination?.total, 200);
    },
  }),
];
