import { randomInt } from 'node:crypto';
import type { QuizQuestion, QuizSettings } from '../courses/index.js';
import type { GradableQuestion } from './grading.js';

/**
 * What one attempt asks: the questions drawn from the quiz's bank, in the order shown,
 * with the order of their options. Each carries a snapshot of the question as asked,
 * so that a course re-imported while an attempt runs does not change how it is graded.
 */
export interface AskedQuestion {
  question: GradableQuestion;
  /** single, multiple: option ids in the order shown. */
  optionOrder?: string[];
  /** matching: left ids and distinct right ids in the order shown. */
  leftOrder?: string[];
  rightOrder?: string[];
}

/** An integer in [0, maxExclusive); injectable so that tests can draw predictably. */
export type RandomIndex = (maxExclusive: number) => number;

export const cryptoRandomIndex: RandomIndex = (maxExclusive) => randomInt(maxExclusive);

function shuffled<T>(items: readonly T[], random: RandomIndex): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = random(index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

function snapshotOf(question: QuizQuestion): GradableQuestion {
  const { source: _source, line: _line, ...snapshot } = question;
  return snapshot;
}

function distinctRightIds(question: GradableQuestion): string[] {
  return [...new Set((question.pairs ?? []).map((pair) => pair.rightId))];
}

function askedOf(question: QuizQuestion, shuffleOptions: boolean, random: RandomIndex): AskedQuestion {
  const snapshot = snapshotOf(question);
  const maybeShuffled = (ids: string[]): string[] => (shuffleOptions ? shuffled(ids, random) : ids);
  if (question.type === 'single' || question.type === 'multiple') {
    return { question: snapshot, optionOrder: maybeShuffled((question.options ?? []).map((option) => option.id)) };
  }
  if (question.type === 'matching') {
    return {
      question: snapshot,
      leftOrder: maybeShuffled((question.pairs ?? []).map((pair) => pair.leftId)),
      // The right column is always shuffled (as Moodle does): in any fixed order, the
      // file's or the alphabet's, it may line up with the left one and give the pairs away.
      rightOrder: shuffled(distinctRightIds(snapshot), random),
    };
  }
  return { question: snapshot };
}

export type DrawSettings = Pick<QuizSettings, 'shuffleQuestions' | 'shuffleOptions' | 'drawCount'>;

/**
 * Draws `drawCount` questions (all when unset) at random from the bank. Unshuffled
 * quizzes keep the bank's order among the questions drawn.
 */
export function drawQuestions(bank: readonly QuizQuestion[], settings: DrawSettings, random: RandomIndex = cryptoRandomIndex): AskedQuestion[] {
  const count = Math.min(settings.drawCount ?? bank.length, bank.length);
  const positions = shuffled(
    bank.map((_question, index) => index),
    random,
  ).slice(0, count);
  const order = settings.shuffleQuestions ? positions : [...positions].sort((a, b) => a - b);
  return order.map((position) => askedOf(bank[position]!, settings.shuffleOptions, random));
}
