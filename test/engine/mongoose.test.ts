import { expect } from 'chai';
import { MongoStore } from 'connect-mongo';
import mongoose, { Schema, type Connection } from 'mongoose';
import type { SessionData } from 'express-session';
import { uniqueDatabaseName, uriForDatabase } from '../helpers/database.js';

/**
 * What the application sends through mongoose and connect-mongo must work on the
 * engine as on MongoDB: schema indexes, validation, timestamps, populate, atomic
 * updates, aggregation, lean queries, sessions in a TTL-indexed collection.
 */
describe('engine under mongoose', () => {
  let connection: Connection;

  before(async () => {
    connection = await mongoose.createConnection(uriForDatabase(uniqueDatabaseName('mongoose'), 'engine')).asPromise();
  });
  after(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  const personSchema = new Schema(
    {
      email: { type: String, required: true, unique: true, lowercase: true, trim: true },
      givenName: { type: String, required: true },
      sex: { type: String, enum: ['female', 'male', 'intersex', 'undisclosed'], required: true },
      departmentCode: { type: String, index: true },
      roles: { type: [String], default: ['learner'] },
      logins: { type: Number, default: 0 },
    },
    { timestamps: true },
  );
  const enrollmentSchema = new Schema({
    person: { type: Schema.Types.ObjectId, ref: 'Person', required: true },
    courseSlug: { type: String, required: true },
    progress: { type: Number, default: 0 },
  });
  enrollmentSchema.index({ person: 1, courseSlug: 1 }, { unique: true });

  const defineModels = (on: Connection) => ({
    Person: on.model('Person', personSchema),
    Enrollment: on.model('Enrollment', enrollmentSchema),
  });
  let compiled: ReturnType<typeof defineModels> | undefined;
  const models = (): ReturnType<typeof defineModels> => (compiled ??= defineModels(connection));

  it('builds the schema indexes and enforces uniqueness as a MongoServerError 11000', async () => {
    const { Person } = models();
    await Person.init();
    const names = (await Person.collection.indexes()).map((index) => index.name);
    expect(names).to.include.members(['_id_', 'email_1', 'departmentCode_1']);
    await Person.create({ email: 'Ana@Example.org ', givenName: 'Ana', sex: 'female', departmentCode: '05' });
    const error = await Person.create({ email: 'ana@example.org', givenName: 'Otra', sex: 'female' }).then(
      () => undefined,
      (failure: unknown) => failure as { code?: number; keyValue?: Record<string, unknown> },
    );
    expect(error?.code).to.equal(11000);
    expect(error?.keyValue).to.deep.equal({ email: 'ana@example.org' });
  });

  it('saves, timestamps and reloads documents; validation failures store nothing', async () => {
    const { Person } = models();
    const saved = await Person.create({ email: 'beatriz@example.org', givenName: 'Beatriz', sex: 'female' });
    expect(saved.get('createdAt')).to.be.instanceOf(Date);
    const loaded = await Person.findById(saved._id).lean();
    expect(loaded?.roles).to.deep.equal(['learner']);
    const before = await Person.countDocuments();
    await Person.create({ email: 'x@example.org', givenName: 'X', sex: 'robot' as 'female' }).catch(() => undefined);
    expect(await Person.countDocuments()).to.equal(before);
  });

  it('applies atomic updates through document saves and updateOne', async () => {
    const { Person } = models();
    const person = await Person.create({ email: 'carla@example.org', givenName: 'Carla', sex: 'female' });
    person.set('givenName', 'Carla María');
    (person.get('roles') as string[]).push('facilitator');
    await person.save();
    await Promise.all(Array.from({ length: 20 }, () => Person.updateOne({ _id: person._id }, { $inc: { logins: 1 } })));
    const reloaded = await Person.findById(person._id).lean();
    expect(reloaded).to.include({ givenName: 'Carla María', logins: 20 });
    expect(reloaded?.roles).to.deep.equal(['learner', 'facilitator']);
    expect((reloaded?.updatedAt as Date).getTime()).to.be.at.least((reloaded?.createdAt as Date).getTime());
  });

  it('populates references and enforces compound unique indexes', async () => {
    const { Person, Enrollment } = models();
    await Enrollment.init();
    const person = await Person.create({ email: 'diana@example.org', givenName: 'Diana', sex: 'female' });
    await Enrollment.create({ person: person._id, courseSlug: 'gestion-social' });
    const duplicate = await Enrollment.create({ person: person._id, courseSlug: 'gestion-social' }).catch((error: { code?: number }) => error);
    expect((duplicate as { code?: number }).code).to.equal(11000);
    const enrollment = await Enrollment.findOne({ courseSlug: 'gestion-social' }).populate('person');
    expect((enrollment?.get('person') as unknown as { givenName: string }).givenName).to.equal('Diana');
  });

  it('runs findOneAndUpdate with upsert, sorting and aggregation', async () => {
    const { Person } = models();
    const upserted = await Person.findOneAndUpdate(
      { email: 'elena@example.org' },
      { $setOnInsert: { givenName: 'Elena', sex: 'female', departmentCode: '76' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(upserted?.get('givenName')).to.equal('Elena');
    const bySex = await Person.aggregate<{ _id: string; people: number }>([
      { $match: { email: { $regex: '@example\\.org$' } } },
      { $group: { _id: '$sex', people: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(bySex.find((group) => group._id === 'female')?.people).to.be.greaterThan(0);
    const newest = await Person.find().sort({ createdAt: -1 }).limit(1).lean();
    expect(newest).to.have.length(1);
  });

  it('keeps express sessions in a TTL-indexed collection through connect-mongo', async () => {
    const store = MongoStore.create({ client: connection.getClient(), dbName: connection.name, collectionName: 'sessions', stringify: false });
    const call = <T>(run: (done: (error: unknown, value?: T) => void) => void): Promise<T | undefined> =>
      new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
    const session = { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) }, userId: 'u1' } as unknown as SessionData;
    await call((done) => store.set('sid-1', session, done));
    const loaded = await call<SessionData | null>((done) => store.get('sid-1', done));
    expect((loaded as unknown as { userId: string }).userId).to.equal('u1');
    await call((done) => store.touch('sid-1', session, done));
    expect(await call<number>((done) => store.length(done))).to.equal(1);
    await call((done) => store.destroy('sid-1', done));
    expect(await call<SessionData | null>((done) => store.get('sid-1', done))).to.equal(null);
    const ttl = (await connection.collection('sessions').indexes()).find((index) => index.name === 'expires_1');
    expect(ttl?.expireAfterSeconds).to.equal(0);
    // store.close() would close the shared client; the suite closes it after.
  });
});
