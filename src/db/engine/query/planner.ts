import { BSONRegExp, ObjectId } from 'bson';
import { CommandError } from '../errors.js';
import type { Collection } from '../storage/collection.js';
import { isDocument, type Doc } from '../storage/document.js';
import type { Index } from '../storage/index-tree.js';
import { encodeKey, prefixEnd } from '../storage/keys.js';

/**
 * The query planner: picks the index that bounds a filter best (equality on leading
 * fields, then one range or `$in`), or an index that already yields the requested sort
 * order, else a collection scan. An index only narrows the candidates: every candidate
 * is still tested against the whole filter, so a plan can be fast or slow but never
 * wrong — except where the filter is nothing but exact equalities the bounds already
 * express (a lookup by `_id` or by a unique email), which skips the test.
 */

type Predicate =
  | { kind: 'eq'; values: unknown[]; isExact: boolean }
  | { kind: 'range'; low?: { value: unknown; inclusive: boolean }; high?: { value: unknown; inclusive: boolean } };

export interface Plan {
  stage: 'COLLSCAN' | 'IXSCAN';
  indexName?: string;
  /** True when documents come out already in the requested sort order. */
  isSorted: boolean;
  /** True when every candidate matches the whole filter: no need to test them. */
  isCovering: boolean;
  /** The documents to test against the filter, lazily. */
  documents(): Iterable<Doc>;
  keysExamined: number;
}

/** Value types whose range bounds can be turned into index bounds. */
function isRangeable(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'string' || value instanceof Date || value instanceof ObjectId;
}

function isEqualityValue(value: unknown): boolean {
  return !(value instanceof RegExp) && !(value instanceof BSONRegExp) && !Array.isArray(value) && value !== undefined;
}

/**
 * Values whose index key match is exactly MongoDB's equality: an entry with that key
 * is a match and a match has that key. Not null (which also matches missing fields and
 * shares its key with empty arrays), sub-documents (field order) or arrays.
 */
function isExactKeyValue(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    (typeof value === 'number' && !Number.isNaN(value)) ||
    typeof value === 'boolean' ||
    value instanceof Date ||
    value instanceof ObjectId
  );
}

function predicateOf(condition: unknown): Predicate | undefined {
  if (isDocument(condition)) {
    const keys = Object.keys(condition);
    if (keys.length === 0 || !keys[0]!.startsWith('$')) return { kind: 'eq', values: [condition], isExact: false };
    if ('$eq' in condition && isEqualityValue(condition.$eq)) {
      return { kind: 'eq', values: [condition.$eq], isExact: keys.length === 1 && isExactKeyValue(condition.$eq) };
    }
    if (Array.isArray(condition.$in) && condition.$in.every(isEqualityValue)) {
      return { kind: 'eq', values: condition.$in, isExact: keys.length === 1 && condition.$in.every(isExactKeyValue) };
    }
    const range: Extract<Predicate, { kind: 'range' }> = { kind: 'range' };
    for (const [operator, inclusive] of [['$gt', false], ['$gte', true]] as const) {
      if (operator in condition && isRangeable(condition[operator])) range.low = { value: condition[operator], inclusive };
    }
    for (const [operator, inclusive] of [['$lt', false], ['$lte', true]] as const) {
      if (operator in condition && isRangeable(condition[operator])) range.high = { value: condition[operator], inclusive };
    }
    if (range.low && range.high && encodeKey(range.low.value)[0] !== encodeKey(range.high.value)[0]) delete range.high;
    return range.low || range.high ? range : undefined;
  }
  return isEqualityValue(condition) ? { kind: 'eq', values: [condition], isExact: isExactKeyValue(condition) } : undefined;
}

/** Field → predicate for the top-level conjunction of a filter (including `$and`). */
function predicatesOf(filter: Doc, into = new Map<string, Predicate>()): Map<string, Predicate> {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) if (isDocument(part)) predicatesOf(part, into);
      continue;
    }
    if (field.startsWith('$')) continue;
    const predicate = predicateOf(condition);
    if (predicate && !into.has(field)) into.set(field, predicate);
  }
  return into;
}

/**
 * The filter is nothing but exact equalities on the given fields (as `{a: v}`,
 * `{a: {$eq: v}}` or `{a: {$in: [...]}}`), so index bounds on those fields select
 * exactly the matching documents.
 */
function isExactlyBoundBy(filter: Doc, predicates: Map<string, Predicate>, boundFields: readonly string[]): boolean {
  const fields = Object.keys(filter);
  if (fields.length === 0) return false;
  return fields.every((field) => {
    const predicate = predicates.get(field);
    return predicate?.kind === 'eq' && predicate.isExact && boundFields.includes(field);
  });
}

interface IndexBounds {
  index: Index;
  ranges: Array<[string, string]>;
  score: number;
  /** The number of leading fields fixed by a single equality (for sort-by-index). */
  fixedFields: number;
  /** Every field of a unique index fixed by equality: each range is one exact key. */
  isExactUnique: boolean;
  /** The index fields whose predicates are in the bounds. */
  boundFields: string[];
}

const MAX_RANGES = 1000;

