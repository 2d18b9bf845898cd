import { expect } from 'chai';
import { useSmtpSinks, type ReceivedMail } from '../../helpers/smtp-sink.js';
import { buildNotifications, createTestClock, spanishMail, useDataDirectories, useTestDatabases } from './notifications-fixtures.js';

/** Two Notifications on two connections to one database: two app processes behind a load balancer. */
describe('several processes delivering the same outbox', () => {
  const openDatabase = useTestDatabases();
  const startSink = useSmtpSinks();
  const makeDataDir = useDataDirectories();
  const MAILS = 20;

  async function twoProcesses() {
    const sink = await startSink();
    const database = await openDatabase();
    const clock = createTestClock();
    const build = async () => buildNotifications(await database.connect(), { smtpUrl: sink.url, dataDir: makeDataDir(), clock });
    return { sink, database, first: await build(), second: await build() };
  }

  const subjects = (mails: ReceivedMail[]): string[] => mails.map((mail) => mail.subject).sort();
  const expectedSubjects = Array.from({ length: MAILS }, (_, index) => `Invitación a la sesión ${index}`).sort();

  it('sends each mail exactly once when both deliver at the same time', async () => {
    const { sink, database, first, second } = await twoProcesses();
    await Promise.all(expectedSubjects.map((subject, index) => (index % 2 ? first : second).mailer.queue(spanishMail({ subject }))));

    const attempted = await Promise.all([first.deliverDue(), second.deliverDue(), first.deliverDue(), second.deliverDue()]);

    expect(attempted.reduce((sum, count) => sum + count, 0), 'mails attempted in all').to.equal(MAILS);
    expect(subjects(sink.received)).to.deep.equal(expectedSubjects);
    expect(await database.outbox().countDocuments({ status: 'sent', attempts: 1 })).to.equal(MAILS);
  });

  it('sends each mail exactly once with both background workers running', async () => {
    const { sink, database, first, second } = await twoProcesses();
    const stops = [first.startDelivery({ pollIntervalMs: 20 }), second.startDelivery({ pollIntervalMs: 20 })];
    try {
      await Promise.all(expectedSubjects.map((subject, index) => (index % 2 ? first : second).mailer.queue(spanishMail({ subject }))));
      const received: ReceivedMail[] = [];
      for (let count = 0; count < MAILS; count += 1) received.push(await sink.nextMail());
      expect(subjects(received)).to.deep.equal(expectedSubjects);
    } finally {
      await Promise.all(stops.map((stop) => stop()));
    }
    // Stopped: every round has recorded its outcome, and no mail went out twice.
    expect(sink.received).to.have.length(MAILS);
    expect(await database.outbox().countDocuments({ status: 'sent', attempts: 1 })).to.equal(MAILS);
  });
});
