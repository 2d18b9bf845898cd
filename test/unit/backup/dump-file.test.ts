import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { Double, EJSON, Int32, Long } from 'bson';
import { BackupError, documentLine, headerLine, parseBodyLine, trailerLine } from '../../../src/db/backup/format.js';
import { validateDump } from '../../../src/db/backup/read-dump.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';

/** The dump file's rules, on files written here: what is accepted, and what each fault is called. */

const HEADER = headerLine({
  database: 'capacita',
  createdAt: new Date('2026-03-01T12:00:00Z'),
  collections: [
    { name: 'users', options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }, { v: 2, key: { email: 1 }, name: 'email_1', unique: true }] },
    { name: 'notes', options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }] },
  ],
});
const USERS = [documentLine('users', { _id: 1, email: 'ana@example.org' }), documentLine('users', { _id: 2, email: 'luis@example.org' })];
const NOTE = documentLine('notes', { _id: 1, text: 'uno' });
const TRAILER = trailerLine({ collections: [{ name: 'users', documents: 2 }, { name: 'notes', documents: 1 }], documents: 3 });
const GOOD = [HEADER, ...USERS, NOTE, TRAILER];

describe('dump files', () => {
  const makeDirectory = useTempDirectories('dump-file');
  let directory: string;
  before(() => {
    directory = makeDirectory();
  });
  let fileNumber = 0;
  const fileOf = (lines: string[], { gzip = true } = {}): string => {
    const file = join(directory, `dump-${(fileNumber += 1)}`);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, gzip ? gzipSync(text) : text);
    return file;
  };
  const failureOf = async (file: string): Promise<string> => {
    try {
      await validateDump(file);
    } catch (error) {
      expect(error).to.be.instanceOf(BackupError);
      return (error as Error).message;
    }
    throw new Error('the dump was accepted');
  };

  it('accepts a whole dump, gzip\'d or not, and gives its header and trailer', async () => {
    for (const gzip of [true, false]) {
      const { header, trailer } = await validateDump(fileOf(GOOD, { gzip }));
      expect(header.database).to.equal('capacita');
      expect(header.createdAt.toISOString()).to.equal('2026-03-01T12:00:00.000Z');
      expect(header.collections.map((collection) => collection.name)).to.deep.equal(['users', 'notes']);
      expect(header.collections[0]!.indexes[1]).to.deep.include({ name: 'email_1', unique: true });
      expect(trailer.documents).to.equal(3);
    }
  });

  it('keeps Int32, Double and Long apart through a document line', () => {
    const document = { _id: new Int32(1), whole: new Double(2), small: Long.fromNumber(5), fraction: new Double(0.5) };
    const line = documentLine('numbers', document);
    expect(line).to.equal('{"c":"numbers","d":{"_id":{"$numberInt":"1"},"whole":{"$numberDouble":"2.0"},"small":{"$numberLong":"5"},"fraction":{"$numberDouble":"0.5"}}}');
    const parsed = parseBodyLine(line, 2);
    expect(parsed.kind).to.equal('document');
    if (parsed.kind !== 'document') return;
    expect(parsed.document.whole).to.be.instanceOf(Double);
    expect(parsed.document.small).to.be.instanceOf(Long);
    expect(EJSON.stringify(parsed.document, { relaxed: false })).to.equal(EJSON.stringify(document, { relaxed: false }));
  });

  it('names each fault', async () => {
    const cases: Array<[string, string[] | string, string]> = [
      ['an empty file', [], 'not a Capacita dump: the file is empty'],
      ['another JSON file', ['{"name":"capacita"}'], 'not a Capacita dump: its first line is not a dump header'],
      ['a newer version', [HEADER.replace('"version":1', '"version":2'), TRAILER], 'unsupported dump version 2: this Capacita reads version 1'],
      ['a damaged header', [HEADER.replace('"createdAt":"2026-03-01T12:00:00.000Z"', '"createdAt":"yesterday"'), TRAILER], 'corrupt dump header (line 1): createdAt is invalid'],
      ['no end marker', [HEADER, ...USERS], 'truncated dump: the file ends at line 3 without its end marker (it was cut short, or the dump did not finish)'],
      ['a document fewer than counted', [HEADER, USERS[0]!, NOTE, TRAILER], 'corrupt dump: the end marker counts 2 documents in users but the file holds 1'],
      ['a line after the end marker', [...GOOD, NOTE], 'corrupt dump: line 6 comes after the end marker'],
      ['a collection the header does not list', [HEADER, documentLine('secrets', { _id: 1 }), TRAILER], 'corrupt dump: line 2 belongs to collection secrets, which the header does not list'],
      ['a line that is not a document', [HEADER, '{"c":"users","d":[1,2]}', TRAILER], 'corrupt dump: line 2 is not a document line'],
      ['a damaged end marker', [HEADER, ...USERS, NOTE, '{"end":true,"documents":"three"}'], 'corrupt dump: line 5 is a damaged end marker'],
    ];
    for (const [what, lines, message] of cases) {
      const file = typeof lines === 'string' ? lines : fileOf(lines);
      expect(await failureOf(file), what).to.equal(message);
    }
  });

  it('calls damaged compressed data corrupt, and compressed data cut short truncated', async () => {
    const whole = gzipSync(`${GOOD.join('\n')}\n`);
    const damaged = Buffer.from(whole);
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
    const damagedFile = join(directory, 'damaged.gz');
    writeFileSync(damagedFile, damaged);
    expect(await failureOf(damagedFile)).to.match(/^corrupt dump: the compressed data is damaged \(/);
    const cutFile = join(directory, 'cut.gz');
    writeFileSync(cutFile, whole.subarray(0, whole.length - 12));
    expect(await failureOf(cutFile)).to.equal('truncated dump: the compressed data ends before its end (the file was cut short)');
  });

  it('says when the file cannot be read', async () => {
    expect(await failureOf(join(directory, 'missing.gz'))).to.match(/^cannot read .*missing\.gz: ENOENT$/);
  });
});
