import { ObjectId } from 'bson';
import { asCommandError, CommandError, isInternalError } from '../errors.js';
import { findDocuments } from '../query/find.js';
import { projectDocuments } from '../query/projection.js';
import { applyUpdate, classifyUpdate, upsertDocument } from '../query/update.js';
import { isDocument, type Doc } from '../storage/document.js';
import { collectionNameOf, type CommandContext, type CommandHandler } from './context.js';
import { refuseCollation, refuseWriteVariables } from './unsupported.js';

/**
 * insert, update, delete and findAndModify. Each command changes memory without
 * yielding (so concurrent clients never interleave inside one operation), then waits
 * for the journal before it answers: an acknowledged write is on disk.
 */

function documentList(command: Doc, field: string): Doc[] {
  const list = command[field];
  if (!Array.isArray(list) || list.some((item) => !isDocument(item))) {
    throw new CommandError('TypeMismatch', `'${field}' must be an array of objects`);
  }
  return list as Doc[];
}

function withId(doc: Doc): Doc {
  return '_id' in doc ? doc : { _id: new ObjectId(), ...doc };
}

/** A failed write of a batch: the client gets its writeError; our own failures also reach the log. */
function writeErrorFor(error: unknown, index: number, context: CommandContext, command: string): Doc {
  if (isInternalError(error)) context.reportInternalError(error, command);
  return asCommandError(error).toWriteError(index);
}

function writeReply(n: number, writeErrors: Doc[], extra: Doc = {}): Doc {
  return { n, ...extra, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
}

export const insert: CommandHandler = async (command, db, context) => {
  const { store } = context;
  const name = collectionNameOf(command, 'insert');
  const documents = documentList(command, 'documents');
  const isOrdered = command.ordered !== false;
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < documents.length; i += 1) {
    try {
      store.insert(store.ensureCollection(db, name), withId(documents[i] as Doc));
      n += 1;
    } catch (error) {
      writeErrors.push(writeErrorFor(error, i, context, 'insert'));
      if (isOrdered) break;
    }
  }
  await store.sync();
  return writeReply(n, writeErrors);
};

export const update: CommandHandler = async (command, db, context) => {
  const { store } = context;
  const name = collectionNameOf(command, 'update');
  refuseWriteVariables(command);
  const updates = documentList(command, 'updates');
  const isOrdered = command.ordered !== false;
  const writeErrors: Doc[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  for (let i = 0; i < updates.length; i += 1) {
    const spec = updates[i] as Doc;
    try {
      refuseCollation(spec.collation);
      const filter = isDocument(spec.q) ? spec.q : {};
      const arrayFilters = Array.isArray(spec.arrayFilters) ? (spec.arrayFilters as Doc[]) : undefined;
      const kind = classifyUpdate(spec.u, arrayFilters);
      const isMulti = spec.multi === true;
      if (isMulti && kind === 'replacement') {
        throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
      }
      const existing = store.getCollection(db, name);
      const matches = findDocuments(existing, { filter, sort: spec.sort, limit: isMulti ? 0 : 1, hint: spec.hint }).docs;
      if (matches.length === 0 && spec.upsert === true) {
        const doc = upsertDocument(filter, spec.u, kind, arrayFilters);
        store.insert(store.ensureCollection(db, name), doc);
        upserted.push({ index: i, _id: doc._id });
        n += 1;
      }
      for (const doc of matches) {
        const next = applyUpdate(doc, spec.u, kind, { filter, arrayFilters });
        n += 1;
        if (next && existing) {
          store.replace(existing, doc, next);
          nModified += 1;
        }
      }
    } catch (error) {
      writeErrors.push(writeErrorFor(error, i, context, 'update'));
      if (isOrdered) break;
    }
  }
  await store.sync();
  return writeReply(n, writeErrors, { nModified, ...(upserted.length > 0 ? { upserted } : {}) });
};

export const deleteCommand: CommandHandler = async (command, db, context) => {
  const { store } = context;
  const name = collectionNameOf(command, 'delete');
  refuseWriteVariables(command);
  const deletes = documentList(command, 'deletes');
  const isOrdered = command.ordered !== false;
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < deletes.length; i += 1) {
    const spec = deletes[i] as Doc;
    try {
      if (spec.limit !== 0 && spec.limit !== 1) throw new CommandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      refuseCollation(spec.collation);
      const collection = store.getCollection(db, name);
      const filter = isDocument(spec.q) ? spec.q : {};
      for (const doc of findDocuments(collection, { filter, limit: spec.limit, hint: spec.hint }).docs) {
        store.remove(collection!, doc);
        n += 1;
      }
    } catch (error) {
      writeErrors.push(writeErrorFor(error, i, context, 'delete'));
      if (isOrdered) break;
    }
  }
  await store.sync();
  return writeReply(n, writeErrors);
};

function project(doc: Doc | undefined, fields: unknown): Doc | null {
  if (!doc) return null;
  if (!isDocument(fields) || Object.keys(fields).length === 0) return doc;
  return projectDocuments([doc], {}, fields)[0] ?? null;
}

export const findAndModify: CommandHandler = async (command, db, { store }) => {
  const name = collectionNameOf(command, Object.keys(command)[0]!);
  refuseCollation(command.collation);
  refuseWriteVariables(command);
  const filter = isDocument(command.query) ? command.query : {};
  const isRemove = command.remove === true;
  const hasUpdate = command.update !== undefined && command.update !== null;
  if (isRemove && hasUpdate) throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!isRemove && !hasUpdate) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (isRemove && command.upsert === true) throw new CommandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const returnNew = command.new === true;

  const existing = store.getCollection(db, name);
  const match = findDocuments(existing, { filter, sort: command.sort, limit: 1, hint: command.hint }).docs[0];
  let value: Doc | null = null;
  let lastErrorObject: Doc;

  if (isRemove) {
    if (match && existing) store.remove(existing, match);
    value = project(match, command.fields);
    lastErrorObject = { n: match ? 1 : 0 };
  } else {
    const arrayFilters = Array.isArray(command.arrayFilters) ? (command.arrayFilters as Doc[]) : undefined;
    const kind = classifyUpdate(command.update, arrayFilters);
    if (match && existing) {
      const next = applyUpdate(match, command.update, kind, { filter, arrayFilters });
      if (next) store.replace(existing, match, next);
      value = project(returnNew ? (next ?? match) : match, command.fields);
      lastErrorObject = { n: 1, updatedExisting: true };
    } else if (command.upsert === true) {
      const doc = upsertDocument(filter, command.update, kind, arrayFilters);
      store.insert(store.ensureCollection(db, name), doc);
      value = returnNew ? project(doc, command.fields) : null;
      lastErrorObject = { n: 1, updatedExisting: false, upserted: doc._id };
    } else {
      lastErrorObject = { n: 0, updatedExisting: false };
    }
  }
  await store.sync();
  return { lastErrorObject, value, ok: 1 };
};
