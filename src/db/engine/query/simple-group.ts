import { isDocument, type Doc } from '../storage/document.js';
import { encodeKey, numericValue } from '../storage/keys.js';

/**
 * The `$group` reports send most — keys that are field paths (bare, or in `$ifNull`
 * with a literal), counters that `$sum` a number or a `$cond` on field truthiness, `$eq`
 * with a string/number/boolean literal, `$or` and `$and` — compiled once into plain
 * functions. mingo interprets every operator of every accumulator for every document,
 * which made a five-counter participation report over 100,000 enrollments take most of
 * a second. Anything else (other operators, `$$` variables, arrays met on a path) is
 * left to mingo: compiling returns `undefined`, and a path that meets an array while
 * running throws NotSimple, so the caller runs mingo instead.
 */
export class NotSimple extends Error {}

type Expression = (doc: Doc) => unknown;

const FIELD_PATH = /^\$[^$.][^.]*(\.[^$.][^.]*)*$/;

function fieldReader(path: string): Expression {
  const segments = path.slice(1).split('.');
  return (doc) => {
    let current: unknown = doc;
    for (const segment of segments) {
      if (current === undefined || current === null) return undefined;
      if (Array.isArray(current)) throw new NotSimple(); // MongoDB maps paths over arrays: mingo's job
      if (!isDocument(current)) return undefined;
      current = current[segment];
    }
    return current;
  };
}

/** MongoDB's truthiness in `$cond`, `$or`, `$and`: missing, null, false and numeric zero are false. */
function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  const numeric = typeof value === 'object' || typeof value === 'number' || typeof value === 'bigint' ? numericValue(value) : undefined;
  return numeric === undefined || numeric !== 0;
}

const isScalarLiteral = (value: unknown): value is string | number | boolean =>
  typeof value === 'boolean' || (typeof value === 'string' && !value.startsWith('$')) || (typeof value === 'number' && Number.isFinite(value));

function compileExpression(spec: unknown): Expression | undefined {
  if (typeof spec === 'string' && FIELD_PATH.test(spec)) return fieldReader(spec);
  if (isScalarLiteral(spec)) return () => spec;
  if (!isDocument(spec)) return undefined;
  const entries = Object.entries(spec);
  if (entries.length !== 1) return undefined;
  const [operator, operands] = entries[0]!;
  if (operator === '$eq' && Array.isArray(operands) && operands.length === 2) {
    const [left, right] = operands;
    if (typeof left !== 'string' || !FIELD_PATH.test(left) || !isScalarLiteral(right)) return undefined;
    const read = fieldReader(left);
    const wanted = encodeKey(right);
    return (doc) => {
      const value = read(doc);
      return value !== undefined && value !== null && encodeKey(value) === wanted;
    };
  }
  if ((operator === '$or' || operator === '$and') && Array.isArray(operands) && operands.length > 0) {
    const parts = operands.map(compileExpression);
    if (parts.some((part) => part === undefined)) return undefined;
    const compiled = parts as Expression[];
    return operator === '$or' ? (doc) => compiled.some((part) => isTruthy(part(doc))) : (doc) => compiled.every((part) => isTruthy(part(doc)));
  }
  if (operator === '$cond') {
    const [condition, then, otherwise] = Array.isArray(operands)
      ? operands
      : isDocument(operands)
        ? [operands.if, operands.then, operands.else]
        : [];
    const test = compileExpression(condition);
    if (!test || typeof then !== 'number' || typeof otherwise !== 'number') return undefined;
    return (doc) => (isTruthy(test(doc)) ? then : otherwise);
  }
  if (operator === '$ifNull' && Array.isArray(operands) && operands.length === 2) {
    const [value, fallback] = operands;
    if (typeof value !== 'string' || !FIELD_PATH.test(value) || !(fallback === null || isScalarLiteral(fallback))) return undefined;
    const read = fieldReader(value);
    return (doc) => read(doc) ?? fallback;
  }
  return undefined;
}

/**
 * The group key: null, one field path (missing groups with null), or an object of such
 * expressions. It reads the key's values; the `_id` object is built once per group.
 */
interface CompiledKey {
  values: (doc: Doc) => unknown[];
  idOf: (values: unknown[]) => unknown;
}

function compileKey(spec: unknown): CompiledKey | undefined {
  if (spec === null) return { values: () => [null], idOf: () => null };
  if (typeof spec === 'string' && FIELD_PATH.test(spec)) {
    const read = fieldReader(spec);
    return { values: (doc) => [read(doc) ?? null], idOf: (values) => values[0] };
  }
  if (!isDocument(spec) || Object.keys(spec).length === 0) return undefined;
  const names: string[] = [];
  const readers: Expression[] = [];
  for (const [name, expression] of Object.entries(spec)) {
    // A bare path that is missing would leave its field out of _id; only $ifNull says what to put instead.
    if (name.startsWith('$') || !isDocument(expression) || !('$ifNull' in expression)) return undefined;
    const compiled = compileExpression(expression);
    if (!compiled) return undefined;
    names.push(name);
    readers.push(compiled);
  }
  return { values: (doc) => readers.map((read) => read(doc)), idOf: (values) => Object.fromEntries(names.map((name, index) => [name, values[index]])) };
}

/** The `$sum`s of numbers the counters are: `{ $sum: 1 }` or `{ $sum: { $cond: [...] } }`. */
function compileCounter(spec: unknown): Expression | undefined {
  if (!isDocument(spec) || Object.keys(spec).length !== 1 || !('$sum' in spec)) return undefined;
  const operand = spec.$sum;
  if (typeof operand === 'number' && Number.isFinite(operand)) return () => operand;
  return isDocument(operand) && '$cond' in operand ? compileExpression(operand) : undefined;
}

/** A `$group` stage as a function of its input, or undefined when mingo must run it. */
export function compileSimpleGroup(spec: unknown): ((docs: Iterable<Doc>) => Doc[]) | undefined {
  if (!isDocument(spec) || !('_id' in spec)) return undefined;
  const key = compileKey(spec._id);
  if (!key) return undefined;
  const counters: Array<[string, Expression]> = [];
  for (const [name, accumulator] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (name.includes('.') || name.startsWith('$')) return undefined;
    const counter = compileCounter(accumulator);
    if (!counter) return undefined;
    counters.push([name, counter]);
  }
  return (docs) => {
    const groups = new Map<string, { _id: unknown; sums: number[] }>();
    for (const doc of docs) {
      const values = key.values(doc);
      let encoded = '';
      // Strings, the usual key, length-prefixed without escaping ('s' is no type tag of encodeKey's).
      for (const value of values) encoded += typeof value === 'string' ? `s${value.length}:${value}` : `${encodeKey(value)}\u0000`;
      let group = groups.get(encoded);
      if (!group) {
        group = { _id: key.idOf(values), sums: counters.map(() => 0) };
        groups.set(encoded, group);
      }
      for (let index = 0; index < counters.length; index += 1) group.sums[index]! += counters[index]![1](doc) as number;
    }
    return [...groups.values()].map(({ _id, sums }) => ({ _id, ...Object.fromEntries(counters.map(([name], index) => [name, sums[index]!])) }));
  };
}
