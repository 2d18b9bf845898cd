import { Types, type Connection } from 'mongoose';
import { checkGift, type CoursesService } from '../courses/index.js';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { exportGift } from './gift-export.js';
import type { GradableQuestion } from './grading.js';
import { questionBankModel } from './question-bank.model.js';
import { questionWithAnswer, type QuestionWithAnswer } from './question-views.js';

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

interface StoredBank {
  _id: string;
  questions: GradableQuestion[];
  version: number;
}

/** Writes that lost a race with another import are retried on the newer bank this often. */
const MERGE_ATTEMPTS = 5;

const isDuplicateKey = (error: unknown): boolean => (error as { code?: number } | undefined)?.code === 11000;

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

  async function store(actor: Actor, courseSlug: string, incoming: GradableQuestion[]): Promise<void> {
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt += 1) {
      const bank = await Bank.findById(courseSlug).lean<StoredBank>();
      const fields = { questions: merged(bank?.questions ?? [], incoming), version: (bank?.version ?? 0) + 1, updatedAt: deps.clock.now(), updatedBy: new Types.ObjectId(actor.id) };
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
      await store(
        actor,
        courseSlug,
        questions.map(({ source: _source, line: _line, ...question }) => question),
      );
      return { imported: questions.length, errors: [] };
    },

    async exportGift(actor: Actor, courseSlug: string): Promise<string> {
      await ensureFacilitates(actor, courseSlug);
      return exportGift(await questionsOf(courseSlug));
    },
  };
}

export type QuestionBankService = ReturnType<typeof createQuestionBankService>;
