import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import jsQR from 'jsqr';
import { PDFParse } from 'pdf-parse';
import { PNG } from 'pngjs';
import { renderCertificatePdf, type CertificateRenderInput } from '../../../src/certificates/certificate.pdf.js';
import { emblemLogo, inkSignature } from '../../helpers/certificate-images.js';

const run = promisify(execFile);

const LONG_NAME = "María de los Ángeles Núñez-Quiñónez O'Donnell de la Torre Villavicencio";

function certificateInput(overrides: Partial<CertificateRenderInput> = {}): CertificateRenderInput {
  return {
    code: 'CAP-7K3F-9QXD',
    verificationUrl: 'https://capacita.example.gov.co/verify/CAP-7K3F-9QXD',
    holder: { fullName: 'José Güell Peña', documentTypeLabel: 'cédula de ciudadanía', documentNumber: '1023456789' },
    course: { title: 'Planificación financiera y gestión documental en entidades públicas', hours: 40 },
    completedOn: '21 de noviembre de 2026',
    city: 'Pasto',
    institution: { name: 'Gobernación de Nariño', logo: emblemLogo(200) },
    signatories: [
      { name: 'Ana Pérez Quiñones', role: 'Coordinación académica', signatureImage: inkSignature(0, 300, 100) },
      { name: 'Luis Ángel Núñez', role: 'Secretaría de Desarrollo Social', signatureImage: inkSignature(1.7, 300, 100) },
    ],
    issuedAt: new Date('2026-11-21T15:00:00Z'),
    ...overrides,
  };
}

/** The text pdf.js reads back, with line breaks as spaces, and its page count. */
async function readBack(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: pdf });
  try {
    const result = await parser.getText();
    return { text: result.text.replace(/\s+/g, ' '), pages: result.total };
  } finally {
    await parser.destroy();
  }
}

