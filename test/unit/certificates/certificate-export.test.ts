import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect } from 'chai';
import yauzl from 'yauzl';
import { exportedFilename, holderNameSlug, writeZip, type ExportedPdf } from '../../../src/certificates/certificates.export.js';

/**
 * The ZIP export's pure parts: the file names, and writeZip's promise that a PDF is only
 * asked for once the one before it has gone out (memory holds one, whatever the cohort).
 */

const PDF_SIZE = 256 * 1024;
/** What the streams between the archive and the reader may hold at once: a few of their 16 KiB buffers. */
const IN_FLIGHT = 128 * 1024;

/** A reader that takes its time over every chunk, as a slow download does. */
function slowReader(): Writable & { received: number; chunks: Buffer[] } {
  const reader = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      reader.received += chunk.length;
      reader.chunks.push(chunk);
      setTimeout(done, 1);
    },
  }) as Writable & { received: number; chunks: Buffer[] };
  reader.received = 0;
  reader.chunks = [];
  return reader;
}

function zipNames(zip: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, zipfile) => {
      if (error || !zipfile) return reject(error ?? new Error('not a zip'));
      const names: string[] = [];
      zipfile.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zipfile.readEntry();
      });
      zipfile.on('end', () => resolve(names));
      zipfile.on('error', reject);
      zipfile.readEntry();
    });
  });
}

describe('certificate export', () => {
  describe('file names', () => {
    it('are the code and the holder\'s name, lower case, without accents or apostrophes', () => {
      expect(exportedFilename('CAP-7K3F-9QXD', "María José Gómez O'Neill")).to.equal('CAP-7K3F-9QXD-maria-jose-gomez-oneill.pdf');
      expect(holderNameSlug('Ñusta  Müller-Ávila ')).to.equal('nusta-muller-avila');
    });

    it('stay short for long compound names, and fall back to the code alone without a name', () => {
      const slug = holderNameSlug('María de los Ángeles Concepción Inmaculada de la Santísima Trinidad Fernández de Córdoba');
      expect(slug.length).to.be.at.most(60);
      expect(slug).to.match(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(exportedFilename('CAP-7K3F-9QXD', ' ')).to.equal('CAP-7K3F-9QXD.pdf');
    });
  });

  describe('writeZip', () => {
    it('asks for each PDF only once the previous ones have gone out to the reader', async () => {
      const reader = slowReader();
      const receivedWhenAsked: number[] = [];
      async function* pdfs(): AsyncGenerator<ExportedPdf> {
        for (let index = 0; index < 6; index += 1) {
          receivedWhenAsked.push(reader.received);
          yield { filename: `CAP-0000-000${index}.pdf`, pdf: Buffer.alloc(PDF_SIZE, index), issuedAt: new Date('2026-11-21T15:00:00Z') };
        }
      }
      await writeZip(pdfs(), reader);
      await new Promise((resolve) => reader.once('finish', resolve));
      receivedWhenAsked.forEach((received, index) => {
        expect(received, `bytes out when PDF ${index} was asked for`).to.be.at.least(Math.max(0, index - 1) * PDF_SIZE - IN_FLIGHT);
      });
      expect(await zipNames(Buffer.concat(reader.chunks))).to.deep.equal([0, 1, 2, 3, 4, 5].map((index) => `CAP-0000-000${index}.pdf`));
    });

    it('stops asking when the reader goes away, and resolves', async () => {
      const reader = slowReader();
      let asked = 0;
      let isClosed = false;
      async function* pdfs(): AsyncGenerator<ExportedPdf> {
        try {
          for (;;) {
            asked += 1;
            if (asked === 3) reader.destroy();
            yield { filename: `CAP-0000-${String(asked).padStart(4, '0')}.pdf`, pdf: Buffer.alloc(PDF_SIZE), issuedAt: new Date() };
          }
        } finally {
          isClosed = true;
        }
      }
      await writeZip(pdfs(), reader);
      expect(asked).to.be.at.most(4);
      expect(isClosed, 'the source is closed').to.equal(true);
    });

    it('fails with the error of a PDF that cannot be made, and leaves the output unfinished', async () => {
      const reader = slowReader();
      let hasFinished = false;
      reader.on('finish', () => {
        hasFinished = true;
      });
      async function* pdfs(): AsyncGenerator<ExportedPdf> {
        yield { filename: 'CAP-0000-0001.pdf', pdf: Buffer.alloc(1024), issuedAt: new Date() };
        throw new Error('the renderer failed');
      }
      let failure: unknown;
      await writeZip(pdfs(), reader).catch((error: unknown) => {
        failure = error;
      });
      expect((failure as Error | undefined)?.message).to.equal('the renderer failed');
      await nextTurn();
      expect(hasFinished, 'a partial archive must not end like a complete one').to.equal(false);
    });
  });
});
