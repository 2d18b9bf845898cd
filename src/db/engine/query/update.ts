import { ObjectId } from 'bson';
import { updateOne } from 'mingo';
import type { Modifier, PipelineStage } from 'mingo/updater';
import { CommandError } from '../errors.js';
import { cloneDocument, isDocument, type Doc } from '../storage/document.js';
import { encodeKey } from '../storage/keys.js';
import { queryOptions } from './mingo-options.js';
import { applySimpleUpdate } from './simple-update.js';
import { checkAgainstDocument, checkOperators } from './update-checks.js';

/** An update is a replacement document, operator expressions, or a pipeline. */
export type UpdateKind = 'replacement' | 'operators' | 'pipeline';

const OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$currentDate',
  '$push', '$pop', '$pull', '$pullAll', '$addToSet', '$bit', '$setOnInsert',
]);

const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/** Which kind of update this is, after the checks that need no document. */
export function classifyUpdate(update: unknown, arrayFilters?: Doc[]): UpdateKind {
  if (Array.isArray(update)) {
    for (const stage of update) {
      const name = isDocument(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !PIPELINE_STAGES.has(name)) {
        throw new CommandError('FailedToParse', `Unrecognized pipeline stage name in an update: '${name ?? ''}'`);
      }
    }
    return 'pipeline';
  }
  if (!isDocument(update)) throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(update);
  const operatorKeys = keys.filter((key) => key.startsWith('$'));
  if (operatorKeys.length === 0) return 'replacement';
  for (const key of keys) {
    if (!OPERATORS.has(key)) {
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
    if (!isDocument(update[key])) {
      throw new CommandError('FailedToParse', `Modifiers operate on fields but we found type ${typeof update[key]} instead`);
    }
  }
  checkOperators(update, arrayFilters);
  return 'operators';
}

function idFirst(doc: Doc, id: unknown): Doc {
  const { _id: _ignored, ...rest } = doc;
  return { _id: id, ...rest };
}

function assertSameId(before: Doc, after: Doc): void {
  if (encodeKey(before._id) !== encodeKey(after._id)) {
    throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
}

interface ApplyOptions {
  filter: Doc;
  arrayFilters?: Doc[];
  /** Inserting for an upsert: `$setOnInsert` applies. */
  isInsert?: boolean;
}

/**
 * Applies an update to a stored document and returns the new version, or undefined
 * when nothing changed. The stored document itself is never touched.
 */
export function applyUpdate(doc: Doc, update: unknown, kind: UpdateKind, options: ApplyOptions): Doc | undefined {
  if (kind === 'replacement') {
    const replacement = update as Doc;
    if ('_id' in replacement) assertSameId(doc, replacement);
    const next = idFirst(cloneDocument(replacement), doc._id);
    return encodeKey(next) === encodeKey(doc) ? undefined : next;
  }
  let modifier: Modifier<Doc> | PipelineStage[];
  let condition: Doc = {};
  if (kind === 'pipeline') {
    modifier = update as PipelineStage[];
  } else {
    const { $setOnInsert, ...operators } = update as Doc;
    if (options.isInsert && isDocument($setOnInsert)) {
      operators.$set = { ...(isDocument(operators.$set) ? operators.$set : {}), ...$setOnInsert };
    }
    const runnable = checkAgainstDocument(doc, operators, options.filter);
    if (Object.keys(runnable).length === 0) return undefined;
    const simple = applySimpleUpdate(doc, runnable);
    if (simple !== undefined) return simple ?? undefined;
    modifier = runnable as Modifier<Doc>;
    // Only the positional `$` needs the filter, to know which array element matched.
    if (usesPositional(runnable)) condition = options.filter;
  }
  const working = [cloneDocument(doc)];
  const result = updateOne(
    working,
    condition,
    modifier,
    { arrayFilters: options.arrayFilters, cloneMode: 'copy' },
    queryOptions,
  );
  if (result.modifiedCount === 0) return undefined;
  const next = working[0] as Doc;
  if (!('_id' in next)) return idFirst(next, doc._id);
  assertSameId(doc, next);
  return next;
}

function usesPositional(operators: Doc): boolean {
  return Object.values(operators).some(
    (fields) => isDocument(fields) && Object.keys(fields).some((path) => path === '$' || path.endsWith('.$') || path.includes('.$.')),
  );
}

/** The fields an upsert takes from its filter: top-level equalities, `$eq` and `$and`. */
function equalitiesOf(filter: Doc, into: Doc = {}): Doc {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) if (isDocument(part)) equalitiesOf(part, into);
      continue;
    }
    if (field.startsWith('$')) continue;
    if (isDocument(condition)) {
      const keys = Object.keys(condition);
      if (keys.length > 0 && keys[0]!.startsWith('$')) {
        if ('$eq' in condition) setPath(into, field, cloneDocument(condition.$eq));
        continue;
      }
    }
    if (condition instanceof RegExp) continue;
    setPath(into, field, cloneDocument(condition));
  }
  return into;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const segments = path.split('.');
  let current = doc;
  for (const segment of segments.slice(0, -1)) {
    if (!isDocument(current[segment])) current[segment] = {};
    current = current[segment] as Doc;
  }
  current[segments.at(-1)!] = value;
}

/** The document an upsert inserts when nothing matched. */
export function upsertDocument(filter: Doc, update: unknown, kind: UpdateKind, arrayFilters?: Doc[]): Doc {
  if (kind === 'replacement') {
    const seed = equalitiesOf(filter);
    const replacement = cloneDocument(update as Doc);
    return idFirst(replacement, '_id' in replacement ? replacement._id : (seed._id ?? new ObjectId()));
  }
  const seed = equalitiesOf(filter);
  // An `_id` the update sets is the new document's own, not a change to a generated one.
  const id = '_id' in seed ? seed._id : (idSetBy(update) ?? new ObjectId());
  const base = idFirst(seed, id);
  const updated = applyUpdate(base, update, kind, { filter: {}, arrayFilters, isInsert: true }) ?? base;
  return '_id' in updated ? idFirst(updated, updated._id) : idFirst(updated, id);
}

function idSetBy(update: unknown): unknown {
  if (!isDocument(update)) return undefined;
  for (const operator of ['$set', '$setOnInsert']) {
    const fields = update[operator];
    if (isDocument(fields) && fields._id !== undefined) return cloneDocument(fields._id);
  }
  return undefined;
}
