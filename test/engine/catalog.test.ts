import { expect } from 'chai';
import { useDriverDatabase } from '../helpers/database.js';
import type { TestDocument } from '../helpers/documents.js';
import { expectServerError } from '../helpers/server-errors.js';

describe('engine catalog: databases and collections', () => {
  const db = useDriverDatabase('catalog', 'engine');
  let collectionNumber = 0;
  const uniqueName = (label: string) => `${label}_${(collectionNumber += 1)}`;
  const collectionNames = async () => (await db().listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name);

  it('createCollection makes an empty collection; creating it again answers 48', async () => {
    const name = uniqueName('created');
    await db().createCollection(name);
    expect(await collectionNames()).to.include(name);
    expect(await db().collection(name).countDocuments()).to.equal(0);
    await expectServerError(db().command({ create: name }), 48);
  });

  it('an insert creates its collection, and listCollections filters by name', async () => {
    const name = uniqueName('implicit');
    await db().collection(name).insertOne({ x: 1 });
    const listed = await db().listCollections({ name }).toArray();
    expect(listed).to.have.length(1);
    expect(listed[0]).to.deep.include({ name, type: 'collection' });
  });

  it('renameCollection moves documents and indexes; an existing target needs dropTarget', async () => {
    const [from, to, occupied] = [uniqueName('from'), uniqueName('to'), uniqueName('occupied')];
    await db().collection<TestDocument>(from).insertMany([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
    await db().collection(from).createIndex({ email: 1 }, { unique: true });
    await db().collection(occupied).insertOne({ stale: true });
    await db().renameCollection(from, to);
    expect(await collectionNames()).to.not.include(from);
    expect(await db().collection(to).countDocuments()).to.equal(2);
    await expectServerError(db().collection<TestDocument>(to).insertOne({ email: 'a' }), 11000);
    await expectServerError(db().renameCollection(to, occupied), 48);
    await db().renameCollection(to, occupied, { dropTarget: true });
    expect(await db().collection(occupied).countDocuments({ stale: true })).to.equal(0);
    expect(await db().collection(occupied).countDocuments()).to.equal(2);
  });

  it('drop removes a collection; dropping a missing one is not an error for the driver', async () => {
    const name = uniqueName('dropped');
    await db().collection(name).insertOne({ x: 1 });
    expect(await db().collection(name).drop()).to.equal(true);
    expect(await collectionNames()).to.not.include(name);
    expect(await db().collection(name).drop()).to.equal(false);
  });

  it('dropDatabase removes every collection of that database only', async () => {
    const other = db().client.db(`${db().databaseName}_other`);
    await other.collection('a').insertOne({ x: 1 });
    await other.collection('b').insertOne({ x: 1 });
    const kept = uniqueName('kept');
    await db().collection(kept).insertOne({ x: 1 });
    const before = (await db().admin().listDatabases()).databases.map((database) => database.name);
    expect(before).to.include(other.databaseName);
    await other.dropDatabase();
    const after = (await db().admin().listDatabases()).databases.map((database) => database.name);
    expect(after).to.not.include(other.databaseName);
    expect(await db().collection(kept).countDocuments()).to.equal(1);
  });

  it('collStats and dbStats count documents and indexes', async () => {
    const name = uniqueName('stats');
    await db().collection(name).insertMany([{ x: 1 }, { x: 2 }, { x: 3 }]);
    await db().collection(name).createIndex({ x: 1 });
    const stats = await db().command({ collStats: name });
    expect(stats).to.include({ count: 3, nindexes: 2, capped: false });
    expect(stats.size).to.be.greaterThan(0);
    const dbStats = await db().stats();
    expect(dbStats.objects).to.be.at.least(3);
  });
});
