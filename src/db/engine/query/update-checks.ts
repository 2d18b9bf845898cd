import { CommandError } from '../errors.js';
import { isDocument, type Doc } from '../storage/document.js';
import { encodeKey, numericValue } from '../storage/keys.js';

/**
 * The checks mongod makes on update operators and that mingo's updater does not: it
 * skips `$inc` on a string, `$push` onto a non-array or `$set` under a scalar without a
 * word, and reports `_id` changes and path conflicts with its own error. Without these
 * an application would get `modifiedCount: 0` where MongoDB answers an error, which is
 * the kind of silent difference the engine must not have.
 */

/** Operators that create the path they name when it is missing. */
const CREATING = new Set(['$set', '$setOnInsert', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate', '$bit']);

const ARRAY_FILTER_SEGMENT = /^\$\[([a-zA-Z][a-zA-Z0-9]*)\]$/;

/** A value as error messages show it, cut short: it may be a whole array or sub-document. */
function describe(value: unknown): string {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return shown.length > 120 ? `${shown.slice(0, 117)}...` : shown;
}

/** The BSON type name mongod uses in its messages. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  if (isDocument(value)) return 'object';
  const bsonType = (value as { _bsontype?: string } | undefined)?._bsontype;
  return bsonType ? bsonType.charAt(0).toLowerCase() + bsonType.slice(1) : typeof value;
}

function isNumeric(value: unknown): boolean {
  return numericValue(value) !== undefined;
}

/** Every path an update writes to, with the operator that writes it. */
function targetPaths(operators: Doc): Array<[string, string]> {
  const paths: Array<[string, string]> = [];
  for (const [operator, fields] of Object.entries(operators)) {
    for (const [path, argument] of Object.entries(fields as Doc)) {
      paths.push([operator, path]);
      if (operator === '$rename' && typeof argument === 'string') paths.push([operator, argument]);
    }
  }
  return paths;
}

/** Checks an operator update on its own: arguments, path conflicts, array filter names. */
export function checkOperators(operators: Doc, arrayFilters: Doc[] | undefined): void {
  for (const [operator, fields] of Object.entries(operators)) {
    for (const [path, argument] of Object.entries(fields as Doc)) {
      if (path.split('.').some((segment) => segment.length === 0)) {
        throw new CommandError('EmptyFieldName', `The update path '${path}' contains an empty field name, which is not allowed.`);
      }
      if ((operator === '$inc' || operator === '$mul') && !isNumeric(argument)) {
        const verb = operator === '$inc' ? 'increment' : 'multiply';
        throw new CommandError('TypeMismatch', `Cannot ${verb} with non-numeric argument: {${path}: ${describe(argument)}}`);
      }
      if (operator === '$pop' && argument !== 1 && argument !== -1) {
        throw new CommandError('FailedToParse', `$pop expects 1 or -1, found: ${describe(argument)}`);
      }
      if (operator === '$rename') {
        if (typeof argument !== 'string' || argument.length === 0) {
          throw new CommandError('BadValue', `The 'to' field for $rename must be a string: ${path}: ${describe(argument)}`);
        }
        if (argument === path) throw new CommandError('BadValue', `The source and target field for $rename must differ: ${path}: "${argument}"`);
        if (argument.startsWith(`${path}.`) || path.startsWith(`${argument}.`)) {
          throw new CommandError('BadValue', `The source and target field for $rename must not be on the same path: ${path}: "${argument}"`);
        }
      }
    }
  }
  const paths = targetPaths(operators);
  for (let i = 0; i < paths.length; i += 1) {
    for (let j = 0; j < i; j += 1) {
      const later = paths[i]![1];
      const earlier = paths[j]![1];
      if (later === earlier || later.startsWith(`${earlier}.`) || earlier.startsWith(`${later}.`)) {
        throw new CommandError('ConflictingUpdateOperators', `Updating the path '${later}' would create a conflict at '${earlier}'`);
      }
    }
  }
  checkArrayFilterNames(paths.map(([, path]) => path), arrayFilters ?? []);
}

function checkArrayFilterNames(paths: string[], arrayFilters: Doc[]): void {
  const defined = new Set<string>();
  for (const filter of arrayFilters) {
    for (const key of Object.keys(filter)) if (!key.startsWith('$')) defined.add(key.split('.')[0]!);
  }
  const used = new Set<string>();
  for (const path of paths) {
    for (const segment of path.split('.')) {
      const identifier = ARRAY_FILTER_SEGMENT.exec(segment)?.[1];
      if (identifier === undefined) continue;
      if (!defined.has(identifier)) throw new CommandError('BadValue', `No array filter found for identifier '${identifier}' in path '${path}'`);
      used.add(identifier);
    }
  }
  for (const identifier of defined) {
    if (!used.has(identifier)) throw new CommandError('FailedToParse', `The array filter for identifier '${identifier}' was not used in the update`);
  }
}

type Walk =
  | { kind: 'missing'; isThroughArray: boolean }
  | { kind: 'value'; value: unknown; isThroughArray: boolean }
  | { kind: 'blocked'; segment: string; parentField: string; parent: unknown };

/** Follows a plain dotted path (numeric segments index arrays) as far as it goes. */
function walk(doc: Doc, segments: string[]): Walk {
  let current: unknown = doc;
  let parentField = '';
  let isThroughArray = false;
  for (const segment of segments) {
    let next: unknown;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return { kind: 'blocked', segment, parentField, parent: current };
      isThroughArray = true;
      next = current[Number(segment)];
    } else if (isDocument(current)) {
      next = current[segment];
    } else {
      return { kind: 'blocked', segment, parentField, parent: current };
    }
    if (next === undefined) return { kind: 'missing', isThroughArray };
    current = next;
    parentField = segment;
  }
  return { kind: 'value', value: current, isThroughArray };
}

/** Whether the filter names the array (or a field inside it) that a `$` path points into. */
function mentions(filter: Doc, arrayPath: string): boolean {
  return Object.entries(filter).some(([key, condition]) => {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(condition)) {
      return condition.some((part) => isDocument(part) && mentions(part, arrayPath));
    }
    return key === arrayPath || key.startsWith(`${arrayPath}.`);
  });
}

