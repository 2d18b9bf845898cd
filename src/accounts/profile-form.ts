import type { TFunction } from 'i18next';
import { ROLES } from '../shared/authorization.js';
import { departmentName, departments, municipalitiesOf, municipalityName } from '../territories/index.js';
import { fieldBuilder, type Choice, type FieldView, type FormState } from '../web/form-fields.js';
import type { FormValues } from '../web/form-input.js';
import {
  ACTOR_TYPES, DISABILITY_ANSWERS, DOCUMENT_TYPES, ETHNIC_GROUPS, MIGRATION_STATUSES, SEXES,
} from './accounts.schemas.js';
import type { Profile } from './profile.js';

/**
 * The profile form, shared by registration, "edit my data" and the admin's "new
 * person": the same fields in the same groups, labelled from the accounts catalogue,
 * validated by the same zod schemas as the API.
 */

export const PROFILE_FIELDS = [
  'givenName', 'familyName', 'documentType', 'documentNumber', 'sex', 'genderIdentity', 'birthDate', 'phone',
  'departmentCode', 'municipalityCode', 'organization', 'position', 'actorType', 'ethnicGroup', 'disability', 'migrationStatus',
] as const;

/** The value of the submit button that reloads the form with a department's municipalities (no script needed). */
export const LOAD_MUNICIPALITIES = 'loadMunicipalities';

export interface FieldGroup {
  legend: string;
  hint?: string;
  fields: FieldView[];
  /** A polite live region the page's script uses to say what it changed. */
  statusId?: string;
}

function enumChoices(t: TFunction, enumeration: string, values: readonly string[]): Choice[] {
  return values.map((value) => ({ value, label: t(`accounts:enums.${enumeration}.${value}`) }));
}

export function roleChoices(t: TFunction): Choice[] {
  return enumChoices(t, 'role', ROLES);
}

function territoryChoices(departmentCode: FormValues[string]): { departments: Choice[]; municipalities: Choice[] } {
  const chosen = typeof departmentCode === 'string' ? departmentCode : '';
  return {
    departments: departments().map(({ code, name }) => ({ value: code, label: name })),
    municipalities: municipalitiesOf(chosen).map(({ code, name }) => ({ value: code, label: name })),
  };
}

/**
 * The DIVIPOLA picker, `departmentCode` then `municipalityCode`: public/js/territories.js
 * fills the municipalities when the department changes; without it, the button beside
 * the department sends the form back with them (LOAD_MUNICIPALITIES). Shared with other
 * forms that ask for a place (a live session's venue).
 */
export function territoryPicker(t: TFunction, state: FormState): Required<Pick<FieldGroup, 'fields' | 'statusId'>> {
  const field = fieldBuilder(state);
  const territories = territoryChoices(state.values.departmentCode);
  const choose = t('accounts:form.choose');
  return {
    statusId: 'municipality-status',
    fields: [
      field.select('departmentCode', {
        label: t('accounts:fields.departmentCode.label'),
        choices: territories.departments,
        placeholder: choose,
        button: { value: LOAD_MUNICIPALITIES, label: t('accounts:form.loadMunicipalities') },
        data: {
          territory: 'department',
          'municipality-select': 'field-municipalityCode',
          status: 'municipality-status',
        },
      }),
      field.select('municipalityCode', {
        label: t('accounts:fields.municipalityCode.label'),
        hint: territories.municipalities.length === 0 ? t('accounts:fields.municipalityCode.hint') : undefined,
        choices: territories.municipalities,
        placeholder: choose,
        data: {
          'loaded-message': t('accounts:form.municipalitiesLoaded'),
          'failed-message': t('accounts:form.municipalitiesFailed'),
        },
      }),
    ],
  };
}

