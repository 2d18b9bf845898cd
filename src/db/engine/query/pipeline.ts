import { ObjectId } from 'bson';
import type { CommandContext } from '../commands/context.js';
import { CommandError } from '../errors.js';
import type { Collection } from '../storage/collection.js';
import { cloneDocument, isDocument, type Doc } from '../storage/document.js';
import { encodeKey } from '../storage/keys.js';
import type { Store } from '../storage/store.js';
import { compileFilter, findDocuments, type FindResult } from './find.js';
import { createAggregator, isKnownStage } from './mingo-options.js';
import { planQuery } from './planner.js';
import { compileSimpleGroup, NotSimple } from './simple-group.js';
import { excludesNestedFields } from './projection.js';

/**
 * Stages known to build new objects instead of changing their input. A pipeline made
 * only of these runs directly on the stored documents; any other stage gets copies,
 * because mingo changes documents in place for some ($unwind, $addFields on paths).
 */
const READ_ONLY_STAGES = new Set([
  '$match', '$sort', '$limit', '$skip', '$count', '$group', '$sortByCount', '$bucket', '$bucketAuto',
  '$project', '$lookup', '$facet', '$sample', '$replaceRoot', '$replaceWith', '$unionWith',
]);

function isReadOnly(pipeline: unknown): boolean {
  if (!Array.isArray(pipeline)) return true;
  return pipeline.every((stage) => {
    if (!isDocument(stage)) return false;
    const [name, spec] = Object.entries(stage)[0] ?? [];
    if (!name || !READ_ONLY_STAGES.has(name)) return false;
    if (name === '$project') return isDocument(spec) && !excludesNestedFields(spec);
    if (name === '$facet' && isDocument(spec)) return Object.values(spec).every(isReadOnly);
    if ((name === '$lookup' || name === '$unionWith') && isDocument(spec)) return isReadOnly(spec.pipeline);
    return true;
  });
}

export interface PipelineOutcome {
  docs: Doc[];
  /** How the leading $match (and $sort) were served: for explain. */
  scan: FindResult;
}

/**
 * Runs an aggregation. A leading `$match` (and a `$sort` after it) go through the
 * query planner, so they use indexes; mingo runs the remaining stages. A final `$out`
 * or `$merge` writes through the store, journaled like any other write.
 */
export async function runPipeline(
  context: CommandContext,
  db: string,
  collectionName: string | undefined,
  pipeline: Doc[],
  hint: unknown,
  { isExplain = false, variables }: { isExplain?: boolean; variables?: Doc } = {},
): Promise<PipelineOutcome> {
  const { store } = context;
  let stages = pipeline;
  const last = stages.at(-1);
  const output = last && ('$out' in last || '$merge' in last) ? last : undefined;
  if (output) stages = stages.slice(0, -1);
  for (const stage of pipeline) checkStageName(Object.keys(stage)[0] ?? '');
  for (const stage of stages) {
    const name = Object.keys(stage)[0];
    if (name === '$out' || name === '$merge') throw new CommandError('BadValue', `${name} can only be the final stage in the pipeline`);
  }

  const collection = collectionName === undefined ? undefined : store.getCollection(db, collectionName);
  const { input, scan, consumed } = leadingScan(collection, stages, hint, variables);
  const rest = stages.slice(consumed);
  if (isExplain) return { docs: [], scan };

  const isSafe = isReadOnly(rest);
  const resolver = (name: string): Doc[] => {
    const docs = [...(store.getCollection(db, name)?.docs.values() ?? [])];
    return isSafe ? docs : docs.map(cloneDocument);
  };
  const source = isSafe ? input : input.map(cloneDocument);
  const docs = rest.length === 0 ? source : (simpleGroupOf(rest, source) ?? (createAggregator(rest, { collectionResolver: resolver, variables }).run(source) as Doc[]));

  if (output) {
    if ('$out' in output) writeOut(store, db, output.$out, docs);
    else mergeInto(store, db, output.$merge, docs);
    await store.sync();
    return { docs: [], scan };
  }
  return { docs, scan };
}

/** A lone `$group` that simple-group.ts can compile, run without mingo; undefined otherwise. */
function simpleGroupOf(rest: Doc[], source: Doc[]): Doc[] | undefined {
  const [stage] = rest;
  if (rest.length !== 1 || !stage || !('$group' in stage)) return undefined;
  const group = compileSimpleGroup(stage.$group);
  if (!group) return undefined;
  try {
    return group(source);
  } catch (error) {
    if (error instanceof NotSimple) return undefined;
    throw error;
  }
}

