import { accountSchemas } from '../accounts/index.js';
import type { AgeBand } from '../shared/age-band.js';
import { departments, municipalitiesOf } from '../territories/index.js';
import { weighted, type Random } from './random.js';

/**
 * Who the demo learners are: proportions like those of the capacity-building programmes
 * (mostly women, public servants and community leaders, every department but more from
 * the populous ones and from the Pacific), not census figures. Every value is one the
 * registration form accepts (accounts.schemas.ts), so demo people pass for real ones.
 */

type Sex = (typeof accountSchemas.SEXES)[number];
type ActorType = (typeof accountSchemas.ACTOR_TYPES)[number];
type EthnicGroup = (typeof accountSchemas.ETHNIC_GROUPS)[number];
type Disability = (typeof accountSchemas.DISABILITY_ANSWERS)[number];
type MigrationStatus = (typeof accountSchemas.MIGRATION_STATUSES)[number];
type DocumentType = (typeof accountSchemas.DOCUMENT_TYPES)[number];

export interface DemoPerson {
  givenName: string;
  familyName: string;
  email: string;
  documentType: DocumentType;
  documentNumber: string;
  sex: Sex;
  birthDate: Date;
  phone: string;
  departmentCode: string;
  municipalityCode: string;
  organization: string;
  position: string;
  actorType: ActorType;
  /** The optional answers are left out by some people, as the form allows. */
  ethnicGroup?: EthnicGroup;
  disability?: Disability;
  migrationStatus?: MigrationStatus;
}

export const DEMO_EMAIL_DOMAIN = 'demo.capacita.invalid';

const FEMALE_NAMES = [
  'María', 'Luz', 'Ana', 'Carmen', 'Rosa', 'Diana', 'Sandra', 'Claudia', 'Martha', 'Gloria', 'Paola', 'Andrea', 'Natalia',
  'Carolina', 'Yuliana', 'Yenny', 'Luisa', 'Ángela', 'Mónica', 'Patricia', 'Leidy', 'Érika', 'Marcela', 'Adriana', 'Liliana',
  'Nelly', 'Yolanda', 'Daniela', 'Valentina', 'Sofía', 'Mariana', 'Isabel', 'Beatriz', 'Lucía', 'Inés', 'Nubia', 'Maryuri',
  'Yésica', 'Dayana', 'Estefanía', 'Xiomara', 'Ingrid', 'Jimena', 'Sonia', 'Alejandra', 'Viviana', 'Johana', 'Fernanda',
];
const FEMALE_SECOND_NAMES = ['del Carmen', 'Fernanda', 'Cristina', 'Eugenia', 'Alejandra', 'Marcela', 'de los Ángeles', 'Dary', 'Milena', 'Patricia', 'Inés', 'Sofía'];
const MALE_NAMES = [
  'José', 'Juan', 'Luis', 'Carlos', 'Jorge', 'Andrés', 'Jhon', 'Óscar', 'Héctor', 'Julián', 'Sebastián', 'Camilo', 'Diego',
  'Fabián', 'Germán', 'Hernán', 'Iván', 'Jesús', 'Nicolás', 'Ramón', 'Rubén', 'Víctor', 'William', 'Édgar', 'Álvaro',
  'Mauricio', 'Wilson', 'Yeison', 'Brayan', 'Santiago', 'Alejandro', 'Felipe', 'Gustavo', 'Arley', 'Jairo', 'Efraín',
];
const MALE_SECOND_NAMES = ['David', 'Fernando', 'Alberto', 'Andrés', 'Camilo', 'Fredy', 'Eduardo', 'Antonio', 'Esteban', 'José', 'Manuel', 'Iván'];
const FAMILY_NAMES = [
  'Rodríguez', 'Gómez', 'González', 'Martínez', 'García', 'López', 'Hernández', 'Sánchez', 'Ramírez', 'Pérez', 'Díaz', 'Muñoz',
  'Rojas', 'Moreno', 'Jiménez', 'Vargas', 'Castro', 'Gutiérrez', 'Álvarez', 'Ruiz', 'Romero', 'Suárez', 'Ortiz', 'Torres',
  'Quintero', 'Valencia', 'Mosquera', 'Palacios', 'Córdoba', 'Rentería', 'Cuesta', 'Murillo', 'Ibargüen', 'Caicedo', 'Angulo',
  'Quiñónez', 'Cortés', 'Estupiñán', 'Zuluaga', 'Londoño', 'Restrepo', 'Ospina', 'Cardona', 'Giraldo', 'Arboleda', 'Peña',
  'Núñez', 'Ordóñez', 'Muñetón', 'Cuéllar', 'Chocué', 'Pushaina', 'Epiayú', 'Tunubalá', 'Velasco', 'Montaño', 'Bermúdez', 'Acuña',
];

