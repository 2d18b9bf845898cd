import { encodeKey } from './keys.js';
import type { Store } from './store.js';

/**
 * Deletes documents whose TTL-indexed date is older than the index's
 * `expireAfterSeconds`, as mongod's TTL monitor does (once a minute by default).
 * The index gives the expired entries directly: dates sort before any later date.
 */
export function expireDocuments(store: Store, now = Date.now()): number {
  let removed = 0;
  for (const db of store.databaseNames()) {
    for (const collection of store.collectionsOf(db)) {
      for (const index of collection.indexes.values()) {
        if (index.expireAfterSeconds === undefined) continue;
        const cutoff = encodeKey(new Date(now - index.expireAfterSeconds * 1000));
        const dateBracket = encodeKey(new Date(0)).charAt(0);
        const expired = new Set<string>();
        for (const idKey of index.scan(dateBracket, cutoff)) expired.add(idKey);
        // An array of dates expires with its earliest date, which the scan already found.
        for (const idKey of expired) {
          const doc = collection.get(idKey);
          if (!doc) continue;
          store.remove(collection, doc);
          removed += 1;
        }
      }
    }
  }
  return removed;
}

export function startTtlMonitor(store: Store, intervalMs: number, warn: (message: string) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running || store.journalFailure) return;
    running = true;
    try {
      if (expireDocuments(store) > 0) {
        store.sync().catch((error: unknown) => warn(`TTL deletions not journaled: ${String(error)}`)).finally(() => {
          running = false;
        });
        return;
      }
    } catch (error) {
      warn(`TTL monitor failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    running = false;
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
