import { expect } from 'chai';
import { parseGift } from '../../../src/courses/gift.js';
import { drawQuestions, type RandomIndex } from '../../../src/quizzes/attempt-draw.js';
import { SAMPLE_QUIZ } from '../../helpers/course-fixture.js';

const bank = parseGift(SAMPLE_QUIZ);
const ids = (asked: ReturnType<typeof drawQuestions>) => asked.map((question) => question.question.id);
/** Always picks the last candidate: a Fisher–Yates pass that leaves everything in place. */
const identity: RandomIndex = (maxExclusive) => maxExclusive - 1;
/** Always picks the first candidate. */
const first: RandomIndex = () => 0;

describe('drawing the questions of an attempt', () => {
  it('asks every question in file order, options as written, when nothing is shuffled or drawn', () => {
    const asked = drawQuestions(bank, { shuffleQuestions: false, shuffleOptions: false }, first);
    expect(ids(asked)).to.deep.equal(['unica', 'varias', 'vf', 'corta', 'numero', 'parejas']);
    expect(asked[0]!.optionOrder).to.deep.equal(['a', 'b', 'c']);
    expect(asked[2]!.optionOrder).to.equal(undefined);
  });

  it('draws drawCount questions, different ones with different luck, keeping the bank order when not shuffled', () => {
    const drawn = drawQuestions(bank, { shuffleQuestions: false, shuffleOptions: false, drawCount: 3 }, identity);
    expect(drawn).to.have.length(3);
    const other = drawQuestions(bank, { shuffleQuestions: false, shuffleOptions: false, drawCount: 3 }, first);
    expect(ids(other)).to.not.deep.equal(ids(drawn));
    for (const asked of [drawn, other]) {
      const positions = ids(asked).map((id) => bank.findIndex((question) => question.id === id));
      expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    }
  });

  it('shuffles questions and options when asked to, and every id is still there', () => {
    const asked = drawQuestions(bank, { shuffleQuestions: true, shuffleOptions: true }, first);
    expect(ids(asked)).to.not.deep.equal(bank.map((question) => question.id));
    expect(ids(asked)).to.have.members(bank.map((question) => question.id));
    const single = asked.find((question) => question.question.id === 'unica')!;
    expect(single.optionOrder).to.not.deep.equal(['a', 'b', 'c']);
    expect(single.optionOrder).to.have.members(['a', 'b', 'c']);
  });

  it('always shuffles the right column of a matching question, even when options keep their order', () => {
    const matchingOf = (random: RandomIndex) => drawQuestions(bank, { shuffleQuestions: false, shuffleOptions: false }, random).find((question) => question.question.type === 'matching')!;
    const inFileOrder = bank.find((question) => question.type === 'matching')!.pairs!.map((pair) => pair.rightId);
    expect(matchingOf(first).leftOrder).to.deep.equal(['l1', 'l2', 'l3']);
    expect(matchingOf(first).rightOrder).to.have.members(inFileOrder);
    expect(matchingOf(first).rightOrder).to.not.deep.equal(inFileOrder);
  });

  it('keeps a snapshot without the GIFT source, so that re-imports do not change a running attempt', () => {
    const [asked] = drawQuestions(bank, { shuffleQuestions: false, shuffleOptions: false }, first);
    expect(asked!.question).to.not.have.property('source');
    expect(asked!.question).to.not.have.property('line');
    expect(asked!.question.options).to.deep.equal(bank[0]!.options);
  });
});
