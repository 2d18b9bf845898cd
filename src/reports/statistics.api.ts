import { Router, type Request, type Response } from 'express';
import type { Clock } from '../shared/clock.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import { tableCsv } from './statistics.csv.js';
import { participationReport, type ParticipationReportDependencies } from './statistics.report.js';
import { participationQuerySchema } from './statistics.schemas.js';
import { MEASURES, type ParticipationResult, type StatisticsService } from './statistics.service.js';
import { filtersTable, monthsTable, participationTable } from './statistics.table.js';
import { workbookOf } from './statistics.xlsx.js';

/** API.md, "Statistics": the participation table as JSON, CSV and XLSX (`.pdf`, the printed report, has its own route). */

function sendFile(response: Response, contentType: string, filename: string, body: string | Buffer): void {
  response.set('Content-Type', contentType);
  response.set('Content-Disposition', `attachment; filename="${filename}"`);
  response.send(body);
}

/** What the printed report names besides the figures: course titles, cohort names, the institution. */
export type ReportSources = Omit<ParticipationReportDependencies, 'statistics' | 'clock'>;

export function statisticsApiRouter(statistics: StatisticsService, clock: Clock, reportSources: ReportSources): Router {
  const router = Router();
  const canRead = authorize('statistics:read');

  const participationOf = (request: Request): Promise<ParticipationResult> =>
    statistics.participation(signedInUser(request), parseInput(participationQuerySchema, request.query, request.t));

  router.get('/stats/participation', canRead, async (request, response) => {
    response.json(await participationOf(request));
  });

  router.get('/stats/participation.csv', canRead, async (request, response) => {
    const result = await participationOf(request);
    sendFile(response, 'text/csv; charset=utf-8', 'participacion.csv', tableCsv(participationTable(result, request.t)));
  });

  router.get('/stats/participation.xlsx', canRead, async (request, response) => {
    const query = parseInput(participationQuerySchema, request.query, request.t);
    const actor = signedInUser(request);
    const [result, months] = await Promise.all([statistics.participation(actor, query), statistics.enrollmentsOverTime(actor, query)]);
    const table = participationTable(result, request.t);
    const firstShareColumn = result.filters.by.length + MEASURES.length;
    const workbook = await workbookOf([
      { name: request.t('reports:values.sheets.participation'), table, percentColumns: MEASURES.map((_, index) => firstShareColumn + index) },
      { name: request.t('reports:values.sheets.months'), table: monthsTable(months, request.t) },
      { name: request.t('reports:values.sheets.filters'), table: filtersTable(result, request.t, clock.now()) },
    ]);
    sendFile(response, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'participacion.xlsx', workbook);
  });

  router.get('/stats/participation.pdf', canRead, async (request, response) => {
    const query = parseInput(participationQuerySchema, request.query, request.t);
    const report = await participationReport({ ...reportSources, statistics, clock }, signedInUser(request), query, request.t, languageOf(request));
    sendFile(response, 'application/pdf', report.filename, report.pdf);
  });

  return router;
}