/** Stages mingo does not know answer mongod's codes, not "unregistered pipeline operator". */
function checkStageName(name: string): void {
  if (name === '$changeStream') {
    throw new CommandError('Location40573', 'The $changeStream stage is only supported on replica sets; the embedded engine is a standalone server');
  }
  if (!isKnownStage(name)) throw new CommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
}

function leadingScan(
  collection: Collection | undefined,
  stages: Doc[],
  hint: unknown,
  variables: Doc | undefined,
): { input: Doc[]; scan: FindResult; consumed: number } {
  const first = stages[0];
  const filter = first && isDocument(first.$match) ? first.$match : {};
  let consumed = first && isDocument(first.$match) ? 1 : 0;
  const sortStage = stages[consumed];
  const sort = sortStage && isDocument(sortStage.$sort) ? sortStage.$sort : undefined;
  if (!collection) return { input: [], scan: { docs: [], plan: undefined, docsExamined: 0 }, consumed };

  const plan = planQuery(collection, filter, sort, hint);
  let wanted = Number.POSITIVE_INFINITY;
  if (sort && plan.isSorted) {
    consumed += 1;
    // Already in order: a $limit right after needs no more than its count.
    const limit = stages[consumed]?.$limit;
    if (typeof limit === 'number' && limit > 0) wanted = limit;
  }
  const query = plan.isCovering ? undefined : compileFilter(filter, variables);
  const input: Doc[] = [];
  let docsExamined = 0;
  for (const doc of plan.documents()) {
    docsExamined += 1;
    if (query && !query.test(doc)) continue;
    input.push(doc);
    if (input.length >= wanted) break;
  }
  return { input, scan: { docs: input, plan, docsExamined }, consumed };
}

function targetOf(spec: unknown, db: string): { db: string; name: string } {
  if (typeof spec === 'string') return { db, name: spec };
  if (isDocument(spec)) {
    const into = spec.into ?? spec.coll;
    if (typeof into === 'string') return { db: typeof spec.db === 'string' ? spec.db : db, name: into };
    if (isDocument(into) && typeof into.coll === 'string') {
      return { db: typeof into.db === 'string' ? into.db : db, name: into.coll };
    }
  }
  throw new CommandError('FailedToParse', 'the output collection must be a string or {db, coll}');
}

/** `$out`: the results replace the target, built aside and renamed over it. */
function writeOut(store: Store, db: string, spec: unknown, docs: Doc[]): void {
  const target = targetOf(spec, db);
  const existing = store.getCollection(target.db, target.name);
  const staging = store.createCollection(target.db, `tmp.agg_out.${new ObjectId().toHexString()}`, {});
  try {
    for (const doc of docs) store.insert(staging, '_id' in doc ? doc : { _id: new ObjectId(), ...doc });
    for (const index of existing?.secondaryIndexSpecs() ?? []) store.createIndex(staging, index);
  } catch (error) {
    store.dropCollection(staging.db, staging.name);
    throw error;
  }
  store.renameCollection(staging, target.db, target.name);
}

/** `$merge` on `_id` or other fields, with the usual whenMatched / whenNotMatched modes. */
function mergeInto(store: Store, db: string, spec: unknown, docs: Doc[]): void {
  const target = targetOf(spec, db);
  const options = isDocument(spec) ? spec : {};
  const on = options.on === undefined ? ['_id'] : Array.isArray(options.on) ? (options.on as string[]) : [String(options.on)];
  const whenMatched = options.whenMatched ?? 'merge';
  const whenNotMatched = options.whenNotMatched ?? 'insert';
  if (typeof whenMatched !== 'string') {
    throw new CommandError('CommandNotSupported', '$merge with a whenMatched pipeline is not supported by the embedded engine');
  }
  const collection = store.ensureCollection(target.db, target.name);
  for (const doc of docs) {
    const filter = Object.fromEntries(on.map((field) => [field, doc[field] ?? null]));
    const match = findDocuments(collection, { filter, limit: 1 }).docs[0];
    if (!match) {
      if (whenNotMatched === 'discard') continue;
      if (whenNotMatched === 'fail') throw new CommandError('BadValue', '$merge could not find a matching document in the target collection');
      store.insert(collection, '_id' in doc ? doc : { _id: new ObjectId(), ...doc });
      continue;
    }
    if (whenMatched === 'keepExisting') continue;
    if (whenMatched === 'fail') {
      throw collection.duplicateKeyError(on.join('_'), Object.fromEntries(on.map((field) => [field, 1])), filter);
    }
    const merged = whenMatched === 'replace' ? { ...doc, _id: match._id } : { ...match, ...doc, _id: match._id };
    if (encodeKey(merged) !== encodeKey(match)) store.replace(collection, match, merged);
  }
}
