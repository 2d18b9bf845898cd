/**
 * Participation statistics (README.md): counts by sex, territory and population group,
 * with shares and small-cell suppression; the JSON, CSV and XLSX API; the labelled
 * tables the dashboard and the printed report show.
 */
export {
  createStatisticsService,
  DIMENSIONS,
  MEASURES,
  MAX_DIMENSIONS,
  type StatisticsService,
  type StatisticsDependencies,
  type Dimension,
  type Measure,
  type MeasureCounts,
  type GroupKey,
  type AppliedFilters,
  type ParticipationQuery,
  type ParticipationGroup,
  type ParticipationResult,
  type MonthPoint,
} from './statistics.service.js';
export { participationQuerySchema, type ParticipationQueryInput } from './statistics.schemas.js';
export { participationTable, monthsTable, filtersTable, valueLabel, type Table, type TableCell } from './statistics.table.js';
export { tableCsv } from './statistics.csv.js';
export { workbookOf, type Sheet } from './statistics.xlsx.js';
export { statisticsApiRouter } from './statistics.api.js';
export { statisticsPagesRouter, type StatisticsPagesDependencies } from './statistics.web.js';
