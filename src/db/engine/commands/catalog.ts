import { BSON } from 'bson';
import { Query } from 'mingo';
import { CommandError } from '../errors.js';
import { queryOptions } from '../query/mingo-options.js';
import type { Collection } from '../storage/collection.js';
import { isDocument, type Doc } from '../storage/document.js';
import { defaultIndexName, validateIndexSpec } from '../storage/index-tree.js';
import { collectionNameOf, type CommandHandler } from './context.js';

/** Databases, collections and indexes: create, list, drop, rename, stats. */

const SUPPORTED_CREATE_OPTIONS = new Set([
  'create', '$db', 'lsid', '$clusterTime', '$readPreference', 'writeConcern', 'comment', 'maxTimeMS',
  'apiVersion', 'apiStrict', 'apiDeprecationErrors',
]);

export const create: CommandHandler = async (command, db, { store }) => {
  const name = collectionNameOf(command, 'create');
  for (const option of Object.keys(command)) {
    if (!SUPPORTED_CREATE_OPTIONS.has(option)) {
      throw new CommandError('CommandNotSupported', `collection option '${option}' is not supported by the embedded engine`);
    }
  }
  store.createCollection(db, name, {});
  await store.sync();
  return { ok: 1 };
};

export const drop: CommandHandler = async (command, db, { store }) => {
  const name = collectionNameOf(command, 'drop');
  const collection = store.getCollection(db, name);
  if (!collection) throw new CommandError('NamespaceNotFound', 'ns not found');
  const nIndexesWas = collection.indexes.size;
  store.dropCollection(db, name);
  await store.sync();
  return { nIndexesWas, ns: `${db}.${name}`, ok: 1 };
};

export const dropDatabase: CommandHandler = async (_command, db, { store }) => {
  store.dropDatabase(db);
  await store.sync();
  return { dropped: db, ok: 1 };
};

export const renameCollection: CommandHandler = async (command, _db, { store }) => {
  const [fromDb, ...fromRest] = String(command.renameCollection).split('.');
  const [toDb, ...toRest] = String(command.to).split('.');
  const source = store.getCollection(fromDb ?? '', fromRest.join('.'));
  if (!source) throw new CommandError('NamespaceNotFound', `Source collection ${String(command.renameCollection)} does not exist`);
  if (store.getCollection(toDb ?? '', toRest.join('.')) && command.dropTarget !== true) {
    throw new CommandError('NamespaceExists', 'target namespace exists');
  }
  store.renameCollection(source, toDb ?? '', toRest.join('.'));
  await store.sync();
  return { ok: 1 };
};

