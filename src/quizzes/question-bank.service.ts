import { Types, type Connection } from 'mongoose';
import { checkGift, type CoursesService } from '../courses/index.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { exportGift, questionToGift } from './gift-export.js';
import type { GradableQuestion } from './grading.js';
import { questionBankModel } from './question-bank.model.js';
import { questionWithAnswer, type QuestionWithAnswer } from './question-views.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

/**
 * Each course's question bank (README.md beside this file). A GIFT import is all or
 * nothing: any problem and nothing is stored, every problem reported with its line.
 * Imported questions are merged by id (their ::title::, else their text): a question
 * imported again replaces itself, so export → import leaves the bank as it was.
 */

export interface QuestionBankDependencies {
  connection: Connection;
  clock: Clock;
  courses: Pick<CoursesService, 'getCourse' | 'isFacilitatorOf'>;
}

export interface GiftImportReport {
  imported: number;
  errors: Array<{ line: number; message: string }>;
}

/** A bank question as its pages show it. */
export interface BankQuestion extends QuestionWithAnswer {
  title?: string;
  gift: string;
}

export interface QuestionReplacement {
  question?: BankQuestion;
  errors: Array<{ line: number; message: string }>;
}

const bankQuestionOf = (question: GradableQuestion): BankQuestion => ({
  ...questionWithAnswer(question),
  ...(question.title ? { title: question.title } : {}),
  gift: questionToGift(question),
});

interface StoredBank {
  _id: string;
  questions: GradableQuestion[];
  version: number;
}

/** Writes that lost a race with another import are retried on the newer bank this often. */
const MERGE_ATTEMPTS = 5;


function merged(existing: readonly GradableQuestion[], incoming: readonly GradableQuestion[]): GradableQuestion[] {
  const incomingById = new Map(incoming.map((question) => [question.id, question]));
  const kept = existing.map((question) => incomingById.get(question.id) ?? question);
  const existingIds = new Set(existing.map((question) => question.id));
  return [...kept, ...incoming.filter((question) => !existingIds.has(question.id))];
}

export function createQuestionBankService(deps: QuestionBankDependencies) {
  const Bank = questionBankModel(deps.connection);

  /** The course exists (404) and the actor facilitates it or is a manager (403). */
  async function ensureFacilitates(actor: Actor, courseSlug: string): Promise<void> {
    await deps.courses.getCourse(courseSlug);
    if (!(await deps.courses.isFacilitatorOf(actor, courseSlug))) throw new AppError('forbidden', 'You do not facilitate this course.');
  }

  async function questionsOf(courseSlug: string): Promise<GradableQuestion[]> {
    return (await Bank.findById(courseSlug).lean<StoredBank>())?.questions ?? [];
  }

  /** Writes `change(questions now)` as the bank's new questions, retried when another write won the race. */
  async function store(actor: Actor, courseSlug: string, change: (existing: readonly GradableQuestion[]) => GradableQuestion[]): Promise<void> {
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt += 1) {
      const bank = await Bank.findById(courseSlug).lean<StoredBank>();
      const fields = { questions: change(bank?.questions ?? []), version: (bank?.version ?? 0) + 1, updatedAt: deps.clock.now(), updatedBy: new Types.ObjectId(actor.id) };
      try {
        if (!bank) {
          await Bank.create({ _id: courseSlug, ...fields });
          return;
        }
        if ((await Bank.updateOne({ _id: courseSlug, version: bank.version }, { $set: fields })).matchedCount === 1) return;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error; // the first bank of the course was created meanwhile
      }
    }
    throw new AppError('conflict', 'The question bank was changed meanwhile; import again.', { reason: 'concurrent_import' });
  }

  return {
    async listQuestions(actor: Actor, courseSlug: string): Promise<QuestionWithAnswer[]> {
      await ensureFacilitates(actor, courseSlug);
      return (await questionsOf(courseSlug)).map(questionWithAnswer);
    },

    async importGift(actor: Actor, courseSlug: string, gift: string): Promise<GiftImportReport> {
      await ensureFacilitates(actor, courseSlug);
      const { questions, errors } = checkGift(gift);
      if (errors.length > 0) return { imported: 0, errors: errors.map((error) => ({ line: error.line, message: error.reason })) };
      if (questions.length === 0) return { imported: 0, errors: [{ line: 1, message: 'the file has no questions' }] };
      const incoming = questions.map(({ source: _source, line: _line, ...question }) => question);
      await store(actor, courseSlug, (existing) => merged(existing, incoming));
      return { imported: questions.length, errors: [] };
    },

    /** The bank's questions for its pages: with answer, ::title:: and GIFT text (each written from its parts). */
    async listForEditing(actor: Actor, courseSlug: string): Promise<BankQuestion[]> {
      await ensureFacilitates(actor, courseSlug);
      return (await questionsOf(courseSlug)).map(bankQuestionOf);
    },

    /** One question of the bank (404 when it has none with this id). */
    async getQuestion(actor: Actor, courseSlug: string, questionId: string): Promise<BankQuestion> {
      await ensureFacilitates(actor, courseSlug);
      const question = (await questionsOf(courseSlug)).find((item) => item.id === questionId);
      if (!question) throw new AppError('not_found', 'No such question in the bank.');
      return bankQuestionOf(question);
    },

    /**
     * Replaces one question, in place, by the GIFT text of exactly one question: with the
     * same id (its ::title::, else its text) or a new one no other question of the bank has.
     * Any problem is reported with its line and nothing is stored.
     */
    async replaceQuestion(actor: Actor, courseSlug: string, questionId: string, gift: string): Promise<QuestionReplacement> {
      await ensureFacilitates(actor, courseSlug);
      const existing = await questionsOf(courseSlug);
      if (!existing.some((item) => item.id === questionId)) throw new AppError('not_found', 'No such question in the bank.');
      const { questions, errors } = checkGift(gift);
      if (errors.length > 0) return { errors: errors.map((error) => ({ line: error.line, message: error.reason })) };
      if (questions.length !== 1) return { errors: [{ line: questions[1]?.line ?? 1, message: 'write exactly one question' }] };
      const { source: _source, line, ...replacement } = questions[0]!;
      const clashes = (items: readonly GradableQuestion[]): boolean => replacement.id !== questionId && items.some((item) => item.id === replacement.id);
      if (clashes(existing)) return { errors: [{ line, message: `another question of the bank has the id "${replacement.id}": give this one a different ::title::` }] };
      let isGone = false;
      let clashed = false;
      await store(actor, courseSlug, (current) => {
        isGone = !current.some((item) => item.id === questionId);
        clashed = clashes(current);
        return isGone || clashed ? [...current] : current.map((item) => (item.id === questionId ? replacement : item));
      });
      if (isGone) throw new AppError('not_found', 'No such question in the bank.');
      if (clashed) return { errors: [{ line, message: `another question of the bank has the id "${replacement.id}": give this one a different ::title::` }] };
      return { question: bankQuestionOf(replacement), errors: [] };
    },

    async exportGift(actor: Actor, courseSlug: string): Promise<string> {
      await ensureFacilitates(actor, courseSlug);
      return exportGift(await questionsOf(courseSlug));
    },
  };
}

export type QuestionBankService = ReturnType<typeof createQuestionBankService>;
