import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * DejaVu faces for the PDFs (certificates, participation reports): DejaVu covers every
 * Latin letter a Colombian name can carry (ñ, ü, accents, apostrophes).
 */
export type DejaVuFace = 'DejaVuSans' | 'DejaVuSans-Bold' | 'DejaVuSerif' | 'DejaVuSerif-Bold' | 'DejaVuSansMono-Bold';

/**
 * Parsing a TrueType file costs fontkit about 8 ms, mostly the layout tables it decodes
 * lazily and then keeps on the font object: parsed per document, the fonts were half the
 * rendering time of a certificate. pdfkit 0.20 accepts an already-parsed fontkit font
 * (its own types have not caught up, hence the cast), so each face is parsed once per
 * process and every document still embeds its own subset. The fontkit is the one pdfkit
 * itself depends on, so the two always agree on its version. Loaded on first use, not at
 * import.
 */
const parsed = new Map<DejaVuFace, PDFKit.Mixins.PDFFontSource>();

export function dejaVuFont(face: DejaVuFace): PDFKit.Mixins.PDFFontSource {
  let font = parsed.get(face);
  if (!font) {
    const require = createRequire(import.meta.url);
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { create(data: Buffer): unknown };
    font = fontkit.create(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${face}.ttf`))) as PDFKit.Mixins.PDFFontSource;
    parsed.set(face, font);
  }
  return font;
}
