import { Query } from 'mingo';
import { cloneDocument, isDocument, type Doc } from '../storage/document.js';
import { queryOptions } from './mingo-options.js';

/**
 * Projections must never change the documents they read. mingo builds each result
 * from a shallow copy of its input and then deletes excluded paths from it, so
 * excluding a dotted path (`{'profile.secret': 0}`, or `{profile: {secret: 0}}`)
 * deletes the field from the stored document's own sub-document: the next query
 * would no longer see it, and the next update would make the loss durable.
 */
export function excludesNestedFields(projection: Doc, depth = 0): boolean {
  return Object.entries(projection).some(([field, value]) => {
    if (isDocument(value)) {
      const keys = Object.keys(value);
      // An operator ($slice, $elemMatch, an expression) builds a new value.
      if (keys.length > 0 && keys[0]!.startsWith('$')) return false;
      return excludesNestedFields(value, depth + 1);
    }
    const isExclusion = value === 0 || value === false;
    return isExclusion && (depth > 0 || field.includes('.'));
  });
}

/** Applies a find-style projection (with `$` positional support from `filter`), leaving `docs` untouched. */
export function projectDocuments(docs: Doc[], filter: Doc, projection: Doc): Doc[] {
  const input = excludesNestedFields(projection) ? docs.map((doc) => cloneDocument(doc)) : docs;
  const { $comment: _comment, ...conditions } = filter;
  return new Query(conditions, queryOptions).find(input, projection).all() as Doc[];
}
