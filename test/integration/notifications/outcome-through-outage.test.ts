import { join } from 'node:path';
import { expect } from 'chai';
import mongoose, { type Connection } from 'mongoose';
import { LEASE_MS } from '../../../src/notifications/notifications.delivery.js';
import { useEngineProcesses } from '../../helpers/engine-process.js';
import { useSmtpSinks } from '../../helpers/smtp-sink.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';
import { buildNotifications, createTestClock, spanishMail } from './notifications-fixtures.js';

/**
 * The database dies while a mail is on its way to the SMTP server. The mail went out, so
 * it must end up recorded as sent — written once the database is back — and not be sent
 * a second time when its lease runs out.
 */
describe('a mail sent while the database is down', function () {
  this.timeout(60_000);
  const startEngine = useEngineProcesses();
  const startSink = useSmtpSinks();
  const makeDirectory = useTempDirectories('mail-outage');
  let connection: Connection | undefined;
  afterEach(async () => {
    await connection?.close();
    connection = undefined;
  });

  it('is recorded as sent once the database returns, and never sent twice', async () => {
    const directory = makeDirectory();
    const dbpath = join(directory, 'db');
    const engine = await startEngine({ dbpath });
    connection = await mongoose.createConnection(`mongodb://127.0.0.1:${engine.port}/outage?directConnection=true`, { serverSelectionTimeoutMS: 1_000 }).asPromise();
    const sink = await startSink();
    const clock = createTestClock();
    const notifications = buildNotifications(connection, { smtpUrl: sink.url, dataDir: join(directory, 'data'), clock });
    const { id } = await notifications.mailer.queue(spanishMail());

    const answer = sink.hold();
    const round = notifications.deliverDue();
    await sink.nextMail();
    await engine.kill('SIGKILL');
    answer();
    await startEngine({ dbpath, port: engine.port });

    expect(await round, 'the round ends once the outcome is written').to.equal(1);
    const stored = await connection.db!.collection('outbox_mails').findOne({ _id: new mongoose.Types.ObjectId(id) });
    expect(stored).to.include({ status: 'sent', attempts: 1 });
    clock.advance(LEASE_MS + 60_000);
    expect(await notifications.deliverDue()).to.equal(0);
    expect(sink.received).to.have.length(1);
  });
});
