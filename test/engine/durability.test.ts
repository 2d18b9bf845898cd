import { appendFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BSON } from 'bson';
import { expect } from 'chai';
import crc32c from 'crc-32/crc32c.js';
import { MongoClient } from 'mongodb';
import { startEngine } from '../../src/db/engine/index.js';
import type { TestDocument } from '../helpers/documents.js';
import { useEngineProcesses } from '../helpers/engine-process.js';
import { usePrivateEngines } from '../helpers/private-engine.js';
import { useTempDirectories } from '../helpers/temp-directory.js';
import { expectLoadSurvived, LOAD_DATABASE, prepareLoad, startWriteLoad } from '../helpers/write-load.js';

const JOURNAL = /^journal\.(\d{8})\.log$/;
const SNAPSHOT = /^snapshot\.(\d{8})\.bson$/;

/** The generations of the journal and snapshot files in a data directory. */
function dataFiles(dbpath: string): { journals: number[]; snapshots: number[] } {
  const files = readdirSync(dbpath);
  const generations = (pattern: RegExp) => files.flatMap((file) => (pattern.exec(file) ? [Number(pattern.exec(file)![1])] : [])).sort((a, b) => a - b);
  return { journals: generations(JOURNAL), snapshots: generations(SNAPSHOT) };
}

function currentJournal(dbpath: string): string {
  const newest = dataFiles(dbpath).journals.at(-1);
  if (newest === undefined) throw new Error(`no journal in ${dbpath}`);
  return join(dbpath, `journal.${String(newest).padStart(8, '0')}.log`);
}

/** A journal record as the engine frames it (u32 length, u32 CRC-32C, payload): a put of `doc`. */
function putRecord(db: string, collection: string, doc: TestDocument): Buffer {
  const payload = Buffer.concat([Buffer.from(BSON.serialize({ o: 'p', db, c: collection })), Buffer.from(BSON.serialize(doc))]);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(payload.length, 0);
  header.writeInt32LE(crc32c.buf(payload), 4);
  return Buffer.concat([header, payload]);
}