/** The same input rendered by another Node process, with its own font cache; images travel as base64. */
async function renderInNewProcess(input: CertificateRenderInput): Promise<Buffer> {
  const renderer = new URL('../../../src/certificates/certificate.pdf.ts', import.meta.url).href;
  const script = `
    import { readFileSync } from 'node:fs';
    import { renderCertificatePdf } from ${JSON.stringify(renderer)};
    const input = JSON.parse(readFileSync(process.argv[1], 'utf8'), (key, value) => (value && value.type === 'Buffer' ? Buffer.from(value.data) : value));
    input.issuedAt = new Date(input.issuedAt);
    process.stdout.write((await renderCertificatePdf(input)).toString('base64'));`;
  const directory = await mkdtemp(join(tmpdir(), 'capacita-certificate-'));
  try {
    const inputPath = join(directory, 'input.json');
    await writeFile(inputPath, JSON.stringify(input));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script, inputPath], { maxBuffer: 16 * 1024 * 1024 });
    return Buffer.from(stdout, 'base64');
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Runs poppler on the PDF in a scratch directory and hands back what `read` takes from it. */
async function withPdfFile<T>(pdf: Buffer, read: (path: string, directory: string) => Promise<T>): Promise<T> {
  const directory = await mkdtemp(join(tmpdir(), 'capacita-certificate-'));
  try {
    const path = join(directory, 'certificate.pdf');
    await writeFile(path, pdf);
    return await read(path, directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The page at 150 dpi as poppler renders it, and the QR code jsQR finds there. */
function readQrCode(pdf: Buffer): Promise<string | undefined> {
  return withPdfFile(pdf, async (path, directory) => {
    await run('pdftoppm', ['-png', '-r', '150', '-singlefile', path, join(directory, 'page')]);
    const page = PNG.sync.read(await readFile(join(directory, 'page.png')));
    // jsqr is CommonJS: seen from an ES module, its function is the `default` of the module object.
    return jsQR.default(new Uint8ClampedArray(page.data), page.width, page.height)?.data;
  });
}

interface Word {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Every word with its box in points, from poppler's own text layout. */
function wordBoxes(pdf: Buffer): Promise<Word[]> {
  return withPdfFile(pdf, async (path) => {
    const { stdout } = await run('pdftotext', ['-bbox', path, '-']);
    return [...stdout.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map(([, left, top, right, bottom, text]) => ({
      text: text!,
      left: Number(left),
      top: Number(top),
      right: Number(right),
      bottom: Number(bottom),
    }));
  });
}

describe('the certificate PDF', () => {
  it('prints the holder, document, course, hours, date, city and code, on one page', async () => {
    const { text, pages } = await readBack(await renderCertificatePdf(certificateInput()));
    expect(pages).to.equal(1);
    for (const printed of [
      'GOBERNACIÓN DE NARIÑO',
      'CERTIFICA QUE',
      'José Güell Peña',
      'identificado(a) con cédula de ciudadanía n.º 1023456789',
      // "fi" is set as a ligature: it must still read back as two letters.
      'Planificación financiera y gestión documental en entidades públicas',
      'con una intensidad de 40 horas, finalizado el 21 de noviembre de 2026 en Pasto.',
      'Ana Pérez Quiñones',
      'Secretaría de Desarrollo Social',
      'CAP-7K3F-9QXD',
      'Verifica este certificado en https://capacita.example.gov.co/verify/CAP-7K3F-9QXD',
    ]) {
      expect(text).to.include(printed);
    }
  });

  it('prints every letter of Colombian names: accents, ñ, ü and apostrophes', async () => {
    for (const fullName of ['Ñusta Ibáñez Müller', "Dayana O'Neill Peñaloza", 'Óscar Úrsula Ángel Güiza', LONG_NAME]) {
      const { text, pages } = await readBack(await renderCertificatePdf(certificateInput({ holder: { fullName, documentTypeLabel: 'tarjeta de identidad', documentNumber: '1001234567' } })));
      expect(pages, fullName).to.equal(1);
      expect(text, fullName).to.include(fullName);
    }
  });

  it('wraps a very long compound name and a long course title whole, inside the frame, without overlapping lines', async () => {
    const fullName = 'María de los Ángeles Guadalupe del Perpetuo Socorro Núñez-Quiñónez Villavicencio de la Torre y Güemes Santacruz de Mendoza';
    const title =
      'Formulación, seguimiento y evaluación de proyectos de inversión pública con enfoque territorial, diferencial y de género para los municipios de categorías quinta y sexta del departamento';
    const pdf = await renderCertificatePdf(
      certificateInput({
        holder: { fullName, documentTypeLabel: 'permiso por protección temporal', documentNumber: 'PPT-1234567' },
        course: { title, hours: 120 },
        institution: { name: 'Servicio Nacional de Aprendizaje SENA, Regional Distrito Capital, Centro de Gestión Administrativa', logo: emblemLogo(200) },
        signatories: [0, 1, 2, 3].map((index) => ({
          name: ['Ana Lucía Restrepo Gómez', 'Carlos Andrés Pérez Ñáñez', 'Luz Marina Ortiz', 'Jorge Iván Zuluaga Londoño'][index]!,
          role: 'Coordinador Académico del Programa de Formación en Gestión Pública Territorial',
          signatureImage: index === 2 ? null : inkSignature(index, 300, 100),
        })),
      }),
    );
    const { text, pages } = await readBack(pdf);
    expect(pages).to.equal(1);
    expect(text).to.include(fullName);
    expect(text).to.include(title);

    // Inside the inner rule of the double frame, 27 pt from each edge of A4 landscape.
    const words = await wordBoxes(pdf);
    expect(words.length).to.be.greaterThan(100);
    for (const word of words) {
      expect(word.left, word.text).to.be.at.least(27);
      expect(word.top, word.text).to.be.at.least(27);
      expect(word.right, word.text).to.be.at.most(841.89 - 27);
      expect(word.bottom, word.text).to.be.at.most(595.28 - 27);
    }
    // Lines may touch (a box is a line's full height), never overlap.
    const overlapping = words.flatMap((word, index) =>
      words
        .slice(index + 1)
        .filter((other) => Math.min(word.right, other.right) - Math.max(word.left, other.left) > 0.5 && Math.min(word.bottom, other.bottom) - Math.max(word.top, other.top) > 0.5)
        .map((other) => `${word.text} / ${other.text}`),
    );
    expect(overlapping).to.deep.equal([]);
  });

  it('ends the completion sentence with one period, also when the city ends with one', async () => {
    const { text } = await readBack(await renderCertificatePdf(certificateInput({ city: 'Bogotá, D.C.', course: { title: 'Archivo', hours: 1.5 } })));
    expect(text).to.include('con una intensidad de 1,5 horas, finalizado el 21 de noviembre de 2026 en Bogotá, D.C.');
    expect(text).not.to.include('D.C..');
  });

  it('prints without a logo, signature images or document type', async () => {
    const pdf = await renderCertificatePdf(
      certificateInput({
        holder: { fullName: 'Luz Dary Zuluaga', documentTypeLabel: '', documentNumber: 'AB12345' },
        institution: { name: 'Alcaldía de Tumaco', logo: null },
        signatories: [{ name: 'Ana Pérez Quiñones', role: 'Coordinación académica', signatureImage: null }],
      }),
    );
    const { text, pages } = await readBack(pdf);
    expect(pages).to.equal(1);
    expect(text).to.include('identificado(a) con documento de identidad n.º AB12345');
    expect(text).to.include('Ana Pérez Quiñones');
  });

  it('carries the verification address in a QR code that reads back from the printed page', async () => {
    const input = certificateInput();
    expect(await readQrCode(await renderCertificatePdf(input))).to.equal(input.verificationUrl);
  });

  it('gives the same bytes for the same input, also from fonts parsed afresh', async () => {
    const input = certificateInput({ holder: { fullName: LONG_NAME, documentTypeLabel: 'cédula de ciudadanía', documentNumber: '1023456789' } });
    const first = await renderCertificatePdf(input);
    await renderCertificatePdf(certificateInput({ holder: { fullName: 'Otra Persona Distinta', documentTypeLabel: 'cédula de extranjería', documentNumber: '998877' } }));
    expect((await renderCertificatePdf(input)).equals(first)).to.equal(true);

    // A new process parses the fonts afresh (src/shared/pdf-fonts.ts keeps them per process).
    expect((await renderInNewProcess(input)).equals(first)).to.equal(true);

    // The issue date is the creation date: the one input that changes nothing visible.
    const reissued = await renderCertificatePdf({ ...input, issuedAt: new Date('2027-01-02T10:00:00Z') });
    expect(reissued.equals(first)).to.equal(false);
  });

  it('stays under 100 KB with a logo and two signature images of the sizes institutions upload', async () => {
    const pdf = await renderCertificatePdf(
      certificateInput({
        institution: { name: 'Gobernación de Nariño', logo: emblemLogo(400) },
        signatories: [
          { name: 'Ana Pérez Quiñones', role: 'Coordinación académica', signatureImage: inkSignature(0) },
          { name: 'Luis Ángel Núñez', role: 'Secretaría de Desarrollo Social', signatureImage: inkSignature(1.7) },
        ],
      }),
    );
    expect(pdf.length).to.be.below(100 * 1024);
  });
});
