import { Aggregator, Query } from 'mingo';
import { CommandError } from '../errors.js';
import type { Collection } from '../storage/collection.js';
import { isDocument, type Doc } from '../storage/document.js';
import { queryOptions } from './mingo-options.js';
import { planQuery, type Plan } from './planner.js';

export interface FindSpec {
  filter?: unknown;
  sort?: unknown;
  projection?: unknown;
  skip?: unknown;
  limit?: unknown;
  hint?: unknown;
}

export interface FindResult {
  docs: Doc[];
  plan: Plan | undefined;
  docsExamined: number;
}

function optionalDocument(value: unknown, name: string): Doc | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isDocument(value)) throw new CommandError('TypeMismatch', `'${name}' must be an object`);
  return value;
}

function nonNegativeInteger(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new CommandError('BadValue', `'${name}' must be a non-negative integer`);
  }
  return value;
}

export function validateSort(sort: Doc | undefined): Doc | undefined {
  if (!sort || Object.keys(sort).length === 0) return undefined;
  for (const [field, direction] of Object.entries(sort)) {
    if (direction !== 1 && direction !== -1) {
      throw new CommandError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending); '${field}' is ${JSON.stringify(direction)}`);
    }
  }
  return sort;
}

export function compileFilter(filter: Doc): Query | undefined {
  return Object.keys(filter).length === 0 ? undefined : new Query(filter, queryOptions);
}

export function sortDocuments(docs: Doc[], sort: Doc): Doc[] {
  return new Aggregator([{ $sort: sort }], queryOptions).run(docs) as Doc[];
}

/**
 * Runs a query: candidates from the planner, the whole filter tested on each, then
 * sort, skip, limit and projection. When the plan already yields the sort order the
 * scan stops as soon as skip + limit documents matched.
 */
export function findDocuments(collection: Collection | undefined, spec: FindSpec): FindResult {
  const filter = optionalDocument(spec.filter, 'filter') ?? {};
  let sort = validateSort(optionalDocument(spec.sort, 'sort'));
  const projection = optionalDocument(spec.projection, 'projection');
  const skip = nonNegativeInteger(spec.skip, 'skip');
  const limit = typeof spec.limit === 'number' ? Math.abs(spec.limit) : nonNegativeInteger(spec.limit, 'limit');
  const query = compileFilter(filter);
  if (!collection) return { docs: [], plan: undefined, docsExamined: 0 };

  let isNaturalReverse = false;
  if (sort && '$natural' in sort) {
    isNaturalReverse = sort.$natural === -1;
    sort = undefined;
  }
  const plan = planQuery(collection, filter, sort, spec.hint);
  const wanted = limit > 0 && (!sort || plan.isSorted) && !isNaturalReverse ? skip + limit : Number.POSITIVE_INFINITY;

  let matched: Doc[] = [];
  let docsExamined = 0;
  for (const doc of plan.documents()) {
    docsExamined += 1;
    if (query && !query.test(doc)) continue;
    matched.push(doc);
    if (matched.length >= wanted) break;
  }
  if (isNaturalReverse) matched.reverse();
  if (sort && !plan.isSorted) matched = sortDocuments(matched, sort);
  if (skip > 0 || limit > 0) matched = matched.slice(skip, limit > 0 ? skip + limit : undefined);
  if (projection && Object.keys(projection).length > 0) {
    matched = new Query(filter, queryOptions).find(matched, projection).all() as Doc[];
  }
  return { docs: matched, plan, docsExamined };
}

/** The `queryPlanner` / `executionStats` parts of an explain reply. */
export function explainOf(namespace: string, result: FindResult, filter: unknown): Doc {
  const plan = result.plan;
  const inputStage = plan?.stage === 'IXSCAN'
    ? { stage: 'IXSCAN', indexName: plan.indexName }
    : { stage: plan ? 'COLLSCAN' : 'EOF' };
  const winningPlan = plan?.stage === 'IXSCAN' ? { stage: 'FETCH', inputStage } : inputStage;
  return {
    queryPlanner: { namespace, parsedQuery: filter ?? {}, winningPlan, rejectedPlans: [] },
    executionStats: {
      nReturned: result.docs.length,
      totalKeysExamined: plan?.keysExamined ?? 0,
      totalDocsExamined: result.docsExamined,
      executionSuccess: true,
    },
    ok: 1,
  };
}
