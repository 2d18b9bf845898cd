/**
 * `npm run bench:certificates`: certificate PDFs rendered one after another in this one
 * process, as the certificates service renders them (issuance, downloads, ZIP exports).
 *
 * Each certificate has its own holder, code and QR code, with a logo and two signature
 * images of the sizes institutions upload (PNG with transparency). The first render
 * parses the fonts and is reported apart. Figures are printed; nothing is asserted.
 * Options: --count 300.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { newCertificateCode } from '../src/certificates/certificate-code.js';
import { renderCertificatePdf, type CertificateRenderInput } from '../src/certificates/certificate.pdf.js';
import { emblemLogo, inkSignature } from '../test/helpers/certificate-images.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '300' } } });
const COUNT = Number(values.count);

const logo = emblemLogo(400);
const signatures = [inkSignature(0), inkSignature(1.7)];

const GIVEN = ['María de los Ángeles', 'José Güell', 'Luz Dary', 'Jhon Fredy', 'Ana Sofía', 'Óscar Iván', 'Yuliana', 'Sebastián'];
const FAMILY = ['Núñez-Quiñónez', "O'Donnell Restrepo", 'Peña Ortiz', 'Zuluaga Londoño', 'de la Torre Villavicencio', 'Gómez'];

function certificate(i: number): CertificateRenderInput {
  const code = newCertificateCode();
  return {
    code,
    verificationUrl: `https://capacita.example.gov.co/verify/${code}`,
    holder: { fullName: `${GIVEN[i % GIVEN.length]} ${FAMILY[i % FAMILY.length]}`, documentTypeLabel: 'cédula de ciudadanía', documentNumber: String(1_020_000_000 + i * 7919) },
    course: { title: 'Formulación y evaluación de proyectos de inversión pública con enfoque territorial', hours: 40 + (i % 3) * 20 },
    completedOn: `${1 + (i % 28)} de noviembre de 2026`,
    city: 'Bogotá, D.C.',
    institution: { name: 'Escuela Superior de Administración Pública', logo },
    signatories: [
      { name: 'Ana Lucía Restrepo Gómez', role: 'Directora Nacional', signatureImage: signatures[0]! },
      { name: 'Carlos Andrés Pérez Ñáñez', role: 'Coordinador Académico del Programa de Formación en Gestión Pública', signatureImage: signatures[1]! },
    ],
    issuedAt: new Date(Date.UTC(2026, 10, 21, 15, 0, i)),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  let started = performance.now();
  await renderCertificatePdf(certificate(COUNT));
  const firstMs = performance.now() - started;

  const times: number[] = [];
  let bytes = 0;
  const cpuBefore = process.cpuUsage();
  const wallStarted = performance.now();
  for (let i = 0; i < COUNT; i += 1) {
    started = performance.now();
    const pdf = await renderCertificatePdf(certificate(i));
    times.push(performance.now() - started);
    bytes += pdf.length;
  }
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  times.sort((a, b) => a - b);

  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`\nCertificate PDF benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${cpuModel}), Node ${process.version}\n`);
  process.stdout.write(`${fmt(COUNT)} certificates rendered one after another, logo 400×400 and two signatures 600×200 (PNG with transparency)\n\n`);
  const rows: Array<[string, string]> = [
    ['certificates per second (wall clock)', fmt(COUNT / wallSeconds, 1)],
    ['certificates per CPU second (all threads of the process)', fmt(COUNT / cpuSeconds, 1)],
    ['p50 per certificate (ms)', fmt(percentile(times, 50), 1)],
    ['p95 per certificate (ms)', fmt(percentile(times, 95), 1)],
    ['first certificate, fonts parsed (ms)', fmt(firstMs, 1)],
    ['average PDF size (KB)', fmt(bytes / COUNT / 1024, 1)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
}

await main();
