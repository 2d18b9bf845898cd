import { createHash } from 'node:crypto';
import { parse } from 'gift-pegjs';

/**
 * GIFT (Moodle's question format) → the questions Capacita stores. Questions are parsed
 * one by one (GIFT separates them by blank lines), so every error names its line.
 * Question ids are stable across re-imports: taken from the `::Title::`, else from the
 * question's text; option ids from their position, which an edit keeps; a matching
 * question's left ids from their position, its right ids from their text.
 */

export type QuestionType = 'single' | 'multiple' | 'true_false' | 'short_answer' | 'numeric' | 'matching';

export interface QuestionOption {
  id: string;
  text: string;
  /** Percent of the question's marks (single choice: 100 for the right one, else 0). */
  weight: number;
  feedback?: string;
}

export interface NumericAnswer {
  /** The accepted interval: value ± tolerance, or [min, max]. */
  min: number;
  max: number;
  weight: number;
  feedback?: string;
}

export interface MatchPair {
  leftId: string;
  left: string;
  rightId: string;
  right: string;
}

export interface QuizQuestion {
  id: string;
  type: QuestionType;
  title?: string;
  prompt: string;
  options?: QuestionOption[];
  /** true_false: the right answer. */
  isTrue?: boolean;
  /** short_answer: accepted answers with their weights. */
  accepted?: Array<{ text: string; weight: number; feedback?: string }>;
  numeric?: NumericAnswer[];
  pairs?: MatchPair[];
  feedback?: { general?: string; ifTrue?: string; ifFalse?: string };
  /** The question as written, for export. */
  source: string;
  line: number;
}

export class GiftError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

interface GiftText {
  text: string;
}
interface GiftChoice {
  isCorrect: boolean;
  weight: number | null;
  text: GiftText | GiftNumber;
  feedback: GiftText | null;
}
interface GiftNumber {
  type: 'simple' | 'range' | 'high-low';
  number?: number;
  range?: number;
  numberHigh?: number;
  numberLow?: number;
}
interface GiftQuestion {
  type: 'MC' | 'TF' | 'Short' | 'Numerical' | 'Matching' | 'Essay' | 'Description' | 'Category';
  title: string | null;
  stem: GiftText;
  hasEmbeddedAnswers: boolean;
  globalFeedback: GiftText | null;
  choices?: GiftChoice[] | GiftNumber;
  isTrue?: boolean;
  trueFeedback?: GiftText | null;
  falseFeedback?: GiftText | null;
  matchPairs?: Array<{ subquestion: GiftText; subanswer: string }>;
}

function questionId(title: string | null, prompt: string): string {
  if (title) {
    const slug = title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    if (slug) return slug;
  }
  return `q-${createHash('sha256').update(prompt).digest('hex').slice(0, 10)}`;
}

/** gift-pegjs leaves escaped characters in matching answers as `&&058;` (its internal code). */
const unescapeGift = (text: string): string => text.replace(/&&(\d{3});/g, (_match, code: string) => String.fromCharCode(Number(code)));

const optionId = (index: number): string => String.fromCharCode(97 + (index % 26)) + (index >= 26 ? String(Math.floor(index / 26)) : '');

/**
 * A matching answer's id comes from its text, not its position: positional ids (r1 for
 * the answer of l1…) would tell a learner the pairs. Stable while the text is.
 */
