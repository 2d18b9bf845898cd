import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

export interface Municipality {
  code: string;
  name: string;
  departmentCode: string;
}

export interface Department {
  code: string;
  name: string;
  municipalities: Municipality[];
}

interface Divipola {
  departments: Department[];
  byDepartment: Map<string, Department>;
  byMunicipality: Map<string, Municipality>;
}

let loaded: Divipola | undefined;

/** Read once, on first use (never at import time). */
function divipola(): Divipola {
  if (loaded) return loaded;
  const rows = parse(readFileSync(new URL('./divipola.csv', import.meta.url), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Array<Record<'department_code' | 'department_name' | 'municipality_code' | 'municipality_name', string>>;
  const byDepartment = new Map<string, Department>();
  const byMunicipality = new Map<string, Municipality>();
  for (const row of rows) {
    let department = byDepartment.get(row.department_code);
    if (!department) {
      department = { code: row.department_code, name: row.department_name, municipalities: [] };
      byDepartment.set(department.code, department);
    }
    const municipality = { code: row.municipality_code, name: row.municipality_name, departmentCode: department.code };
    department.municipalities.push(municipality);
    byMunicipality.set(municipality.code, municipality);
  }
  const collator = new Intl.Collator('es');
  const departments = [...byDepartment.values()].sort((a, b) => collator.compare(a.name, b.name));
  for (const department of departments) department.municipalities.sort((a, b) => collator.compare(a.name, b.name));
  loaded = { departments, byDepartment, byMunicipality };
  return loaded;
}

/** Departments sorted by name (Bogotá D.C. included, as DIVIPOLA lists it). */
export function departments(): readonly Department[] {
  return divipola().departments;
}

export function municipalitiesOf(departmentCode: string): readonly Municipality[] {
  return divipola().byDepartment.get(departmentCode)?.municipalities ?? [];
}

export function isDepartment(code: string): boolean {
  return divipola().byDepartment.has(code);
}

/** The municipality exists and belongs to the department (its code starts with it). */
export function isMunicipalityOf(departmentCode: string, municipalityCode: string): boolean {
  return divipola().byMunicipality.get(municipalityCode)?.departmentCode === departmentCode;
}

export function departmentName(code: string): string | undefined {
  return divipola().byDepartment.get(code)?.name;
}

export function municipalityName(code: string): string | undefined {
  return divipola().byMunicipality.get(code)?.name;
}
