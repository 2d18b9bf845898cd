import { expect } from 'chai';
import fc from 'fast-check';
import { createAggregator } from '../../src/db/engine/query/mingo-options.js';
import { compileSimpleGroup, NotSimple } from '../../src/db/engine/query/simple-group.js';
import type { Doc } from '../../src/db/engine/storage/document.js';
import { useDriverDatabase } from '../helpers/database.js';

/** Groups in a comparable order: MongoDB promises none. */
const sorted = (docs: Doc[]): Doc[] => [...docs].sort((a, b) => JSON.stringify(a._id).localeCompare(JSON.stringify(b._id)));

const REPORT_GROUP = {
  _id: { sex: { $ifNull: ['$profile.sex', null] }, departmentCode: { $ifNull: ['$profile.departmentCode', null] } },
  enrolled: { $sum: 1 },
  active: { $sum: { $cond: [{ $or: ['$lastActivityAt', '$attendedSessions', { $eq: ['$status', 'completed'] }] }, 1, 0] } },
  completed: { $sum: { $cond: { if: { $eq: ['$status', 'completed'] }, then: 1, else: 0 } } },
  certified: { $sum: { $cond: ['$certified', 1, 0] } },
  both: { $sum: { $cond: [{ $and: ['$certified', { $eq: ['$attendedSessions', 2] }] }, 1, 0] } },
};

const enrollment = fc.record(
  {
    profile: fc.record({ sex: fc.constantFrom('female', 'male', 'intersex', null), departmentCode: fc.constantFrom('05', '11', '52', null) }, { requiredKeys: [] }),
    status: fc.constantFrom('active', 'completed', null),
    lastActivityAt: fc.constantFrom(new Date('2026-03-01T00:00:00Z'), null, 0, ''),
    attendedSessions: fc.constantFrom(0, 1, 2, null),
    certified: fc.constantFrom(true, false, null, 0, 1),
  },
  { requiredKeys: [] },
);

describe('engine: the compiled $group of simple counters', () => {
  it('counts exactly what mingo counts, for any mix of missing, null, zero, false and empty values', () => {
    const group = compileSimpleGroup(REPORT_GROUP)!;
    expect(group).to.be.a('function');
    fc.assert(
      fc.property(fc.array(enrollment, { maxLength: 60 }), (docs) => {
        const expected = createAggregator([{ $group: REPORT_GROUP }]).run(docs as Doc[]) as Doc[];
        expect(sorted(group(docs as Doc[]))).to.deep.equal(sorted(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('groups a bare path with missing and null together, like mongod', () => {
    const group = compileSimpleGroup({ _id: '$a', n: { $sum: 1 } })!;
    expect(sorted(group([{ a: 1 }, {}, { a: null }, { a: 1.0 }]))).to.deep.equal(sorted([{ _id: 1, n: 2 }, { _id: null, n: 2 }]));
  });

  it('leaves to mingo what it does not know: other operators, variables, other accumulators, keys without $ifNull', () => {
    for (const spec of [
      { _id: '$a', n: { $avg: '$b' } },
      { _id: '$a', n: { $sum: '$b' } },
      { _id: { a: '$a' }, n: { $sum: 1 } },
      { _id: '$a', n: { $sum: { $cond: [{ $gt: ['$b', 1] }, 1, 0] } } },
      { _id: '$a', n: { $sum: { $cond: ['$$ROOT', 1, 0] } } },
      { _id: '$a', n: { $sum: { $cond: [{ $eq: ['$b', null] }, 1, 0] } } },
    ]) {
      expect(compileSimpleGroup(spec), JSON.stringify(spec)).to.equal(undefined);
    }
  });

  it('gives up, for mingo to run, when a path meets an array', () => {
    const group = compileSimpleGroup({ _id: { x: { $ifNull: ['$a.b', null] } }, n: { $sum: 1 } })!;
    expect(() => group([{ a: [{ b: 1 }, { b: 2 }] }])).to.throw(NotSimple);
  });

  describe('through the driver', () => {
    const db = useDriverDatabase('simple_group', 'engine');
    it('answers an aggregate with the compiled group as mongod would, and falls back on arrays', async () => {
      const collection = db().collection('enrollments');
      await collection.insertMany([
        { profile: { sex: 'female' }, status: 'completed', certified: true },
        { profile: { sex: 'female' }, status: 'active', lastActivityAt: new Date() },
        { profile: { sex: 'male' }, status: 'active' },
        { status: 'active' },
      ]);
      const rows = await collection.aggregate([{ $match: { status: { $in: ['active', 'completed'] } } }, { $group: REPORT_GROUP }]).toArray();
      expect(sorted(rows as Doc[]).map(({ _id, enrolled, active, completed, certified }) => ({ _id, enrolled, active, completed, certified }))).to.deep.equal(
        sorted([
          { _id: { sex: 'female', departmentCode: null }, enrolled: 2, active: 2, completed: 1, certified: 1 },
          { _id: { sex: 'male', departmentCode: null }, enrolled: 1, active: 0, completed: 0, certified: 0 },
          { _id: { sex: null, departmentCode: null }, enrolled: 1, active: 0, completed: 0, certified: 0 },
        ]),
      );
      await collection.insertOne({ tags: [{ k: 'a' }, { k: 'b' }] });
      const byTag = await collection.aggregate([{ $match: { tags: { $exists: true } } }, { $group: { _id: { k: { $ifNull: ['$tags.k', null] } }, n: { $sum: 1 } } }]).toArray();
      expect(byTag).to.deep.equal([{ _id: { k: ['a', 'b'] }, n: 1 }]);
    });
  });
});
