import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { Actor } from '../shared/authorization.js';
import { AppError } from '../shared/errors.js';
import type { AccountsDependencies } from './accounts.service.js';
import { CSV_COLUMNS, csvRowSchema, PRIVACY_POLICY_VERSION, type CsvRowInput } from './accounts.schemas.js';
import { hashPassword } from './secrets.js';
import { userModel } from './user.model.js';

/**
 * Bulk import of learners from CSV. Rows are numbered as a spreadsheet shows them (the
 * header is row 1). A person already registered with the same email and document is
 * skipped, so importing the same file twice is harmless. Atomic by default: with any
 * invalid row nothing is created, and if the insert itself meets a conflict (someone
 * registered meanwhile) the rows of this import are removed again.
 */

export const MAX_IMPORT_ROWS = 20_000;

export interface RowError {
  row: number;
  fields: Record<string, string>;
}

export interface ImportResult {
  created: number;
  skipped: number;
  errors: RowError[];
}

type FieldErrors = (error: import('zod').ZodError) => Record<string, string>;

interface ValidRow {
  row: number;
  input: CsvRowInput;
}

export function createImportService(deps: AccountsDependencies) {
  const User = userModel(deps.connection);

  function readRows(csv: string): { header: string[]; rows: string[][] } {
    let records: string[][];
    try {
      records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
    } catch (error) {
      const line = (error as { lines?: number }).lines;
      throw new AppError('validation_failed', `The file is not valid CSV${line ? ` (near line ${line})` : ''}.`, { fields: { file: 'validation.invalidFormat' } });
    }
    const [header = [], ...rows] = records;
    return { header, rows };
  }

  return {
    async importUsers(actor: Actor, csv: string, options: { isAtomic: boolean; fieldErrors: FieldErrors }): Promise<ImportResult> {
      const { header, rows } = readRows(csv);
      const unknown = header.filter((column) => !CSV_COLUMNS.includes(column));
      const required = ['email', 'givenName', 'familyName', 'documentType', 'documentNumber', 'sex', 'birthDate', 'departmentCode', 'municipalityCode', 'actorType'];
      const missing = required.filter((column) => !header.includes(column));
      if (unknown.length > 0 || missing.length > 0 || header.length === 0) {
        return {
          created: 0,
          skipped: 0,
          errors: [{ row: 1, fields: Object.fromEntries([...unknown, ...missing].map((column) => [column, 'validation.csvHeader'])) }],
        };
      }
      if (rows.length > MAX_IMPORT_ROWS) {
        return { created: 0, skipped: 0, errors: [{ row: 1, fields: { file: 'validation.tooManyRows' } }] };
      }

      const errors: RowError[] = [];
      const valid: ValidRow[] = [];
      const seenEmails = new Map<string, number>();
      const seenDocuments = new Map<string, number>();
      rows.forEach((cells, index) => {
        const row = index + 2;
        const record = Object.fromEntries(header.flatMap((column, i) => (cells[i] ? [[column, cells[i]]] : [])));
        const parsed = csvRowSchema.safeParse(record);
        if (!parsed.success) {
          errors.push({ row, fields: options.fieldErrors(parsed.error) });
          return;
        }
        const documentKey = `${parsed.data.documentType}:${parsed.data.documentNumber}`;
        const fields: Record<string, string> = {};
        if (seenEmails.has(parsed.data.email)) fields.email = 'validation.duplicateInFile';
        if (seenDocuments.has(documentKey)) fields.documentNumber = 'validation.duplicateInFile';
        if (Object.keys(fields).length > 0) {
          errors.push({ row, fields });
          return;
        }
        seenEmails.set(parsed.data.email, row);
        seenDocuments.set(documentKey, row);
        valid.push({ row, input: parsed.data });
      });

      // Who is already here: same person (skip) or a clash with someone else (error).
      const existing = await User.find(
        { $or: [{ email: { $in: [...seenEmails.keys()] } }, { documentNumber: { $in: valid.map(({ input }) => input.documentNumber) } }] },
        { email: 1, documentType: 1, documentNumber: 1 },
      ).lean();
      const byEmail = new Map(existing.filter((user) => user.email).map((user) => [user.email!, user]));
      const byDocument = new Map(existing.filter((user) => user.documentNumber).map((user) => [`${user.documentType}:${user.documentNumber}`, user]));
      const toCreate: ValidRow[] = [];
      let skipped = 0;
      for (const candidate of valid) {
        const sameEmail = byEmail.get(candidate.input.email);
        const sameDocument = byDocument.get(`${candidate.input.documentType}:${candidate.input.documentNumber}`);
        if (sameEmail && sameDocument && sameEmail._id.equals(sameDocument._id)) {
          skipped += 1;
        } else if (sameEmail || sameDocument) {
          errors.push({
            row: candidate.row,
            fields: { ...(sameEmail ? { email: 'validation.emailTaken' } : {}), ...(sameDocument ? { documentNumber: 'validation.documentTaken' } : {}) },
          });
        } else {
          toCreate.push(candidate);
        }
      }
      errors.sort((a, b) => a.row - b.row);
      if (options.isAtomic && errors.length > 0) return { created: 0, skipped: 0, errors };

      const batch = randomUUID();
      const now = deps.clock.now();
      const documents = await Promise.all(
        toCreate.map(async ({ input }) => {
          const { password, dataConsent, birthDate, ...profile } = input;
          return {
            ...profile,
            birthDate: new Date(`${birthDate}T00:00:00.000Z`),
            roles: ['learner'],
            status: 'active',
            importBatch: batch,
            consents: dataConsent ? [{ policyVersion: PRIVACY_POLICY_VERSION, acceptedAt: now, source: 'import' }] : [],
            ...(password ? { passwordHash: await hashPassword(password) } : {}),
          };
        }),
      );
      let created = documents.length;
      try {
        if (documents.length > 0) await User.insertMany(documents, { ordered: false });
      } catch (error) {
        const failures = (error as { writeErrors?: Array<{ index: number; err?: { index: number } }> }).writeErrors ?? [];
        if (failures.length === 0) throw error;
        const failedRows = failures.map((failure) => toCreate[failure.err?.index ?? failure.index]?.row ?? 0);
        for (const row of failedRows) errors.push({ row, fields: { email: 'validation.emailTaken' } });
        if (options.isAtomic) {
          await User.deleteMany({ importBatch: batch });
          created = 0;
        } else {
          created -= failures.length;
        }
        errors.sort((a, b) => a.row - b.row);
      }
      deps.logger.info({ actor: actor.id, created, skipped, errors: errors.length }, 'learners imported');
      return { created, skipped, errors };
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
