/**
 * When to try a mail again. Short waits first (a mail server restarting), then longer
 * ones (an outage of hours): the last attempt comes about 19 hours after the first, so
 * an admin sees a failure the next working day rather than never.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const LONGEST_DELAY_MS = 6 * HOUR;

/** The wait after the 1st, 2nd, … failed attempt; the last entry repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [30 * SECOND, 2 * MINUTE, 10 * MINUTE, 1 * HOUR, LONGEST_DELAY_MS];

/** After this many failed attempts the mail is `failed` and waits for an admin. */
export const MAX_ATTEMPTS = 8;

/** The wait before the next attempt, given how many attempts have been made (1 or more). */
export function retryDelayMs(attemptsMade: number): number {
  const index = Math.min(Math.max(attemptsMade, 1), RETRY_DELAYS_MS.length) - 1;
  return RETRY_DELAYS_MS[index] ?? LONGEST_DELAY_MS;
}

/** Whether a mail that has failed `attemptsMade` times should be given up. */
export function hasExhaustedAttempts(attemptsMade: number): boolean {
  return attemptsMade >= MAX_ATTEMPTS;
}
