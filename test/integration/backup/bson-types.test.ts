import { join } from 'node:path';
import { expect } from 'chai';
import { Binary, BSONRegExp, Code, Decimal128, Double, EJSON, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID, type Document } from 'bson';
import { contentsOf, EXACT_TYPES, runBackupCli, useBackupSuite, type CliRun } from './backup-helpers.js';

/**
 * Every BSON type Capacita stores (ObjectId, Date, strings, booleans, null, whole numbers
 * as Int32, fractions and large numbers as Double, Binary for images and mail, nested
 * documents and arrays), and the others a real MongoDB may hold.
 */
const everyType = (): Document => ({
  _id: new ObjectId(),
  int32: new Int32(42),
  negativeInt32: new Int32(-2_147_483_648),
  double: new Double(2.5),
  millisecondsAsDouble: new Double(1_767_225_600_123),
  smallestDouble: new Double(5e-324),
  negativeZero: new Double(-0),
  notANumber: new Double(Number.NaN),
  infinity: new Double(Number.NEGATIVE_INFINITY),
  longBeyondDouble: Long.fromString('9007199254740993'),
  smallestLong: Long.fromString('-9223372036854775808'),
  decimal: Decimal128.fromString('1234.5600'),
  text: 'Bogotá — Ñuñoa, "comillas", \\ barra\nnueva línea\ttab\u2028separador 😀 \u0000nul',
  emptyText: '',
  yes: true,
  no: false,
  nothing: null,
  date: new Date('2026-02-28T23:30:00.123-05:00'),
  beforeEpoch: new Date('1926-07-20T00:00:00Z'),
  binary: new Binary(Buffer.from([0, 1, 2, 254, 255])),
  emptyBinary: new Binary(Buffer.alloc(0)),
  uuid: new UUID('0f8fad5b-d9cb-469f-a165-70867728950e'),
  md5: new Binary(Buffer.alloc(16, 7), Binary.SUBTYPE_MD5),
  reference: new ObjectId(),
  nested: { a: { b: { c: [new Int32(1), 'two', { three: new Double(3.25) }] } } },
  nestedArrays: [[new Int32(1), [new Int32(2), [new Int32(3), []]]], [], [[]]],
  emptyDocument: {},
  documents: [{ x: new Int32(1) }, { x: new Double(2.5), y: [null] }],
  timestamp: new Timestamp({ t: 1_767_225_600, i: 7 }),
  regex: new BSONRegExp('^ana', 'i'),
  minKey: new MinKey(),
  maxKey: new MaxKey(),
  code: new Code('function () { return 1; }'),
});

/** Values the embedded engine itself stores as plain numbers (a whole Double as Int32, a small Long as a number): compared as stored, not as inserted. */
const folded = (): Document => ({ wholeDouble: new Double(2), smallLong: Long.fromNumber(5) });

const canonical = (document: Document | null): string => EJSON.stringify(document, { relaxed: false });

describe('npm run db:dump / db:restore: BSON types', function () {
  this.timeout(60_000);
  const suite = useBackupSuite('backup_types');
  const inserted = [everyType(), { _id: 'a string id', ...folded() }, { _id: new Int32(7), list: [everyType()] }];
  let sourceName: string;
  let targetName: string;
  let dump: CliRun;
  let restore: CliRun;

  before(async () => {
    sourceName = suite.databaseName();
    targetName = suite.databaseName();
    await suite.client().db(sourceName).collection('types').insertMany(inserted.map((document) => ({ ...document })));
    const directory = suite.directory();
    const file = join(directory, 'types.gz');
    dump = await runBackupCli('db:dump', ['--out', file], sourceName, directory);
    restore = await runBackupCli('db:restore', [file], targetName, directory);
  });

  it('restores every value with its type and field order exactly as inserted', async () => {
    expect(dump.code, dump.output).to.equal(0);
    expect(restore.code, restore.output).to.equal(0);
    const restored = suite.client().db(targetName).collection('types');
    for (const document of [inserted[0]!, inserted[2]!]) {
      const back = await restored.findOne({ _id: document._id }, EXACT_TYPES);
      expect(canonical(back)).to.equal(canonical(document));
    }
    const back = await restored.findOne({ _id: inserted[0]!._id }, EXACT_TYPES);
    expect(Object.keys(back!)).to.deep.equal(Object.keys(inserted[0]!));
    expect(back!.int32).to.be.instanceOf(Int32);
    expect(back!.millisecondsAsDouble).to.be.instanceOf(Double);
    expect(back!.decimal.toString()).to.equal('1234.5600');
    expect((back!.uuid as Binary).sub_type).to.equal(Binary.SUBTYPE_UUID);
  });

  it('restores every document exactly as the source database stores it', async () => {
    const source = await contentsOf(suite.client().db(sourceName));
    const target = await contentsOf(suite.client().db(targetName));
    expect(target.documents.types).to.have.length(3);
    expect(target).to.deep.equal(source);
  });
});
