import { CommandError } from '../errors.js';
import { explainOf, findDocuments } from '../query/find.js';
import { runPipeline } from '../query/pipeline.js';
import { isDocument, MISSING, valuesAtPath, type Doc } from '../storage/document.js';
import { encodeKey } from '../storage/keys.js';
import { collectionNameOf, type CommandContext, type CommandHandler } from './context.js';
import { refuseUnsupportedReadOptions } from './unsupported.js';

/** The command's `let` variables, if any. */
function letOf(command: Doc): Doc | undefined {
  if (command.let === undefined) return undefined;
  if (!isDocument(command.let)) throw new CommandError('TypeMismatch', "'let' must be an object");
  return command.let;
}

export const find: CommandHandler = (command, db, { store, cursors }) => {
  const name = collectionNameOf(command, 'find');
  refuseUnsupportedReadOptions(command);
  const result = findDocuments(store.getCollection(db, name), {
    filter: command.filter,
    sort: command.sort,
    projection: command.projection,
    skip: command.skip,
    limit: command.limit,
    hint: command.hint,
    variables: letOf(command),
  });
  const isSingleBatch = command.singleBatch === true || (typeof command.limit === 'number' && command.limit < 0);
  return cursors.firstBatch(`${db}.${name}`, result.docs, { batchSize: command.batchSize, singleBatch: isSingleBatch }) as unknown as Doc;
};

export const count: CommandHandler = (command, db, { store }) => {
  const name = collectionNameOf(command, 'count');
  refuseUnsupportedReadOptions(command);
  const collection = store.getCollection(db, name);
  const query = isDocument(command.query) ? command.query : {};
  if (collection && Object.keys(query).length === 0 && !command.skip && !command.limit) {
    return { n: collection.docs.size, ok: 1 };
  }
  const { docs } = findDocuments(collection, { filter: query, skip: command.skip, limit: command.limit, hint: command.hint });
  return { n: docs.length, ok: 1 };
};

export const distinct: CommandHandler = (command, db, { store }) => {
  const name = collectionNameOf(command, 'distinct');
  refuseUnsupportedReadOptions(command);
  if (typeof command.key !== 'string' || command.key.length === 0) {
    throw new CommandError('TypeMismatch', "'key' must be a non-empty string");
  }
  const path = command.key.split('.');
  const { docs } = findDocuments(store.getCollection(db, name), { filter: command.query });
  const values = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of valuesAtPath(doc, path).values) {
      if (value === MISSING || value === undefined) continue;
      values.set(encodeKey(value), value);
    }
  }
  const sorted = [...values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
  return { values: sorted, ok: 1 };
};

export const aggregate: CommandHandler = async (command, db, context) => {
  refuseUnsupportedReadOptions(command);
  const target = command.aggregate;
  if (!Array.isArray(command.pipeline) || command.pipeline.some((stage) => !isDocument(stage))) {
    throw new CommandError('TypeMismatch', "'pipeline' must be an array of objects");
  }
  if (command.explain !== true && !isDocument(command.cursor)) {
    throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const name = target === 1 ? undefined : collectionNameOf(command, 'aggregate');
  const variables = letOf(command);
  // An explained pipeline must not run: a final $out or $merge would write.
  const isExplain = command.explain === true;
  const outcome = await runPipeline(context, db, name, command.pipeline as Doc[], command.hint, { isExplain, variables });
  const namespace = `${db}.${name ?? '$cmd.aggregate'}`;
  if (isExplain) return explainOf(namespace, outcome.scan, (command.pipeline as Doc[])[0]?.$match);
  const cursor = isDocument(command.cursor) ? command.cursor : {};
  return context.cursors.firstBatch(namespace, outcome.docs, { batchSize: cursor.batchSize }) as unknown as Doc;
};

/** Explain for find, count, distinct and aggregate: which plan ran and what it examined. */
export const explain: CommandHandler = async (command, db, context: CommandContext) => {
  const inner = command.explain;
  if (!isDocument(inner)) throw new CommandError('TypeMismatch', "'explain' must be an object");
  const commandName = Object.keys(inner)[0];
  const collection = context.store.getCollection(db, typeof inner[commandName ?? ''] === 'string' ? (inner[commandName!] as string) : '');
  const namespace = `${db}.${String(inner[commandName ?? ''])}`;
  switch (commandName) {
    case 'find':
      return explainOf(namespace, findDocuments(collection, {
        filter: inner.filter, sort: inner.sort, projection: inner.projection, skip: inner.skip, limit: inner.limit, hint: inner.hint,
      }), inner.filter);
    case 'count':
      return explainOf(namespace, findDocuments(collection, { filter: inner.query, hint: inner.hint }), inner.query);
    case 'distinct':
      return explainOf(namespace, findDocuments(collection, { filter: inner.query }), inner.query);
    case 'aggregate': {
      const pipeline = Array.isArray(inner.pipeline) ? (inner.pipeline as Doc[]) : [];
      const outcome = await runPipeline(context, db, collectionNameOf(inner, 'aggregate'), pipeline, inner.hint, { isExplain: true, variables: letOf(inner) });
      return explainOf(namespace, outcome.scan, pipeline[0]?.$match);
    }
    default:
      throw new CommandError('CommandNotSupported', `explain is not supported for ${commandName ?? 'an empty command'} by the embedded engine`);
  }
};
