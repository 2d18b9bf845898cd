import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { insertParticipationFixture, staff } from './statistics-fixture.js';

/** Binary bodies as Buffers (supertest leaves unknown types unread). */
const asBuffer = (response: request.Response, callback: (error: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('participation exports: CSV and XLSX', function () {
  this.timeout(30_000);
  const ctx = useTestApp();
  let manager: { Authorization: string };

  before(async () => {
    await ctx().services.courses.importCourses();
    await insertParticipationFixture(ctx());
    manager = (await staff(ctx(), 'manager')).auth;
  });

  it('writes the CSV with a BOM, Spanish headers and names, one row per group and the total last', async () => {
    const response = await request(ctx().app).get('/api/v1/stats/participation.csv?by=departmentCode,sex').set(manager).buffer(true).parse(asBuffer).expect(200);
    expect(response.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).to.match(/attachment; filename="participacion\.csv"/);
    const body = response.body as Buffer;
    expect([...body.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows = parse(body.toString('utf8'), { bom: true }) as string[][];
    expect(rows[0]).to.deep.equal([
      'Departamento', 'Sexo', 'Inscritos', 'Activos', 'Finalizaron', 'Certificados', 'Asistieron a sesión en vivo',
      '% inscritos', '% activos', '% finalizaron', '% certificados', '% asistieron a sesión en vivo',
    ]);
    expect(rows[1]).to.deep.equal(['Antioquia', 'Mujer', '15', '15', '15', '15', '15', '37.5', '44.1', '68.2', '78.9', '60']);
    expect(rows.slice(1, -1).map((row) => `${row[0]}|${row[1]}`)).to.include.members(['Bogotá D.C.|Hombre', 'Nariño|Mujer', 'Antioquia|Intersexual', 'Sin dato|Sin dato']);
    expect(rows).to.have.length(1 + 17 + 1);
    expect(rows.at(-1)).to.deep.equal(['Total', '', '40', '34', '22', '19', '25', '100', '100', '100', '100', '100']);
  });

  it('shows suppressed cells as a word in the CSV, never as a number', async () => {
    const response = await request(ctx().app).get('/api/v1/stats/participation.csv?k=5').set(manager).buffer(true).parse(asBuffer).expect(200);
    const rows = parse((response.body as Buffer).toString('utf8'), { bom: true }) as string[][];
    expect(rows[2]?.slice(0, 6)).to.deep.equal(['Hombre', '11', 'Reservado', '7', 'Reservado', 'Reservado']);
    expect(rows.at(-1)?.slice(0, 6)).to.deep.equal(['Total', '40', '34', '22', '19', '25']);
  });

  it('writes a workbook with the participation, monthly and filters sheets, a bold frozen header and numbers as numbers', async () => {
    const response = await request(ctx().app).get('/api/v1/stats/participation.xlsx?by=sex&department=52').set(manager).buffer(true).parse(asBuffer).expect(200);
    expect(response.headers['content-type']).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    // exceljs declares its input as an ArrayBuffer: a copy of the bytes, exactly.
    await workbook.xlsx.load(Uint8Array.from(response.body as Buffer).buffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).to.deep.equal(['Participación', 'Por mes', 'Filtros']);
    const sheet = workbook.getWorksheet('Participación')!;
    expect(sheet.getRow(1).getCell(1).value).to.equal('Sexo');
    expect(sheet.getRow(1).getCell(2).value).to.equal('Inscritos');
    expect(sheet.getRow(1).getCell(1).font?.bold).to.equal(true);
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(7).width).to.be.greaterThan(8);
    // Nariño: 5 women, 3 men.
    expect(sheet.getRow(2).values).to.deep.equal([undefined, 'Mujer', 5, 0, 0, 0, 0, 62.5, 0, 0, 0, 0]);
    expect(sheet.getRow(3).getCell(2).value).to.equal(3);
    expect(sheet.getRow(6).getCell(1).value).to.equal('Total');
    expect(sheet.getRow(6).getCell(2).value).to.equal(8);
    const months = workbook.getWorksheet('Por mes')!;
    expect(months.getRow(2).values).to.deep.equal([undefined, '2026-02', 8, 0]);
    expect(months.getRow(3).values).to.deep.equal([undefined, '2026-03', 0, 3]);
    const filters = workbook.getWorksheet('Filtros')!;
    const filterValues = new Map<string, unknown>();
    filters.eachRow((row) => filterValues.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(filterValues.get('Departamento')).to.equal('Nariño');
    expect(filterValues.get('Agrupado por')).to.equal('Sexo');
  });
});
