import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/** Everything printed on a certificate; the renderer reads nothing else. */
export interface CertificateRenderInput {
  code: string;
  /** The public verification page of this code, absolute: what the QR code carries. */
  verificationUrl: string;
  holder: { fullName: string; documentTypeLabel: string; documentNumber: string };
  course: { title: string; hours: number };
  /** Already worded for print, e.g. "21 de noviembre de 2026". */
  completedOn: string;
  city: string;
  institution: { name: string; logo: Buffer | null };
  signatories: Array<{ name: string; role: string; signatureImage: Buffer | null }>;
  /** The PDF's creation date: the only input allowed to change the bytes. */
  issuedAt: Date;
}

// DejaVu covers every Latin letter a Colombian name can carry (ñ, ü, accents, apostrophes).
const fontFile = (name: string): Buffer => readFileSync(createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${name}.ttf`));
const FONTS = { serif: fontFile('DejaVuSerif'), serifBold: fontFile('DejaVuSerif-Bold'), sans: fontFile('DejaVuSans') };

const PAGE = { width: 841.89, height: 595.28 }; // A4 landscape, in points
const MARGIN = 48;

/**
 * The certificate as a one-page landscape PDF (pdfkit), fonts embedded as subsets. The
 * layout is the programme's diploma: institution, holder, course, hours, date and
 * city, signatories, and the verification code with its QR code.
 */
export async function renderCertificatePdf(input: CertificateRenderInput): Promise<Buffer> {
  const qr = await QRCode.toBuffer(input.verificationUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 6 });
  const document = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    info: { Title: `Certificado ${input.code}`, Author: input.institution.name, Subject: input.course.title, CreationDate: input.issuedAt },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  document.registerFont('serif', FONTS.serif);
  document.registerFont('serif-bold', FONTS.serifBold);
  document.registerFont('sans', FONTS.sans);

  const width = PAGE.width - 2 * MARGIN;
  document.lineWidth(2).strokeColor('#1f4e79').rect(24, 24, PAGE.width - 48, PAGE.height - 48).stroke();

  let y = MARGIN;
  if (input.institution.logo) {
    document.image(input.institution.logo, PAGE.width / 2 - 30, y, { fit: [60, 60], align: 'center' });
    y += 66;
  }
  document.font('sans').fontSize(14).fillColor('#1f4e79').text(input.institution.name, MARGIN, y, { width, align: 'center' });
  y = document.y + 18;
  document.font('serif').fontSize(13).fillColor('#222222').text('certifica que', MARGIN, y, { width, align: 'center' });
  y = document.y + 10;

  // The name shrinks to fit one line, down to a floor; longer names then wrap.
  let nameSize = 30;
  document.font('serif-bold');
  while (nameSize > 18 && document.fontSize(nameSize).widthOfString(input.holder.fullName) > width) nameSize -= 1;
  document.fontSize(nameSize).fillColor('#111111').text(input.holder.fullName, MARGIN, y, { width, align: 'center' });
  y = document.y + 6;
  document
    .font('serif')
    .fontSize(12)
    .fillColor('#222222')
    .text(`identificado(a) con ${input.holder.documentTypeLabel} n.º ${input.holder.documentNumber}`, MARGIN, y, { width, align: 'center' });
  y = document.y + 14;
  document.fontSize(13).text('cursó y aprobó el curso', MARGIN, y, { width, align: 'center' });
  y = document.y + 6;
  document.font('serif-bold').fontSize(18).text(input.course.title, MARGIN + 40, y, { width: width - 80, align: 'center' });
  y = document.y + 8;
  document
    .font('serif')
    .fontSize(12)
    .text(`con una intensidad de ${input.course.hours} horas, finalizado el ${input.completedOn} en ${input.city}.`, MARGIN, y, { width, align: 'center' });

  // Signatories across the bottom, each above a line with name and role.
  const signaturesTop = PAGE.height - 150;
  const columns = Math.max(1, input.signatories.length);
  const columnWidth = (width - 130) / columns;
  input.signatories.forEach((signatory, index) => {
    const x = MARGIN + index * columnWidth;
    if (signatory.signatureImage) document.image(signatory.signatureImage, x + columnWidth / 2 - 60, signaturesTop - 8, { fit: [120, 40], align: 'center' });
    document.moveTo(x + 15, signaturesTop + 36).lineTo(x + columnWidth - 15, signaturesTop + 36).lineWidth(0.7).strokeColor('#444444').stroke();
    document.font('serif-bold').fontSize(10).fillColor('#111111').text(signatory.name, x, signaturesTop + 42, { width: columnWidth, align: 'center' });
    document.font('serif').fontSize(8.5).fillColor('#333333').text(signatory.role, x + 8, document.y + 1, { width: columnWidth - 16, align: 'center' });
  });

  // Verification: the QR code and the code spelled out for typing.
  const qrSize = 92;
  const qrX = PAGE.width - MARGIN - qrSize;
  const qrY = PAGE.height - MARGIN - qrSize - 22;
  document.image(qr, qrX, qrY, { width: qrSize, height: qrSize });
  document.font('sans').fontSize(9).fillColor('#111111').text(input.code, qrX - 20, qrY + qrSize + 4, { width: qrSize + 40, align: 'center' });
  document.font('sans').fontSize(6.5).fillColor('#444444').text(`Verifique en ${input.verificationUrl}`, MARGIN, PAGE.height - 34, { width, align: 'center' });

  document.end();
  return finished;
}
