import { Router } from 'express';

export function homeRouter(): Router {
  const router = Router();
  router.get('/', (request, response) => {
    response.render('home/index', { title: request.t('home.title') });
  });
  return router;
}
