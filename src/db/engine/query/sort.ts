import { CommandError } from '../errors.js';
import { isDocument, MISSING, valuesAtPath, type Doc } from '../storage/document.js';
import { encodeKey, TypeTag } from '../storage/keys.js';

/**
 * Sorting in MongoDB's order, the same order the indexes keep: values compare by their
 * order-preserving key encoding (type brackets first, so an ObjectId sorts before a
 * boolean and a date, where mingo puts it after everything). A missing field sorts as
 * null; an array sorts by its smallest element ascending and its largest descending; an
 * empty array sorts before null. So a sort gives the same result whether an index
 * serves it or not.
 */

const NULL_KEY = encodeKey(null);
/** Between MinKey ('A') and null ('B'). */
const EMPTY_ARRAY_KEY = `${TypeTag.minKey}\u0001`;

interface SortField {
  path: string[];
  isDescending: boolean;
}

/** Checks a sort specification: every direction must be 1 or -1. */
export function validateSort(sort: Doc | undefined): Doc | undefined {
  if (!sort || Object.keys(sort).length === 0) return undefined;
  for (const [field, direction] of Object.entries(sort)) {
    if (isDocument(direction) && '$meta' in direction) {
      throw new CommandError('CommandNotSupported', `$meta sort on '${field}' needs text search, which the embedded engine does not support`);
    }
    if (direction !== 1 && direction !== -1) {
      throw new CommandError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending); '${field}' is ${JSON.stringify(direction)}`);
    }
  }
  return sort;
}

function sortKeyOf(doc: Doc, field: SortField): string {
  let best: string | undefined;
  for (const value of valuesAtPath(doc, field.path).values) {
    // valuesAtPath gives `undefined` for an empty array at the end of the path.
    const key = value === MISSING || value === null ? NULL_KEY : value === undefined ? EMPTY_ARRAY_KEY : encodeKey(value);
    if (best === undefined || (field.isDescending ? key > best : key < best)) best = key;
  }
  return best ?? NULL_KEY;
}

/** A sorted copy of `docs`; documents with equal keys keep their input order. */
export function sortDocuments(docs: readonly Doc[], sort: Doc): Doc[] {
  const fields: SortField[] = Object.entries(sort).map(([path, direction]) => ({ path: path.split('.'), isDescending: direction === -1 }));
  const keyed = docs.map((doc) => ({ doc, keys: fields.map((field) => sortKeyOf(doc, field)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i += 1) {
      const left = a.keys[i]!;
      const right = b.keys[i]!;
      if (left !== right) return (left < right ? -1 : 1) * (fields[i]!.isDescending ? -1 : 1);
    }
    return 0;
  });
  return keyed.map(({ doc }) => doc);
}
