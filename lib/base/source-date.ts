/**
 * "Now" for what a run stamps (report timestamps, the API-server stage's creationTimestamp and managedFields
 * time, `save` archive entries): `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds convention) when it is
 * set, so that golden files and archives come out byte for byte the same; the clock otherwise.
 */
export function runTime(env: NodeJS.ProcessEnv = process.env): Date {
  const pinned = env.SOURCE_DATE_EPOCH;
  if (pinned !== undefined && /^\d+$/.test(pinned)) return new Date(Number(pinned) * 1000);
  return new Date();
}