/** The profile's groups of fields: who you are, where, your organisation, the differential approach. */
export function profileGroups(t: TFunction, state: FormState): FieldGroup[] {
  const field = fieldBuilder(state);
  const label = (name: string): string => t(`accounts:fields.${name}.label`);
  const hint = (name: string): string => t(`accounts:fields.${name}.hint`);
  const choose = t('accounts:form.choose');
  return [
    {
      legend: t('accounts:form.groups.person'),
      fields: [
        field.input('givenName', { label: label('givenName'), autocomplete: 'given-name', spellcheck: false }),
        field.input('familyName', { label: label('familyName'), autocomplete: 'family-name', spellcheck: false }),
        field.select('documentType', { label: label('documentType'), choices: enumChoices(t, 'documentType', DOCUMENT_TYPES), placeholder: choose }),
        field.input('documentNumber', { label: label('documentNumber'), hint: hint('documentNumber'), spellcheck: false }),
        field.input('birthDate', { label: label('birthDate'), hint: hint('birthDate'), type: 'date', autocomplete: 'bday' }),
        field.radios('sex', { label: label('sex'), hint: hint('sex'), choices: enumChoices(t, 'sex', SEXES) }),
        field.input('genderIdentity', { label: label('genderIdentity'), hint: hint('genderIdentity'), isOptional: true }),
        field.input('phone', { label: label('phone'), type: 'tel', autocomplete: 'tel', isOptional: true }),
      ],
    },
    {
      legend: t('accounts:form.groups.territory'),
      hint: t('accounts:form.groups.territoryHint'),
      ...territoryPicker(t, state),
    },
    {
      legend: t('accounts:form.groups.organization'),
      fields: [
        field.select('actorType', { label: label('actorType'), choices: enumChoices(t, 'actorType', ACTOR_TYPES), placeholder: choose }),
        field.input('organization', { label: label('organization'), hint: hint('organization'), autocomplete: 'organization', isOptional: true }),
        field.input('position', { label: label('position'), autocomplete: 'organization-title', isOptional: true }),
      ],
    },
    {
      legend: t('accounts:form.groups.differential'),
      hint: t('accounts:form.groups.differentialHint'),
      fields: [
        field.radios('ethnicGroup', { label: label('ethnicGroup'), choices: enumChoices(t, 'ethnicGroup', ETHNIC_GROUPS), isOptional: true }),
        field.radios('disability', { label: label('disability'), choices: enumChoices(t, 'disability', DISABILITY_ANSWERS), isOptional: true }),
        field.radios('migrationStatus', { label: label('migrationStatus'), choices: enumChoices(t, 'migrationStatus', MIGRATION_STATUSES), isOptional: true }),
      ],
    },
  ];
}

/** A stored profile as form values, for the edit form. */
export function profileValues(profile: Profile): FormValues {
  const values: FormValues = {};
  for (const name of PROFILE_FIELDS) {
    const value = profile[name];
    if (typeof value === 'string') values[name] = value;
  }
  return values;
}

/** Every field of a list of groups, in page order (for the error summary). */
export function fieldsOf(groups: readonly FieldGroup[]): FieldView[] {
  return groups.flatMap((group) => group.fields);
}

export interface SummaryRow {
  label: string;
  value: string;
}

/** A profile as label → readable value rows (the account page, the admin's view of a person). */
export function profileRows(t: TFunction, profile: Profile, formatDay: (day: string) => string): SummaryRow[] {
  const label = (name: string): string => t(`accounts:fields.${name}.label`);
  const coded = (enumeration: string, value: string | null): string | null => (value ? t(`accounts:enums.${enumeration}.${value}`) : null);
  const rows: Array<[string, string | null]> = [
    ['email', profile.email],
    ['givenName', profile.givenName],
    ['familyName', profile.familyName],
    ['documentType', coded('documentType', profile.documentType)],
    ['documentNumber', profile.documentNumber],
    ['birthDate', profile.birthDate ? formatDay(profile.birthDate) : null],
    ['sex', coded('sex', profile.sex)],
    ['genderIdentity', profile.genderIdentity],
    ['phone', profile.phone],
    ['departmentCode', profile.departmentCode ? (departmentName(profile.departmentCode) ?? profile.departmentCode) : null],
    ['municipalityCode', profile.municipalityCode ? (municipalityName(profile.municipalityCode) ?? profile.municipalityCode) : null],
    ['actorType', coded('actorType', profile.actorType)],
    ['organization', profile.organization],
    ['position', profile.position],
    ['ethnicGroup', coded('ethnicGroup', profile.ethnicGroup)],
    ['disability', coded('disability', profile.disability)],
    ['migrationStatus', coded('migrationStatus', profile.migrationStatus)],
  ];
  const notGiven = t('accounts:account.notGiven');
  return rows.map(([name, value]) => ({ label: label(name), value: value ?? notGiven }));
}
