import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import type { Collection } from 'mongodb';
import type { TestDocument } from '../helpers/documents.js';
import { usePrivateEngines } from '../helpers/private-engine.js';
import { useTempDirectories } from '../helpers/temp-directory.js';

/** Polls `condition` until it holds, for at most `timeoutMs`: TTL deletion has no event to await. */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${timeoutMs} ms`);
    await delay(25);
  }
}

const idsOf = async (collection: Collection<TestDocument>) => (await collection.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((doc) => doc._id);

describe('engine TTL indexes', () => {
  const makeDirectory = useTempDirectories('ttl');
  const startPrivateEngine = usePrivateEngines();
  const hourAgo = () => new Date(Date.now() - 3600_000);

  it('the TTL monitor deletes documents whose date is older than expireAfterSeconds, and only those', async () => {
    const { client } = await startPrivateEngine({ dbpath: makeDirectory(), ttlMonitorIntervalMs: 100 });
    const sessions = client.db('app').collection<TestDocument>('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await sessions.insertMany([
      { _id: 1, expiresAt: hourAgo() },
      { _id: 2, expiresAt: new Date(Date.now() + 3600_000) },
      { _id: 3, note: 'no date field' },
      { _id: 4, expiresAt: 'not a date' },
      { _id: 5, expiresAt: [new Date(Date.now() + 3600_000), hourAgo()] },
      { _id: 6, expiresAt: hourAgo() },
    ]);
    await eventually(async () => (await sessions.countDocuments({ _id: { $in: [1, 5, 6] } })) === 0);
    expect(await idsOf(sessions)).to.deep.equal([2, 3, 4]);
  });

  it('expireAfterSeconds counts from the indexed date', async () => {
    const { client } = await startPrivateEngine({ dbpath: makeDirectory(), ttlMonitorIntervalMs: 100 });
    const tokens = client.db('app').collection<TestDocument>('tokens');
    await tokens.createIndex({ createdAt: 1 }, { expireAfterSeconds: 600 });
    await tokens.insertMany([
      { _id: 'old', createdAt: hourAgo() },
      { _id: 'recent', createdAt: new Date() },
    ]);
    await eventually(async () => (await tokens.countDocuments({ _id: 'old' })) === 0);
    expect(await idsOf(tokens)).to.deep.equal(['recent']);
  });

  it('documents inserted after the index are expired as well, and the deletions survive a restart', async () => {
    const dbpath = makeDirectory();
    const first = await startPrivateEngine({ dbpath, ttlMonitorIntervalMs: 100 });
    const sessions = first.client.db('app').collection<TestDocument>('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await sessions.insertOne({ _id: 'keep', expiresAt: new Date(Date.now() + 3600_000) });
    await sessions.insertOne({ _id: 'late', expiresAt: hourAgo() });
    await eventually(async () => (await sessions.countDocuments({ _id: 'late' })) === 0);
    await first.stop();

    const second = await startPrivateEngine({ dbpath });
    expect(await idsOf(second.client.db('app').collection<TestDocument>('sessions'))).to.deep.equal(['keep']);
  });
});