const rightIdOf = (text: string): string => `r-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;

function numericRange(value: GiftNumber): { min: number; max: number } {
  if (value.type === 'high-low') return { min: value.numberLow!, max: value.numberHigh! };
  const tolerance = value.type === 'range' ? (value.range ?? 0) : 0;
  return { min: value.number! - tolerance, max: value.number! + tolerance };
}

function convert(question: GiftQuestion, source: string, line: number): QuizQuestion {
  const prompt = question.stem.text.trim();
  const base = { id: questionId(question.title, prompt), prompt, source, line, ...(question.title ? { title: question.title } : {}) };
  const general = question.globalFeedback?.text ? { general: question.globalFeedback.text } : undefined;
  switch (question.type) {
    case 'MC': {
      const choices = question.choices as GiftChoice[];
      const hasWeights = choices.some((choice) => choice.weight !== null);
      const correct = choices.filter((choice) => choice.isCorrect);
      if (!hasWeights && correct.length !== 1) throw new GiftError(line, 'a single-choice question needs exactly one right answer (=)');
      const options = choices.map((choice, index) => ({
        id: optionId(index),
        text: (choice.text as GiftText).text.trim(),
        weight: hasWeights ? (choice.weight ?? (choice.isCorrect ? 100 : 0)) : choice.isCorrect ? 100 : 0,
        ...(choice.feedback?.text ? { feedback: choice.feedback.text } : {}),
      }));
      if (hasWeights && options.every((option) => option.weight <= 0)) throw new GiftError(line, 'a multiple-response question needs at least one positive weight');
      return { ...base, type: hasWeights ? 'multiple' : 'single', options, ...(general ? { feedback: general } : {}) };
    }
    case 'TF':
      return {
        ...base,
        type: 'true_false',
        isTrue: question.isTrue === true,
        feedback: {
          ...general,
          ...(question.trueFeedback?.text ? { ifTrue: question.trueFeedback.text } : {}),
          ...(question.falseFeedback?.text ? { ifFalse: question.falseFeedback.text } : {}),
        },
      };
    case 'Short': {
      const choices = question.choices as GiftChoice[];
      if (choices.length === 0) throw new GiftError(line, 'a short-answer question needs at least one accepted answer');
      return {
        ...base,
        type: 'short_answer',
        accepted: choices.map((choice) => ({
          text: (choice.text as GiftText).text.trim(),
          weight: choice.weight ?? 100,
          ...(choice.feedback?.text ? { feedback: choice.feedback.text } : {}),
        })),
        ...(general ? { feedback: general } : {}),
      };
    }
    case 'Numerical': {
      const raw = question.choices;
      const answers = Array.isArray(raw)
        ? raw.map((choice) => ({ ...numericRange(choice.text as GiftNumber), weight: choice.weight ?? 100, ...(choice.feedback?.text ? { feedback: choice.feedback.text } : {}) }))
        : [{ ...numericRange(raw as GiftNumber), weight: 100 }];
      if (answers.some((answer) => !Number.isFinite(answer.min) || !Number.isFinite(answer.max) || answer.min > answer.max)) {
        throw new GiftError(line, 'a numerical answer needs a number, number:tolerance or min..max');
      }
      return { ...base, type: 'numeric', numeric: answers, ...(general ? { feedback: general } : {}) };
    }
    case 'Matching': {
      const pairs = question.matchPairs ?? [];
      if (pairs.length < 2) throw new GiftError(line, 'a matching question needs at least two pairs');
      return {
        ...base,
        type: 'matching',
        pairs: pairs.map((pair, index) => ({
          leftId: `l${index + 1}`,
          left: pair.subquestion.text.trim(),
          rightId: rightIdOf(unescapeGift(pair.subanswer.trim())),
          right: unescapeGift(pair.subanswer.trim()),
        })),
        ...(general ? { feedback: general } : {}),
      };
    }
    case 'Essay':
      throw new GiftError(line, 'essay questions ({}) are not supported: they cannot be graded automatically');
    default:
      throw new GiftError(line, `${question.type} items are not supported`);
  }
}

/** Splits GIFT into question blocks (blank-line separated), each with its first line number. */
function blocksOf(source: string): Array<{ text: string; line: number }> {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Array<{ text: string; line: number }> = [];
  let current: string[] = [];
  let start = 0;
  lines.forEach((text, index) => {
    const isBlank = text.trim() === '';
    const isComment = text.trim().startsWith('//');
    if (isBlank) {
      if (current.length > 0) blocks.push({ text: current.join('\n'), line: start + 1 });
      current = [];
      return;
    }
    if (current.length === 0) {
      if (isComment) return;
      start = index;
    }
    current.push(text);
  });
  if (current.length > 0) blocks.push({ text: current.join('\n'), line: start + 1 });
  return blocks;
}

/** Every question of a GIFT file, and every problem with its line (an import reports them all). */
export interface GiftCheck {
  questions: QuizQuestion[];
  errors: GiftError[];
}

/** Parses each question on its own, so that one bad question does not hide the next. */
export function checkGift(source: string): GiftCheck {
  const questions: QuizQuestion[] = [];
  const errors: GiftError[] = [];
  const ids = new Set<string>();
  for (const block of blocksOf(source)) {
    try {
      const question = parseBlock(block);
      if (ids.has(question.id)) throw new GiftError(block.line, `two questions have the id "${question.id}": give them different ::titles::`);
      ids.add(question.id);
      questions.push(question);
    } catch (error) {
      if (!(error instanceof GiftError)) throw error;
      errors.push(error);
    }
  }
  return { questions, errors };
}

function parseBlock(block: { text: string; line: number }): QuizQuestion {
  if (/^\$CATEGORY:/i.test(block.text.trim())) throw new GiftError(block.line, '$CATEGORY is not supported: one file is one quiz');
  let parsed: GiftQuestion[];
  try {
    parsed = parse(block.text) as GiftQuestion[];
  } catch (error) {
    const location = (error as { location?: { start?: { line?: number } } }).location;
    const message = error instanceof Error ? error.message : String(error);
    throw new GiftError(block.line + (location?.start?.line ?? 1) - 1, message);
  }
  if (parsed.length !== 1) throw new GiftError(block.line, 'separate questions with a blank line');
  return convert(parsed[0]!, block.text, block.line);
}

/** Parses a GIFT file; throws GiftError at the first problem, with its line. */
export function parseGift(source: string): QuizQuestion[] {
  const { questions, errors } = checkGift(source);
  if (errors[0]) throw errors[0];
  return questions;
}
