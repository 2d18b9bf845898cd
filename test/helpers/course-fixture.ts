import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A courses folder of a test's own, with files written from a map of path → content. */
export interface CourseFixture {
  root: string;
  write(path: string, content: string): void;
  remove(path: string): void;
  cleanUp(): void;
}

export function courseFixture(files: Record<string, string> = {}): CourseFixture {
  const root = mkdtempSync(join(tmpdir(), 'capacita-courses-'));
  const fixture: CourseFixture = {
    root,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    remove(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    cleanUp() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(files)) fixture.write(path, content);
  return fixture;
}

export const SAMPLE_QUIZ = `::unica:: ¿Qué entidad produce la DIVIPOLA? {=El DANE ~El ICBF ~La Registraduría}

::varias:: ¿Cuáles son mecanismos de participación? {~%50%El cabildo abierto ~%50%La consulta popular ~%-100%El decreto}

::vf:: La DIVIPOLA asigna un código a cada municipio. {T}

::corta:: ¿Qué sigla tiene el Departamento Administrativo Nacional de Estadística? {=DANE =el DANE}

::numero:: ¿Cuántos departamentos tiene Colombia? {#32:0}

::parejas:: Empareje cada código con su departamento. {=05 -> Antioquia =11 -> Bogotá D.C. =76 -> Valle del Cauca}
`;

export interface ShortCourseOptions {
  title: string;
  hours?: number;
  /** Short lessons in the one module: `inicio`, then `cierre`. */
  lessons?: 1 | 2;
  minLiveSessionsAttended?: number;
  /** Who signs its certificate; none: the course gives no certificate. */
  signatories?: Array<{ name: string; role: string }>;
}

/** A course of one module and one or two short lessons, with what completes it and whether it certifies as asked. */
export function shortCourseFiles(slug: string, options: ShortCourseOptions): Record<string, string> {
  const signatories = options.signatories ?? [];
  const certificate =
    signatories.length > 0
      ? `certificate:\n  enabled: true\n  signatories:\n${signatories.map(({ name, role }) => `    - name: ${name}\n      role: ${role}\n`).join('')}`
      : 'certificate:\n  enabled: false\n';
  return {
    [`${slug}/course.yaml`]: `title: ${options.title}
summary: Un curso corto para las pruebas.
hours: ${options.hours ?? 4}
language: es
modules:
  - slug: unico
    title: Único módulo
completion:
  passingScore: 70
  minLiveSessionsAttended: ${options.minLiveSessionsAttended ?? 0}
enrollment: open
${certificate}`,
    [`${slug}/unico/01-inicio.md`]: '---\ntitle: Inicio\nminutes: 5\n---\n\nHola.\n',
    ...(options.lessons === 2 ? { [`${slug}/unico/02-cierre.md`]: '---\ntitle: Cierre\nminutes: 5\n---\n\nGracias.\n' } : {}),
  };
}

/** A course with one short lesson that completes only once its learner attended one live session. */
export function liveSessionCourseFiles(slug = 'curso-con-sesiones', title = 'Curso con sesiones'): Record<string, string> {
  return shortCourseFiles(slug, { title, minLiveSessionsAttended: 1 });
}

/** One small, valid course: two modules, a quiz, an image. */
export function sampleCourseFiles(slug = 'curso-de-prueba'): Record<string, string> {
  return {
    [`${slug}/course.yaml`]: `title: Curso de prueba
summary: Un curso pequeño para las pruebas.
hours: 12
language: es
modules:
  - slug: primer-modulo
    title: Primer módulo
    quiz:
      title: Evaluación del primer módulo
      attemptsAllowed: 3
  - slug: segundo-modulo
    title: Segundo módulo
completion:
  passingScore: 70
  minLiveSessionsAttended: 0
enrollment: open
certificate:
  enabled: true
  signatories:
    - name: Ana Pérez
      role: Coordinación académica
`,
    [`${slug}/primer-modulo/01-bienvenida.md`]: `---
title: Bienvenida
minutes: 10
---

## Para empezar

Texto de la **lección** con un diagrama: ![Diagrama de tres pasos](../images/pasos.svg)

<script>alert('x')</script>

https://www.youtube.com/watch?v=dQw4w9WgXcQ
`,
    [`${slug}/primer-modulo/02-el-territorio.md`]: `---
title: El territorio
minutes: 15
---

## Conocer el territorio

| Código | Departamento |
|---|---|
| 05 | Antioquia |
`,
    [`${slug}/primer-modulo/quiz.gift`]: SAMPLE_QUIZ,
    [`${slug}/segundo-modulo/01-cierre.md`]: `---
title: Cierre
minutes: 5
---

## Para terminar

Gracias.
`,
    [`${slug}/images/pasos.svg`]: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Pasos</title><text x="1" y="5">1-2-3</text></svg>',
  };
}