/** Departments by weight (DIVIPOLA codes); every one of the 33 is present. */
const DEPARTMENT_WEIGHTS: Record<string, number> = {
  '05': 11, '11': 12, '76': 9, '52': 6, '19': 6, '27': 4, '08': 4, '13': 4, '25': 5, '68': 4, '23': 3, '15': 3, '73': 3,
  '41': 3, '54': 3, '47': 3, '20': 2.5, '70': 2, '44': 2.5, '50': 2, '17': 2, '66': 2, '63': 1.2, '18': 1.2, '86': 1.5,
  '81': 1, '85': 1, '88': 0.4, '91': 0.4, '94': 0.3, '95': 0.4, '97': 0.3, '99': 0.3,
};

const sexOf = weighted<Sex>({ female: 78, male: 20.5, intersex: 0.3, undisclosed: 1.2 });
const ageBandOfPerson = weighted<AgeBand>({ '<18': 4, '18-28': 22, '29-40': 32, '41-59': 34, '60+': 8 });
// Ages today; at an enrollment up to a year ago a person may have been one year younger
// (hence 19 here: an 18-year-old then is an adult with an adult's document now).
const AGE_RANGES: Record<AgeBand, [number, number]> = { '<18': [14, 17], '18-28': [19, 28], '29-40': [29, 40], '41-59': [41, 59], '60+': [60, 76] };
const adultActorOf = weighted<ActorType>({
  public_servant: 35, community_leader: 20, civil_society: 10, spouse_of_mayor: 7, youth_network: 5, academia: 5,
  community_media: 3, international_cooperation: 1, spouse_of_governor: 0.1, other: 8,
});
const minorActorOf = weighted<Extract<ActorType, 'youth_network' | 'community_leader' | 'other'>>({ youth_network: 70, community_leader: 10, other: 20 });
const disabilityOf = weighted<Disability | 'unanswered'>({ no: 85, yes: 5, undisclosed: 5, unanswered: 5 });

/** Ethnic self-recognition leans on where people live: the Pacific, La Guajira, the islands. */
const ETHNIC_BY_DEPARTMENT: Record<string, Partial<Record<EthnicGroup, number>>> = {
  '27': { afrocolombian: 70, indigenous: 10 },
  '44': { indigenous: 40, afrocolombian: 5 },
  '19': { indigenous: 25, afrocolombian: 20 },
  '52': { indigenous: 15, afrocolombian: 18 },
  '76': { afrocolombian: 22, indigenous: 2 },
  '88': { raizal: 35, afrocolombian: 10 },
  '13': { afrocolombian: 15, palenquero: 3 },
  '91': { indigenous: 55 }, '94': { indigenous: 60 }, '97': { indigenous: 65 }, '99': { indigenous: 45 },
};
const BASE_ETHNIC: Record<EthnicGroup | 'unanswered', number> = {
  none: 70, afrocolombian: 7, indigenous: 4, raizal: 0.1, palenquero: 0.1, rrom: 0.1, undisclosed: 5, unanswered: 8,
};
/** Migrants from Venezuela settle most in the border departments. */
const MIGRATION_BORDER = new Set(['54', '44', '81', '08', '11']);

const ORGANIZATIONS: Partial<Record<ActorType, readonly string[]>> = {
  public_servant: ['Alcaldía de {m}', 'Gobernación de {d}', 'Secretaría de Desarrollo Social de {m}', 'Comisaría de Familia de {m}', 'ICBF Regional {d}'],
  community_leader: ['Junta de Acción Comunal de {m}', 'Asociación de Mujeres de {m}', 'Consejo Comunitario de {m}'],
  spouse_of_mayor: ['Alcaldía de {m}'],
  spouse_of_governor: ['Gobernación de {d}'],
  youth_network: ['Plataforma de Juventudes de {m}', 'Red de Jóvenes de {d}'],
  academia: ['Universidad de {d}', 'Institución Educativa de {m}'],
  community_media: ['Emisora comunitaria de {m}'],
  international_cooperation: ['Agencia de cooperación en {d}'],
  civil_society: ['Fundación Social de {m}', 'Corporación Mujeres de {d}'],
};
/** Positions as [feminine, masculine]: Spanish titles agree with the person. */
const POSITIONS: Partial<Record<ActorType, ReadonlyArray<readonly [string, string]>>> = {
  public_servant: [['Profesional universitaria', 'Profesional universitario'], ['Técnica administrativa', 'Técnico administrativo'], ['Secretaria de despacho', 'Secretario de despacho'], ['Enlace de género', 'Enlace de género'], ['Contratista', 'Contratista']],
  community_leader: [['Presidenta', 'Presidente'], ['Tesorera', 'Tesorero'], ['Lideresa comunitaria', 'Líder comunitario'], ['Vocal', 'Vocal']],
  spouse_of_mayor: [['Gestora social', 'Gestor social']],
  spouse_of_governor: [['Gestora social departamental', 'Gestor social departamental']],
  youth_network: [['Integrante', 'Integrante'], ['Coordinadora', 'Coordinador']],
  academia: [['Docente', 'Docente'], ['Investigadora', 'Investigador']],
  community_media: [['Comunicadora', 'Comunicador']],
  international_cooperation: [['Oficial de programa', 'Oficial de programa']],
  civil_society: [['Coordinadora de proyectos', 'Coordinador de proyectos'], ['Voluntaria', 'Voluntario']],
};

