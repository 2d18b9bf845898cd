import { expect } from 'chai';
import { PDFParse } from 'pdf-parse';
import { renderParticipationReportPdf, type ParticipationReportDocument } from '../../../src/reports/statistics.pdf.js';

function reportWith(rowCount: number): ParticipationReportDocument {
  return {
    title: 'Informe de participación',
    institutionName: 'Gobernación de Nariño',
    generatedLine: 'Generado el 21 nov 2026, 17:02 (hora de Bogotá)',
    generatedAt: new Date('2026-11-21T22:02:00Z'),
    filtersHeading: 'Filtros aplicados',
    filters: [{ label: 'Curso', value: 'Liderazgo comunitario' }],
    totals: '218 inscritos: 186 mujeres (85,3 %), 32 hombres (14,7 %)',
    chart: { heading: 'Inscritos por sexo', bars: [{ label: 'Mujer', value: 186, text: '186 (85,3 %)' }, { label: 'Hombre', value: 32, text: '32 (14,7 %)' }] },
    tables: [
      {
        heading: 'Participación',
        columns: [{ label: 'Municipio', isNumeric: false }, { label: 'Inscritos', isNumeric: true }],
        rows: Array.from({ length: rowCount }, (_, index) => [`Municipio número ${index + 1}`, String(index + 1)]),
      },
    ],
    pageLabel: (page, pages) => `Página ${page} de ${pages}`,
  };
}

describe('the printable participation report', () => {
  it('continues a long table on more A4 pages, its header repeated on each, and numbers the pages', async () => {
    const parser = new PDFParse({ data: await renderParticipationReportPdf(reportWith(150)) });
    try {
      const result = await parser.getText();
      expect(result.total).to.be.greaterThan(2);
      for (const [index, page] of result.pages.entries()) {
        expect(page.text, `page ${index + 1}`).to.match(/Municipio\s+Inscritos/);
        expect(page.text).to.include(`Página ${index + 1} de ${result.total}`);
      }
      const text = result.text.replace(/\s+/g, ' ');
      expect(text).to.include('218 inscritos: 186 mujeres (85,3 %), 32 hombres (14,7 %)');
      expect(text).to.include('Municipio número 1 1');
      expect(text).to.include('Municipio número 150 150');
      const info = await parser.getInfo();
      expect(info.info?.Title).to.equal('Informe de participación');
    } finally {
      await parser.destroy();
    }
  });
});
