import { expect } from 'chai';
import { Long, type Document } from 'mongodb';
import { useDriverDatabase } from '../helpers/database.js';
import { expectServerError } from '../helpers/server-errors.js';

interface CursorReply {
  cursor: { id: Long | number; ns: string; firstBatch?: Document[]; nextBatch?: Document[] };
}

describe('engine cursors and batching', () => {
  const db = useDriverDatabase('cursors', 'engine');
  let collectionNumber = 0;

  /** A collection of `count` documents {_id: 0..count-1}. */
  const numbered = async (count: number) => {
    const collection = db().collection<{ _id: number; parity: string }>(`numbers_${(collectionNumber += 1)}`);
    await collection.insertMany(Array.from({ length: count }, (_, i) => ({ _id: i, parity: i % 2 === 0 ? 'even' : 'odd' })));
    return collection;
  };

  const isOpen = (id: Long | number) => (typeof id === 'number' ? id !== 0 : !id.isZero());

  it('a find over 250 documents with batchSize 10 returns all of them, in order, across getMore', async () => {
    const collection = await numbered(250);
    const ids = (await collection.find({}, { batchSize: 10 }).sort({ _id: 1 }).toArray()).map((doc) => doc._id);
    expect(ids).to.deep.equal(Array.from({ length: 250 }, (_, i) => i));
  });

  it('hands out exactly batchSize documents per batch, then closes the cursor', async () => {
    const collection = await numbered(25);
    const first = (await db().command({ find: collection.collectionName, sort: { _id: 1 }, batchSize: 10 })) as unknown as CursorReply;
    expect(first.cursor.firstBatch).to.have.length(10);
    expect(isOpen(first.cursor.id)).to.equal(true);
    const batches: number[] = [];
    let id = first.cursor.id;
    while (isOpen(id)) {
      const next = (await db().command({ getMore: id, collection: collection.collectionName, batchSize: 10 })) as unknown as CursorReply;
      batches.push(next.cursor.nextBatch?.length ?? -1);
      id = next.cursor.id;
    }
    expect(batches).to.deep.equal([10, 5]);
  });

  it('without batchSize the first batch holds 101 documents', async () => {
    const collection = await numbered(150);
    const first = (await db().command({ find: collection.collectionName })) as unknown as CursorReply;
    expect(first.cursor.firstBatch).to.have.length(101);
    await db().command({ killCursors: collection.collectionName, cursors: [first.cursor.id] });
  });

  it('keeps each batch under 16 MiB, however many documents were asked for', async () => {
    const collection = db().collection<{ _id: number; blob: string }>(`large_${(collectionNumber += 1)}`);
    for (let i = 0; i < 24; i += 1) await collection.insertOne({ _id: i, blob: String(i).padEnd(1024 * 1024, '.') });
    const first = (await db().command({ find: collection.collectionName, batchSize: 1000 })) as unknown as CursorReply;
    const firstBatch = first.cursor.firstBatch ?? [];
    expect(firstBatch.length).to.be.within(1, 15);
    expect(isOpen(first.cursor.id)).to.equal(true);
    await db().command({ killCursors: collection.collectionName, cursors: [first.cursor.id] });
    const all = await collection.find({}, { projection: { _id: 1 } }).toArray();
    expect(all).to.have.length(24);
    expect((await collection.find().toArray()).map((doc) => doc._id)).to.deep.equal(Array.from({ length: 24 }, (_, i) => i));
  });

  it('limit caps the result across batches', async () => {
    const collection = await numbered(50);
    const docs = await collection.find({ parity: 'odd' }, { batchSize: 3, limit: 7 }).sort({ _id: -1 }).toArray();
    expect(docs.map((doc) => doc._id)).to.deep.equal([49, 47, 45, 43, 41, 39, 37]);
  });

  it('singleBatch (or a negative limit) answers one batch and leaves no cursor open', async () => {
    const collection = await numbered(30);
    const single = (await db().command({ find: collection.collectionName, batchSize: 5, singleBatch: true })) as unknown as CursorReply;
    expect(single.cursor.firstBatch).to.have.length(5);
    expect(isOpen(single.cursor.id)).to.equal(false);
    const negative = (await db().command({ find: collection.collectionName, limit: -4 })) as unknown as CursorReply;
    expect(negative.cursor.firstBatch).to.have.length(4);
    expect(isOpen(negative.cursor.id)).to.equal(false);
  });

  it('an aggregate cursor batches like a find cursor', async () => {
    const collection = await numbered(120);
    const cursor = collection.aggregate([{ $match: { parity: 'even' } }, { $sort: { _id: 1 } }], { batchSize: 7 });
    expect((await cursor.toArray()).map((doc) => doc._id)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i * 2));
  });

  it('close() kills the server cursor, and a getMore on it then answers 43 CursorNotFound', async () => {
    const collection = await numbered(40);
    const first = (await db().command({ find: collection.collectionName, batchSize: 5 })) as unknown as CursorReply;
    const id = first.cursor.id;
    expect(isOpen(id)).to.equal(true);
    const killed = await db().command({ killCursors: collection.collectionName, cursors: [id] });
    expect(killed.cursorsKilled).to.have.length(1);
    const error = await expectServerError(db().command({ getMore: id, collection: collection.collectionName }), 43);
    expect(error.codeName).to.equal('CursorNotFound');
  });

  it('the driver cursor.close() sends killCursors for a partly read cursor', async () => {
    const collection = await numbered(40);
    const cursor = collection.find({}, { batchSize: 5 });
    expect(await cursor.next()).to.deep.include({ _id: 0 });
    const id = cursor.id;
    expect(id && isOpen(id)).to.equal(true);
    await cursor.close();
    await expectServerError(db().command({ getMore: id, collection: collection.collectionName }), 43);
  });

  it('getMore with another collection name than the cursor\'s is refused', async () => {
    const collection = await numbered(20);
    const first = (await db().command({ find: collection.collectionName, batchSize: 2 })) as unknown as CursorReply;
    await expectServerError(db().command({ getMore: first.cursor.id, collection: 'elsewhere' }), 2);
    await db().command({ killCursors: collection.collectionName, cursors: [first.cursor.id] });
  });

  it('a cursor keeps answering from the results of its query while the collection changes', async () => {
    const collection = await numbered(30);
    const cursor = collection.find({}, { batchSize: 10 }).sort({ _id: 1 });
    const seen: number[] = [];
    for await (const doc of cursor) {
      seen.push(doc._id);
      if (doc._id === 0) {
        await collection.deleteMany({ _id: { $gte: 20 } });
        await collection.updateMany({}, { $set: { parity: 'changed' } });
      }
    }
    expect(seen).to.have.length(30);
  });
});