function collectionInfo(collection: Collection): Doc {
  return {
    name: collection.name,
    type: 'collection',
    options: collection.options,
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

export const listCollections: CommandHandler = (command, db, { store, cursors }) => {
  let infos = store.collectionsOf(db).map(collectionInfo);
  if (isDocument(command.filter) && Object.keys(command.filter).length > 0) {
    const query = new Query(command.filter, queryOptions);
    infos = infos.filter((info) => query.test(info));
  }
  if (command.nameOnly === true) infos = infos.map((info) => ({ name: info.name, type: info.type }));
  const cursor = isDocument(command.cursor) ? command.cursor : {};
  return cursors.firstBatch(`${db}.$cmd.listCollections`, infos, { batchSize: cursor.batchSize }) as unknown as Doc;
};

function approximateSize(collection: Collection): number {
  let bytes = 0;
  for (const doc of collection.docs.values()) bytes += BSON.calculateObjectSize(doc);
  return bytes;
}

export const listDatabases: CommandHandler = (command, _db, { store }) => {
  const databases = store.databaseNames().map((name) => {
    const sizeOnDisk = store.collectionsOf(name).reduce((sum, collection) => sum + approximateSize(collection), 0);
    return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
  });
  const filtered = isDocument(command.filter) && Object.keys(command.filter).length > 0
    ? databases.filter((database) => new Query(command.filter as Doc, queryOptions).test(database))
    : databases;
  const list = command.nameOnly === true ? filtered.map(({ name }) => ({ name })) : filtered;
  return { databases: list, totalSize: databases.reduce((sum, database) => sum + database.sizeOnDisk, 0), ok: 1 };
};

export const createIndexes: CommandHandler = async (command, db, { store }) => {
  const name = collectionNameOf(command, 'createIndexes');
  if (!Array.isArray(command.indexes) || command.indexes.length === 0) {
    throw new CommandError('BadValue', "'indexes' must be a non-empty array");
  }
  const specs = command.indexes.map((raw) => {
    if (!isDocument(raw)) throw new CommandError('TypeMismatch', 'each index specification must be an object');
    const spec = { ...raw };
    if (spec.name === undefined && isDocument(spec.key)) spec.name = defaultIndexName(spec.key);
    return validateIndexSpec(spec);
  });
  const existed = store.getCollection(db, name);
  const collection = store.ensureCollection(db, name);
  const numIndexesBefore = collection.indexes.size;
  // All or nothing, as on MongoDB: when one index cannot be built (a unique index over
  // duplicates), the ones this command already built are dropped again.
  const created: string[] = [];
  try {
    for (const spec of specs) if (store.createIndex(collection, spec) === 'created') created.push(spec.name);
  } catch (error) {
    for (const indexName of created) store.dropIndex(collection, indexName);
    throw error;
  } finally {
    await store.sync();
  }
  return {
    createdCollectionAutomatically: !existed,
    numIndexesBefore,
    numIndexesAfter: collection.indexes.size,
    ...(created.length === 0 ? { note: 'all indexes already exist' } : {}),
    ok: 1,
  };
};

export const listIndexes: CommandHandler = (command, db, { store, cursors }) => {
  const name = collectionNameOf(command, 'listIndexes');
  const collection = store.getCollection(db, name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${db}.${name}`);
  const cursor = isDocument(command.cursor) ? command.cursor : {};
  return cursors.firstBatch(`${db}.$cmd.listIndexes.${name}`, collection.indexSpecs(), { batchSize: cursor.batchSize }) as unknown as Doc;
};

export const dropIndexes: CommandHandler = async (command, db, { store }) => {
  const name = collectionNameOf(command, 'dropIndexes');
  const collection = store.getCollection(db, name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${db}.${name}`);
  const nIndexesWas = collection.indexes.size;
  const which = command.index;
  let names: string[];
  if (which === '*') {
    names = [...collection.indexes.keys()].filter((indexName) => indexName !== '_id_');
  } else if (typeof which === 'string') {
    names = [which];
  } else if (Array.isArray(which)) {
    names = which.map(String);
  } else if (isDocument(which)) {
    const wanted = JSON.stringify(which);
    const match = [...collection.indexes.values()].find((index) => JSON.stringify(index.spec.key) === wanted);
    if (!match) throw new CommandError('IndexNotFound', `can't find index with key: ${wanted}`);
    names = [match.name];
  } else {
    throw new CommandError('TypeMismatch', "'index' must be a name, a list of names, a key pattern or '*'");
  }
  for (const indexName of names) if (!collection.indexes.has(indexName)) throw new CommandError('IndexNotFound', `index not found with name [${indexName}]`);
  for (const indexName of names) store.dropIndex(collection, indexName);
  await store.sync();
  return { nIndexesWas, ok: 1 };
};

export const collStats: CommandHandler = (command, db, { store }) => {
  const name = collectionNameOf(command, 'collStats');
  const collection = store.getCollection(db, name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${db}.${name}`);
  const size = approximateSize(collection);
  const count = collection.docs.size;
  const indexSizes = Object.fromEntries([...collection.indexes.values()].map((index) => [index.name, index.size * 48]));
  return {
    ns: collection.namespace,
    count,
    size,
    avgObjSize: count === 0 ? 0 : Math.round(size / count),
    storageSize: size,
    nindexes: collection.indexes.size,
    totalIndexSize: Object.values(indexSizes).reduce((sum, bytes) => sum + bytes, 0),
    indexSizes,
    capped: false,
    ok: 1,
  };
};

export const dbStats: CommandHandler = (_command, db, { store }) => {
  const collections = store.collectionsOf(db);
  const dataSize = collections.reduce((sum, collection) => sum + approximateSize(collection), 0);
  return {
    db,
    collections: collections.length,
    views: 0,
    objects: collections.reduce((sum, collection) => sum + collection.docs.size, 0),
    dataSize,
    storageSize: dataSize,
    indexes: collections.reduce((sum, collection) => sum + collection.indexes.size, 0),
    ok: 1,
  };
};
