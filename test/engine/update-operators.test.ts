import { expect } from 'chai';
import type { Document } from 'mongodb';
import type { TestDocument } from '../helpers/documents.js';
import { useDriverDatabase } from '../helpers/database.js';
import { expectServerError } from '../helpers/server-errors.js';

describe('engine update operators', () => {
  const db = useDriverDatabase('update_operators', 'engine');
  let collectionNumber = 0;

  /** Stores `doc` with _id 1 in a collection of its own, applies `update`, returns the stored result. */
  const afterUpdate = async (doc: Document, update: Document | Document[], options: { arrayFilters?: Document[]; filter?: Document } = {}) => {
    const collection = db().collection<TestDocument>(`docs_${(collectionNumber += 1)}`);
    await collection.insertOne({ _id: 1, ...doc } as Document);
    await collection.updateOne({ _id: 1, ...options.filter } as Document, update, { arrayFilters: options.arrayFilters });
    return collection.findOne({ _id: 1 } as Document);
  };

  describe('field operators', () => {
    it('$set writes top-level and dotted fields, creating parents', async () => {
      expect(await afterUpdate({ a: 1 }, { $set: { a: 2, 'b.c.d': 'x' } })).to.deep.equal({ _id: 1, a: 2, b: { c: { d: 'x' } } });
    });

    it('$unset removes fields and ignores missing ones', async () => {
      expect(await afterUpdate({ a: 1, b: { c: 1, d: 2 } }, { $unset: { a: '', 'b.c': 1, zz: 1 } })).to.deep.equal({ _id: 1, b: { d: 2 } });
    });

    it('$inc and $mul do arithmetic, starting missing fields at 0', async () => {
      expect(await afterUpdate({ n: 5, m: 3 }, { $inc: { n: -2, fresh: 4 }, $mul: { m: 2.5, absent: 3 } })).to.deep.equal({
        _id: 1, n: 3, m: 7.5, fresh: 4, absent: 0,
      });
    });

    it('$min and $max only move a value past the current one', async () => {
      expect(await afterUpdate({ low: 5, high: 5 }, { $min: { low: 3, high: 1 } })).to.deep.equal({ _id: 1, low: 3, high: 1 });
      expect(await afterUpdate({ low: 5, high: 5 }, { $max: { low: 3, high: 9 } })).to.deep.equal({ _id: 1, low: 5, high: 9 });
      const when = new Date('2024-05-01T00:00:00Z');
      expect(await afterUpdate({ at: new Date('2024-01-01T00:00:00Z') }, { $max: { at: when } })).to.deep.equal({ _id: 1, at: when });
    });

    it('$rename moves a value to another (dotted) name', async () => {
      expect(await afterUpdate({ old: 'v', keep: 1 }, { $rename: { old: 'nested.fresh' } })).to.deep.equal({ _id: 1, keep: 1, nested: { fresh: 'v' } });
      expect(await afterUpdate({ o: { p: 1, q: 2 } }, { $rename: { 'o.p': 'o.renamed', missing: 'other' } })).to.deep.equal({ _id: 1, o: { q: 2, renamed: 1 } });
    });

    it('$currentDate stores the time of the update as a date', async () => {
      const before = new Date();
      const stored = await afterUpdate({}, { $currentDate: { seenAt: true, touchedAt: { $type: 'date' } } });
      const after = new Date();
      expect(stored?.seenAt).to.be.instanceOf(Date);
      expect(stored?.touchedAt).to.be.instanceOf(Date);
      // Same clock: the stored time falls between the moments before and after the call.
      expect((stored?.seenAt as Date).getTime()).to.be.within(before.getTime(), after.getTime());
    });
  });

  describe('array operators', () => {
    it('$push appends one value, or several with $each', async () => {
      expect(await afterUpdate({ xs: [1] }, { $push: { xs: 2, ys: 'new' } })).to.deep.equal({ _id: 1, xs: [1, 2], ys: ['new'] });
      expect(await afterUpdate({ xs: [1] }, { $push: { xs: { $each: [2, 3] } } })).to.deep.equal({ _id: 1, xs: [1, 2, 3] });
    });

    it('$push with $position, $sort and $slice shapes the result', async () => {
      expect(await afterUpdate({ xs: [1, 2] }, { $push: { xs: { $each: [9], $position: 0 } } })).to.deep.equal({ _id: 1, xs: [9, 1, 2] });
      const scores = [{ s: 5 }, { s: 1 }];
      expect(await afterUpdate({ top: scores }, { $push: { top: { $each: [{ s: 9 }, { s: 3 }], $sort: { s: -1 }, $slice: 3 } } })).to.deep.equal({
        _id: 1, top: [{ s: 9 }, { s: 5 }, { s: 3 }],
      });
      expect(await afterUpdate({ xs: [1, 2, 3] }, { $push: { xs: { $each: [4], $slice: -2 } } })).to.deep.equal({ _id: 1, xs: [3, 4] });
    });

    it('$addToSet adds only values not already present', async () => {
      expect(await afterUpdate({ tags: ['a', 'b'] }, { $addToSet: { tags: 'a' } })).to.deep.equal({ _id: 1, tags: ['a', 'b'] });
      expect(await afterUpdate({ tags: ['a'] }, { $addToSet: { tags: { $each: ['a', 'c', 'c'] } } })).to.deep.equal({ _id: 1, tags: ['a', 'c'] });
    });

    it('$pull removes values equal to, or matching, a condition', async () => {
      expect(await afterUpdate({ xs: [1, 5, 2, 8] }, { $pull: { xs: { $gte: 5 } } })).to.deep.equal({ _id: 1, xs: [1, 2] });
      expect(await afterUpdate({ items: [{ k: 'a', n: 1 }, { k: 'b', n: 2 }] }, { $pull: { items: { k: 'a' } } })).to.deep.equal({
        _id: 1, items: [{ k: 'b', n: 2 }],
      });
    });

    it('$pullAll removes every listed value', async () => {
      expect(await afterUpdate({ xs: [1, 2, 3, 2, 1] }, { $pullAll: { xs: [1, 2] } })).to.deep.equal({ _id: 1, xs: [3] });
    });

    it('$pop removes the last (1) or first (-1) element', async () => {
      expect(await afterUpdate({ xs: [1, 2, 3] }, { $pop: { xs: 1 } })).to.deep.equal({ _id: 1, xs: [1, 2] });
      expect(await afterUpdate({ xs: [1, 2, 3] }, { $pop: { xs: -1 } })).to.deep.equal({ _id: 1, xs: [2, 3] });
    });
  });

  describe('positional updates', () => {
    it('$ changes the first array element the filter matched', async () => {
      const stored = await afterUpdate(
        { grades: [{ q: 1, score: 3 }, { q: 2, score: 4 }] },
        { $set: { 'grades.$.score': 10 } },
        { filter: { 'grades.q': 2 } },
      );
      expect(stored).to.deep.equal({ _id: 1, grades: [{ q: 1, score: 3 }, { q: 2, score: 10 }] });
    });

    it('$[] changes every element', async () => {
      expect(await afterUpdate({ xs: [1, 2, 3] }, { $inc: { 'xs.$[]': 10 } })).to.deep.equal({ _id: 1, xs: [11, 12, 13] });
    });

    it('$[id] with arrayFilters changes only the elements the filter names', async () => {
      const stored = await afterUpdate(
        { grades: [{ q: 1, score: 3 }, { q: 2, score: 8 }, { q: 3, score: 2 }] },
        { $set: { 'grades.$[low].retake': true } },
        { arrayFilters: [{ 'low.score': { $lt: 5 } }] },
      );
      expect(stored).to.deep.equal({ _id: 1, grades: [{ q: 1, score: 3, retake: true }, { q: 2, score: 8 }, { q: 3, score: 2, retake: true }] });
    });
  });

  describe('pipeline-style updates', () => {
    it('computes new fields from the document itself', async () => {
      const stored = await afterUpdate({ first: 'Ana', last: 'Ruiz', n: 2 }, [
        { $set: { full: { $concat: ['$first', ' ', '$last'] }, doubled: { $multiply: ['$n', 2] } } },
        { $unset: ['first'] },
      ]);
      expect(stored).to.deep.equal({ _id: 1, last: 'Ruiz', n: 2, full: 'Ana Ruiz', doubled: 4 });
    });
  });

  describe('updateMany', () => {
    it('changes every match and reports matched and modified counts separately', async () => {
      const collection = db().collection<TestDocument>(`many_${(collectionNumber += 1)}`);
      await collection.insertMany([{ _id: 1, g: 'x', v: 1 }, { _id: 2, g: 'x', v: 2 }, { _id: 3, g: 'y', v: 1 }]);
      const result = await collection.updateMany({ g: 'x' }, { $set: { v: 2 } });
      expect(result.matchedCount).to.equal(2);
      expect(result.modifiedCount).to.equal(1);
      expect(await collection.find().sort({ _id: 1 }).toArray()).to.deep.equal([
        { _id: 1, g: 'x', v: 2 }, { _id: 2, g: 'x', v: 2 }, { _id: 3, g: 'y', v: 1 },
      ]);
    });
  });

  describe('refused updates', () => {
    /** Stores `doc` with _id 1, expects `update` to fail with `code`, and checks the document is unchanged. */
    const expectRefused = async (doc: Document, update: Document, code: number, options: { filter?: Document; arrayFilters?: Document[] } = {}) => {
      const collection = db().collection<TestDocument>(`refused_${(collectionNumber += 1)}`);
      await collection.insertOne({ _id: 1, ...doc });
      const error = await expectServerError(
        collection.updateOne({ _id: 1, ...options.filter }, update, { arrayFilters: options.arrayFilters }),
        code,
      );
      expect(await collection.findOne({ _id: 1 })).to.deep.equal({ _id: 1, ...doc });
      return error;
    };

    it('changing _id with $set, $unset or $rename answers 66 ImmutableField', async () => {
      const error = await expectRefused({ a: 1 }, { $set: { _id: 2 } }, 66);
      expect(error.codeName).to.equal('ImmutableField');
      await expectRefused({ a: 1 }, { $unset: { _id: 1 } }, 66);
      await expectRefused({ a: 1 }, { $rename: { a: '_id' } }, 66);
    });

    it('setting _id to its current value is accepted as a no-op', async () => {
      const collection = db().collection<TestDocument>(`same_id_${(collectionNumber += 1)}`);
      await collection.insertOne({ _id: 1, a: 1 });
      const result = await collection.updateOne({ _id: 1 }, { $set: { _id: 1, a: 2 } });
      expect(result.modifiedCount).to.equal(1);
      expect(await collection.findOne({ _id: 1 })).to.deep.equal({ _id: 1, a: 2 });
    });

    it('$inc or $mul on a non-number answers 14 TypeMismatch', async () => {
      await expectRefused({ a: 'text' }, { $inc: { a: 1 } }, 14);
      await expectRefused({ a: 'text' }, { $mul: { a: 2 } }, 14);
      await expectRefused({ a: 1 }, { $inc: { a: 'one' } }, 14);
    });

    it('$push or $addToSet onto a non-array answers 2 BadValue, $pop answers 14', async () => {
      await expectRefused({ a: 'text' }, { $push: { a: 1 } }, 2);
      await expectRefused({ a: { b: 1 } }, { $addToSet: { a: 1 } }, 2);
      await expectRefused({ a: 5 }, { $pop: { a: 1 } }, 14);
      await expectRefused({ a: 5 }, { $pull: { a: 5 } }, 2);
    });

    it('$set under a scalar answers 28 PathNotViable', async () => {
      await expectRefused({ a: 'text' }, { $set: { 'a.b': 1 } }, 28);
      await expectRefused({ a: [{ b: 1 }] }, { $set: { 'a.b': 1 } }, 28);
    });

    it('two operators on the same or overlapping paths answer 40 ConflictingUpdateOperators', async () => {
      await expectRefused({ a: 1 }, { $set: { a: 2 }, $inc: { a: 1 } }, 40);
      await expectRefused({ a: { b: 1 } }, { $set: { a: {}, 'a.b': 2 } }, 40);
      await expectRefused({ a: 1 }, { $set: { a: 2 }, $setOnInsert: { a: 3 } }, 40);
    });

    it('a positional $ without the array in the filter answers 2 BadValue', async () => {
      await expectRefused({ xs: [1, 2] }, { $set: { 'xs.$': 9 } }, 2);
    });

    it('an array filter identifier that is not defined answers 2, one that is not used answers 9', async () => {
      await expectRefused({ xs: [1, 2] }, { $set: { 'xs.$[big]': 0 } }, 2, { arrayFilters: [{ small: { $lt: 2 } }] });
      await expectRefused({ xs: [1, 2] }, { $set: { xs: [] } }, 9, { arrayFilters: [{ unused: 1 }] });
    });

    it('an upsert may choose the new _id with $set or $setOnInsert', async () => {
      const collection = db().collection<TestDocument>(`upsert_id_${(collectionNumber += 1)}`);
      const result = await collection.updateOne({ name: 'x' }, { $setOnInsert: { _id: 'chosen' } }, { upsert: true });
      expect(result.upsertedId).to.equal('chosen');
      expect(await collection.findOne({ _id: 'chosen' })).to.deep.equal({ _id: 'chosen', name: 'x' });
    });
  });
});
