/** Schema bootstrap: Workers apps often build the store per request, so a new instance's init() matters. */
import type { MastraCompositeStore } from '@mastra/core/storage';
import { workload, type Workload } from '../workload';

export const initWorkloads: Workload[] = [
  workload<void, MastraCompositeStore>({
    group: 'init',
    name: 'init() on an empty database',
    // A read of the schema marker finds none, then one batch creates everything: the price of an
    // up-to-date database costing a single statement.
    floor: 2,
    initialized: false,
    // A prefix no table has yet is, to CREATE ... IF NOT EXISTS, an empty database.
    before: async (s, _shared, rep) => s.newStore(`empty${rep}_`),
    run: (_s, _shared, store) => store.init(),
  }),
  workload<void, MastraCompositeStore>({
    group: 'init',
    name: 'init() of a new instance on an up-to-date database',
    floor: 1,
    initialized: false,
    setup: (s) => s.store.init(),
    before: async (s) => s.newStore(),
    run: (_s, _shared, store) => store.init(),
  }),
  workload({
    group: 'init',
    name: 'init() again on the same instance',
    floor: 0,
    run: (s) => s.store.init(),
  }),
];
