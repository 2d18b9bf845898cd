import { Schema, type Connection } from 'mongoose';

/**
 * A course's question bank, kept by its facilitators (imported and exported as GIFT),
 * apart from the module quizzes, which are course content read from the course files.
 * One document per course; `version` makes a read-merge-write safe against a
 * concurrent import (the write only lands on the version it read).
 */
const questionBankSchema = new Schema(
  {
    _id: { type: String, required: true },
    questions: { type: [Schema.Types.Mixed], default: [] },
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: Schema.Types.ObjectId, required: true },
  },
  { collection: 'question_banks', versionKey: false, minimize: false },
);

const compileQuestionBank = (connection: Connection) => connection.model('QuestionBank', questionBankSchema);

export type QuestionBankModel = ReturnType<typeof compileQuestionBank>;

export function questionBankModel(connection: Connection): QuestionBankModel {
  return (connection.models.QuestionBank as QuestionBankModel | undefined) ?? compileQuestionBank(connection);
}
