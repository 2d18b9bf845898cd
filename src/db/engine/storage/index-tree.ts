import btreeModule, { simpleComparator } from 'sorted-btree';
import { Query } from 'mingo';
import { CommandError } from '../errors.js';
import { MISSING, valuesAtPath, type Doc } from './document.js';
import { encodeKey } from './keys.js';
import { queryOptions } from '../query/mingo-options.js';

// sorted-btree is CommonJS with the class as `exports.default`. Node's ESM loader hands
// us `module.exports` (class at `.default`), but a loader that compiles this file to
// CommonJS (tsx when mocha requires the tests) honours `__esModule` and hands us the
// class itself: accept both, or every collection fails with "BTree is not a constructor".
type BTreeClass = typeof btreeModule.default;
const BTree: BTreeClass = typeof btreeModule === 'function' ? (btreeModule as unknown as BTreeClass) : btreeModule.default;
type Tree = InstanceType<typeof BTree<string, string>>;

export interface IndexSpec {
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  [option: string]: unknown;
}

/** One index key of a document: its encoding and the values it was made of. */
export interface IndexKey {
  encoded: string;
  values: unknown[];
}

const SUPPORTED_OPTIONS = new Set([
  'key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds',
  'background', 'v', 'ns', 'hidden',
]);

/** Validates a createIndexes spec: only ascending/descending keys, only options we honour. */
export function validateIndexSpec(spec: Doc): IndexSpec {
  const key = spec.key;
  if (key === null || typeof key !== 'object' || Array.isArray(key) || Object.keys(key).length === 0) {
    throw new CommandError('CannotCreateIndex', 'index key pattern must be a non-empty object');
  }
  for (const [field, direction] of Object.entries(key as Doc)) {
    if (direction !== 1 && direction !== -1) {
      throw new CommandError(
        'CannotCreateIndex',
        `index type ${JSON.stringify(direction)} on field '${field}' is not supported by the embedded engine (only 1 and -1)`,
      );
    }
  }
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new CommandError('CannotCreateIndex', 'index name must be a non-empty string');
  }
  for (const option of Object.keys(spec)) {
    if (!SUPPORTED_OPTIONS.has(option)) {
      throw new CommandError('InvalidIndexSpecificationOption', `index option '${option}' is not supported by the embedded engine`);
    }
  }
  if (spec.expireAfterSeconds !== undefined) {
    const seconds = spec.expireAfterSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new CommandError('CannotCreateIndex', 'expireAfterSeconds must be a non-negative number');
    }
    if (Object.keys(key as Doc).length !== 1) {
      throw new CommandError('CannotCreateIndex', 'TTL indexes are single-field indexes');
    }
  }
  if (spec.partialFilterExpression !== undefined && (spec.partialFilterExpression === null || typeof spec.partialFilterExpression !== 'object')) {
    throw new CommandError('CannotCreateIndex', 'partialFilterExpression must be an object');
  }
  return spec as IndexSpec;
}

/** The default name MongoDB gives an index: `a_1_b_-1`. */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key).map(([field, direction]) => `${field}_${String(direction)}`).join('_');
}

/**
 * A secondary index: a B+ tree from encoded key to the document's `_id` key. Unique
 * indexes store the key alone (so a second document with it is found in one lookup);
 * the others append the `_id` key, which keeps entries distinct and still lets a key
 * or key prefix select one contiguous range.
 */
export class Index {
  readonly name: string;
  readonly fields: string[];
  readonly isUnique: boolean;
  readonly isSparse: boolean;
  readonly expireAfterSeconds: number | undefined;
  private readonly paths: string[][];
  private readonly partialFilter: Query | undefined;
  private readonly tree: Tree = new BTree<string, string>(undefined, simpleComparator as (a: string, b: string) => number);
  /** Set once any document gave more than one key: range bounds must then be one-sided. */
  isMultikey = false;

  constructor(
    readonly spec: IndexSpec,
    { isUnique = spec.unique === true }: { isUnique?: boolean } = {},
  ) {
    this.name = spec.name;
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((field) => field.split('.'));
    this.isUnique = isUnique;
    this.isSparse = spec.sparse === true;
    this.expireAfterSeconds = spec.expireAfterSeconds;
    this.partialFilter = spec.partialFilterExpression
      ? new Query(spec.partialFilterExpression, queryOptions)
      : undefined;
  }

  get isPartial(): boolean {
    return this.partialFilter !== undefined;
  }

  get size(): number {
    return this.tree.size;
  }

  /** The keys a document contributes, or none when sparse/partial rules leave it out. */
  keysOf(doc: Doc): IndexKey[] {
    if (this.partialFilter && !this.partialFilter.test(doc)) return [];
    const perField = this.paths.map((path) => valuesAtPath(doc, path));
    if (this.isSparse && perField.every((field) => field.values.every((value) => value === MISSING))) return [];
    const multiValued = perField.filter((field) => field.values.length > 1 || field.isMultikey);
    if (multiValued.length > 0) this.isMultikey = true;
    if (multiValued.length > 1) {
      throw new CommandError('BadValue', `cannot index parallel arrays [${this.fields.join(', ')}] in index ${this.name}`);
    }
    let tuples: unknown[][] = [[]];
    for (const field of perField) {
      const next: unknown[][] = [];
      for (const tuple of tuples) {
        for (const value of field.values) next.push([...tuple, value === MISSING ? null : value]);
      }
      tuples = next;
    }
    const keys = new Map<string, IndexKey>();
    for (const values of tuples) {
      const encoded = values.map(encodeKey).join('');
      if (!keys.has(encoded)) keys.set(encoded, { encoded, values });
    }
    return [...keys.values()];
  }

  private entryKey(key: string, idKey: string): string {
    return this.isUnique ? key : key + idKey;
  }

  /** The first key of `keys` that another document already holds in this unique index. */
  findConflict(keys: IndexKey[], idKey: string): IndexKey | undefined {
    if (!this.isUnique) return undefined;
    return keys.find((key) => {
      const owner = this.tree.get(key.encoded);
      return owner !== undefined && owner !== idKey;
    });
  }

  add(keys: IndexKey[], idKey: string): void {
    for (const key of keys) this.tree.set(this.entryKey(key.encoded, idKey), idKey);
  }

  remove(keys: IndexKey[], idKey: string): void {
    for (const key of keys) {
      const entry = this.entryKey(key.encoded, idKey);
      if (this.tree.get(entry) === idKey) this.tree.delete(entry);
    }
  }

  clear(): void {
    this.tree.clear();
    this.isMultikey = false;
  }

  /** The `_id` keys of entries whose key lies in [low, high), in key order or reversed. */
  *scan(low: string, high: string, isReverse = false): Generator<string> {
    if (isReverse) {
      for (const [entry, idKey] of this.tree.entriesReversed(high)) {
        if (entry < low) return;
        if (entry < high) yield idKey;
      }
      return;
    }
    for (const [entry, idKey] of this.tree.entries(low)) {
      if (entry >= high) return;
      yield idKey;
    }
  }

  /** The `_id` key of the unique entry with exactly this key. */
  getUnique(key: string): string | undefined {
    return this.isUnique ? this.tree.get(key) : undefined;
  }

  keyValueOf(key: IndexKey): Doc {
    return Object.fromEntries(this.fields.map((field, i) => [field, key.values[i] ?? null]));
  }

  /** The index as listIndexes shows it: `v`, `key`, `name`, then its options. */
  describe(): Doc {
    const { ns: _ns, background: _background, v: _v, key, name, ...options } = this.spec;
    return { v: 2, key, name, ...options };
  }
}
