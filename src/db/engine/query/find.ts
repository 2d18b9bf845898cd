import { Query } from 'mingo';
import { CommandError } from '../errors.js';
import type { Collection } from '../storage/collection.js';
import { isDocument, type Doc } from '../storage/document.js';
import { queryOptions } from './mingo-options.js';
import { planQuery, type Plan } from './planner.js';
import { projectDocuments } from './projection.js';
import { sortDocuments, validateSort } from './sort.js';

export interface FindSpec {
  filter?: unknown;
  sort?: unknown;
  projection?: unknown;
  skip?: unknown;
  limit?: unknown;
  hint?: unknown;
  /** The command's `let`: variables for `$expr`. */
  variables?: unknown;
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

/** Geospatial operators need geo indexes (or geometry) the engine does not have. */
const GEO_OPERATORS = new Set(['$near', '$nearSphere', '$geoWithin', '$geoIntersects', '$within']);

/**
 * Refuses `$text` and geospatial operators with a clear error: mingo would only say
 * "unknown operator", which reads like a typo rather than a missing feature.
 */
function refuseUnsupportedOperators(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) refuseUnsupportedOperators(item);
    return;
  }
  if (!isDocument(value)) return;
  for (const [key, nested] of Object.entries(value)) {
    if (key === '$text') {
      throw new CommandError('IndexNotFound', 'text index required for $text query; the embedded engine does not support text indexes');
    }
    if (GEO_OPERATORS.has(key)) {
      throw new CommandError('CommandNotSupported', `${key} needs geospatial indexes, which the embedded engine does not support`);
    }
    refuseUnsupportedOperators(nested);
  }
}

/** The filter as a mingo query; `variables` are the command's `let` (for `$$name` in `$expr`). */
export function compileFilter(filter: Doc, variables?: Doc): Query | undefined {
  refuseUnsupportedOperators(filter);
  // `$comment` only labels a query for the logs; mingo would reject it as unknown.
  const { $comment: _comment, ...conditions } = filter;
  if (Object.keys(conditions).length === 0) return undefined;
  return new Query(conditions, variables ? { ...queryOptions, variables } : queryOptions);
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
  const variables = optionalDocument(spec.variables, 'let');
  let isNaturalReverse = false;
  if (sort && '$natural' in sort) {
    isNaturalReverse = sort.$natural === -1;
    sort = undefined;
  }
  const plan = collection ? planQuery(collection, filter, sort, spec.hint) : undefined;
  // A covering plan needs no test, and compiling a mingo query is most of a lookup's cost.
  const query = plan?.isCovering ? undefined : compileFilter(filter, variables);
  if (!collection || !plan) return { docs: [], plan: undefined, docsExamined: 0 };

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
  if (projection && Object.keys(projection).length > 0) matched = projectDocuments(matched, filter, projection);
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
