import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { dejaVuFont, type DejaVuFace } from '../shared/pdf-fonts.js';
import { printableImage } from './certificate-image.js';

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
  /** Logo and signature images: PNG or JPEG. */
  institution: { name: string; logo: Buffer | null };
  signatories: Array<{ name: string; role: string; signatureImage: Buffer | null }>;
  /** The PDF's creation date: the only input allowed to change the bytes. */
  issuedAt: Date;
}

type Document = PDFKit.PDFDocument;

const PAGE = { width: 841.89, height: 595.28 }; // A4 landscape, in points
/** Insets of the double frame from the page edge; everything else is drawn inside the inner rule. */
const FRAME = { outer: 20, inner: 27 };
const CONTENT = { left: 64, right: PAGE.width - 64, top: 46, bottom: PAGE.height - 42 };
const CONTENT_WIDTH = CONTENT.right - CONTENT.left;
const COLOURS = { navy: '#1b365d', gold: '#a8893a', ink: '#1a1a1a', text: '#2e2e2e', muted: '#5c5c5c' };

const LOGO = { width: 220, height: 58 };
const SIGNATURE = { imageWidth: 160, imageHeight: 42, maxColumnWidth: 230, gutter: 28 };
const QR_SIZE = 64;

type FontName = 'serif' | 'serif-bold' | 'mono-bold';
// The monospaced face keeps the verification code unambiguous for typing.
const FONT_FILES: Record<FontName, DejaVuFace> = { serif: 'DejaVuSerif', 'serif-bold': 'DejaVuSerif-Bold', 'mono-bold': 'DejaVuSansMono-Bold' };

/** Something drawn at a height the layout chooses, once it knows how tall everything is. */
interface Block {
  height: number;
  draw(top: number): void;
}

/** Flexible space between blocks: at least `min`, plus its `weight`'s share of what is left. */
interface Space {
  min: number;
  weight: number;
}

const space = (min: number, weight: number): Space => ({ min, weight });

/**
 * The certificate as a one-page A4 landscape PDF: the institution's logo and name, the
 * holder, the course, hours, date and city, the signatories, and the verification code
 * with its QR code. The same input gives the same bytes: the creation date and the
 * document ID come from `issuedAt` and the other fields, font subsets are tagged by
 * their order of use.
 */
export async function renderCertificatePdf(input: CertificateRenderInput): Promise<Buffer> {
  const document = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    lang: 'es-CO',
    displayTitle: true,
    info: { Title: `Certificado ${input.code}`, Author: input.institution.name, Subject: input.course.title, CreationDate: input.issuedAt },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  for (const [name, face] of Object.entries(FONT_FILES)) document.registerFont(name, dejaVuFont(face));

  drawFrame(document);
  stack(pageBlocks(document, input), CONTENT.top, CONTENT.bottom);
  document.end();
  return finished;
}

/**
 * The page from top to bottom. Each text has its sizes bounded: at their fullest (a
 * two-line name, a three-line title, four signatures with three-line roles) the blocks
 * and the least spaces still fit between the top and the verification strip, so no input
 * pushes anything off the page; what is left is shared among the spaces.
 */
