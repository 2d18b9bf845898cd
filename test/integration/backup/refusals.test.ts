import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { ObjectId } from 'bson';
import { documentLine, headerLine, trailerLine } from '../../../src/db/backup/format.js';
import { contentsOf, runBackupCli, useBackupSuite } from './backup-helpers.js';

describe('npm run db:restore refuses what it must not do, and then changes nothing', function () {
  this.timeout(60_000);
  const suite = useBackupSuite('backup_refusals');
  let directory: string;
  let goodDump: string;
  let sourceName: string;

  /** A target database holding one document of its own. */
  async function occupiedDatabase(): Promise<string> {
    const name = suite.databaseName();
    await suite.client().db(name).collection('keep').insertOne({ _id: new ObjectId(), note: 'already here' });
    return name;
  }

  const restoreInto = (target: string, file: string, ...flags: string[]) => runBackupCli('db:restore', [file, ...flags], target, directory);
  const collectionsOf = async (name: string) => (await suite.client().db(name).listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name);

  /** The good dump with its decompressed text changed by `edit`. */
  function editedDump(name: string, edit: (lines: string[]) => string[]): string {
    const lines = gunzipSync(readFileSync(goodDump)).toString('utf8').split('\n');
    const file = join(directory, name);
    writeFileSync(file, gzipSync(edit(lines).join('\n')));
    return file;
  }

  before(async () => {
    directory = suite.directory();
    sourceName = suite.databaseName();
    const source = suite.client().db(sourceName);
    await source.collection('people').createIndex({ email: 1 }, { unique: true });
    await source.collection('people').insertMany([{ email: 'ana@example.org' }, { email: 'luis@example.org' }, { email: 'eva@example.org' }]);
    await source.collection('notes').insertMany([{ text: 'uno' }, { text: 'dos' }]);
    goodDump = join(directory, 'good.gz');
    const dump = await runBackupCli('db:dump', ['--out', goodDump], sourceName, directory);
    expect(dump.code, dump.output).to.equal(0);
  });

  it('refuses a database that holds documents without --drop (exit 1), leaving it as it was', async () => {
    const target = await occupiedDatabase();
    const before = await contentsOf(suite.client().db(target));
    const run = await restoreInto(target, goodDump);
    expect(run.code).to.equal(1);
    expect(run.output).to.equal(`restore failed: the database ${target} already holds documents (in keep): restore into an empty database, or add --drop to replace its contents`);
    expect(await contentsOf(suite.client().db(target))).to.deep.equal(before);
  });

  it('with --drop replaces the database\'s collections by the dump\'s', async () => {
    const target = await occupiedDatabase();
    await suite.client().db(target).collection('people').insertOne({ email: 'ana@example.org', stale: true });
    const run = await restoreInto(target, goodDump, '--drop');
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.match(/\(after dropping 2 collections\): 2 collections, 5 documents/);
    expect(await contentsOf(suite.client().db(target))).to.deep.equal(await contentsOf(suite.client().db(sourceName)));
  });

  it('rejects a truncated file as truncated, and the target stays empty', async () => {
    const target = suite.databaseName();
    const bytes = readFileSync(goodDump);
    const truncated = join(directory, 'truncated.gz');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const run = await restoreInto(target, truncated);
    expect(run.code).to.equal(1);
    expect(run.output).to.equal('restore failed: truncated dump: the compressed data ends before its end (the file was cut short)');
    expect(await collectionsOf(target)).to.deep.equal([]);
  });

  it('rejects a file cut at a line (no end marker) as truncated, and the target stays empty', async () => {
    const target = suite.databaseName();
    const cut = editedDump('cut.gz', (lines) => lines.slice(0, 4));
    const run = await restoreInto(target, cut);
    expect(run.code).to.equal(1);
    expect(run.output).to.equal('restore failed: truncated dump: the file ends at line 4 without its end marker (it was cut short, or the dump did not finish)');
    expect(await collectionsOf(target)).to.deep.equal([]);
  });

  it('rejects a corrupt line by its number, and the target stays empty', async () => {
    const target = suite.databaseName();
    const corrupt = editedDump('corrupt.gz', (lines) => lines.map((line, index) => (index === 4 ? '{"c":"people","d":{"_id":{"$oid":"not an id"}}}' : line)));
    const run = await restoreInto(target, corrupt);
    expect(run.code).to.equal(1);
    expect(run.output).to.equal('restore failed: corrupt dump: line 5 is not valid Extended JSON');
    expect(await collectionsOf(target)).to.deep.equal([]);
  });

  it('with --drop and a corrupt file, drops nothing', async () => {
    const target = await occupiedDatabase();
    const before = await contentsOf(suite.client().db(target));
    const corrupt = editedDump('corrupt-drop.gz', (lines) => lines.map((line, index) => (index === 2 ? line.slice(0, -5) : line)));
    const run = await restoreInto(target, corrupt, '--drop');
    expect(run.code).to.equal(1);
    expect(run.output).to.equal('restore failed: corrupt dump: line 3 is not valid Extended JSON');
    expect(await contentsOf(suite.client().db(target))).to.deep.equal(before);
  });

  it('rejects a file that is not a dump', async () => {
    const target = suite.databaseName();
    const other = join(directory, 'other.json');
    writeFileSync(other, '{"name":"capacita","version":"0.1.0"}\n');
    const run = await restoreInto(target, other);
    expect(run.code).to.equal(1);
    expect(run.output).to.equal('restore failed: not a Capacita dump: its first line is not a dump header');
    expect(await collectionsOf(target)).to.deep.equal([]);
  });

  it('when the server refuses a write half-way, removes what it wrote and says why', async () => {
    const target = suite.databaseName();
    // A well-formed dump whose second collection breaks its own unique index.
    const lines = [
      headerLine({
        database: 'elsewhere',
        createdAt: new Date(),
        collections: [
          { name: 'alpha', options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }] },
          { name: 'beta', options: {}, indexes: [{ v: 2, key: { _id: 1 }, name: '_id_' }, { v: 2, key: { email: 1 }, name: 'email_1', unique: true }] },
        ],
      }),
      documentLine('alpha', { _id: 1, text: 'written first' }),
      documentLine('alpha', { _id: 2, text: 'written first' }),
      documentLine('beta', { _id: 1, email: 'ana@example.org' }),
      documentLine('beta', { _id: 2, email: 'ana@example.org' }),
      trailerLine({ collections: [{ name: 'alpha', documents: 2 }, { name: 'beta', documents: 2 }], documents: 4 }),
    ];
    const file = join(directory, 'duplicates.gz');
    writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    const run = await restoreInto(target, file);
    expect(run.code).to.equal(1);
    expect(run.output).to.match(/^restore failed: E11000 duplicate key error .*email.* \(what had been written was removed again\)$/);
    expect(await collectionsOf(target)).to.deep.equal([]);
  });

  it('answers usage errors with exit 2 and --help with exit 0', async () => {
    const target = suite.databaseName();
    const [noFile, noOut, help] = await Promise.all([
      runBackupCli('db:restore', [], target, directory),
      runBackupCli('db:dump', [], target, directory),
      runBackupCli('db:restore', ['--help'], target, directory),
    ]);
    expect(noFile.code).to.equal(2);
    expect(noFile.output).to.match(/^restore takes one FILE \(and --drop\)\nusage: npm run db:dump -- --out FILE/);
    expect(noOut.code).to.equal(2);
    expect(noOut.output).to.match(/^dump needs --out FILE\n/);
    expect(help.code).to.equal(0);
    expect(help.output).to.match(/^usage: /);
  });
});