describe('engine durability and crash recovery', function () {
  this.timeout(60_000);
  const makeDirectory = useTempDirectories('durability');
  const startEngineProcess = useEngineProcesses();
  const startPrivateEngine = usePrivateEngines();

  describe('SIGKILL in the middle of a write load', () => {
    const crashAndRecover = async (options: { snapshotThresholdBytes?: number }) => {
      const dbpath = makeDirectory();
      const first = await startEngineProcess({ dbpath, ...options });
      await prepareLoad(first.uri);
      const load = startWriteLoad(first.uri, { writers: 12, acknowledgements: 1500 });
      await load.reached;
      const exit = await first.kill('SIGKILL');
      expect(exit.signal).to.equal('SIGKILL');
      await load.finished;
      expect(load.acknowledged()).to.be.at.least(1500);

      const second = await startEngineProcess({ dbpath, ...options });
      const client = new MongoClient(second.uri);
      try {
        await expectLoadSurvived(client.db(LOAD_DATABASE), load);
      } finally {
        await client.close();
      }
      return { dbpath, second };
    };

    it('every acknowledged insert, update, delete and $inc is there after a restart on the same dbpath', async () => {
      await crashAndRecover({});
    });

    it('the same holds while snapshots and compaction run under the load', async () => {
      const { dbpath, second } = await crashAndRecover({ snapshotThresholdBytes: 256 * 1024 });
      expect((await second.kill('SIGTERM')).code).to.equal(0);
      const files = dataFiles(dbpath);
      expect(Math.max(...files.journals, ...files.snapshots), 'snapshots were taken during the load').to.be.at.least(2);
      expect(files.snapshots.length).to.be.at.most(1);
    });
  });

  describe('a damaged journal tail', () => {
    const tails: Array<[string, (validRecord: Buffer) => Buffer]> = [
      ['random bytes', () => Buffer.from('torn tail: not a record at all, just bytes the crash left behind')],
      ['a record cut short', (record) => record.subarray(0, Math.floor(record.length / 2))],
      ['a whole record with a wrong checksum', (record) => {
        const damaged = Buffer.from(record);
        damaged.writeInt32LE(damaged.readInt32LE(4) ^ 0x5a5a, 4);
        return damaged;
      }],
      ['a length field claiming gigabytes', () => Buffer.from([0xf0, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8])],
      ['only half a record header', () => Buffer.from([0x20, 0x00, 0x00])],
    ];

    for (const [label, makeTail] of tails) {
      it(`is ignored at restart (${label}) without losing earlier acknowledged writes`, async () => {
        const dbpath = makeDirectory();
        const first = await startPrivateEngine({ dbpath });
        const notes = first.client.db('app').collection<TestDocument>('notes');
        await notes.createIndex({ key: 1 }, { unique: true });
        await notes.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, key: `k${i}` })));
        await notes.updateOne({ _id: 7 }, { $set: { edited: true } });
        await notes.deleteOne({ _id: 8 });
        await first.stop();

        appendFileSync(currentJournal(dbpath), makeTail(putRecord('app', 'notes', { _id: 'torn', key: 'torn' })));
        const second = await startPrivateEngine({ dbpath });
        const reopened = second.client.db('app').collection<TestDocument>('notes');
        expect(await reopened.countDocuments()).to.equal(49);
        expect(await reopened.findOne({ _id: 'torn' })).to.equal(null);
        expect(await reopened.findOne({ _id: 7 })).to.deep.equal({ _id: 7, key: 'k7', edited: true });
        // Writes after the recovery must land after the valid records, not behind the garbage.
        await reopened.insertOne({ _id: 'after', key: 'after' });
        await second.stop();

        const third = await startPrivateEngine({ dbpath });
        const again = third.client.db('app').collection<TestDocument>('notes');
        expect(await again.countDocuments()).to.equal(50);
        expect(await again.findOne({ _id: 'after' })).to.deep.equal({ _id: 'after', key: 'after' });
        await expectDuplicate(again.insertOne({ _id: 'dup', key: 'k1' }));
      });
    }

    it('a whole valid record appended at the tail is replayed (the reader is not simply dropping the end)', async () => {
      const dbpath = makeDirectory();
      const first = await startPrivateEngine({ dbpath });
      await first.client.db('app').collection<TestDocument>('notes').insertOne({ _id: 1 });
      await first.stop();
      appendFileSync(currentJournal(dbpath), putRecord('app', 'notes', { _id: 'appended' }));
      const second = await startPrivateEngine({ dbpath });
      expect(await second.client.db('app').collection<TestDocument>('notes').countDocuments()).to.equal(2);
    });
  });

  describe('snapshots and compaction', () => {
    it('after several snapshots a restart has all data, and older journals and snapshots are gone', async () => {
      const dbpath = makeDirectory();
      const first = await startPrivateEngine({ dbpath, snapshotThresholdBytes: 32 * 1024 });
      const db = first.client.db('app');
      const items = db.collection<TestDocument>('items');
      await items.createIndex({ sku: 1 }, { unique: true });
      await db.collection('scratch').insertOne({ temporary: true });
      for (let batch = 0; batch < 30; batch += 1) {
        await items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: batch * 20 + i, sku: `s${batch * 20 + i}`, text: 'y'.repeat(200) })));
        await items.updateMany({ _id: { $lt: batch * 20 } }, { $inc: { touched: 1 } });
        await items.deleteOne({ _id: batch * 20 + 19 });
      }
      await db.collection('scratch').drop();
      await db.collection<TestDocument>('renamed_from').insertOne({ _id: 'r' });
      await db.collection('renamed_from').rename('renamed_to');
      const before = await items.find().sort({ _id: 1 }).toArray();
      await first.stop();

      const files = dataFiles(dbpath);
      expect(files.snapshots, 'exactly one snapshot is kept').to.have.length(1);
      const generation = files.snapshots[0]!;
      expect(generation, 'several snapshots were taken').to.be.at.least(3);
      expect(files.journals.every((journal) => journal >= generation), `journals ${files.journals.join(',')} older than snapshot ${generation}`).to.equal(true);

      const second = await startPrivateEngine({ dbpath, snapshotThresholdBytes: 32 * 1024 });
      const reopened = second.client.db('app');
      expect(await reopened.collection<TestDocument>('items').find().sort({ _id: 1 }).toArray()).to.deep.equal(before);
      expect(before).to.have.length(570);
      expect(before[0]).to.deep.include({ _id: 0, touched: 29 });
      const collections = (await reopened.listCollections().toArray()).map((info) => info.name).sort();
      expect(collections).to.deep.equal(['items', 'renamed_to']);
      await expectDuplicate(reopened.collection<TestDocument>('items').insertOne({ sku: 's0' }));
    });
  });

  describe('graceful restarts', () => {
    it('close then restart keeps documents, indexes, renames, $out results and drops', async () => {
      const dbpath = makeDirectory();
      const first = await startPrivateEngine({ dbpath });
      const app = first.client.db('app');
      await app.collection<TestDocument>('users').insertMany([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
      await app.collection('users').createIndex({ email: 1 }, { unique: true });
      await app.collection('users').createIndex({ seenAt: 1 }, { expireAfterSeconds: 60, name: 'seen_ttl' });
      await app.collection('users').createIndex({ temp: 1 });
      await app.collection('users').dropIndex('temp_1');
      await app.collection('old').insertOne({ x: 1 });
      await app.collection('old').rename('new');
      await app.collection('users').aggregate([{ $project: { email: 1 } }, { $out: 'report' }]).toArray();
      await app.collection('gone').insertOne({ x: 1 });
      await app.collection('gone').drop();
      await first.client.db('other').collection<TestDocument>('things').insertOne({ _id: 'elsewhere' });
      await first.client.db('dropped_db').collection('t').insertOne({ x: 1 });
      await first.client.db('dropped_db').dropDatabase();
      await first.stop();

      const second = await startPrivateEngine({ dbpath });
      const reopened = second.client.db('app');
      expect(await reopened.collection('users').find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
      const indexes = await reopened.collection('users').listIndexes().toArray();
      expect(indexes.map((index) => index.name)).to.deep.equal(['_id_', 'email_1', 'seen_ttl']);
      expect(indexes[2]?.expireAfterSeconds).to.equal(60);
      expect((await reopened.listCollections().toArray()).map((info) => info.name).sort()).to.deep.equal(['new', 'report', 'users']);
      expect(await reopened.collection('report').countDocuments()).to.equal(2);
      expect(await second.client.db('other').collection<TestDocument>('things').findOne({ _id: 'elsewhere' })).to.deep.equal({ _id: 'elsewhere' });
      const databases = (await second.client.db('admin').admin().listDatabases()).databases.map((database) => database.name);
      expect(databases).to.not.include('dropped_db');
      await expectDuplicate(reopened.collection<TestDocument>('users').insertOne({ email: 'a' }));
    });
  });

  describe('the data directory lock', () => {
    /** The error a new engine on `dbpath` fails with, or undefined if it started. */
    const refusalToStart = (dbpath: string): Promise<unknown> =>
      startEngine({ dbpath }).then(
        async (engine) => {
          await engine.close();
          return undefined;
        },
        (error: unknown) => error,
      );

    it('refuses a second engine on the same dbpath while another process holds it', async () => {
      const dbpath = makeDirectory();
      const holder = await startEngineProcess({ dbpath });
      const refusal = await refusalToStart(dbpath);
      expect(refusal).to.be.instanceOf(Error);
      expect((refusal as Error).message).to.match(/in use by process/);
      // The refused engine must not have disturbed the running one.
      const client = new MongoClient(holder.uri);
      try {
        await client.db('app').collection('t').insertOne({ still: 'works' });
      } finally {
        await client.close();
      }
    });

    it('refuses a second engine on the same dbpath in the same process', async () => {
      const dbpath = makeDirectory();
      await startPrivateEngine({ dbpath });
      const refusal = await refusalToStart(dbpath);
      expect(refusal).to.be.instanceOf(Error);
      expect((refusal as Error).message).to.match(/in use/);
    });

    it('is released on close, so the next engine starts', async () => {
      const dbpath = makeDirectory();
      const first = await startPrivateEngine({ dbpath });
      await first.stop();
      const second = await startPrivateEngine({ dbpath });
      expect(statSync(join(dbpath, 'mongod.lock')).isFile()).to.equal(true);
      await second.stop();
    });
  });
});

async function expectDuplicate(operation: Promise<unknown>): Promise<void> {
  const error = await operation.then(() => undefined, (failure: unknown) => failure);
  expect(error).to.have.property('code', 11000);
}
