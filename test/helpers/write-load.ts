import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';

/**
 * A write load from several driver clients that records every write the server
 * acknowledged, so that after a crash a test can check each one survived. Writes in
 * flight when the server died may or may not have happened; acknowledged ones must have.
 */

export const LOAD_DATABASE = 'crashload';

interface Ledger {
  /** Inserted and acknowledged, and not deleted since. */
  inserted: Set<string>;
  /** Acknowledged `$set: {updated: true}`. */
  updated: Set<string>;
  deleted: Set<string>;
  /** Acknowledged `$inc` per counter document. */
  increments: Map<string, number>;
}

export interface WriteLoad {
  /** Resolves once `acknowledgements` writes have been acknowledged. */
  reached: Promise<void>;
  /** Resolves when every writer has stopped (each stops at its first failure). */
  finished: Promise<void>;
  ledger: Ledger;
  acknowledged(): number;
}

/** Prepares the collections the load writes to: `docs` with a unique index on `key`. */
export async function prepareLoad(uri: string): Promise<void> {
  const client = new MongoClient(uri);
  try {
    await client.db(LOAD_DATABASE).collection('docs').createIndex({ key: 1 }, { unique: true });
  } finally {
    await client.close();
  }
}

export function startWriteLoad(uri: string, options: { writers: number; acknowledgements: number }): WriteLoad {
  const ledger: Ledger = { inserted: new Set(), updated: new Set(), deleted: new Set(), increments: new Map() };
  let acknowledged = 0;
  let markReached!: () => void;
  const reached = new Promise<void>((resolve) => (markReached = resolve));
  const acknowledge = (): void => {
    acknowledged += 1;
    if (acknowledged === options.acknowledgements) markReached();
  };

  const runWriter = async (writer: number): Promise<void> => {
    // Fail fast once the server is gone, instead of waiting 30 s to select a server.
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1500, retryWrites: false, retryReads: false, maxPoolSize: 2 });
    try {
      await client.connect();
      const db = client.db(LOAD_DATABASE);
      const docs = db.collection<{ _id: string; key: string; payload: string; updated?: boolean }>('docs');
      const counters = db.collection<{ _id: string; n: number }>('counters');
      const counterId = `counter-${writer}`;
      for (let i = 0; ; i += 1) {
        const id = `w${writer}-${i}`;
        await docs.insertOne({ _id: id, key: id, payload: 'x'.repeat((i * 37) % 1500) });
        ledger.inserted.add(id);
        acknowledge();
        if (i % 3 === 2) {
          const previous = `w${writer}-${i - 1}`;
          await docs.updateOne({ _id: previous }, { $set: { updated: true } });
          ledger.updated.add(previous);
          acknowledge();
        }
        if (i % 5 === 4) {
          const victim = `w${writer}-${i - 4}`;
          // Until the delete is acknowledged the document may or may not be there.
          ledger.inserted.delete(victim);
          ledger.updated.delete(victim);
          await docs.deleteOne({ _id: victim });
          ledger.deleted.add(victim);
          acknowledge();
        }
        await counters.updateOne({ _id: counterId }, { $inc: { n: 1 } }, { upsert: true });
        ledger.increments.set(counterId, (ledger.increments.get(counterId) ?? 0) + 1);
        acknowledge();
      }
    } catch {
      // The server went away: this writer is done.
    } finally {
      await client.close(true).catch(() => undefined);
    }
  };

  const finished = Promise.all(Array.from({ length: options.writers }, (_, writer) => runWriter(writer))).then(() => undefined);
  return { reached, finished, ledger, acknowledged: () => acknowledged };
}

/** Checks that every acknowledged write of the load is in `db`, and that the data still takes writes. */
export async function expectLoadSurvived(db: Db, load: WriteLoad): Promise<void> {
  const docs = db.collection<{ _id: string; key: string; updated?: boolean }>('docs');
  const stored = new Map((await docs.find().toArray()).map((doc) => [doc._id, doc]));
  const missing = [...load.ledger.inserted].filter((id) => !stored.has(id));
  expect(missing, 'acknowledged inserts missing after restart').to.deep.equal([]);
  const notUpdated = [...load.ledger.updated].filter((id) => stored.get(id)?.updated !== true);
  expect(notUpdated, 'acknowledged updates missing after restart').to.deep.equal([]);
  const resurrected = [...load.ledger.deleted].filter((id) => stored.has(id));
  expect(resurrected, 'acknowledged deletes undone after restart').to.deep.equal([]);

  const counters = new Map((await db.collection<{ _id: string; n: number }>('counters').find().toArray()).map((doc) => [doc._id, doc.n]));
  for (const [id, increments] of load.ledger.increments) {
    // One more increment may have been in flight, applied but not acknowledged.
    expect(counters.get(id), id).to.be.within(increments, increments + 1);
  }

  // The recovered data takes writes, and its unique index still holds.
  await docs.insertOne({ _id: 'after-restart', key: 'after-restart' });
  const anyKey = [...load.ledger.inserted][0];
  if (anyKey) {
    const duplicate = await docs.insertOne({ _id: 'duplicate', key: anyKey }).catch((error: unknown) => error);
    expect(duplicate).to.have.property('code', 11000);
  }
}
