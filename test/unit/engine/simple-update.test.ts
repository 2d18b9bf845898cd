import { expect } from 'chai';
import { ObjectId } from 'bson';
import { updateOne } from 'mingo';
import { cloneDocument, type Doc } from '../../../src/db/engine/storage/document.js';
import { encodeKey } from '../../../src/db/engine/storage/keys.js';
import { applySimpleUpdate } from '../../../src/db/engine/query/simple-update.js';

/** The fast path must give exactly what mingo's updater gives, and never touch its input. */
function viaMingo(doc: Doc, operators: Doc): Doc | null {
  const working = [cloneDocument(doc)];
  const result = updateOne(working, {}, operators, { cloneMode: 'copy' }, { scriptEnabled: false });
  return result.modifiedCount === 0 ? null : (working[0] as Doc);
}

const documents: Doc[] = [
  { _id: 1 },
  { _id: 2, name: 'Ana', count: 3, profile: { city: '05001', tags: ['a'] } },
  { _id: new ObjectId('64b7f0c2a1b2c3d4e5f60718'), nested: { deeper: { value: 1 } }, when: new Date(0) },
];

const updates: Doc[] = [
  { $set: { name: 'Beatriz' } },
  { $set: { name: 'Ana' } },
  { $set: { 'profile.city': '11001', 'profile.zone': 'rural' } },
  { $set: { 'a.b.c': 1 } },
  { $set: { profile: { city: '76001' } } },
  { $unset: { name: '' } },
  { $unset: { 'missing.path': '' } },
  { $unset: { 'nested.deeper.value': '' } },
  { $inc: { count: 2 } },
  { $inc: { count: 0 } },
  { $inc: { 'stats.views': 1 } },
  { $inc: { count: -1.5 }, $set: { touched: true } },
  { $set: { 'nested.deeper.other': 'x' }, $inc: { 'nested.counter': 1 } },
];

describe('the simple-update fast path', () => {
  for (const doc of documents) {
    for (const operators of updates) {
      it(`matches mingo for ${JSON.stringify(operators)} on document ${String(doc._id)}`, () => {
        const before = encodeKey(doc);
        const fast = applySimpleUpdate(doc, operators);
        expect(fast, 'the fast path applies').to.not.equal(undefined);
        const expected = viaMingo(doc, operators);
        if (expected === null) expect(fast).to.equal(null);
        else expect(encodeKey(fast)).to.equal(encodeKey(expected));
        expect(encodeKey(doc), 'the stored document is untouched').to.equal(before);
      });
    }
  }

  it('sets $currentDate to now', () => {
    const next = applySimpleUpdate({ _id: 1 }, { $currentDate: { seenAt: true } });
    expect(next?.seenAt).to.be.instanceOf(Date);
    expect(Math.abs(Date.now() - (next!.seenAt as Date).getTime())).to.be.lessThan(5_000);
  });

  for (const [label, doc, operators] of [
    ['positional paths', { _id: 1, items: [{ n: 1 }] }, { $set: { 'items.$.n': 2 } }],
    ['array indexes', { _id: 1, items: [1, 2] }, { $set: { 'items.0': 5 } }],
    ['paths through arrays', { _id: 1, items: [{ n: 1 }] }, { $set: { 'items.n': 2 } }],
    ['$inc on a non-number', { _id: 1, count: 'three' }, { $inc: { count: 1 } }],
    ['array operators', { _id: 1, tags: [] }, { $push: { tags: 'x' } }],
    ['$currentDate as a timestamp', { _id: 1 }, { $currentDate: { at: { $type: 'timestamp' } } }],
  ] as const) {
    it(`leaves ${label} to mingo`, () => {
      expect(applySimpleUpdate(doc as Doc, operators as Doc)).to.equal(undefined);
    });
  }
});
