import { isDocument, type Doc } from '../storage/document.js';
import { encodeKey } from '../storage/keys.js';

/**
 * The updates applications send most (`$set`, `$unset`, `$inc`, `$currentDate` on plain
 * field paths, as mongoose's saves do) applied directly, copying only the objects on
 * the changed paths. mingo's updater rebuilds its operator tables on every call, which
 * made it most of an update's cost. Anything else — arrays on the way, positional
 * paths, other operators, non-plain numbers — returns `undefined` and goes to mingo.
 * The checks in update-checks.ts have already run on the operators.
 */

const SIMPLE_OPERATORS = new Set(['$set', '$unset', '$inc', '$currentDate']);

interface Change {
  path: string[];
  /** `$unset` never creates the sub-documents on its path. */
  isCreating: boolean;
  apply: (parent: Doc, field: string) => boolean;
}

function isPlainSegment(segment: string): boolean {
  return segment.length > 0 && !segment.startsWith('$') && !/^\d+$/.test(segment);
}

/** Every existing value on the way to the path's last field is a sub-document. */
function parentsAreDocuments(doc: Doc, path: string[]): boolean {
  let current: unknown = doc;
  for (const segment of path.slice(0, -1)) {
    if (current === undefined) return true;
    if (!isDocument(current)) return false;
    current = current[segment];
  }
  return current === undefined || isDocument(current);
}

function changesOf(doc: Doc, operators: Doc): Change[] | undefined {
  const changes: Change[] = [];
  for (const [operator, fields] of Object.entries(operators)) {
    if (!SIMPLE_OPERATORS.has(operator) || !isDocument(fields)) return undefined;
    for (const [dotted, argument] of Object.entries(fields)) {
      const path = dotted.split('.');
      if (!path.every(isPlainSegment) || !parentsAreDocuments(doc, path)) return undefined;
      switch (operator) {
        case '$set':
          changes.push({
            path,
            isCreating: true,
            apply: (parent, field) => {
              if (field in parent && encodeKey(parent[field]) === encodeKey(argument)) return false;
              parent[field] = argument;
              return true;
            },
          });
          break;
        case '$unset':
          changes.push({
            path,
            isCreating: false,
            apply: (parent, field) => {
              if (!(field in parent)) return false;
              delete parent[field];
              return true;
            },
          });
          break;
        case '$inc': {
          const current = walk(doc, path);
          if (typeof argument !== 'number' || (current !== undefined && typeof current !== 'number')) return undefined;
          changes.push({
            path,
            isCreating: true,
            apply: (parent, field) => {
              if (field in parent && argument === 0) return false;
              parent[field] = ((parent[field] as number | undefined) ?? 0) + argument;
              return true;
            },
          });
          break;
        }
        case '$currentDate':
          if (argument !== true && !(isDocument(argument) && argument.$type === 'date')) return undefined;
          changes.push({
            path,
            isCreating: true,
            apply: (parent, field) => {
              parent[field] = new Date();
              return true;
            },
          });
          break;
        default:
          return undefined;
      }
    }
  }
  return changes;
}

function walk(doc: Doc, path: string[]): unknown {
  let current: unknown = doc;
  for (const segment of path) {
    if (!isDocument(current)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * The new version of `doc` with the update applied, `null` when nothing changed, or
 * `undefined` when this update is not a simple one.
 */
export function applySimpleUpdate(doc: Doc, operators: Doc): Doc | null | undefined {
  const changes = changesOf(doc, operators);
  if (!changes) return undefined;
  const next: Doc = { ...doc };
  // Objects already copied for this update: the stored document's own are never touched.
  const copied = new Set<Doc>([next]);
  let isModified = false;
  for (const { path, isCreating, apply } of changes) {
    if (!isCreating && !isDocument(walk(next, path.slice(0, -1)))) continue;
    let parent = next;
    for (const segment of path.slice(0, -1)) {
      const child = parent[segment];
      let copy: Doc;
      if (isDocument(child) && copied.has(child)) copy = child;
      else {
        copy = isDocument(child) ? { ...child } : {};
        copied.add(copy);
        parent[segment] = copy;
      }
      parent = copy;
    }
    if (apply(parent, path.at(-1)!)) isModified = true;
  }
  return isModified ? next : null;
}
