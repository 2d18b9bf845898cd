import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import { useDriverDatabase } from '../helpers/database.js';

interface Learner {
  _id?: number;
  name: string;
  cohort?: string;
  score?: number;
  tags?: string[];
}

describe('engine queries: filters, projection, sort, skip, limit, counts', () => {
  const db = useDriverDatabase('find', 'engine');
  let collectionNumber = 0;
  const freshCollection = () => db().collection<Learner>(`learners_${(collectionNumber += 1)}`);

  const seed = async () => {
    const learners = freshCollection();
    await learners.insertMany([
      { _id: 1, name: 'Ana', cohort: 'A', score: 9, tags: ['math'] },
      { _id: 2, name: 'Beto', cohort: 'A', score: 6, tags: ['art', 'math'] },
      { _id: 3, name: 'Caro', cohort: 'B', score: 8 },
      { _id: 4, name: 'Dani', cohort: 'B', score: 4, tags: [] },
      { _id: 5, name: 'Eva', cohort: 'C', score: 10, tags: ['art'] },
    ]);
    return learners;
  };

  it('filters with comparison, logical and array operators', async () => {
    const learners = await seed();
    const ids = async (filter: object) => (await learners.find(filter).sort({ _id: 1 }).toArray()).map((doc) => doc._id);
    expect(await ids({ score: { $gte: 8 } })).to.deep.equal([1, 3, 5]);
    expect(await ids({ $or: [{ cohort: 'C' }, { score: { $lt: 5 } }] })).to.deep.equal([4, 5]);
    expect(await ids({ tags: 'math' })).to.deep.equal([1, 2]);
    expect(await ids({ tags: { $size: 0 } })).to.deep.equal([4]);
    expect(await ids({ tags: { $exists: false } })).to.deep.equal([3]);
    expect(await ids({ name: { $in: ['Eva', 'Ana'] } })).to.deep.equal([1, 5]);
    expect(await ids({ name: /^[A-C]/ })).to.deep.equal([1, 2, 3]);
    expect(await ids({ cohort: 'B', $comment: 'labels the query in the logs' })).to.deep.equal([3, 4]);
  });

  it('let variables reach $expr in a find filter', async () => {
    const learners = await seed();
    const ids = (await learners.find({ $expr: { $gt: ['$score', '$$threshold'] } }, { let: { threshold: 8 } }).sort({ _id: 1 }).toArray()).map((doc) => doc._id);
    expect(ids).to.deep.equal([1, 5]);
  });

  it('applies projection, sort, skip and limit together', async () => {
    const learners = await seed();
    const page = await learners
      .find({ cohort: { $in: ['A', 'B'] } }, { projection: { _id: 0, name: 1, score: 1 } })
      .sort({ score: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(page).to.deep.equal([{ name: 'Caro', score: 8 }, { name: 'Beto', score: 6 }]);
  });

  it('an exclusion projection leaves out only the named fields', async () => {
    const learners = await seed();
    expect(await learners.findOne({ _id: 3 }, { projection: { cohort: 0, score: 0 } })).to.deep.equal({ _id: 3, name: 'Caro' });
  });

  it('no projection changes the stored documents, nested exclusions included', async () => {
    const profiles = db().collection<{ _id: number; profile: { name: string; secret: string; tags: string[] }; items: Array<{ k: string; n: number }> }>(
      `profiles_${(collectionNumber += 1)}`,
    );
    const original = { _id: 1, profile: { name: 'Ana', secret: 's3cr3t', tags: ['a', 'b'] }, items: [{ k: 'a', n: 1 }, { k: 'b', n: 2 }] };
    await profiles.insertOne(original);
    expect(await profiles.findOne({ _id: 1 }, { projection: { 'profile.secret': 0 } })).to.deep.equal({
      _id: 1, profile: { name: 'Ana', tags: ['a', 'b'] }, items: original.items,
    });
    await profiles.findOne({ _id: 1 }, { projection: { profile: { secret: 0 } } });
    await profiles.findOne({ _id: 1 }, { projection: { 'items.n': 0 } });
    await profiles.findOne({ _id: 1 }, { projection: { 'profile.tags': { $slice: 1 }, items: { $elemMatch: { n: 2 } } } });
    await profiles.findOne({ 'items.k': 'b' }, { projection: { 'items.$': 1 } });
    await profiles.findOne({ _id: 1 }, { projection: { 'profile.name': 1 } });
    expect(await profiles.findOneAndUpdate({ _id: 1 }, { $set: { seen: true } }, { projection: { 'profile.secret': 0, seen: 0 } })).to.deep.equal({
      _id: 1, profile: { name: 'Ana', tags: ['a', 'b'] }, items: original.items,
    });
    await profiles.aggregate([{ $project: { 'profile.secret': 0 } }]).toArray();
    await profiles.aggregate([{ $facet: { hidden: [{ $project: { 'items.k': 0 } }] } }]).toArray();
    expect(await profiles.findOne({ _id: 1 })).to.deep.equal({ ...original, seen: true });
  });

  it('sorts on several keys', async () => {
    const learners = await seed();
    const order = await learners.find({}, { projection: { _id: 1 } }).sort({ cohort: -1, score: 1 }).toArray();
    expect(order.map((doc) => doc._id)).to.deep.equal([5, 4, 3, 2, 1]);
  });

  it('sorts values of different types in MongoDB\'s order, arrays by their smallest or largest element', async () => {
    const mixed = db().collection<{ _id: string; v?: unknown }>(`mixed_${(collectionNumber += 1)}`);
    await mixed.insertMany([
      { _id: 'date', v: new Date('2024-01-01T00:00:00Z') },
      { _id: 'bool', v: true },
      { _id: 'oid', v: new ObjectId('65a000000000000000000000') },
      { _id: 'object', v: { a: 1 } },
      { _id: 'string', v: 'str' },
      { _id: 'number', v: 5 },
      { _id: 'array', v: [3, 9] },
      { _id: 'null', v: null },
      { _id: 'empty', v: [] },
    ]);
    const order = async (direction: 1 | -1) => (await mixed.find().sort({ v: direction }).toArray()).map((doc) => doc._id);
    expect(await order(1)).to.deep.equal(['empty', 'null', 'array', 'number', 'string', 'object', 'oid', 'bool', 'date']);
    expect(await order(-1)).to.deep.equal(['date', 'bool', 'oid', 'object', 'string', 'array', 'number', 'null', 'empty']);
    const viaPipeline = await mixed.aggregate([{ $project: { v: 1 } }, { $sort: { v: 1 } }]).toArray();
    expect(viaPipeline.map((doc) => doc._id)).to.deep.equal(await order(1));
  });

  it('counts documents exactly and estimates the collection size', async () => {
    const learners = await seed();
    expect(await learners.countDocuments({ cohort: 'A' })).to.equal(2);
    expect(await learners.countDocuments({}, { skip: 1, limit: 3 })).to.equal(3);
    expect(await learners.estimatedDocumentCount()).to.equal(5);
    expect(await db().collection('never_created').countDocuments()).to.equal(0);
  });

  it('distinct lists each value once, array elements included', async () => {
    const learners = await seed();
    expect(await learners.distinct('cohort')).to.deep.equal(['A', 'B', 'C']);
    expect(await learners.distinct('tags')).to.deep.equal(['art', 'math']);
    expect(await learners.distinct('name', { score: { $gt: 8 } })).to.deep.equal(['Ana', 'Eva']);
  });
});
