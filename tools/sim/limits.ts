/** Most simulated ms per wall ms a SimHost runs at: a simulated day in under a second and a half. */
export const MAX_SPEED = 100_000;
