import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../web/guards.js';
import { parseInput } from '../web/validate.js';
import type { CoursesService } from './courses.service.js';

/** API.md, "Courses and cohorts": the catalog and course structure are public. */

const facilitatorsSchema = z.strictObject({ userIds: z.array(z.string().regex(/^[0-9a-f]{24}$/, 'validation.invalid')).max(200) });

export function coursesApiRouter(courses: CoursesService): Router {
  const router = Router();

  router.get('/courses', async (_request, response) => {
    response.json({ items: await courses.listCourses() });
  });

  router.get('/courses/:slug', async (request, response) => {
    const course = await courses.getCourse(String(request.params.slug));
    response.json({
      slug: course.slug,
      title: course.title,
      summary: course.summary,
      hours: course.hours,
      completion: course.completion,
      modules: course.modules,
    });
  });

  router.put('/courses/:slug/facilitators', authorize('courses:assign-facilitators'), async (request, response) => {
    const { userIds } = parseInput(facilitatorsSchema, request.body, request.t);
    const course = await courses.setFacilitators(String(request.params.slug), userIds);
    response.json({ slug: course.slug, facilitatorIds: course.facilitatorIds });
  });

  return router;
}
