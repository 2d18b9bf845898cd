import { expect } from 'chai';
import { useDriverDatabase, testServerUri } from '../helpers/database.js';
import {
  decodeOpMsgBody,
  decodeOpReply,
  encodeOpMsg,
  encodeOpQuery,
  nextRequestId,
  OP_MSG,
  OP_REPLY,
  RawConnection,
  readReplyHeader,
} from '../helpers/raw-wire.js';

/** The host and port of the run's server, from its connection string. */
function serverAddress(): { host: string; port: number } {
  const match = /^mongodb:\/\/([^/:?,]+):(\d+)/.exec(testServerUri('engine'));
  if (!match) throw new Error(`cannot read a host and port from ${testServerUri('engine')}`);
  return { host: match[1]!, port: Number(match[2]) };
}

describe('engine wire protocol at the byte level', () => {
  const db = useDriverDatabase('wire', 'engine');
  const connections: RawConnection[] = [];
  let collectionNumber = 0;

  const connect = async () => {
    const { host, port } = serverAddress();
    const connection = await RawConnection.open(port, host);
    connections.push(connection);
    return connection;
  };
  afterEach(() => {
    for (const connection of connections.splice(0)) connection.close();
  });

  /** Sends one OP_MSG and returns its reply's header and body. */
  const roundTrip = async (connection: RawConnection, message: Buffer) => {
    await connection.write(message);
    const reply = await connection.nextReply();
    return { header: readReplyHeader(reply), body: decodeOpMsgBody(reply) };
  };

  it('answers a legacy OP_QUERY isMaster on admin.$cmd with an OP_REPLY to that request id', async () => {
    const connection = await connect();
    const requestId = nextRequestId();
    await connection.write(encodeOpQuery('admin.$cmd', { isMaster: 1, client: { application: { name: 'raw' } } }, requestId));
    const reply = await connection.nextReply();
    const header = readReplyHeader(reply);
    expect(header.opCode).to.equal(OP_REPLY);
    expect(header.responseTo).to.equal(requestId);
    expect(header.length).to.equal(reply.length);
    const { numberReturned, doc } = decodeOpReply(reply);
    expect(numberReturned).to.equal(1);
    expect(doc).to.include({ ismaster: true, ok: 1 });
    expect(doc.maxWireVersion).to.be.a('number');
  });

  it('answers other legacy OP_QUERY commands with error 352, as MongoDB 6+ does', async () => {
    const connection = await connect();
    await connection.write(encodeOpQuery(`${db().databaseName}.$cmd`, { find: 'anything' }));
    const { doc } = decodeOpReply(await connection.nextReply());
    expect(doc).to.include({ ok: 0, code: 352 });
  });

  it('takes an insert whose documents come as a kind-1 document sequence', async () => {
    const connection = await connect();
    const collection = `sequence_${(collectionNumber += 1)}`;
    const requestId = nextRequestId();
    const { header, body } = await roundTrip(
      connection,
      encodeOpMsg({ insert: collection, $db: db().databaseName }, { requestId, sequences: { documents: [{ _id: 1 }, { _id: 2 }, { _id: 3, x: 'y' }] } }),
    );
    expect(header.opCode).to.equal(OP_MSG);
    expect(header.responseTo).to.equal(requestId);
    expect(body).to.include({ n: 3, ok: 1 });
    expect(await db().collection(collection).find().sort({ _id: 1 }).toArray()).to.deep.equal([{ _id: 1 }, { _id: 2 }, { _id: 3, x: 'y' }]);
  });

  it('answers an OP_MSG whose CRC-32C checksum is right', async () => {
    const connection = await connect();
    const { body } = await roundTrip(connection, encodeOpMsg({ ping: 1, $db: 'admin' }, { withChecksum: true }));
    expect(body).to.include({ ok: 1 });
  });

  it('closes the connection on a wrong checksum, without running the command', async () => {
    const connection = await connect();
    const collection = `checksum_${(collectionNumber += 1)}`;
    await connection.write(
      encodeOpMsg({ insert: collection, documents: [{ _id: 1 }], $db: db().databaseName }, { withChecksum: true, hasWrongChecksum: true }),
    );
    await connection.closed;
    expect(await db().collection(collection).countDocuments()).to.equal(0);
  });

  it('closes the connection on an impossible message length or an unknown opcode', async () => {
    const badLength = await connect();
    const header = Buffer.alloc(16);
    header.writeInt32LE(-5, 0);
    await badLength.write(header);
    await badLength.closed;

    const badOpcode = await connect();
    const message = encodeOpMsg({ ping: 1, $db: 'admin' });
    message.writeInt32LE(9999, 12);
    await badOpcode.write(message);
    await badOpcode.closed;
  });

  it('reassembles a message of several megabytes written in small pieces', async () => {
    const connection = await connect();
    const collection = `large_${(collectionNumber += 1)}`;
    const documents = Array.from({ length: 3000 }, (_, i) => ({ _id: i, text: `${i}:`.padEnd(2000, 'x') }));
    const requestId = nextRequestId();
    const message = encodeOpMsg({ insert: collection, $db: db().databaseName }, { requestId, sequences: { documents } });
    expect(message.length).to.be.greaterThan(5_000_000);
    // The first pieces split the length prefix itself; then 32 KiB at a time, each
    // handed to the kernel before the next is written.
    const cuts = [0, 1, 3, 7, 16];
    for (let offset = 16; offset < message.length; offset += 32 * 1024) cuts.push(Math.min(offset + 32 * 1024, message.length));
    for (let i = 1; i < cuts.length; i += 1) await connection.write(message.subarray(cuts[i - 1], cuts[i]));
    const reply = await connection.nextReply();
    expect(readReplyHeader(reply).responseTo).to.equal(requestId);
    expect(decodeOpMsgBody(reply)).to.include({ n: 3000, ok: 1 });
    expect(await db().collection(collection).countDocuments()).to.equal(3000);
  });

  it('refuses a document over 16 MiB (which only a raw client can send) with 10334, storing nothing', async () => {
    const connection = await connect();
    const collection = `oversized_${(collectionNumber += 1)}`;
    const { body } = await roundTrip(
      connection,
      encodeOpMsg({ insert: collection, $db: db().databaseName }, { sequences: { documents: [{ _id: 1, big: 'z'.repeat(16 * 1024 * 1024 + 100) }, { _id: 2 }] } }),
    );
    expect(body).to.include({ n: 0, ok: 1 });
    expect((body.writeErrors as Array<{ index: number; code: number }>).map(({ index, code }) => ({ index, code }))).to.deep.equal([{ index: 0, code: 10334 }]);
    expect(await db().collection(collection).countDocuments()).to.equal(0);
  });

  it('answers every message of a single TCP write, in order', async () => {
    const connection = await connect();
    const collection = `pipelined_${(collectionNumber += 1)}`;
    const ids = Array.from({ length: 6 }, () => nextRequestId());
    const dbName = db().databaseName;
    const batch = Buffer.concat([
      encodeOpMsg({ insert: collection, documents: [{ _id: 1, n: 0 }], $db: dbName }, { requestId: ids[0] }),
      encodeOpMsg({ update: collection, updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }], $db: dbName }, { requestId: ids[1] }),
      encodeOpMsg({ update: collection, updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }], $db: dbName }, { requestId: ids[2] }),
      encodeOpMsg({ ping: 1, $db: 'admin' }, { requestId: ids[3] }),
      encodeOpMsg({ find: collection, filter: { _id: 1 }, $db: dbName }, { requestId: ids[4] }),
      encodeOpMsg({ frobnicate: 1, $db: 'admin' }, { requestId: ids[5] }),
    ]);
    await connection.write(batch);
    const replies = [];
    for (let i = 0; i < ids.length; i += 1) replies.push(await connection.nextReply());
    expect(replies.map((reply) => readReplyHeader(reply).responseTo)).to.deep.equal(ids);
    const bodies = replies.map(decodeOpMsgBody);
    expect((bodies[4]?.cursor as { firstBatch: unknown[] }).firstBatch).to.deep.equal([{ _id: 1, n: 2 }]);
    expect(bodies[5]).to.include({ ok: 0, code: 59 });
  });

  it('runs a moreToCome message without answering it', async () => {
    const connection = await connect();
    const collection = `unacknowledged_${(collectionNumber += 1)}`;
    const dbName = db().databaseName;
    const pingId = nextRequestId();
    await connection.write(Buffer.concat([
      encodeOpMsg({ insert: collection, documents: [{ _id: 'quiet' }], $db: dbName }, { isMoreToCome: true }),
      encodeOpMsg({ ping: 1, $db: 'admin' }, { requestId: pingId }),
    ]));
    expect(readReplyHeader(await connection.nextReply()).responseTo).to.equal(pingId);
    expect(await db().collection(collection).countDocuments()).to.equal(1);
  });
});
