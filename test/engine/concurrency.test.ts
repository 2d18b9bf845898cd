import { expect } from 'chai';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { testServerUri, useDriverDatabase } from '../helpers/database.js';
import type { TestDocument } from '../helpers/documents.js';

describe('engine under concurrent clients', function () {
  this.timeout(60_000);
  const db = useDriverDatabase('concurrency', 'engine');
  let collectionNumber = 0;

  /**
   * Runs `work` once per client, each on a connection of its own (one MongoClient with
   * a single-connection pool per client), all at the same time.
   */
  const withClients = async <T>(count: number, work: (db: Db, client: number) => Promise<T>): Promise<T[]> => {
    const clients = Array.from({ length: count }, () => new MongoClient(testServerUri('engine'), { maxPoolSize: 1 }));
    try {
      await Promise.all(clients.map((client) => client.connect()));
      return await Promise.all(clients.map((client, i) => work(client.db(db().databaseName), i)));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  };
  const collectionIn = (database: Db, name: string): Collection<TestDocument> => database.collection<TestDocument>(name);

  it('50 clients each doing 100 $inc on one document end with exactly 5,000', async () => {
    const name = `counter_${(collectionNumber += 1)}`;
    await collectionIn(db(), name).insertOne({ _id: 'hits', n: 0 });
    await withClients(50, async (database) => {
      for (let i = 0; i < 100; i += 1) await collectionIn(database, name).updateOne({ _id: 'hits' }, { $inc: { n: 1 } });
    });
    expect(await collectionIn(db(), name).findOne({ _id: 'hits' })).to.deep.equal({ _id: 'hits', n: 5000 });
  });

  it('claiming jobs with findOneAndUpdate hands every job to exactly one claimer', async () => {
    const name = `jobs_${(collectionNumber += 1)}`;
    const jobs = collectionIn(db(), name);
    await jobs.createIndex({ status: 1, priority: -1 });
    await jobs.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: i, status: 'queued', priority: i % 5 })));
    const claimedBy = await withClients(20, async (database, claimer) => {
      const claimed: number[] = [];
      for (;;) {
        const job = await collectionIn(database, name).findOneAndUpdate(
          { status: 'queued' },
          { $set: { status: 'claimed', claimer } },
          { sort: { priority: -1 }, returnDocument: 'after' },
        );
        if (!job) return claimed;
        expect(job).to.deep.include({ status: 'claimed', claimer });
        claimed.push(job._id as number);
      }
    });
    const all = claimedBy.flat();
    expect(all).to.have.length(300);
    expect(new Set(all).size).to.equal(300);
    for (const [claimer, ids] of claimedBy.entries()) {
      expect(await jobs.countDocuments({ claimer })).to.equal(ids.length);
    }
    expect(await jobs.countDocuments({ status: 'queued' })).to.equal(0);
  });

  it('racing inserts of the same unique keys let exactly one insert of each key through', async () => {
    const name = `emails_${(collectionNumber += 1)}`;
    await collectionIn(db(), name).createIndex({ email: 1 }, { unique: true });
    const outcomes = await withClients(25, async (database) => {
      let inserted = 0;
      let duplicates = 0;
      for (let key = 0; key < 40; key += 1) {
        try {
          await collectionIn(database, name).insertOne({ email: `user${key}@example.org` });
          inserted += 1;
        } catch (error) {
          expect(error).to.have.property('code', 11000);
          duplicates += 1;
        }
      }
      return { inserted, duplicates };
    });
    expect(outcomes.reduce((sum, outcome) => sum + outcome.inserted, 0)).to.equal(40);
    expect(outcomes.reduce((sum, outcome) => sum + outcome.duplicates, 0)).to.equal(25 * 40 - 40);
    expect(await collectionIn(db(), name).countDocuments()).to.equal(40);
  });

  it('racing upserts of one key create one document and count every upsert', async () => {
    const name = `daily_${(collectionNumber += 1)}`;
    await withClients(30, async (database) => {
      for (let i = 0; i < 20; i += 1) {
        await collectionIn(database, name).updateOne({ day: '2024-05-01' }, { $inc: { visits: 1 } }, { upsert: true });
      }
    });
    const docs = await collectionIn(db(), name).find({}, { projection: { _id: 0 } }).toArray();
    expect(docs).to.deep.equal([{ day: '2024-05-01', visits: 600 }]);
  });

  it('readers see each document either before or after a concurrent update, never half of it', async () => {
    const name = `accounts_${(collectionNumber += 1)}`;
    await collectionIn(db(), name).insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, a: 0, b: 0 })));
    const torn = await withClients(10, async (database, client) => {
      let seenTorn = 0;
      for (let round = 0; round < 30; round += 1) {
        if (client % 2 === 0) {
          // Writers move both fields together.
          await collectionIn(database, name).updateMany({}, { $inc: { a: 1, b: 1 } });
        } else {
          for (const doc of await collectionIn(database, name).find({}, { batchSize: 5 }).toArray()) {
            if (doc.a !== doc.b) seenTorn += 1;
          }
        }
      }
      return seenTorn;
    });
    expect(torn.reduce((sum, count) => sum + count, 0)).to.equal(0);
    expect(await collectionIn(db(), name).countDocuments({ a: 150, b: 150 })).to.equal(20);
  });
});
