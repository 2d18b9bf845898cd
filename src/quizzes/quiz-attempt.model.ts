import { Schema, type Connection } from 'mongoose';

/**
 * One person's attempt at one module quiz. `number` counts a person's attempts at a quiz
 * (1, 2, 3…) under a unique index: two starts racing for the last allowed attempt get
 * the same number and only one is stored. `status` leaves `in_progress` once, by a
 * conditional update, so a submit is graded exactly once however often it is sent.
 * `questions` is the snapshot asked (see attempt-draw.ts); `answers` what was saved.
 */
const resultSchema = new Schema(
  {
    score: { type: Number, required: true },
    passed: { type: Boolean, required: true },
    correctCount: { type: Number, required: true },
    questionCount: { type: Number, required: true },
    /** Share of each question's mark earned (facility statistics read it). */
    fractions: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

const attemptSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    quizId: { type: String, required: true },
    courseSlug: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    number: { type: Number, required: true },
    status: { type: String, enum: ['in_progress', 'submitted', 'timed_out'], required: true },
    startedAt: { type: Date, required: true },
    expiresAt: { type: Date, default: null },
    passingScore: { type: Number, required: true },
    questions: { type: [Schema.Types.Mixed], required: true },
    answers: { type: Schema.Types.Mixed, default: () => ({}) },
    result: { type: resultSchema, default: null },
    submittedAt: { type: Date, default: null },
    /** A passed attempt is told to enrollments; null until that is done (redone at start-up). */
    passRecordedAt: { type: Date, default: null },
  },
  { collection: 'quiz_attempts', versionKey: false, minimize: false },
);
attemptSchema.index({ userId: 1, quizId: 1, number: 1 }, { unique: true });
attemptSchema.index({ 'result.passed': 1, passRecordedAt: 1 });

const compileAttempt = (connection: Connection) => connection.model('QuizAttempt', attemptSchema);

export type QuizAttemptModel = ReturnType<typeof compileAttempt>;

export function quizAttemptModel(connection: Connection): QuizAttemptModel {
  return (connection.models.QuizAttempt as QuizAttemptModel | undefined) ?? compileAttempt(connection);
}