function checkExisting(operator: string, path: string, value: unknown, id: unknown): void {
  const type = typeName(value);
  if ((operator === '$inc' || operator === '$mul') && !isNumeric(value)) {
    throw new CommandError(
      'TypeMismatch',
      `Cannot apply ${operator} to a value of non-numeric type. {_id: ${describe(id)}} has the field '${path.split('.').at(-1)!}' of non-numeric type ${type}`,
    );
  }
  if ((operator === '$push' || operator === '$addToSet') && !Array.isArray(value)) {
    throw new CommandError('BadValue', `The field '${path}' must be an array but is of type ${type} in document {_id: ${describe(id)}}`);
  }
  if (operator === '$pop' && !Array.isArray(value)) {
    throw new CommandError('TypeMismatch', `Path '${path}' contains an element of non-array type '${type}'`);
  }
  if ((operator === '$pull' || operator === '$pullAll') && !Array.isArray(value)) {
    throw new CommandError('BadValue', `Cannot apply ${operator} to a non-array value`);
  }
}

function checkPath(doc: Doc, operator: string, path: string, filter: Doc, isCreating: boolean): void {
  const segments = path.split('.');
  const positional = segments.indexOf('$');
  if (positional !== -1 && !mentions(filter, segments.slice(0, positional).join('.'))) {
    throw new CommandError('BadValue', 'The positional operator did not find the match needed from the query.');
  }
  // Paths with `$`, `$[]` or `$[id]` expand over elements: mingo resolves those.
  if (segments.some((segment) => segment.startsWith('$'))) return;
  const found = walk(doc, segments);
  if (found.kind === 'blocked') {
    if (!isCreating) return;
    throw new CommandError('PathNotViable', `Cannot create field '${found.segment}' in element {${found.parentField}: ${describe(found.parent)}}`);
  }
  if (found.kind === 'value') checkExisting(operator, path, found.value, doc._id);
}

const isIdPath = (path: string): boolean => path === '_id' || path.startsWith('_id.');

/**
 * Checks an operator update against the document it is about to change. Returns the
 * operators to run, without `$set`s that give `_id` its current value (allowed, but
 * refused by mingo).
 */
export function checkAgainstDocument(doc: Doc, operators: Doc, filter: Doc): Doc {
  const runnable: Doc = {};
  for (const [operator, fields] of Object.entries(operators)) {
    const kept: Doc = {};
    for (const [path, argument] of Object.entries(fields as Doc)) {
      const renamedTo = operator === '$rename' && typeof argument === 'string' ? argument : undefined;
      if (isIdPath(path) || (renamedTo !== undefined && isIdPath(renamedTo))) {
        const isSameValue = (operator === '$set' || operator === '$setOnInsert') && encodeKey(walkValue(doc, path)) === encodeKey(argument);
        if (isSameValue) continue;
        throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      checkPath(doc, operator, path, filter, CREATING.has(operator));
      if (renamedTo !== undefined) checkRename(doc, path, renamedTo);
      kept[path] = argument;
    }
    if (Object.keys(kept).length > 0) runnable[operator] = kept;
  }
  return runnable;
}

function walkValue(doc: Doc, path: string): unknown {
  const found = walk(doc, path.split('.'));
  return found.kind === 'value' ? found.value : undefined;
}

/** `$rename` moves whole fields: neither end may be inside an array, and the target must be creatable. */
function checkRename(doc: Doc, from: string, to: string): void {
  const source = walk(doc, from.split('.'));
  if (source.kind !== 'blocked' && source.isThroughArray) {
    throw new CommandError('BadValue', `The source field cannot be an array element, '${from}' in doc with _id: ${describe(doc._id)}`);
  }
  const target = walk(doc, to.split('.'));
  if (target.kind !== 'blocked' && target.isThroughArray) {
    throw new CommandError('BadValue', `The destination field cannot be an array element, '${to}' in doc with _id: ${describe(doc._id)}`);
  }
  if (target.kind === 'blocked' && source.kind === 'value') {
    throw new CommandError('PathNotViable', `Cannot create field '${target.segment}' in element {${target.parentField}: ${describe(target.parent)}}`);
  }
}
