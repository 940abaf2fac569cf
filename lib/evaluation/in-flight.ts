/** How many objects may be in the pool at once, per worker: enough to keep every worker busy, few enough to bound memory. */
export const IN_FLIGHT_PER_WORKER = 32;
