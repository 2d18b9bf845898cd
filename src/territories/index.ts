/**
 * Colombia's territorial division (DANE DIVIPOLA): departments and municipalities by
 * code, for validating profiles and labelling statistics. The list ships with the
 * project (divipola.csv, from DANE's open data; see shared/data/README.md).
 */
export {
  departments,
  municipalitiesOf,
  departmentName,
  municipalityName,
  isDepartment,
  isMunicipalityOf,
  type Department,
  type Municipality,
} from './divipola.js';
export { territoriesApiRouter } from './territories.api.js';