function pageBlocks(document: Document, input: CertificateRenderInput): Array<Block | Space> {
  const { holder, course, institution, signatories } = input;
  const centred = (width: number) => ({ left: CONTENT.left + (CONTENT_WIDTH - width) / 2, width });
  const signatureBlock = signatoriesBlock(document, signatories);
  return [
    space(0, 1),
    ...(institution.logo ? [logoBlock(document, institution.logo), space(6, 1)] : []),
    textBlock(document, institution.name.toLocaleUpperCase('es-CO'), {
      font: 'serif-bold',
      fits: [{ lines: 1, from: 15, to: 11 }, { lines: 2, from: 11, to: 9 }],
      color: COLOURS.navy,
      letterSpacing: 0.04,
      ...centred(CONTENT_WIDTH - 60),
    }),
    space(5, 0.5),
    ornamentBlock(document),
    space(5, 0.6),
    textBlock(document, 'CERTIFICA QUE', { font: 'serif', fits: [{ lines: 1, from: 13, to: 13 }], color: COLOURS.muted, letterSpacing: 0.1, ...centred(CONTENT_WIDTH) }),
    space(6, 1),
    // Names shrink to stay on one line down to a size that still heads the page, and only
    // then wrap, shrinking again to stay on two lines.
    textBlock(document, holder.fullName, {
      font: 'serif-bold',
      fits: [{ lines: 1, from: 32, to: 20 }, { lines: 2, from: 20, to: 12 }],
      color: COLOURS.navy,
      ...centred(CONTENT_WIDTH),
    }),
    space(3, 0.4),
    ...(holder.documentNumber
      ? [
          textBlock(document, `identificado(a) con ${holder.documentTypeLabel.trim() || 'documento de identidad'} n.º ${holder.documentNumber}`, {
            font: 'serif',
            fits: [{ lines: 1, from: 12, to: 10 }, { lines: 2, from: 10, to: 9 }],
            color: COLOURS.text,
            ...centred(CONTENT_WIDTH - 120),
          }),
        ]
      : []),
    space(6, 1),
    textBlock(document, 'cursó y aprobó el curso', { font: 'serif', fits: [{ lines: 1, from: 12, to: 12 }], color: COLOURS.text, ...centred(CONTENT_WIDTH) }),
    space(3, 0.4),
    textBlock(document, course.title, {
      font: 'serif-bold',
      fits: [{ lines: 2, from: 20, to: 16 }, { lines: 3, from: 15.5, to: 11 }],
      color: COLOURS.ink,
      ...centred(CONTENT_WIDTH - 80),
    }),
    space(4, 0.5),
    textBlock(document, completionSentence(input), {
      font: 'serif',
      fits: [{ lines: 1, from: 12, to: 10 }, { lines: 2, from: 10, to: 9 }],
      color: COLOURS.text,
      ...centred(CONTENT_WIDTH - 80),
    }),
    ...(signatureBlock ? [space(12, 2.2), signatureBlock, space(8, 0.8)] : [space(12, 3)]),
    verificationBlock(document, input),
  ];
}

// Numbers as Colombia writes them: 1,5 horas.
const HOURS = new Intl.NumberFormat('es-CO', { maximumFractionDigits: 1 });

function completionSentence({ course, completedOn, city }: CertificateRenderInput): string {
  const hours = `${HOURS.format(course.hours)} ${course.hours === 1 ? 'hora' : 'horas'}`;
  const sentence = `con una intensidad de ${hours}, finalizado el ${completedOn} en ${city.trim()}`;
  // A city written with its abbreviation ("Bogotá, D.C.") already ends the sentence.
  return sentence.endsWith('.') ? sentence : `${sentence}.`;
}

/** Places the blocks from top to bottom, sharing the height they leave among the spaces. */
function stack(items: Array<Block | Space>, top: number, bottom: number): void {
  const isSpace = (item: Block | Space): item is Space => 'weight' in item;
  const spaces = items.filter(isSpace);
  const fixed = items.reduce((sum, item) => sum + (isSpace(item) ? item.min : item.height), 0);
  const spare = Math.max(0, bottom - top - fixed);
  const totalWeight = spaces.reduce((sum, item) => sum + item.weight, 0);
  let y = top;
  for (const item of items) {
    if (isSpace(item)) {
      y += item.min + (spare * item.weight) / totalWeight;
    } else {
      item.draw(y);
      y += item.height;
    }
  }
}

interface TextStyle {
  font: FontName;
  /**
   * Sizes to try, largest first, in steps of half a point: the first size at which the
   * text takes at most `lines` lines wins. Past the last, the text is cut with an
   * ellipsis at the smallest size rather than ever growing its block.
   */
  fits: Array<{ lines: number; from: number; to: number }>;
  color: string;
  left: number;
  width: number;
  /** Extra space between letters, in ems; kept small enough that text extraction does not read the letters as words. */
  letterSpacing?: number;
  align?: 'center' | 'right';
}

/**
 * A text wrapped here rather than by pdfkit, whose centred lines keep the width of the
 * space they broke at and so sit half a space left of centre. Widths are taken once at
 * one point, word by word: every width scales with the size, so trying sizes and
 * balancing lines is arithmetic rather than glyph layout.
 */
