import { Readable, type Writable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { Types, type Connection } from 'mongoose';
import { ensureAllowed, type Actor } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import { certificateModel, type StoredCertificate } from './certificate.model.js';
import type { CertificateExportQuery } from './certificates.schemas.js';

/**
 * The managers' bulk download: the PDFs of a course or a cohort, one ZIP. PDFs are
 * rendered one at a time and each goes out before the next is made, so memory holds one
 * PDF whatever the size of the cohort; the cap bounds how long one download keeps a
 * core busy (about 50 PDFs a second: 5,000 is under two minutes of rendering and some
 * 300 MB to send).
 */

export const EXPORT_LIMIT = 5_000;
/**
 * Certificates read per query. Pages by (issuedAt, _id) rather than one database cursor:
 * a slow download can take longer than a server keeps an idle cursor open.
 */
const PAGE_SIZE = 50;

export interface ExportedPdf {
  filename: string;
  pdf: Buffer;
  issuedAt: Date;
}

export interface CertificateExport {
  count: number;
  /** The ZIP's name: `certificados-<course>[-cohorte-<id>][-validos|-revocados].zip`. */
  filename: string;
  /** The PDFs, each rendered when it is asked for. */
  files: AsyncIterable<ExportedPdf>;
}

/** Slices the PDF is handed to the archive in: backpressure works a chunk at a time. */
const CHUNK_SIZE = 16 * 1024;

/** `maria-jose-gomez-oneill`: the holder's name as a file name, for people who open the ZIP. */
export function holderNameSlug(fullName: string): string {
  return fullName
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
}

export function exportedFilename(code: string, fullName: string): string {
  const slug = holderNameSlug(fullName);
  return slug ? `${code}-${slug}.pdf` : `${code}.pdf`;
}

function zipFilename({ courseSlug, cohortId, status }: CertificateExportQuery): string {
  const statusPart = { valid: '-validos', revoked: '-revocados' } as const;
  return `certificados-${courseSlug}${cohortId ? `-cohorte-${cohortId}` : ''}${status ? statusPart[status] : ''}.zip`;
}

export function certificatesExporter(deps: { connection: Connection; renderPdf(certificate: StoredCertificate): Promise<Buffer> }) {
  const Certificate = certificateModel(deps.connection);

  async function* pdfsOf(filter: Record<string, unknown>): AsyncGenerator<ExportedPdf> {
    let after: Pick<StoredCertificate, 'issuedAt' | '_id'> | undefined;
    for (;;) {
      const next = after ? { $or: [{ issuedAt: { $gt: after.issuedAt } }, { issuedAt: after.issuedAt, _id: { $gt: after._id } }] } : {};
      const page = await Certificate.find({ $and: [filter, next] })
        .sort({ issuedAt: 1, _id: 1 })
        .limit(PAGE_SIZE)
        .lean<StoredCertificate[]>();
      for (const certificate of page) {
        yield { filename: exportedFilename(certificate.code, certificate.holder.fullName), pdf: await deps.renderPdf(certificate), issuedAt: certificate.issuedAt };
      }
      const last = page.at(-1);
      if (page.length < PAGE_SIZE || !last) return;
      after = { issuedAt: last.issuedAt, _id: last._id };
    }
  }

  /** Counts first and refuses above EXPORT_LIMIT (409 `too_many_certificates`), before anything is rendered or sent. */
  return async function exportPdfs(actor: Actor, query: CertificateExportQuery): Promise<CertificateExport> {
    ensureAllowed(actor, 'certificates:manage');
    const filter: Record<string, unknown> = { courseSlug: query.courseSlug };
    if (query.cohortId) filter.cohortId = new Types.ObjectId(query.cohortId);
    if (query.status) filter.status = query.status;
    const count = await Certificate.countDocuments(filter);
    if (count > EXPORT_LIMIT) {
      throw new AppError('conflict', `${count} certificates match; one download holds at most ${EXPORT_LIMIT}. Choose a cohort or a status.`, {
        reason: 'too_many_certificates',
        count,
        limit: EXPORT_LIMIT,
      });
    }
    return { count, filename: zipFilename(query), files: pdfsOf(filter) };
  };
}

function* slices(pdf: Buffer): Generator<Buffer> {
  for (let start = 0; start < pdf.length; start += CHUNK_SIZE) yield pdf.subarray(start, start + CHUNK_SIZE);
}

/**
 * Writes the PDFs into a ZIP on `output`, waiting for each entry to be taken before
 * rendering the next. PDFs are compressed already: stored, not deflated again. If the
 * reader goes away it stops quietly; if a PDF fails it stops with the error, and the
 * archive is left unfinished (no central directory), so the download cannot pass for a
 * complete one.
 */
export async function writeZip(files: AsyncIterable<ExportedPdf>, output: Writable): Promise<void> {
  // archiver buffers up to 1 MiB by default before it pushes back; a few slices is enough to keep the reader fed.
  const archive = new ZipArchive({ store: true, highWaterMark: 4 * CHUNK_SIZE });
  // Plain listeners rather than events.once: nothing here may reject after the races below are over.
  const failed = new Promise<never>((_, reject) => archive.on('error', reject));
  failed.catch(() => undefined);
  const closed = new Promise<'closed'>((resolve) => output.once('close', () => resolve('closed')));
  archive.pipe(output);
  try {
    for await (const file of files) {
      const taken = new Promise<'taken'>((resolve) => archive.once('entry', () => resolve('taken')));
      // A stream in slices, not the Buffer: a Buffer is taken whole into the archive's queue and 'entry'
      // fires at once; slices only pass as the reader takes them, so 'entry' means "nearly all sent".
      archive.append(Readable.from(slices(file.pdf)), { name: file.filename, date: file.issuedAt });
      if ((await Promise.race([taken, closed, failed])) === 'closed') {
        archive.abort();
        return;
      }
    }
    await Promise.race([archive.finalize(), closed, failed]);
  } catch (error) {
    // Detached first, so that abort() does not end the response as if it were complete.
    archive.unpipe(output);
    archive.abort();
    throw error;
  }
}
