import { expect } from 'chai';
import { Long, MongoServerError } from 'mongodb';
import { useDriverDatabase } from '../helpers/database.js';
import type { TestDocument } from '../helpers/documents.js';
import { expectServerError } from '../helpers/server-errors.js';

describe('engine error shapes', () => {
  const db = useDriverDatabase('errors', 'engine');
  let collectionNumber = 0;
  const seeded = async () => {
    const collection = db().collection<TestDocument>(`errors_${(collectionNumber += 1)}`);
    await collection.insertOne({ _id: 1, a: 1, s: 'hola mundo' });
    return collection;
  };

  describe('malformed requests', () => {
    it('an unknown command answers 59 CommandNotFound', async () => {
      const error = await expectServerError(db().command({ frobnicate: 1 }), 59);
      expect(error.codeName).to.equal('CommandNotFound');
      expect(error.message).to.include('frobnicate');
    });

    it('an unknown query operator answers 2 BadValue', async () => {
      const collection = await seeded();
      expect((await expectServerError(collection.find({ a: { $foo: 1 } }).toArray(), 2)).codeName).to.equal('BadValue');
      await expectServerError(collection.find({ $foo: [{ a: 1 }] }).toArray(), 2);
      await expectServerError(collection.countDocuments({ a: { $foo: 1 } }), 2);
      await expectServerError(collection.deleteMany({ a: { $foo: 1 } }), 2);
      expect(await collection.countDocuments()).to.equal(1);
    });

    it('an unknown update operator answers 9 FailedToParse', async () => {
      const collection = await seeded();
      const error = await expectServerError(collection.updateOne({ _id: 1 }, { $foo: { a: 2 } }), 9);
      expect(error.codeName).to.equal('FailedToParse');
      expect(await collection.findOne({ _id: 1 })).to.deep.include({ a: 1 });
    });

    it('an unknown aggregation stage answers 40324, an unknown expression answers an error', async () => {
      const collection = await seeded();
      await expectServerError(collection.aggregate([{ $frobnicate: {} }]).toArray(), 40324);
      const error = await collection.aggregate([{ $project: { x: { $frobnicate: 1 } } }]).toArray().catch((failure: unknown) => failure);
      expect(error).to.be.instanceOf(MongoServerError);
    });

    it('a hint naming no index answers 2 BadValue', async () => {
      const collection = await seeded();
      await expectServerError(collection.find({}).hint('no_such_index').toArray(), 2);
    });

    it('an invalid collection name answers 73 InvalidNamespace', async () => {
      await expectServerError(db().collection('bad$name').insertOne({}), 73);
    });

    it('an update that would grow a document past 16 MiB answers 10334 and changes nothing', async () => {
      const collection = db().collection<TestDocument>(`large_${(collectionNumber += 1)}`);
      await collection.insertOne({ _id: 1, first: 'a'.repeat(9 * 1024 * 1024) });
      const error = await expectServerError(collection.updateOne({ _id: 1 }, { $set: { second: 'b'.repeat(8 * 1024 * 1024) } }), 10334);
      expect(error.codeName).to.equal('BSONObjectTooLarge');
      const stored = await collection.findOne({ _id: 1 }, { projection: { first: 0 } });
      expect(stored).to.deep.equal({ _id: 1 });
    });

    it('server-side JavaScript is refused', async () => {
      const collection = await seeded();
      await expectServerError(collection.find({ $where: 'this.a == 1' }).toArray(), 2);
    });
  });

  describe('transactions', () => {
    it('a command carrying txnNumber and startTransaction answers 20 about replica sets', async () => {
      const collection = await seeded();
      const error = await expectServerError(
        db().command({
          insert: collection.collectionName,
          documents: [{ _id: 2 }],
          txnNumber: Long.fromNumber(1),
          startTransaction: true,
          autocommit: false,
        }),
        20,
      );
      expect(error.codeName).to.equal('IllegalOperation');
      expect(error.message).to.match(/replica set/);
      expect(await collection.countDocuments()).to.equal(1);
    });

    it('a driver transaction fails on its first command and writes nothing', async () => {
      const collection = await seeded();
      const session = db().client.startSession();
      try {
        session.startTransaction();
        const read = await collection.findOne({ _id: 1 }, { session }).catch((failure: unknown) => failure);
        expect(read).to.be.instanceOf(MongoServerError);
        expect((read as MongoServerError).code).to.equal(20);
        await session.abortTransaction().catch(() => undefined);
        session.startTransaction();
        // For writes the driver rewrites code 20 into its retryable-writes advice, keeping the server's error.
        const write = await collection.insertOne({ _id: 3 }, { session }).catch((failure: unknown) => failure);
        expect(write).to.be.instanceOf(MongoServerError);
        const original = (write as MongoServerError & { originalError?: MongoServerError }).originalError ?? (write as MongoServerError);
        expect(original.code).to.equal(20);
        await session.abortTransaction().catch(() => undefined);
      } finally {
        await session.endSession();
      }
      expect(await collection.countDocuments()).to.equal(1);
    });

    it('commitTransaction and abortTransaction answer 20', async () => {
      await expectServerError(db().admin().command({ commitTransaction: 1 }), 20);
      await expectServerError(db().admin().command({ abortTransaction: 1 }), 20);
    });
  });

  describe('unsupported features answer clearly instead of silently differing', () => {
    it('a collation on any read or write answers 115 CommandNotSupported, and nothing is written', async () => {
      const collection = await seeded();
      const collation = { locale: 'es', strength: 1 };
      await expectServerError(collection.find({ s: 'HOLA MUNDO' }, { collation }).toArray(), 115);
      await expectServerError(collection.countDocuments({}, { collation }), 115);
      await expectServerError(collection.distinct('s', {}, { collation }), 115);
      await expectServerError(collection.aggregate([], { collation }).toArray(), 115);
      await expectServerError(collection.updateOne({ s: 'HOLA MUNDO' }, { $set: { a: 2 } }, { collation }), 115);
      await expectServerError(collection.deleteMany({ s: 'HOLA MUNDO' }, { collation }), 115);
      await expectServerError(collection.findOneAndUpdate({ s: 'HOLA MUNDO' }, { $set: { a: 2 } }, { collation }), 115);
      await expectServerError(db().createCollection(`collated_${(collectionNumber += 1)}`, { collation }), 115);
      expect(await collection.findOne({ _id: 1 })).to.deep.equal({ _id: 1, a: 1, s: 'hola mundo' });
    });

    it('the simple collation is accepted, since it is what the engine does', async () => {
      const collection = await seeded();
      expect(await collection.countDocuments({ s: 'hola mundo' }, { collation: { locale: 'simple' } })).to.equal(1);
    });

    it('a capped collection answers 115', async () => {
      const error = await expectServerError(db().createCollection(`capped_${(collectionNumber += 1)}`, { capped: true, size: 4096 }), 115);
      expect(error.message).to.include('capped');
    });

    it('text, geospatial and hashed indexes answer 67 CannotCreateIndex', async () => {
      const collection = await seeded();
      for (const type of ['text', '2dsphere', '2d', 'hashed'] as const) {
        const error = await expectServerError(collection.createIndex({ s: type }), 67);
        expect(error.message).to.include(type);
      }
      expect((await collection.listIndexes().toArray()).map((index) => index.name)).to.deep.equal(['_id_']);
    });

    it('$text answers 27 (no text index) and geospatial operators answer 115', async () => {
      const collection = await seeded();
      await expectServerError(collection.find({ $text: { $search: 'hola' } }).toArray(), 27);
      await expectServerError(collection.find({ loc: { $near: { $geometry: { type: 'Point', coordinates: [0, 0] } } } }).toArray(), 115);
      await expectServerError(collection.find({ loc: { $geoWithin: { $centerSphere: [[0, 0], 1] } } }).toArray(), 115);
    });

    it('change streams answer 40573: they need a replica set', async () => {
      const collection = await seeded();
      const stream = collection.watch();
      try {
        const error = await expectServerError(stream.tryNext(), 40573);
        expect(error.message).to.match(/replica set/);
      } finally {
        await stream.close();
      }
    });

    it('find options the engine does not honour (min, max, returnKey, showRecordId) answer 115', async () => {
      const collection = await seeded();
      await expectServerError(collection.find({}).min({ a: 0 }).toArray(), 115);
      await expectServerError(collection.find({}).max({ a: 5 }).toArray(), 115);
      await expectServerError(collection.find({}).returnKey(true).toArray(), 115);
      await expectServerError(collection.find({}).showRecordId(true).toArray(), 115);
    });

    it('let variables on writes answer 115 rather than leaving $$names undefined', async () => {
      const collection = await seeded();
      await expectServerError(collection.updateOne({ $expr: { $eq: ['$a', '$$one'] } }, { $set: { b: 1 } }, { let: { one: 1 } }), 115);
      await expectServerError(collection.deleteOne({ $expr: { $eq: ['$a', '$$one'] } }, { let: { one: 1 } }), 115);
      expect(await collection.findOne({ _id: 1 })).to.deep.equal({ _id: 1, a: 1, s: 'hola mundo' });
    });

    it('tailable cursors answer 115', async () => {
      const collection = await seeded();
      await expectServerError(collection.find({}, { tailable: true }).toArray(), 115);
    });
  });
});