function textBlock(document: Document, text: string, style: TextStyle): Block {
  const align = style.align ?? 'center';
  const spacing = style.letterSpacing ?? 0;
  document.font(style.font).fontSize(1);
  const widthOf = (piece: string) => document.widthOfString(piece) + spacing * (piece.length - 1);
  const words = text.split(/\s+/).filter(Boolean);
  const measure: Measure = { words: words.map((word) => ({ word, width: widthOf(word) })), space: widthOf(' ') + 2 * spacing, widthOf };
  const lineHeight = document.currentLineHeight(true);

  const { size, lines } = fitLines(measure, style);
  const placed = lines.map((line) => {
    const width = widthOf(line) * size;
    return { line, left: align === 'center' ? style.left + (style.width - width) / 2 : style.left + style.width - width };
  });
  return {
    height: lines.length * lineHeight * size,
    draw: (top) => {
      document.font(style.font).fontSize(size).fillColor(style.color);
      placed.forEach(({ line, left }, index) => {
        document.text(line, left, top + index * lineHeight * size, { lineBreak: false, characterSpacing: spacing * size });
      });
    },
  };
}

/** Widths at one point. */
interface Measure {
  words: Array<{ word: string; width: number }>;
  space: number;
  widthOf(piece: string): number;
}

function fitLines(measure: Measure, style: TextStyle): { size: number; lines: string[] } {
  for (const fit of style.fits) {
    for (let size = fit.from; size >= fit.to; size -= 0.5) {
      const lines = wrapWords(measure, style.width / size);
      if (lines.length > fit.lines) continue;
      const isBalanced = (style.align ?? 'center') === 'center' && lines.length > 1;
      return { size, lines: isBalanced ? balance(measure, style.width / size, lines.length) : lines };
    }
  }
  const smallest = style.fits.at(-1);
  if (!smallest) throw new Error('a text style needs at least one size');
  const width = style.width / smallest.to;
  return { size: smallest.to, lines: clipWithEllipsis(wrapWords(measure, width), smallest.lines, measure, width) };
}

