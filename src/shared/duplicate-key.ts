/**
 * MongoDB's duplicate-key error (11000): how a unique index says "someone else got there
 * first". Inserting and catching this is how the app avoids check-then-insert.
 */
const DUPLICATE_KEY = 11000;

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === DUPLICATE_KEY;
}

/** The first field of the unique index an insert ran into, or undefined when that is not what failed. */
export function duplicateKeyOf(error: unknown): string | undefined {
  if (!isDuplicateKey(error)) return undefined;
  return Object.keys((error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {})[0] ?? 'unknown';
}
