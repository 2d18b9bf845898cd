import { CommandError } from '../errors.js';
import { cloneDocument, type Doc } from './document.js';
import { Index, type IndexKey, type IndexSpec } from './index-tree.js';
import { encodeKey } from './keys.js';

export const ID_INDEX_NAME = '_id_';

/** How a value prints in a duplicate-key message, close to the shell's notation. */
function shellValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value !== null && typeof value === 'object' && '_bsontype' in value) {
    const bson = value as { _bsontype: string; toHexString?: () => string };
    if (bson._bsontype === 'ObjectId' && bson.toHexString) return `ObjectId('${bson.toHexString()}')`;
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * One collection in memory: documents by their encoded `_id`, plus secondary indexes.
 * Every change either fully applies (documents and all indexes) or throws before
 * touching anything, so a failed write leaves no trace.
 */
export class Collection {
  readonly docs = new Map<string, Doc>();
  /** Every index, `_id_` included (it gives `_id` range scans and ordered walks). */
  readonly indexes = new Map<string, Index>();

  constructor(
    public db: string,
    public name: string,
    readonly options: Doc,
  ) {
    const idIndex = new Index({ key: { _id: 1 }, name: ID_INDEX_NAME }, { isUnique: true });
    this.indexes.set(ID_INDEX_NAME, idIndex);
  }

  get namespace(): string {
    return `${this.db}.${this.name}`;
  }

  get(idKey: string): Doc | undefined {
    return this.docs.get(idKey);
  }

  insert(doc: Doc): void {
    if (Array.isArray(doc._id) || doc._id instanceof RegExp) {
      throw new CommandError('BadValue', `can't use ${Array.isArray(doc._id) ? 'an array' : 'a regex'} for _id`);
    }
    const idKey = encodeKey(doc._id);
    if (this.docs.has(idKey)) {
      throw this.duplicateKeyError(ID_INDEX_NAME, { _id: 1 }, { _id: doc._id });
    }
    const keysByIndex = this.checkedKeys(doc, idKey);
    this.docs.set(idKey, doc);
    for (const [index, keys] of keysByIndex) index.add(keys, idKey);
  }

  /** Replaces a stored document with a new version of it (same `_id`). */
  replace(oldDoc: Doc, newDoc: Doc): void {
    const idKey = encodeKey(oldDoc._id);
    const changes: Array<[Index, IndexKey[], IndexKey[]]> = [];
    for (const index of this.indexes.values()) {
      const before = index.keysOf(oldDoc);
      const after = index.keysOf(newDoc);
      if (sameKeys(before, after)) continue;
      const conflict = index.findConflict(after, idKey);
      if (conflict) throw this.duplicateKeyError(index.name, index.spec.key, index.keyValueOf(conflict));
      changes.push([index, before, after]);
    }
    this.docs.set(idKey, newDoc);
    for (const [index, before, after] of changes) {
      index.remove(before, idKey);
      index.add(after, idKey);
    }
  }

  /** Insert or replace by `_id`: how journal replay applies a stored document. */
  put(doc: Doc): void {
    const existing = this.docs.get(encodeKey(doc._id));
    if (existing) this.replace(existing, doc);
    else this.insert(doc);
  }

  remove(doc: Doc): boolean {
    const idKey = encodeKey(doc._id);
    const stored = this.docs.get(idKey);
    if (!stored) return false;
    for (const index of this.indexes.values()) index.remove(index.keysOf(stored), idKey);
    this.docs.delete(idKey);
    return true;
  }

  removeById(id: unknown): boolean {
    const stored = this.docs.get(encodeKey(id));
    return stored ? this.remove(stored) : false;
  }

  /**
   * Builds a new index over the existing documents; a unique index that the data
   * violates is not created (11000, as MongoDB answers).
   */
  createIndex(spec: IndexSpec): 'created' | 'exists' {
    const existing = this.findIndexFor(spec);
    if (existing === 'same') return 'exists';
    const index = new Index(spec);
    for (const [idKey, doc] of this.docs) {
      const keys = index.keysOf(doc);
      const conflict = index.findConflict(keys, idKey);
      if (conflict) {
        throw this.duplicateKeyError(index.name, index.spec.key, index.keyValueOf(conflict));
      }
      index.add(keys, idKey);
    }
    this.indexes.set(index.name, index);
    return 'created';
  }

  dropIndex(name: string): void {
    if (name === ID_INDEX_NAME) throw new CommandError('InvalidOptions', 'cannot drop _id index');
    if (!this.indexes.delete(name)) {
      throw new CommandError('IndexNotFound', `index not found with name [${name}]`);
    }
  }

  indexSpecs(): Doc[] {
    return [...this.indexes.values()].map((index) => index.describe());
  }

  /** The indexes a snapshot or a copy must recreate: all but `_id_`. */
  secondaryIndexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].filter((index) => index.name !== ID_INDEX_NAME).map((index) => index.spec);
  }

  /** Same name and same definition: nothing to do; any other clash is an error. */
  private findIndexFor(spec: IndexSpec): 'same' | undefined {
    const specKey = JSON.stringify(spec.key);
    if (spec.name === ID_INDEX_NAME || specKey === '{"_id":1}') {
      if (spec.name === ID_INDEX_NAME && specKey === '{"_id":1}') return 'same';
      throw new CommandError('BadValue', 'the _id index cannot be redefined');
    }
    const byName = this.indexes.get(spec.name);
    const options = (index: IndexSpec): string =>
      JSON.stringify([index.unique === true, index.sparse === true, index.partialFilterExpression ?? null, index.expireAfterSeconds ?? null]);
    if (byName) {
      if (JSON.stringify(byName.spec.key) !== specKey) {
        throw new CommandError('IndexKeySpecsConflict', `An existing index has the same name as the requested index: ${spec.name}`);
      }
      if (options(byName.spec) !== options(spec)) {
        throw new CommandError('IndexOptionsConflict', `An equivalent index already exists with different options: ${spec.name}`);
      }
      return 'same';
    }
    for (const index of this.indexes.values()) {
      if (index.name !== ID_INDEX_NAME && JSON.stringify(index.spec.key) === specKey && options(index.spec) === options(spec)) {
        throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${index.name}`);
      }
    }
    return undefined;
  }

  private checkedKeys(doc: Doc, idKey: string): Map<Index, IndexKey[]> {
    const keysByIndex = new Map<Index, IndexKey[]>();
    for (const index of this.indexes.values()) {
      const keys = index.keysOf(doc);
      const conflict = index.findConflict(keys, idKey);
      if (conflict) throw this.duplicateKeyError(index.name, index.spec.key, index.keyValueOf(conflict));
      keysByIndex.set(index, keys);
    }
    return keysByIndex;
  }

  duplicateKeyError(indexName: string, keyPattern: Doc, keyValue: Doc): CommandError {
    const shown = Object.entries(keyValue)
      .map(([field, value]) => `${field}: ${shellValue(value)}`)
      .join(', ');
    return new CommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.namespace} index: ${indexName} dup key: { ${shown} }`,
      { keyPattern: cloneDocument(keyPattern), keyValue },
    );
  }
}

function sameKeys(a: IndexKey[], b: IndexKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if ((a[i] as IndexKey).encoded !== (b[i] as IndexKey).encoded) return false;
  return true;
}
