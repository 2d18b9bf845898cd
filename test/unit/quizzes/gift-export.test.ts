import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { checkGift, parseGift, type QuizQuestion } from '../../../src/courses/gift.js';
import { exportGift } from '../../../src/quizzes/gift-export.js';
import { SAMPLE_QUIZ } from '../../helpers/course-fixture.js';
import { EVERY_FEATURE } from '../../helpers/gift-banks.js';

const COURSES_DIR = fileURLToPath(new URL('../../../courses', import.meta.url));

/** Every quiz.gift the project ships: courses/<course>/<module>/quiz.gift. */
function shippedQuizzes(): string[] {
  return readdirSync(COURSES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((course) => readdirSync(join(COURSES_DIR, course.name), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((module) => join(COURSES_DIR, course.name, module.name, 'quiz.gift')))
    .filter((path) => existsSync(path));
}

const withoutSource = (questions: QuizQuestion[]) => questions.map(({ source: _source, line: _line, ...question }) => question);

function expectRoundTrip(gift: string, where: string): void {
  const questions = parseGift(gift);
  const exported = exportGift(questions);
  expect(withoutSource(parseGift(exported)), `${where}\n${exported}`).to.deep.equal(withoutSource(questions));
}

describe('GIFT export', () => {
  it('round-trips every quiz the project ships: export, parse again, the same questions', () => {
    const files = shippedQuizzes();
    expect(files.length).to.be.at.least(12);
    for (const file of files) expectRoundTrip(readFileSync(file, 'utf8'), file);
  });

  it('round-trips a bank with every feature the importer supports', () => {
    const questions = parseGift(EVERY_FEATURE);
    expect(new Set(questions.map((question) => question.type))).to.have.keys(['single', 'multiple', 'true_false', 'short_answer', 'numeric', 'matching']);
    expect(questions.find((question) => question.id === 'unica-con-dos-puntos')!.prompt).to.equal('¿Qué entidad produce la DIVIPOLA? (código {05} = Antioquia)');
    expectRoundTrip(EVERY_FEATURE, 'every feature');
    expectRoundTrip(SAMPLE_QUIZ, 'the sample quiz');
  });

  it('writes one question per paragraph, titles first, answers in braces', () => {
    expect(exportGift(parseGift('::vf:: La DIVIPOLA \\{sí\\} {T}\n\n::n:: Cuántos {#32:0}'))).to.equal('::vf:: La DIVIPOLA \\{sí\\} {T}\n\n::n:: Cuántos {#32}\n');
    expect(exportGift([])).to.equal('');
    expect(exportGift(parseGift('::pi:: Pi {#3.14:0.01}\n\n::r:: Rango {#=%50%10..20 =2.5:0.25}'))).to.equal('::pi:: Pi {#3.14:0.01}\n\n::r:: Rango {#=%50%10..20 =%100%2.25..2.75}\n');
  });
});

describe('checking a GIFT file for an import', () => {
  it('reports every problem with its line, not only the first, and keeps the good questions apart', () => {
    const { questions, errors } = checkGift('::a:: Bien {T}\n\n::b:: Escriba un ensayo {}\n\n::c:: Mal {=uno ~dos\n\n$CATEGORY: otra\n\n::a:: Repetida {F}\n');
    expect(questions.map((question) => question.id)).to.deep.equal(['a']);
    expect(errors.map((error) => error.line)).to.deep.equal([3, 5, 7, 9]);
    expect(errors[0]!.reason).to.match(/essay/);
    expect(errors[3]!.reason).to.match(/different ::titles::/);
  });
});
