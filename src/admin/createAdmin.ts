// Composes the admin console and admin JSON API; the server mounts routes().
import { Hono } from 'hono';
import type { AdminDeps, AdminEnv } from './adminDeps.js';
import { accessConsoleRoutes } from './accessConsoleRoutes.js';
import { apiRoutes } from './apiRoutes.js';
import { consoleRoutes } from './consoleRoutes.js';

export function createAdmin(deps: AdminDeps) {
  return {
    deps,
    routes: () => {
      const app = new Hono<AdminEnv>();
      app.route('/', apiRoutes(deps));
      app.route('/', consoleRoutes(deps));
      app.route('/', accessConsoleRoutes(deps));
      return app;
    },
  };
}

export type Admin = ReturnType<typeof createAdmin>;
