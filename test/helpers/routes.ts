import type { Express } from 'express';

export interface RouteEntry {
  method: string;
  path: string;
}

interface LayerLike {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** Every route the app answers, with its full path (mount prefixes included). */
export function listRoutes(app: Express): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const walk = (stack: LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, isHandled] of Object.entries(layer.route.methods)) {
          if (isHandled && method !== '_all') routes.push({ method: method.toUpperCase(), path: `${prefix}${layer.route.path}`.replace(/\/$/, '') || '/' });
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '');
  return routes;
}
