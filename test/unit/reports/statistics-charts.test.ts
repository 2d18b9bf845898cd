import { expect } from 'chai';
import { barChart, largestWithRest, lineChart, stackedBarChart } from '../../../src/reports/statistics.charts.js';
import { elementsNamed, parseXml, textOf, type XmlElement } from '../../helpers/xml.js';

const heightOf = (rect: XmlElement): number => Number(rect.attributes.height);
const widthOf = (rect: XmlElement): number => Number(rect.attributes.width);
const barsOf = (svg: XmlElement, className: string): XmlElement[] => elementsNamed(svg, 'rect').filter((rect) => rect.attributes.class === className);

/** An image with its own title and description, named by them. */
function expectLabelledImage(svg: XmlElement, id: string, title: string): void {
  expect(svg.name).to.equal('svg');
  expect(svg.attributes.role).to.equal('img');
  expect(svg.attributes['aria-labelledby']).to.equal(`${id}-title ${id}-desc`);
  const [titleElement] = elementsNamed(svg, 'title');
  expect(titleElement?.attributes.id).to.equal(`${id}-title`);
  expect(textOf(titleElement!)).to.equal(title);
  expect(elementsNamed(svg, 'desc')[0]?.attributes.id).to.equal(`${id}-desc`);
}

describe('the statistics charts', () => {
  describe('bars by sex', () => {
    it('draws well-formed SVG with bar heights proportional to the counts, each labelled', () => {
      const svg = parseXml(
        barChart({ id: 'por-sexo', title: 'Inscritos por sexo', description: 'Mujeres 186, hombres 32 & otros' }, [
          { label: 'Mujer', value: 186, text: '186 (85,3 %)' },
          { label: 'Hombre', value: 32, text: '32 (14,7 %)' },
        ]),
      );
      expectLabelledImage(svg, 'por-sexo', 'Inscritos por sexo');
      const [women, men] = barsOf(svg, 'stats-chart-bar');
      expect(heightOf(women!) / heightOf(men!)).to.be.closeTo(186 / 32, 0.01);
      const texts = elementsNamed(svg, 'text').map(textOf);
      expect(texts).to.include.members(['Mujer', 'Hombre', '186 (85,3 %)', '32 (14,7 %)']);
      // Told apart by pattern, not only by colour.
      expect(women!.attributes.fill).to.equal('url(#por-sexo-series-0)');
      expect(men!.attributes.fill).to.equal('url(#por-sexo-series-1)');
      expect(elementsNamed(svg, 'pattern')).to.have.length(2);
    });

    it('leaves a marked gap for a suppressed count instead of a bar of zero', () => {
      const svg = parseXml(
        barChart({ id: 'k', title: 'T', description: 'D' }, [
          { label: 'Mujer', value: 40, text: '40' },
          { label: 'Intersexual', value: null, text: '<5' },
          { label: 'Hombre', value: 0, text: '0' },
        ]),
      );
      const bars = barsOf(svg, 'stats-chart-bar');
      expect(bars, 'the suppressed category has no bar').to.have.length(2);
      expect(heightOf(bars[1]!)).to.equal(0);
      const gap = elementsNamed(svg, 'g').find((group) => group.attributes.class === 'stats-chart-suppressed');
      expect(gap && textOf(gap)).to.equal('<5');
    });
  });

  describe('stacked bars by department and sex', () => {
    it('draws one bar per department with segments proportional to the counts and a legend', () => {
      const svg = parseXml(
        stackedBarChart({ id: 'dep', title: 'Por departamento y sexo', description: 'D' }, ['Mujer', 'Hombre'], [
          { label: 'Antioquia', values: [60, 20], text: '80' },
          { label: 'Chocó', values: [30, null], text: '30 + <5' },
        ]),
      );
      expectLabelledImage(svg, 'dep', 'Por departamento y sexo');
      const segments = barsOf(svg, 'stats-chart-segment');
      expect(segments, 'no segment for the suppressed cell').to.have.length(3);
      const [antioquiaWomen, antioquiaMen, chocoWomen] = segments;
      expect(widthOf(antioquiaWomen!) / widthOf(antioquiaMen!)).to.be.closeTo(3, 0.01);
      expect(widthOf(antioquiaWomen!) / widthOf(chocoWomen!)).to.be.closeTo(2, 0.01);
      expect(antioquiaMen!.attributes.fill).to.equal('url(#dep-series-1)');
      const texts = elementsNamed(svg, 'text').map(textOf);
      expect(texts).to.include.members(['Antioquia', 'Chocó', 'Mujer', 'Hombre', '80', '30 + <5']);
    });

    it('keeps the largest categories and folds the rest into one', () => {
      const departments = ['a', 'b', 'c', 'd'].map((code, index) => ({ code, total: index + 1 }));
      const kept = largestWithRest(departments, (entry) => entry.total, 2, (rest) => ({ code: 'otros', total: rest.reduce((sum, entry) => sum + entry.total, 0) }));
      expect(kept).to.deep.equal([
        { code: 'd', total: 4 },
        { code: 'c', total: 3 },
        { code: 'otros', total: 3 },
      ]);
      expect(largestWithRest(departments, (entry) => entry.total, 4, () => ({ code: 'never', total: 0 }))).to.have.length(4);
    });
  });

  describe('the line over time', () => {
    it('places each month\'s point by its value and names both lines', () => {
      const svg = parseXml(
        lineChart({ id: 'tiempo', title: 'Inscripciones por mes', description: 'D' }, ['ene 2026', 'feb 2026', 'mar 2026'], [
          { label: 'Inscritos', values: [10, 40, 20] },
          { label: 'Completados', values: [0, 5, 10] },
        ]),
      );
      expectLabelledImage(svg, 'tiempo', 'Inscripciones por mes');
      const [enrolled, completed] = elementsNamed(svg, 'polyline');
      const points = enrolled!.attributes.points!.split(' ').map((point) => point.split(',').map(Number) as [number, number]);
      expect(points).to.have.length(3);
      const baseline = Math.max(...elementsNamed(svg, 'line').map((line) => Number(line.attributes.y1)));
      const rise = points.map(([, y]) => baseline - y);
      expect(rise[1]! / rise[0]!).to.be.closeTo(4, 0.01);
      expect(rise[2]! / rise[0]!).to.be.closeTo(2, 0.01);
      expect(completed!.attributes['stroke-dasharray'], 'the second line differs by more than colour').to.be.a('string');
      const texts = elementsNamed(svg, 'text').map(textOf);
      expect(texts).to.include.members(['Inscritos', 'Completados', 'ene 2026', 'mar 2026']);
    });
  });
});
