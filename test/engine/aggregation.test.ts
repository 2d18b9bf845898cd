import { expect } from 'chai';
import { ObjectId, type Document } from 'mongodb';
import { useDriverDatabase } from '../helpers/database.js';
import type { TestDocument } from '../helpers/documents.js';
import { expectServerError } from '../helpers/server-errors.js';

describe('engine aggregation', () => {
  const db = useDriverDatabase('aggregation', 'engine');
  let collectionNumber = 0;
  const freshCollection = (label: string) => db().collection<TestDocument>(`${label}_${(collectionNumber += 1)}`);

  const seedAttempts = async () => {
    const attempts = freshCollection('attempts');
    await attempts.insertMany([
      { _id: 1, learner: 'ana', quiz: 'q1', score: 8, answers: ['a', 'b'] },
      { _id: 2, learner: 'ana', quiz: 'q2', score: 6, answers: ['c'] },
      { _id: 3, learner: 'beto', quiz: 'q1', score: 4, answers: [] },
      { _id: 4, learner: 'caro', quiz: 'q1', score: 10, answers: ['a'] },
      { _id: 5, learner: 'caro', quiz: 'q2', score: 9, answers: ['b', 'c', 'd'] },
    ]);
    return attempts;
  };

  it('$match, $group with accumulators and $sort summarise per learner', async () => {
    const attempts = await seedAttempts();
    const summary = await attempts
      .aggregate([
        { $match: { score: { $gte: 5 } } },
        {
          $group: {
            _id: '$learner',
            attempts: { $sum: 1 },
            total: { $sum: '$score' },
            average: { $avg: '$score' },
            best: { $max: '$score' },
            worst: { $min: '$score' },
            quizzes: { $push: '$quiz' },
            distinctQuizzes: { $addToSet: '$quiz' },
            first: { $first: '$quiz' },
          },
        },
        { $sort: { total: -1 } },
      ])
      .toArray();
    // $addToSet promises no order: compare its set sorted.
    const normalised = summary.map((group) => ({ ...group, distinctQuizzes: [...(group.distinctQuizzes as string[])].sort() }));
    expect(normalised).to.deep.equal([
      { _id: 'caro', attempts: 2, total: 19, average: 9.5, best: 10, worst: 9, quizzes: ['q1', 'q2'], distinctQuizzes: ['q1', 'q2'], first: 'q1' },
      { _id: 'ana', attempts: 2, total: 14, average: 7, best: 8, worst: 6, quizzes: ['q1', 'q2'], distinctQuizzes: ['q1', 'q2'], first: 'q1' },
    ]);
  });

  it('$project computes and renames fields, $unwind spreads arrays', async () => {
    const attempts = await seedAttempts();
    const projected = await attempts
      .aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, who: '$learner', passed: { $gte: ['$score', 5] } } }])
      .toArray();
    expect(projected).to.deep.equal([{ who: 'ana', passed: true }]);
    const answers = await attempts
      .aggregate([{ $match: { learner: 'ana' } }, { $unwind: '$answers' }, { $project: { _id: 0, quiz: 1, answers: 1 } }])
      .toArray();
    expect(answers).to.deep.equal([{ quiz: 'q1', answers: 'a' }, { quiz: 'q1', answers: 'b' }, { quiz: 'q2', answers: 'c' }]);
    const withEmpty = await attempts
      .aggregate([{ $match: { _id: 3 } }, { $unwind: { path: '$answers', preserveNullAndEmptyArrays: true } }])
      .toArray();
    expect(withEmpty).to.have.length(1);
  });

  it('$unwind leaves the stored documents as they were', async () => {
    const attempts = await seedAttempts();
    const before = await attempts.find().sort({ _id: 1 }).toArray();
    await attempts.aggregate([{ $unwind: '$answers' }, { $set: { answers: 'changed' } }]).toArray();
    expect(await attempts.find().sort({ _id: 1 }).toArray()).to.deep.equal(before);
  });

  it('$lookup joins on ObjectId keys, each document to its own matches only', async () => {
    const courses = freshCollection('courses');
    const enrollments = freshCollection('enrollments');
    const [algebra, history, empty] = [new ObjectId(), new ObjectId(), new ObjectId()];
    await courses.insertMany([
      { _id: algebra, title: 'Álgebra' },
      { _id: history, title: 'Historia' },
      { _id: empty, title: 'Vacío' },
    ]);
    await enrollments.insertMany([
      { learner: 'ana', course: algebra },
      { learner: 'beto', course: algebra },
      { learner: 'caro', course: history },
    ]);
    const joined = await courses
      .aggregate([
        { $lookup: { from: enrollments.collectionName, localField: '_id', foreignField: 'course', as: 'enrolled' } },
        { $project: { _id: 0, title: 1, learners: '$enrolled.learner' } },
        { $sort: { title: 1 } },
      ])
      .toArray();
    expect(joined).to.deep.equal([
      { title: 'Historia', learners: ['caro'] },
      { title: 'Vacío', learners: [] },
      { title: 'Álgebra', learners: ['ana', 'beto'] },
    ]);
  });

  it('$lookup with a sub-pipeline leaves the joined collection unchanged', async () => {
    const courses = freshCollection('courses');
    const enrollments = freshCollection('enrollments');
    const course = new ObjectId();
    await courses.insertOne({ _id: course, title: 'Álgebra' });
    await enrollments.insertOne({ _id: 1, learner: 'ana', course, progress: { done: 1 } });
    const joined = await courses
      .aggregate([
        {
          $lookup: {
            from: enrollments.collectionName,
            let: { id: '$_id' },
            pipeline: [{ $match: { $expr: { $eq: ['$course', '$$id'] } } }, { $addFields: { 'progress.seen': true } }],
            as: 'enrolled',
          },
        },
      ])
      .toArray();
    expect((joined[0]?.enrolled as Document[])[0]?.progress).to.deep.equal({ done: 1, seen: true });
    expect(await enrollments.findOne({ _id: 1 })).to.deep.equal({ _id: 1, learner: 'ana', course, progress: { done: 1 } });
  });

  it('$facet runs several pipelines over the same input', async () => {
    const attempts = await seedAttempts();
    const [facets] = await attempts
      .aggregate([
        {
          $facet: {
            passed: [{ $match: { score: { $gte: 5 } } }, { $count: 'n' }],
            byQuiz: [{ $sortByCount: '$quiz' }],
            top: [{ $sort: { score: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }],
          },
        },
      ])
      .toArray();
    expect(facets).to.deep.equal({
      passed: [{ n: 4 }],
      byQuiz: [{ _id: 'q1', count: 3 }, { _id: 'q2', count: 2 }],
      top: [{ _id: 4 }],
    });
  });

  it('$bucket groups scores into ranges with a default bucket', async () => {
    const attempts = await seedAttempts();
    const buckets = await attempts
      .aggregate([{ $bucket: { groupBy: '$score', boundaries: [0, 5, 9], default: 'top', output: { n: { $sum: 1 }, who: { $push: '$learner' } } } }])
      .toArray();
    expect(buckets).to.deep.equal([
      { _id: 0, n: 1, who: ['beto'] },
      { _id: 5, n: 2, who: ['ana', 'ana'] },
      { _id: 'top', n: 2, who: ['caro', 'caro'] },
    ]);
  });

  it('$count and $sortByCount count what reaches them', async () => {
    const attempts = await seedAttempts();
    expect(await attempts.aggregate([{ $match: { quiz: 'q1' } }, { $count: 'total' }]).toArray()).to.deep.equal([{ total: 3 }]);
    expect(await attempts.aggregate([{ $sortByCount: '$learner' }, { $sort: { count: -1, _id: 1 } }]).toArray()).to.deep.equal([
      { _id: 'ana', count: 2 },
      { _id: 'caro', count: 2 },
      { _id: 'beto', count: 1 },
    ]);
  });

  it('$addFields on a dotted path shows in the result but never in the stored documents', async () => {
    const profiles = freshCollection('profiles');
    await profiles.insertMany([
      { _id: 1, name: 'ana', address: { city: 'Cali' } },
      { _id: 2, name: 'beto', address: { city: 'Pasto', zip: '520001' } },
    ]);
    const result = await profiles
      .aggregate([{ $addFields: { 'address.country': 'CO', 'stats.views': 1 } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(result).to.deep.equal([
      { _id: 1, name: 'ana', address: { city: 'Cali', country: 'CO' }, stats: { views: 1 } },
      { _id: 2, name: 'beto', address: { city: 'Pasto', zip: '520001', country: 'CO' }, stats: { views: 1 } },
    ]);
    expect(await profiles.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 1, name: 'ana', address: { city: 'Cali' } },
      { _id: 2, name: 'beto', address: { city: 'Pasto', zip: '520001' } },
    ]);
  });

  it('$project, $replaceRoot and $group never change the stored documents either', async () => {
    const profiles = freshCollection('profiles');
    await profiles.insertOne({ _id: 1, name: 'ana', address: { city: 'Cali' }, tags: ['x'] });
    await profiles
      .aggregate([
        { $project: { address: 1, tags: 1 } },
        { $replaceRoot: { newRoot: '$address' } },
      ])
      .toArray();
    await profiles.aggregate([{ $group: { _id: null, all: { $push: '$$ROOT' } } }, { $unwind: '$all' }, { $set: { 'all.name': 'changed' } }]).toArray();
    expect(await profiles.findOne({ _id: 1 })).to.deep.equal({ _id: 1, name: 'ana', address: { city: 'Cali' }, tags: ['x'] });
  });

  it('$out replaces another collection with the results', async () => {
    const attempts = await seedAttempts();
    const report = freshCollection('report');
    await report.insertOne({ _id: 'stale', total: 0 });
    await attempts.aggregate([{ $group: { _id: '$learner', total: { $sum: '$score' } } }, { $out: report.collectionName }]).toArray();
    expect(await report.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 'ana', total: 14 },
      { _id: 'beto', total: 4 },
      { _id: 'caro', total: 19 },
    ]);
    expect(await attempts.countDocuments()).to.equal(5);
  });

  it('$merge inserts new documents and merges into matching ones', async () => {
    const attempts = await seedAttempts();
    const totals = freshCollection('totals');
    await totals.insertMany([{ _id: 'ana', total: 0, note: 'kept' }, { _id: 'zoe', total: 3 }]);
    await attempts
      .aggregate([{ $group: { _id: '$learner', total: { $sum: '$score' } } }, { $merge: { into: totals.collectionName, whenMatched: 'merge', whenNotMatched: 'insert' } }])
      .toArray();
    expect(await totals.find().sort({ _id: 1 }).toArray()).to.deep.equal([
      { _id: 'ana', total: 14, note: 'kept' },
      { _id: 'beto', total: 4 },
      { _id: 'caro', total: 19 },
      { _id: 'zoe', total: 3 },
    ]);
  });

  it('let variables reach $expr in the leading $match and later stages', async () => {
    const attempts = await seedAttempts();
    const passed = await attempts
      .aggregate([{ $match: { $expr: { $gte: ['$score', '$$passMark'] } } }, { $project: { _id: 1, mark: '$$passMark' } }, { $sort: { _id: 1 } }], {
        let: { passMark: 8 },
      })
      .toArray();
    expect(passed).to.deep.equal([{ _id: 1, mark: 8 }, { _id: 4, mark: 8 }, { _id: 5, mark: 8 }]);
  });

  it('explaining a pipeline that ends in $out does not write', async () => {
    const attempts = await seedAttempts();
    const target = freshCollection('explained');
    const pipeline = [{ $match: { quiz: 'q1' } }, { $out: target.collectionName }];
    await attempts.aggregate(pipeline, { explain: true }).toArray();
    // The older form: explain as a field of the aggregate command itself.
    await db().command({ aggregate: attempts.collectionName, pipeline, explain: true });
    expect(await db().listCollections({ name: target.collectionName }).toArray()).to.have.length(0);
  });

  it('a result document past 16 MiB answers 10334, and the connection stays usable', async () => {
    const blobs = freshCollection('blobs');
    for (let i = 0; i < 18; i += 1) await blobs.insertOne({ _id: i, blob: String(i).padEnd(1024 * 1024, '.') });
    const error = await expectServerError(blobs.aggregate([{ $group: { _id: null, all: { $push: '$$ROOT' } } }]).toArray(), 10334);
    expect(error.codeName).to.equal('BSONObjectTooLarge');
    expect(await blobs.countDocuments()).to.equal(18);
  });

  it('$group by ObjectId keeps distinct ids apart', async () => {
    const events = freshCollection('events');
    const ids = [new ObjectId(), new ObjectId(), new ObjectId()];
    await events.insertMany([
      { owner: ids[0] }, { owner: ids[1] }, { owner: ids[1] }, { owner: ids[2] }, { owner: ids[2] }, { owner: ids[2] },
    ]);
    const counts = await events.aggregate([{ $group: { _id: '$owner', n: { $sum: 1 } } }, { $sort: { n: 1 } }]).toArray();
    expect(counts.map((group) => [String(group._id), group.n])).to.deep.equal(ids.map((id, i) => [id.toHexString(), i + 1]));
  });
});
