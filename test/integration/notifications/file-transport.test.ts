import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ObjectId } from 'mongodb';
import { parseMail } from '../../helpers/smtp-sink.js';
import { CERTIFICATE_BYTES, buildNotifications, spanishMail, useDataDirectories, useTestDatabases } from './notifications-fixtures.js';

describe('mail delivery without SMTP_URL', () => {
  const openDatabase = useTestDatabases();
  const makeDataDir = useDataDirectories();

  it('writes each mail as an .eml file under dataDir/outbox and counts it as sent', async () => {
    const dataDir = makeDataDir();
    const database = await openDatabase();
    const notifications = buildNotifications(await database.connect(), { dataDir });
    const mail = spanishMail({
      attachments: [{ filename: 'certificado.pdf', contentType: 'application/pdf', content: CERTIFICATE_BYTES }],
    });

    const { id } = await notifications.mailer.queue(mail);
    expect(await notifications.deliverDue()).to.equal(1);

    const outboxDirectory = join(dataDir, 'outbox');
    expect(readdirSync(outboxDirectory)).to.deep.equal([`${id}.eml`]);
    const file = join(outboxDirectory, `${id}.eml`);
    expect(statSync(file).mode & 0o777, 'readable by the owner only').to.equal(0o600);
    const written = parseMail(readFileSync(file));
    expect(written.to).to.equal(mail.to);
    expect(written.subject).to.equal(mail.subject);
    expect(written.text.replace(/\r\n/g, '\n').trimEnd()).to.equal(mail.text);
    expect(written.attachments[0]?.content.equals(CERTIFICATE_BYTES)).to.equal(true);
    expect(await database.outbox().findOne({ _id: new ObjectId(id) })).to.include({ status: 'sent', attempts: 1 });
  });
});
