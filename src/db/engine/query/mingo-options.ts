import { Context, OpType } from 'mingo/core';
import { Aggregator } from 'mingo/aggregator';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import type { Options } from 'mingo/types';
import { CommandError } from '../errors.js';
import { isDocument, type Doc } from '../storage/document.js';
import { sortDocuments, validateSort } from './sort.js';

/**
 * The options every mingo call runs with. Server-side JavaScript (`$where`,
 * `$function`, `$accumulator`) stays off: a query must never run code it was sent.
 */
export const queryOptions: Partial<Options> = Object.freeze({
  scriptEnabled: false,
  useStrictMode: true,
});

/** `$sort` in MongoDB's order (see sort.ts), for every pipeline and sub-pipeline. */
function sortStage(collection: Iterator, spec: unknown): Iterator {
  const sort = validateSort(isDocument(spec) ? spec : undefined);
  if (!sort) throw new CommandError('BadValue', '$sort stage must have at least one sort key');
  return collection.transform((docs) => Lazy(sortDocuments(docs as Doc[], sort)));
}

/**
 * mingo's operators with our `$sort`. mingo's own entry points merge a given context
 * under their built-in operators (the built-ins win), so pipelines run on the base
 * Aggregator with this context instead.
 */
const aggregationContext = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: { ...pipelineOperators, $sort: sortStage as typeof pipelineOperators.$sort },
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
});

export function createAggregator(pipeline: Doc[], options: Partial<Options> = {}): Aggregator {
  return new Aggregator(pipeline, { ...queryOptions, ...options, context: aggregationContext });
}

/** Whether a pipeline stage name is one the engine runs (`$out` and `$merge` are its own). */
export function isKnownStage(name: string): boolean {
  return name === '$out' || name === '$merge' || aggregationContext.getOperator(OpType.PIPELINE, name) !== null;
}
