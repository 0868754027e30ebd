import fp from 'fastify-plugin';
import type { ApiDeps, ApiServices } from '../deps.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: ApiServices;
    deps: ApiDeps;
  }
}

/** Exposes the services and dependencies to every route as `app.services` / `app.deps`. */
export default fp<{ deps: ApiDeps }>(
  async (app, { deps }) => {
    app.decorate('deps', deps);
    app.decorate('services', deps.services);
  },
  { name: 'mailduct-services' },
);
