/**
 * The in-memory world a run is simulated in (functions/use-cases/planning/simulate-run.ts): the simulated clock,
 * the indexed dialing store and the simulated Connect, each made fresh for every simulation.
 */
import { logger } from '../../lib/logger.ts';
import { withoutMetrics } from '../../lib/metrics.ts';
import type { SimulationAdapters } from '../../use-cases/planning/ports.ts';
import { IndexedDialingStore } from './indexed-dialing-store.ts';
import { SimulatedClock } from './simulated-clock.ts';
import { SimulatedConnect } from './simulated-connect.ts';

export const inMemorySimulation: SimulationAdapters = {
  clock: (start) => new SimulatedClock(start),
  store: (caps) => new IndexedDialingStore(caps),
  connect: (options) => new SimulatedConnect(options),
  quietly: async (work) => {
    // The engine logs every attempt it settles: a simulation of 100,000 contacts would write half a million
    // lines, in the process that asked for a plan.
    const level = logger.getLevelName();
    logger.setLogLevel('SILENT');
    try {
      return await withoutMetrics(work);
    } finally {
      logger.setLogLevel(level);
    }
  },
};
