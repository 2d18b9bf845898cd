import { expect } from 'chai';
import { GiftError, parseGift } from '../../../src/courses/gift.js';
import { SAMPLE_QUIZ } from '../../helpers/course-fixture.js';

describe('GIFT → quiz questions', () => {
  const questions = parseGift(SAMPLE_QUIZ);
  const byId = (id: string) => questions.find((question) => question.id === id)!;

  it('reads every supported type with stable ids from the titles', () => {
    expect(questions.map((question) => [question.id, question.type])).to.deep.equal([
      ['unica', 'single'], ['varias', 'multiple'], ['vf', 'true_false'], ['corta', 'short_answer'], ['numero', 'numeric'], ['parejas', 'matching'],
    ]);
    expect(questions.map((question) => question.line)).to.deep.equal([1, 3, 5, 7, 9, 11]);
  });

  it('keeps weights, accepted answers, intervals and pairs', () => {
    expect(byId('unica').options!.map((option) => option.weight)).to.deep.equal([100, 0, 0]);
    expect(byId('varias').options!.map((option) => option.weight)).to.deep.equal([50, 50, -100]);
    expect(byId('vf').isTrue).to.equal(true);
    expect(byId('corta').accepted!.map((answer) => answer.text)).to.deep.equal(['DANE', 'el DANE']);
    expect(byId('numero').numeric).to.deep.equal([{ min: 32, max: 32, weight: 100 }]);
    expect(byId('parejas').pairs!.map((pair) => [pair.left, pair.right])).to.deep.equal([['05', 'Antioquia'], ['11', 'Bogotá D.C.'], ['76', 'Valle del Cauca']]);
  });

  it('reads ranges, tolerances and feedback', () => {
    const [range, tolerance] = parseGift('::r:: Rango {#30..35}\n\n::t:: Año {#2015:1 ####Bien hecho}');
    expect(range!.numeric).to.deep.equal([{ min: 30, max: 35, weight: 100 }]);
    expect(tolerance!.numeric).to.deep.equal([{ min: 2014, max: 2016, weight: 100 }]);
    expect(tolerance!.feedback?.general).to.equal('Bien hecho');
  });

  it('gives matching answers ids from their text, so that neither ids nor positions tell the pairs', () => {
    const [question] = parseGift('::m:: Une {=05 -> Antioquia =11 -> Bogotá D.C. =27 -> Antioquia}');
    const [reordered] = parseGift('::m:: Une {=11 -> Bogotá D.C. =05 -> Antioquia =27 -> Antioquia}');
    const pairs = question!.pairs!;
    expect(pairs.map((pair) => pair.leftId)).to.deep.equal(['l1', 'l2', 'l3']);
    expect(pairs[0]!.rightId).to.match(/^r-[0-9a-f]{8}$/).and.equal(pairs[2]!.rightId);
    expect(pairs[1]!.rightId).to.not.equal(pairs[0]!.rightId);
    expect(reordered!.pairs![1]!.rightId).to.equal(pairs[0]!.rightId);
  });

  it('reads escaped colons in matching answers as colons', () => {
    const [question] = parseGift('::m:: Une {=Ley 1757 -> Participación\\: mecanismos =Ley 850 -> Veedurías =Ley 1712 -> Transparencia}');
    expect(question!.pairs![0]!.right).to.equal('Participación: mecanismos');
  });

  it('refuses essays and categories with the line they are on', () => {
    expect(() => parseGift('::a:: Bien {T}\n\n\n::b:: Escriba {}')).to.throw(GiftError).with.property('line', 4);
    expect(() => parseGift('$CATEGORY: x\n\n::a:: x {T}')).to.throw(GiftError).with.property('line', 1);
  });

  it('reports a syntax error on the line where it is', () => {
    expect(() => parseGift('::a:: x {T}\n\n::b:: y {=uno ~dos')).to.throw(GiftError).with.property('line', 3);
  });

  it('refuses a single-choice question without exactly one right answer, and two questions with one title', () => {
    expect(() => parseGift('::a:: x {~uno ~dos}')).to.throw(GiftError, /exactly one right answer/);
    expect(() => parseGift('::a:: x {T}\n\n::a:: y {F}')).to.throw(GiftError, /different ::titles::/);
  });
});