/** Lower-case ASCII for the email's local part: "Núñez" → "nunez". */
function emailWord(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z]+/g, '');
}

export interface PersonFactory {
  person(index: number, random: Random, now: Date): DemoPerson;
}

export function personFactory(): PersonFactory {
  const departmentOf = weighted(DEPARTMENT_WEIGHTS);
  const known = new Set(departments().map((department) => department.code));
  const unknown = Object.keys(DEPARTMENT_WEIGHTS).filter((code) => !known.has(code));
  if (unknown.length > 0 || known.size !== Object.keys(DEPARTMENT_WEIGHTS).length) throw new Error(`demo department weights out of step with DIVIPOLA: ${unknown.join(', ')}`);
  const departmentNames = new Map(departments().map((department) => [department.code, department.name]));
  // Where a group is larger, it takes its share from "none".
  const ethnicByDepartment = new Map(
    Object.entries(ETHNIC_BY_DEPARTMENT).map(([code, shares]) => {
      const larger = Object.values(shares).reduce((sum, share) => sum + share, 0);
      return [code, weighted<EthnicGroup | 'unanswered'>({ ...BASE_ETHNIC, ...shares, none: Math.max(10, BASE_ETHNIC.none - larger) })];
    }),
  );
  const baseEthnic = weighted(BASE_ETHNIC);
  const borderMigration = weighted<MigrationStatus | 'unanswered'>({ none: 70, migrant: 18, returnee: 4, host_community: 6, unanswered: 2 });
  const migration = weighted<MigrationStatus | 'unanswered'>({ none: 86, migrant: 4, returnee: 2, host_community: 4, unanswered: 4 });

  return {
    person(index, random, now) {
      const sex = sexOf(random);
      const isFemale = sex === 'female' || (sex !== 'male' && random.chance(0.5));
      const first = random.pick(isFemale ? FEMALE_NAMES : MALE_NAMES);
      const givenName = random.chance(0.35) ? `${first} ${random.pick(isFemale ? FEMALE_SECOND_NAMES : MALE_SECOND_NAMES)}` : first;
      const family = random.pick(FAMILY_NAMES);
      const familyName = random.chance(0.9) ? `${family} ${random.pick(FAMILY_NAMES)}` : family;

      const band = ageBandOfPerson(random);
      const [youngest, oldest] = AGE_RANGES[band];
      const age = random.between(youngest, oldest);
      const birthDate = new Date(Date.UTC(now.getUTCFullYear() - age, now.getUTCMonth(), now.getUTCDate() - random.int(365)));
      const isMinor = band === '<18';

      const departmentCode = departmentOf(random);
      const municipalities = municipalitiesOf(departmentCode);
      // A third live in the capital (DIVIPOLA's <dd>001), the rest anywhere in the department.
      const capital = municipalities.find((municipality) => municipality.code.endsWith('001')) ?? municipalities[0]!;
      const municipality = random.chance(0.35) ? capital : random.pick(municipalities);

      const actorType = (isMinor ? minorActorOf : adultActorOf)(random);
      const ethnic = (ethnicByDepartment.get(departmentCode) ?? baseEthnic)(random);
      const disability = disabilityOf(random);
      const migrationStatus = (MIGRATION_BORDER.has(departmentCode) ? borderMigration : migration)(random);
      const documentType: DocumentType = isMinor ? 'TI' : migrationStatus === 'migrant' ? random.pick(['PPT', 'CE', 'PEP'] as const) : 'CC';
      const fill = (template: string): string => template.replace('{m}', municipality.name).replace('{d}', departmentNames.get(departmentCode)!);

      return {
        givenName,
        familyName,
        // The index keeps emails unique; the names make them look like people's.
        email: `${emailWord(first)}.${emailWord(family)}.${index}@${DEMO_EMAIL_DOMAIN}`,
        documentType,
        // Eleven digits starting 99: a bijection of the index (3^18 is prime to 10^9), so
        // unique, and longer than any real cédula, so never one of a real person.
        documentNumber: `99${String((index * 387_420_489) % 1_000_000_000).padStart(9, '0')}`,
        sex,
        birthDate,
        phone: `+57 3${random.between(0, 2)}${random.int(10)} ${String(random.int(10_000_000)).padStart(7, '0')}`,
        departmentCode,
        municipalityCode: municipality.code,
        organization: fill(random.pick(ORGANIZATIONS[actorType] ?? ['Independiente'])),
        position: random.pick(POSITIONS[actorType] ?? [['Participante', 'Participante'] as const])[isFemale ? 0 : 1],
        actorType,
        ...(ethnic === 'unanswered' ? {} : { ethnicGroup: ethnic }),
        ...(disability === 'unanswered' ? {} : { disability }),
        ...(migrationStatus === 'unanswered' ? {} : { migrationStatus }),
      };
    },
  };
}