/** Greedy wrapping at spaces; a word longer than a whole line is cut where it must be. */
function wrapWords(measure: Measure, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  for (const { word, width: wordWidth } of measure.words) {
    if (line && lineWidth + measure.space + wordWidth <= width) {
      line += ` ${word}`;
      lineWidth += measure.space + wordWidth;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    lineWidth = wordWidth;
    while (lineWidth > width && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && measure.widthOf(line.slice(0, cut)) > width) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
      lineWidth = measure.widthOf(line);
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The narrowest width that keeps the text on as many lines, so "María de los Ángeles
 * Núñez-Quiñónez / O'Donnell de la Torre Villavicencio" rather than a full line and a
 * stub under it.
 */
function balance(measure: Measure, width: number, lineCount: number): string[] {
  let narrow = width / lineCount;
  let wide = width;
  while (wide - narrow > 0.05) {
    const middle = (narrow + wide) / 2;
    if (wrapWords(measure, middle).length <= lineCount) wide = middle;
    else narrow = middle;
  }
  return wrapWords(measure, wide);
}

function clipWithEllipsis(lines: string[], lineCount: number, measure: Measure, width: number): string[] {
  let last = lines.slice(lineCount - 1).join(' ');
  while (last.length > 0 && measure.widthOf(`${last}…`) > width) last = last.slice(0, -1).trimEnd();
  return [...lines.slice(0, lineCount - 1), `${last}…`];
}

function drawFrame(document: Document): void {
  const { outer, inner } = FRAME;
  document.lineWidth(2.4).strokeColor(COLOURS.navy).rect(outer, outer, PAGE.width - 2 * outer, PAGE.height - 2 * outer).stroke();
  document.lineWidth(0.8).strokeColor(COLOURS.gold).rect(inner, inner, PAGE.width - 2 * inner, PAGE.height - 2 * inner).stroke();
}

function logoBlock(document: Document, image: Buffer): Block {
  const logo = printableImage(image);
  return {
    height: LOGO.height,
    draw: (top) => {
      document.image(logo, CONTENT.left + (CONTENT_WIDTH - LOGO.width) / 2, top, { fit: [LOGO.width, LOGO.height], align: 'center', valign: 'center' });
    },
  };
}

/** A gold rule broken by a small diamond, between the institution and what it certifies. */
function ornamentBlock(document: Document): Block {
  const centre = PAGE.width / 2;
  return {
    height: 6,
    draw: (top) => {
      const middle = top + 3;
      document.lineWidth(0.8).strokeColor(COLOURS.gold);
      document.moveTo(centre - 110, middle).lineTo(centre - 9, middle).stroke();
      document.moveTo(centre + 9, middle).lineTo(centre + 110, middle).stroke();
      document.polygon([centre, middle - 3], [centre + 4, middle], [centre, middle + 3], [centre - 4, middle]).fillColor(COLOURS.gold).fill();
    },
  };
}

/** One column per signatory, centred: signature image standing on the line, then name and role. */
function signatoriesBlock(document: Document, signatories: CertificateRenderInput['signatories']): Block | undefined {
  if (signatories.length === 0) return undefined;
  const count = signatories.length;
  const columnWidth = Math.min(SIGNATURE.maxColumnWidth, (CONTENT_WIDTH - SIGNATURE.gutter * (count - 1)) / count);
  const firstLeft = CONTENT.left + (CONTENT_WIDTH - count * columnWidth - (count - 1) * SIGNATURE.gutter) / 2;
  const lineOffset = SIGNATURE.imageHeight + 3;
  const columns = signatories.map((signatory, index) => {
    const left = firstLeft + index * (columnWidth + SIGNATURE.gutter);
    const name = textBlock(document, signatory.name, {
      font: 'serif-bold',
      fits: [{ lines: 1, from: 10, to: 8.5 }, { lines: 2, from: 8.5, to: 8 }],
      color: COLOURS.ink,
      left,
      width: columnWidth,
    });
    const role = textBlock(document, signatory.role, { font: 'serif', fits: [{ lines: 3, from: 8, to: 6.5 }], color: COLOURS.muted, left: left + 6, width: columnWidth - 12 });
    return { signature: signatory.signatureImage && printableImage(signatory.signatureImage), left, name, role };
  });
  const textHeight = Math.max(...columns.map(({ name, role }) => name.height + 1 + role.height));
  return {
    height: lineOffset + 4 + textHeight,
    draw: (top) => {
      for (const { signature, left, name, role } of columns) {
        if (signature) {
          const imageWidth = Math.min(SIGNATURE.imageWidth, columnWidth - 10);
          document.image(signature, left + (columnWidth - imageWidth) / 2, top, { fit: [imageWidth, SIGNATURE.imageHeight], align: 'center', valign: 'bottom' });
        }
        document
          .lineWidth(0.7)
          .strokeColor(COLOURS.muted)
          .moveTo(left + 12, top + lineOffset)
          .lineTo(left + columnWidth - 12, top + lineOffset)
          .stroke();
        name.draw(top + lineOffset + 4);
        role.draw(top + lineOffset + 4 + name.height + 1);
      }
    },
  };
}

/** The bottom strip: the code spelled out for typing and the address, beside the QR code. */
function verificationBlock(document: Document, { code, verificationUrl }: CertificateRenderInput): Block {
  const qrLeft = CONTENT.right - QR_SIZE;
  const text = { left: CONTENT.left, width: qrLeft - 14 - CONTENT.left, align: 'right' } as const;
  const label = textBlock(document, 'CÓDIGO DE VERIFICACIÓN', { font: 'serif', fits: [{ lines: 1, from: 7, to: 7 }], color: COLOURS.muted, letterSpacing: 0.1, ...text });
  const codeLine = textBlock(document, code, { font: 'mono-bold', fits: [{ lines: 1, from: 15, to: 10 }], color: COLOURS.navy, ...text });
  const address = textBlock(document, `Verifica este certificado en ${verificationUrl}`, {
    font: 'serif',
    fits: [{ lines: 1, from: 8.5, to: 7 }, { lines: 2, from: 7, to: 6 }],
    color: COLOURS.text,
    ...text,
  });
  const textHeight = label.height + 2 + codeLine.height + 3 + address.height;
  return {
    height: QR_SIZE,
    draw: (top) => {
      const textTop = top + (QR_SIZE - textHeight) / 2;
      label.draw(textTop);
      codeLine.draw(textTop + label.height + 2);
      address.draw(textTop + label.height + 2 + codeLine.height + 3);
      drawQrCode(document, verificationUrl, qrLeft, top, QR_SIZE);
    },
  };
}

/**
 * The QR code as vector squares, a rectangle per run of dark modules: crisp at any zoom,
 * and no PNG to encode here and decode again inside pdfkit. Level M survives a crease;
 * the white around it inside the frame is its quiet zone.
 */
function drawQrCode(document: Document, url: string, left: number, top: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const unit = size / modules.size;
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; ) {
      if (!modules.get(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < modules.size && modules.get(row, column)) column++;
      document.rect(left + start * unit, top + row * unit, (column - start) * unit, unit);
    }
  }
  document.fillColor(COLOURS.ink).fill();
}