function boundsFor(index: Index, predicates: Map<string, Predicate>): IndexBounds | undefined {
  if (index.isPartial) return undefined;
  let prefixes = [''];
  let score = 0;
  let fixedFields = 0;
  let ranges: Array<[string, string]> | undefined;
  const boundFields: string[] = [];
  for (const field of index.fields) {
    const predicate = predicates.get(field);
    if (!predicate) break;
    if (predicate.kind === 'eq') {
      // A sparse index has no entry for a missing field, which `null` also matches.
      if (index.isSparse && predicate.values.some((value) => value === null)) break;
      const next = prefixes.flatMap((prefix) => predicate.values.map((value) => prefix + encodeKey(value)));
      if (next.length > MAX_RANGES) break;
      if (predicate.values.length === 1 && score === fixedFields * 10) fixedFields += 1;
      prefixes = [...new Set(next)];
      score += 10;
      boundFields.push(field);
      continue;
    }
    // A multikey document may satisfy each bound with a different element, so only
    // one side of the range can bound the scan.
    const low = predicate.low;
    const high = index.isMultikey && low ? undefined : predicate.high;
    const tag = encodeKey((low ?? high)!.value)[0]!;
    ranges = prefixes.map((prefix) => [
      low ? (low.inclusive ? prefix + encodeKey(low.value) : prefixEnd(prefix + encodeKey(low.value))) : prefix + tag,
      high ? (high.inclusive ? prefixEnd(prefix + encodeKey(high.value)) : prefix + encodeKey(high.value)) : prefixEnd(prefix + tag),
    ]);
    score += 5;
    break;
  }
  if (score === 0) return undefined;
  const isExactUnique = !ranges && index.isUnique && score === index.fields.length * 10;
  ranges ??= prefixes.map((prefix) => [prefix, prefixEnd(prefix)]);
  if (isExactUnique) score += 100;
  return { index, ranges, score, fixedFields, isExactUnique, boundFields };
}

/** Whether walking `index` (after `fixedFields` equal leading fields) gives `sort`'s order. */
function walkDirection(index: Index, fixedFields: number, sort: Doc | undefined): 1 | -1 | undefined {
  if (!sort || index.isMultikey || index.isSparse || index.isPartial) return undefined;
  const sortFields = Object.entries(sort);
  if (sortFields.length === 0) return undefined;
  const direction = sortFields[0]![1] === -1 ? -1 : 1;
  for (let i = 0; i < sortFields.length; i += 1) {
    const [field, value] = sortFields[i]!;
    if (index.fields[fixedFields + i] !== field) return undefined;
    // Entries are stored in ascending order whatever the index's declared direction.
    if ((value === -1 ? -1 : 1) !== direction || (value !== 1 && value !== -1)) return undefined;
  }
  return direction;
}

export function planQuery(collection: Collection, filter: Doc, sort?: Doc, hint?: unknown): Plan {
  const predicates = predicatesOf(filter);
  const hinted = hintedIndex(collection, hint);
  const candidates = hinted ? [hinted] : [...collection.indexes.values()];

  let best: IndexBounds | undefined;
  for (const index of candidates) {
    const bounds = boundsFor(index, predicates);
    if (bounds && (!best || bounds.score > best.score)) best = bounds;
  }

  if (best) {
    const direction = best.ranges.length === 1 ? walkDirection(best.index, best.fixedFields, sort) : undefined;
    const plan = indexPlan(collection, best.index, best.ranges, direction, best.isExactUnique);
    plan.isCovering = isExactlyBoundBy(filter, predicates, best.boundFields);
    return plan;
  }
  // No bounds: an index in the sort's order still spares sorting the whole collection.
  for (const index of candidates) {
    const direction = walkDirection(index, 0, sort);
    if (direction) return indexPlan(collection, index, [['', '\uffff']], direction);
  }
  if (hinted) return indexPlan(collection, hinted, [['', '\uffff']], undefined);
  return {
    stage: 'COLLSCAN',
    isSorted: false,
    isCovering: false,
    keysExamined: 0,
    documents: () => collection.docs.values(),
  };
}

function indexPlan(
  collection: Collection,
  index: Index,
  ranges: Array<[string, string]>,
  direction: 1 | -1 | undefined,
  isExactUnique = false,
): Plan {
  const plan: Plan = {
    stage: 'IXSCAN',
    indexName: index.name,
    isSorted: direction !== undefined,
    isCovering: false,
    keysExamined: 0,
    documents: function* () {
      const seen = index.isMultikey || ranges.length > 1 ? new Set<string>() : undefined;
      for (const [low, high] of ranges) {
        // An exact key in a unique index (the `_id` lookup above all): no scan at all.
        if (isExactUnique) {
          const idKey = index.getUnique(low);
          plan.keysExamined += 1;
          const doc = idKey === undefined ? undefined : collection.docs.get(idKey);
          if (doc && !seen?.has(idKey!)) {
            seen?.add(idKey!);
            yield doc;
          }
          continue;
        }
        for (const idKey of index.scan(low, high, direction === -1)) {
          plan.keysExamined += 1;
          if (seen) {
            if (seen.has(idKey)) continue;
            seen.add(idKey);
          }
          const doc = collection.docs.get(idKey);
          if (doc) yield doc;
        }
      }
    },
  };
  return plan;
}

function hintedIndex(collection: Collection, hint: unknown): Index | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (typeof hint === 'string') {
    const index = collection.indexes.get(hint);
    if (index) return index;
  } else if (isDocument(hint)) {
    if (Object.keys(hint).length === 0) return undefined;
    if ('$natural' in hint) return undefined;
    const wanted = JSON.stringify(hint);
    for (const index of collection.indexes.values()) if (JSON.stringify(index.spec.key) === wanted) return index;
  }
  throw new CommandError('BadValue', 'hint provided does not correspond to an existing index');
}

