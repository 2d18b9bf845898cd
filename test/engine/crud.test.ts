import { expect } from 'chai';
import { MongoBulkWriteError, ObjectId } from 'mongodb';
import { useDriverDatabase } from '../helpers/database.js';
import { expectServerError } from '../helpers/server-errors.js';

interface Learner {
  _id?: number | string | ObjectId | { org: number; n: number };
  name: string;
  cohort?: string;
  score?: number;
  tags?: string[];
}

describe('engine CRUD through the official driver', () => {
  const db = useDriverDatabase('crud', 'engine');
  let collectionNumber = 0;
  /** A collection no other test touches. */
  const freshCollection = () => db().collection<Learner>(`learners_${(collectionNumber += 1)}`);

  describe('inserting', () => {
    it('insertOne gives the document an ObjectId and stores it as sent', async () => {
      const learners = freshCollection();
      const { insertedId } = await learners.insertOne({ name: 'Ana', score: 7 });
      expect(insertedId).to.be.instanceOf(ObjectId);
      expect(await learners.findOne({ _id: insertedId })).to.deep.equal({ _id: insertedId, name: 'Ana', score: 7 });
    });

    it('keeps a client-chosen _id of any type', async () => {
      const learners = freshCollection();
      await learners.insertMany([{ _id: 'ana', name: 'Ana' }, { _id: 42, name: 'Beto' }, { _id: { org: 1, n: 2 }, name: 'Caro' }]);
      expect(await learners.findOne({ _id: 42 })).to.deep.equal({ _id: 42, name: 'Beto' });
      expect(await learners.findOne({ _id: { org: 1, n: 2 } })).to.deep.equal({ _id: { org: 1, n: 2 }, name: 'Caro' });
    });

    it('an ordered insertMany stops at the first duplicate and reports it in writeErrors', async () => {
      const learners = freshCollection();
      const error = await expectServerError(
        learners.insertMany([{ _id: 1, name: 'a' }, { _id: 1, name: 'b' }, { _id: 2, name: 'c' }]),
        11000,
      );
      expect(error).to.be.instanceOf(MongoBulkWriteError);
      const bulk = error as MongoBulkWriteError;
      expect(bulk.insertedCount).to.equal(1);
      const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
      expect(writeErrors.map((writeError) => [writeError.index, writeError.code])).to.deep.equal([[1, 11000]]);
      expect(await learners.find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, name: 'a' }]);
    });

    it('an unordered insertMany inserts everything else and reports every failure with its index', async () => {
      const learners = freshCollection();
      const error = await expectServerError(
        learners.insertMany(
          [{ _id: 1, name: 'a' }, { _id: 1, name: 'b' }, { _id: 2, name: 'c' }, { _id: 2, name: 'd' }, { _id: 3, name: 'e' }],
          { ordered: false },
        ),
        11000,
      );
      const bulk = error as MongoBulkWriteError;
      expect(bulk.insertedCount).to.equal(3);
      const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
      expect(writeErrors.map((writeError) => writeError.index)).to.deep.equal([1, 3]);
      expect(await learners.countDocuments()).to.equal(3);
    });
  });

  describe('replacing', () => {
    it('replaceOne swaps the whole document and keeps its _id', async () => {
      const learners = freshCollection();
      const { insertedId } = await learners.insertOne({ name: 'Ana', cohort: 'A', score: 1 });
      const result = await learners.replaceOne({ _id: insertedId }, { name: 'Ana María' });
      expect(result.matchedCount).to.equal(1);
      expect(result.modifiedCount).to.equal(1);
      expect(await learners.findOne({ _id: insertedId })).to.deep.equal({ _id: insertedId, name: 'Ana María' });
    });

    it('a replacement that names a different _id answers 66 and changes nothing', async () => {
      const learners = freshCollection();
      await learners.insertOne({ _id: 1, name: 'Ana' });
      const otherId: Learner = { _id: 2, name: 'Beto' };
      await expectServerError(learners.replaceOne({ _id: 1 }, otherId), 66);
      expect(await learners.find().toArray()).to.deep.equal([{ _id: 1, name: 'Ana' }]);
    });

    it('a replacement repeating the same _id is accepted', async () => {
      const learners = freshCollection();
      await learners.insertOne({ _id: 1, name: 'Ana' });
      const sameId: Learner = { _id: 1, name: 'Beto' };
      await learners.replaceOne({ _id: 1 }, sameId);
      expect(await learners.findOne({ _id: 1 })).to.deep.equal({ _id: 1, name: 'Beto' });
    });
  });

  describe('upserting', () => {
    it('an upsert inserts the filter equalities plus the update, and reports upsertedId', async () => {
      const learners = freshCollection();
      const result = await learners.updateOne(
        { name: 'Ana', cohort: 'A', score: { $gt: 3 } },
        { $set: { tags: ['new'] }, $setOnInsert: { score: 5 } },
        { upsert: true },
      );
      expect(result.upsertedCount).to.equal(1);
      expect(result.matchedCount).to.equal(0);
      expect(result.upsertedId).to.be.instanceOf(ObjectId);
      const stored = await learners.findOne({ _id: result.upsertedId! });
      expect(stored).to.deep.equal({ _id: result.upsertedId, name: 'Ana', cohort: 'A', tags: ['new'], score: 5 });
    });

    it('$setOnInsert is ignored when the upsert finds a document', async () => {
      const learners = freshCollection();
      await learners.insertOne({ _id: 1, name: 'Ana', score: 1 });
      const result = await learners.updateOne({ name: 'Ana' }, { $inc: { score: 1 }, $setOnInsert: { cohort: 'Z' } }, { upsert: true });
      expect(result.upsertedCount).to.equal(0);
      expect(result.modifiedCount).to.equal(1);
      expect(await learners.findOne({ _id: 1 })).to.deep.equal({ _id: 1, name: 'Ana', score: 2 });
    });

    it('an upsert takes _id and dotted fields from the filter', async () => {
      const learners = db().collection<{ _id: string; profile?: { city: string }; visits?: number }>(`upserts_${(collectionNumber += 1)}`);
      const result = await learners.updateOne({ _id: 'ana', 'profile.city': 'Cali' }, { $inc: { visits: 1 } }, { upsert: true });
      expect(result.upsertedId).to.equal('ana');
      expect(await learners.findOne({ _id: 'ana' })).to.deep.equal({ _id: 'ana', profile: { city: 'Cali' }, visits: 1 });
    });

    it('replaceOne with upsert inserts the replacement with the filter _id', async () => {
      const learners = freshCollection();
      const result = await learners.replaceOne({ _id: 7 }, { name: 'Gabi' }, { upsert: true });
      expect(result.upsertedId).to.equal(7);
      expect(await learners.findOne({ _id: 7 })).to.deep.equal({ _id: 7, name: 'Gabi' });
    });
  });

  describe('deleting', () => {
    it('deleteOne removes one match and deleteMany removes them all', async () => {
      const learners = freshCollection();
      await learners.insertMany([{ name: 'a', cohort: 'X' }, { name: 'b', cohort: 'X' }, { name: 'c', cohort: 'X' }, { name: 'd', cohort: 'Y' }]);
      expect((await learners.deleteOne({ cohort: 'X' })).deletedCount).to.equal(1);
      expect(await learners.countDocuments({ cohort: 'X' })).to.equal(2);
      expect((await learners.deleteMany({ cohort: 'X' })).deletedCount).to.equal(2);
      expect((await learners.deleteMany({ cohort: 'X' })).deletedCount).to.equal(0);
      expect(await learners.find({}, { projection: { _id: 0 } }).toArray()).to.deep.equal([{ name: 'd', cohort: 'Y' }]);
    });
  });

  describe('find-and-modify', () => {
    const seedQueue = async () => {
      const learners = freshCollection();
      await learners.insertMany([
        { _id: 1, name: 'low', score: 1 },
        { _id: 2, name: 'high', score: 9 },
        { _id: 3, name: 'mid', score: 5 },
      ]);
      return learners;
    };

    it('findOneAndUpdate follows sort and returns the document before by default', async () => {
      const learners = await seedQueue();
      const before = await learners.findOneAndUpdate({}, { $inc: { score: 100 } }, { sort: { score: -1 } });
      expect(before).to.deep.equal({ _id: 2, name: 'high', score: 9 });
      expect(await learners.findOne({ _id: 2 })).to.deep.equal({ _id: 2, name: 'high', score: 109 });
    });

    it('findOneAndUpdate returns the new document, projected, when asked', async () => {
      const learners = await seedQueue();
      const after = await learners.findOneAndUpdate(
        { score: { $lt: 6 } },
        { $set: { name: 'picked' } },
        { sort: { score: 1 }, returnDocument: 'after', projection: { _id: 0, name: 1 } },
      );
      expect(after).to.deep.equal({ name: 'picked' });
      expect(await learners.findOne({ _id: 1 })).to.deep.equal({ _id: 1, name: 'picked', score: 1 });
    });

    it('findOneAndUpdate answers null when nothing matches, and upserts when asked', async () => {
      const learners = await seedQueue();
      expect(await learners.findOneAndUpdate({ name: 'none' }, { $set: { score: 0 } })).to.equal(null);
      const inserted = await learners.findOneAndUpdate(
        { name: 'none' },
        { $set: { score: 0 } },
        { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
      );
      expect(inserted).to.deep.equal({ name: 'none', score: 0 });
      const result = await learners.findOneAndUpdate({ name: 'other' }, { $set: { score: 0 } }, { upsert: true, includeResultMetadata: true });
      expect(result.value).to.equal(null);
      expect(result.lastErrorObject).to.include({ n: 1, updatedExisting: false });
      expect(result.lastErrorObject?.upserted).to.be.instanceOf(ObjectId);
    });

    it('findOneAndReplace replaces the first match in sort order, keeping its _id', async () => {
      const learners = await seedQueue();
      const after = await learners.findOneAndReplace({}, { name: 'replaced' }, { sort: { score: 1 }, returnDocument: 'after' });
      expect(after).to.deep.equal({ _id: 1, name: 'replaced' });
      const upserted = await learners.findOneAndReplace({ _id: 9 }, { name: 'new' }, { upsert: true, returnDocument: 'after' });
      expect(upserted).to.deep.equal({ _id: 9, name: 'new' });
    });

    it('findOneAndDelete removes the first match in sort order and returns it', async () => {
      const learners = await seedQueue();
      const removed = await learners.findOneAndDelete({ score: { $gt: 2 } }, { sort: { score: 1 }, projection: { name: 1 } });
      expect(removed).to.deep.equal({ _id: 3, name: 'mid' });
      expect(await learners.countDocuments()).to.equal(2);
      expect(await learners.findOneAndDelete({ name: 'mid' })).to.equal(null);
    });
  });

  describe('bulkWrite', () => {
    it('runs mixed operations in order and reports each kind of count', async () => {
      const learners = freshCollection();
      const result = await learners.bulkWrite([
        { insertOne: { document: { _id: 1, name: 'a', score: 1 } } },
        { insertOne: { document: { _id: 2, name: 'b', score: 2 } } },
        { updateOne: { filter: { _id: 1 }, update: { $inc: { score: 10 } } } },
        { updateMany: { filter: {}, update: { $set: { cohort: 'Z' } } } },
        { replaceOne: { filter: { _id: 2 }, replacement: { name: 'B' } } },
        { updateOne: { filter: { _id: 3 }, update: { $set: { name: 'c' } }, upsert: true } },
        { deleteOne: { filter: { _id: 1 } } },
      ]);
      expect(result.insertedCount).to.equal(2);
      expect(result.matchedCount).to.equal(4);
      expect(result.modifiedCount).to.equal(4);
      expect(result.upsertedCount).to.equal(1);
      expect(result.upsertedIds).to.deep.equal({ 5: 3 });
      expect(result.deletedCount).to.equal(1);
      expect(await learners.find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 2, name: 'B' }, { _id: 3, name: 'c' }]);
    });

    it('an unordered bulkWrite carries on past a failing operation', async () => {
      const learners = freshCollection();
      await learners.insertOne({ _id: 1, name: 'a' });
      const error = (await expectServerError(
        learners.bulkWrite(
          [
            { insertOne: { document: { _id: 1, name: 'again' } } },
            { updateOne: { filter: { _id: 1 }, update: { $set: { score: 3 } } } },
            { insertOne: { document: { _id: 2, name: 'b' } } },
          ],
          { ordered: false },
        ),
        11000,
      )) as MongoBulkWriteError;
      expect(error.insertedCount).to.equal(1);
      expect(error.modifiedCount).to.equal(1);
      expect(await learners.find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, name: 'a', score: 3 }, { _id: 2, name: 'b' }]);
    });
  });
});
