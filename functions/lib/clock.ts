/** The wall clock, as the use cases' `Clock` port takes it (tests and the pacing benchmark pass a simulated one). */
export const systemClock = {
  now: (): Date => new Date(),
  sleep: (milliseconds: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, milliseconds))),
};
