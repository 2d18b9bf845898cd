import { expect } from 'chai';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { useDriverDatabase } from '../helpers/database.js';
import type { TestDocument } from '../helpers/documents.js';
import { expectServerError } from '../helpers/server-errors.js';

describe('engine indexes', () => {
  const db = useDriverDatabase('indexes', 'engine');
  let collectionNumber = 0;
  const freshCollection = (label = 'c') => db().collection<TestDocument>(`${label}_${(collectionNumber += 1)}`);
  const indexNames = async (collection: ReturnType<typeof freshCollection>) =>
    (await collection.listIndexes().toArray()).map((index) => index.name as string).sort();

  describe('the _id index', () => {
    it('exists on every collection and rejects a duplicate _id with 11000, keyPattern and keyValue', async () => {
      const users = freshCollection('users');
      await users.insertOne({ _id: 'ana' });
      expect(await indexNames(users)).to.deep.equal(['_id_']);
      const error = await expectServerError(users.insertOne({ _id: 'ana' }), 11000);
      expect(error.keyPattern).to.deep.equal({ _id: 1 });
      expect(error.keyValue).to.deep.equal({ _id: 'ana' });
    });

    it('cannot be dropped', async () => {
      const users = freshCollection('users');
      await users.insertOne({ _id: 1 });
      let failure: unknown;
      try {
        await users.dropIndex('_id_');
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(MongoServerError);
      expect(await indexNames(users)).to.deep.equal(['_id_']);
    });
  });

  describe('unique indexes', () => {
    it('a duplicate email answers 11000 with keyPattern and keyValue', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertOne({ email: 'ana@example.org' });
      const error = await expectServerError(users.insertOne({ email: 'ana@example.org' }), 11000);
      expect(error.keyPattern).to.deep.equal({ email: 1 });
      expect(error.keyValue).to.deep.equal({ email: 'ana@example.org' });
      expect(error.message).to.match(/E11000 duplicate key error collection: .*users_\d+ index: email_1 dup key/);
      expect(await users.countDocuments()).to.equal(1);
    });

    it('numbers that compare equal (1, 1.0) count as duplicates', async () => {
      const users = freshCollection('users');
      await users.createIndex({ code: 1 }, { unique: true });
      await users.insertOne({ code: 1 });
      await expectServerError(users.insertOne({ code: 1.0 }), 11000);
    });

    it('rejects duplicates inside one insertMany batch, keeping the documents before them', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      const error = (await expectServerError(
        users.insertMany([{ email: 'a' }, { email: 'b' }, { email: 'a' }, { email: 'c' }]),
        11000,
      )) as MongoBulkWriteError;
      expect(error.insertedCount).to.equal(2);
      expect((await users.find({}, { projection: { _id: 0 } }).sort({ email: 1 }).toArray()).map((doc) => doc.email)).to.deep.equal(['a', 'b']);
    });

    it('rejects an update that would make two documents collide, leaving both unchanged', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertMany([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
      const error = await expectServerError(users.updateOne({ _id: 2 }, { $set: { email: 'a' } }), 11000);
      expect(error.keyValue).to.deep.equal({ email: 'a' });
      await expectServerError(users.replaceOne({ _id: 2 }, { email: 'a' }), 11000);
      await expectServerError(users.findOneAndUpdate({ _id: 2 }, { $set: { email: 'a' } }), 11000);
      expect(await users.find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
    });

    it('an updateMany that collides part-way stops at the collision', async () => {
      const users = freshCollection('users');
      await users.createIndex({ slot: 1 }, { unique: true });
      await users.insertMany([{ _id: 1, slot: 1 }, { _id: 2, slot: 2 }, { _id: 3, slot: 3 }]);
      await expectServerError(users.updateMany({}, { $set: { slot: 9 } }), 11000);
      expect(await users.countDocuments({ slot: 9 })).to.equal(1);
    });

    it('lets a document keep its own key when updated', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertOne({ _id: 1, email: 'a', visits: 0 });
      await users.updateOne({ _id: 1 }, { $set: { email: 'a' }, $inc: { visits: 1 } });
      expect(await users.findOne({ _id: 1 })).to.deep.equal({ _id: 1, email: 'a', visits: 1 });
    });

    it('a compound unique index rejects only the same combination', async () => {
      const grades = freshCollection('grades');
      await grades.createIndex({ learner: 1, quiz: 1 }, { unique: true });
      await grades.insertMany([{ learner: 'ana', quiz: 'q1' }, { learner: 'ana', quiz: 'q2' }, { learner: 'beto', quiz: 'q1' }]);
      const error = await expectServerError(grades.insertOne({ learner: 'ana', quiz: 'q1' }), 11000);
      expect(error.keyPattern).to.deep.equal({ learner: 1, quiz: 1 });
      expect(error.keyValue).to.deep.equal({ learner: 'ana', quiz: 'q1' });
    });

    it('without sparse, two documents missing the field collide on null', async () => {
      const users = freshCollection('users');
      await users.createIndex({ nickname: 1 }, { unique: true });
      await users.insertOne({ name: 'a' });
      const error = await expectServerError(users.insertOne({ name: 'b' }), 11000);
      expect(error.keyValue).to.deep.equal({ nickname: null });
    });

    it('creating a unique index over duplicate data fails with 11000 and creates nothing', async () => {
      const users = freshCollection('users');
      await users.insertMany([{ email: 'a' }, { email: 'b' }, { email: 'a' }]);
      const error = await expectServerError(users.createIndex({ email: 1 }, { unique: true }), 11000);
      expect(error.keyValue).to.deep.equal({ email: 'a' });
      expect(await indexNames(users)).to.deep.equal(['_id_']);
      await users.insertOne({ email: 'b' });
      expect(await users.countDocuments({ email: 'b' })).to.equal(2);
    });

    it('createIndexes is all or nothing: one index over duplicates leaves none of the others', async () => {
      const users = freshCollection('users');
      await users.insertMany([{ email: 'a', name: 'x' }, { email: 'a', name: 'y' }]);
      await expectServerError(users.createIndexes([{ key: { name: 1 } }, { key: { email: 1 }, unique: true }]), 11000);
      expect(await indexNames(users)).to.deep.equal(['_id_']);
    });
  });

  describe('sparse and partial indexes', () => {
    it('a unique sparse index allows any number of documents without the field', async () => {
      const users = freshCollection('users');
      await users.createIndex({ nickname: 1 }, { unique: true, sparse: true });
      await users.insertMany([{ name: 'a' }, { name: 'b' }, { name: 'c', nickname: 'cc' }]);
      await expectServerError(users.insertOne({ name: 'd', nickname: 'cc' }), 11000);
      expect(await users.countDocuments({ nickname: null })).to.equal(2);
      expect(await users.countDocuments({ nickname: { $exists: false } })).to.equal(2);
    });

    it('a unique partial index only constrains the documents its filter selects', async () => {
      const enrollments = freshCollection('enrollments');
      await enrollments.createIndex({ learner: 1 }, { unique: true, partialFilterExpression: { status: 'active' } });
      await enrollments.insertMany([
        { learner: 'ana', status: 'active' },
        { learner: 'ana', status: 'dropped' },
        { learner: 'ana', status: 'dropped' },
      ]);
      await expectServerError(enrollments.insertOne({ learner: 'ana', status: 'active' }), 11000);
      await expectServerError(enrollments.updateOne({ status: 'dropped' }, { $set: { status: 'active' } }), 11000);
      await enrollments.updateOne({ status: 'active' }, { $set: { status: 'done' } });
      await enrollments.updateOne({ status: 'dropped' }, { $set: { status: 'active' } });
      expect(await enrollments.countDocuments({ learner: 'ana', status: 'active' })).to.equal(1);
      const partial = (await enrollments.listIndexes().toArray()).find((index) => index.name === 'learner_1');
      expect(partial?.partialFilterExpression).to.deep.equal({ status: 'active' });
    });

    it('queries over a partial index still see the documents it leaves out', async () => {
      const enrollments = freshCollection('enrollments');
      await enrollments.createIndex({ learner: 1 }, { partialFilterExpression: { status: 'active' } });
      await enrollments.insertMany([{ learner: 'ana', status: 'active' }, { learner: 'ana', status: 'dropped' }]);
      expect(await enrollments.countDocuments({ learner: 'ana' })).to.equal(2);
    });
  });

  describe('multikey indexes', () => {
    it('index every element of an array, for queries and for uniqueness', async () => {
      const courses = freshCollection('courses');
      await courses.createIndex({ tags: 1 });
      await courses.insertMany([{ _id: 1, tags: ['math', 'basic'] }, { _id: 2, tags: ['art'] }, { _id: 3, tags: 'math' }, { _id: 4, tags: [] }]);
      expect((await courses.find({ tags: 'math' }).sort({ _id: 1 }).toArray()).map((doc) => doc._id)).to.deep.equal([1, 3]);
      expect((await courses.find({ tags: { $gt: 'b', $lt: 'c' } }).toArray()).map((doc) => doc._id)).to.deep.equal([1]);
      expect((await courses.find({ tags: { $in: ['art', 'basic'] } }).sort({ _id: 1 }).toArray()).map((doc) => doc._id)).to.deep.equal([1, 2]);

      const codes = freshCollection('codes');
      await codes.createIndex({ aliases: 1 }, { unique: true });
      await codes.insertOne({ aliases: ['x', 'y', 'x'] });
      const error = await expectServerError(codes.insertOne({ aliases: ['z', 'y'] }), 11000);
      expect(error.keyValue).to.deep.equal({ aliases: 'y' });
    });

    it('a range over an array field matches documents whose elements satisfy each bound separately', async () => {
      const readings = freshCollection('readings');
      await readings.createIndex({ values: 1 });
      await readings.insertMany([{ _id: 1, values: [1, 10] }, { _id: 2, values: [5] }, { _id: 3, values: [20] }]);
      const ids = (await readings.find({ values: { $gt: 3, $lt: 8 } }).sort({ _id: 1 }).toArray()).map((doc) => doc._id);
      expect(ids).to.deep.equal([1, 2]);
    });

    it('refuses a compound index over two arrays of one document', async () => {
      const pairs = freshCollection('pairs');
      await pairs.createIndex({ a: 1, b: 1 });
      let failure: unknown;
      try {
        await pairs.insertOne({ a: [1, 2], b: [3, 4] });
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(MongoServerError);
      expect(await pairs.countDocuments()).to.equal(0);
    });

    it('indexes nested fields inside arrays of sub-documents', async () => {
      const quizzes = freshCollection('quizzes');
      await quizzes.createIndex({ 'questions.id': 1 }, { unique: true });
      await quizzes.insertOne({ _id: 1, questions: [{ id: 'q1' }, { id: 'q2' }] });
      await expectServerError(quizzes.insertOne({ _id: 2, questions: [{ id: 'q2' }] }), 11000);
      expect(await quizzes.findOne({ 'questions.id': 'q2' })).to.deep.include({ _id: 1 });
    });
  });

  describe('managing indexes', () => {
    it('listIndexes shows each index with its key and options', async () => {
      const users = freshCollection('users');
      await users.createIndexes([
        { key: { email: 1 }, unique: true },
        { key: { cohort: 1, joinedAt: -1 }, name: 'by_cohort' },
        { key: { seenAt: 1 }, expireAfterSeconds: 3600 },
      ]);
      const indexes = await users.listIndexes().toArray();
      expect(indexes.map(({ key, name, unique, expireAfterSeconds }) => ({ key, name, unique, expireAfterSeconds }))).to.deep.equal([
        { key: { _id: 1 }, name: '_id_', unique: undefined, expireAfterSeconds: undefined },
        { key: { email: 1 }, name: 'email_1', unique: true, expireAfterSeconds: undefined },
        { key: { cohort: 1, joinedAt: -1 }, name: 'by_cohort', unique: undefined, expireAfterSeconds: undefined },
        { key: { seenAt: 1 }, name: 'seenAt_1', unique: undefined, expireAfterSeconds: 3600 },
      ]);
      expect(await users.indexExists('by_cohort')).to.equal(true);
    });

    it('dropIndex by name or key and dropIndexes remove them; a missing one answers 27', async () => {
      const users = freshCollection('users');
      await users.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }, { key: { c: 1 } }]);
      await users.dropIndex('a_1');
      await db().command({ dropIndexes: users.collectionName, index: { b: 1 } });
      expect(await indexNames(users)).to.deep.equal(['_id_', 'c_1']);
      await expectServerError(users.dropIndex('a_1'), 27);
      await users.createIndex({ d: 1 });
      await users.dropIndexes();
      expect(await indexNames(users)).to.deep.equal(['_id_']);
    });

    it('creating the same index twice is a no-op', async () => {
      const users = freshCollection('users');
      expect(await users.createIndex({ email: 1 }, { unique: true })).to.equal('email_1');
      const again = await db().command({ createIndexes: users.collectionName, indexes: [{ key: { email: 1 }, name: 'email_1', unique: true }] });
      expect(again.numIndexesBefore).to.equal(again.numIndexesAfter);
      expect(await indexNames(users)).to.deep.equal(['_id_', 'email_1']);
    });

    it('the same name with other options answers 85, the same name with another key answers 86', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { name: 'email' });
      const optionsConflict = await expectServerError(users.createIndex({ email: 1 }, { name: 'email', unique: true }), 85);
      expect(optionsConflict.codeName).to.equal('IndexOptionsConflict');
      const keyConflict = await expectServerError(users.createIndex({ other: 1 }, { name: 'email' }), 86);
      expect(keyConflict.codeName).to.equal('IndexKeySpecsConflict');
    });

    it('the same key under another name answers 85', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { name: 'first' });
      await expectServerError(users.createIndex({ email: 1 }, { name: 'second' }), 85);
    });

    it('dropping a collection drops its indexes', async () => {
      const users = freshCollection('users');
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertOne({ email: 'a' });
      await users.drop();
      await users.insertOne({ email: 'a' });
      await users.insertOne({ email: 'a' });
      expect(await indexNames(users)).to.deep.equal(['_id_']);
    });
  });
});
