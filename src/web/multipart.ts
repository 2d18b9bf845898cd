import busboy from 'busboy';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';
import { hasValidCsrfToken } from './csrf.js';

/**
 * Forms that send a file (`multipart/form-data`), read with busboy into `request.body`:
 * text fields as strings, the file as an UploadedFile held in memory (these are small:
 * a logo). The CSRF token must arrive before the file — the forms print `_csrf` first —
 * and a file that comes without this session's token is never read into memory: the
 * request is refused as any other forged form. The web shell's CSRF check then runs as
 * for every form, on the fields read here.
 */

export interface UploadedFile {
  /** Empty when the file passed the size limit: its bytes are not kept. */
  data: Buffer;
  isTooLarge: boolean;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data);
}

const FIELD_LIMITS = { fields: 20, fieldSize: 100 * 1024 };

export function multipartForm({ maxFileBytes }: { maxFileBytes: number }): RequestHandler {
  return (request, _response, next) => {
    const body: Record<string, string | UploadedFile> = {};
    request.body = body;
    let parser: busboy.Busboy;
    try {
      // busboy marks a file truncated once it *reaches* fileSize: one byte more, so that a
      // file of exactly maxFileBytes is taken and only a larger one is too large.
      parser = busboy({ headers: request.headers, limits: { ...FIELD_LIMITS, fileSize: maxFileBytes + 1, files: 1, parts: FIELD_LIMITS.fields + 1 } });
    } catch {
      next(new AppError('validation_failed', 'The form is not valid multipart data.', { fields: {} }));
      return;
    }
    let failure: AppError | undefined;
    let pendingFiles = 0;
    let isParsed = false;
    let isDone = false;
    const finish = (error?: unknown): void => {
      if (isDone) return;
      isDone = true;
      request.unpipe(parser);
      // Whatever is left of the body is read and dropped, so that the answer reaches the browser.
      request.resume();
      next(error);
    };
    const finishWhenRead = (): void => {
      if (isParsed && pendingFiles === 0) finish(failure);
    };
    const tooLarge = (): void => {
      failure ??= new AppError('payload_too_large', 'The form has too many parts, or a part too large.');
    };

    parser.on('field', (name, value, info) => {
      // A field cut at its limit is not what was sent (as a form over its size is refused, not cut).
      if (info.nameTruncated || info.valueTruncated) tooLarge();
      if (!failure) body[name] = value;
    });
    parser.on('file', (name, stream) => {
      if (failure || !hasValidCsrfToken(request)) {
        failure ??= new AppError('forbidden', 'The form has expired or did not come from this site.', { reason: 'csrf' });
        stream.resume();
        return;
      }
      pendingFiles += 1;
      let chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.truncated) chunks.push(chunk);
      });
      stream.on('limit', () => {
        chunks = [];
      });
      stream.on('end', () => {
        const isTooLarge = stream.truncated === true;
        body[name] = { data: isTooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), isTooLarge };
        pendingFiles -= 1;
        finishWhenRead();
      });
    });
    parser.on('filesLimit', tooLarge);
    parser.on('fieldsLimit', tooLarge);
    parser.on('partsLimit', tooLarge);
    parser.on('error', () => finish(new AppError('validation_failed', 'The form is not valid multipart data.', { fields: {} })));
    parser.on('close', () => {
      isParsed = true;
      finishWhenRead();
    });
    request.pipe(parser);
  };
}
