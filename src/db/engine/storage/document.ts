/** Stored documents: plain objects as BSON deserialises them. */
export type Doc = Record<string, unknown>;

/** A sub-document (as opposed to an array, a date or a BSON value such as an ObjectId). */
export function isDocument(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Stored documents are never changed in place: an update clones, changes the clone and
 * swaps it in. That keeps readers (open cursors, a snapshot being written) consistent
 * without locks. BSON values (ObjectId, Date, Binary…) are immutable here and shared.
 */
export function cloneDocument<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneDocument(item)) as T;
  if (isDocument(value)) {
    const copy: Doc = {};
    for (const key of Object.keys(value)) copy[key] = cloneDocument(value[key]);
    return copy as T;
  }
  return value;
}

/**
 * The values at a dotted path, expanded through arrays the way MongoDB indexes them:
 * `a.b` over `{a: [{b: 1}, {b: 2}]}` gives 1 and 2. `MISSING` marks an absent field.
 */
export const MISSING = Symbol('missing');

export function valuesAtPath(doc: unknown, path: readonly string[]): { values: unknown[]; isMultikey: boolean } {
  const values: unknown[] = [];
  let isMultikey = false;
  const walk = (value: unknown, depth: number): void => {
    if (depth === path.length) {
      if (Array.isArray(value)) {
        isMultikey = true;
        if (value.length === 0) values.push(undefined);
        for (const item of value) values.push(item);
      } else {
        values.push(value === undefined ? MISSING : value);
      }
      return;
    }
    const segment = path[depth] as string;
    if (Array.isArray(value)) {
      if (/^\d+$/.test(segment)) {
        walk(value[Number(segment)], depth + 1);
        return;
      }
      isMultikey = true;
      if (value.length === 0) values.push(MISSING);
      for (const item of value) walk(item, depth);
      return;
    }
    if (isDocument(value)) {
      walk(value[segment], depth + 1);
      return;
    }
    values.push(MISSING);
  };
  walk(doc, 0);
  return { values, isMultikey };
}

/** Reads a dotted path without array expansion (for TTL fields and simple lookups). */
export function getPath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isDocument(current)) current = current[segment];
    else return undefined;
  }
  return current;
}
