import type { Plugin } from 'graphql-yoga';
import type { TallyMetrics } from '../metrics/metrics.js';
import type { ReadinessReport } from './readiness.js';

/**
 * GET /ready and GET /metrics, served by the same handler as /graphql (yoga answers GET /health
 * itself: 200 while the process runs). They end the request before any GraphQL plugin, so they
 * need no token: /ready says only whether this instance should get traffic, /metrics only
 * counts and positions. Neither carries an account, an amount or a principal.
 */
export function useOpsEndpoints(options: {
  metrics: TallyMetrics;
  readiness(): Promise<ReadinessReport>;
}): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname === '/ready') {
        if (request.method !== 'GET' && request.method !== 'HEAD') return;
        const report = await options.readiness();
        endResponse(
          new fetchAPI.Response(JSON.stringify(report), {
            status: report.ready ? 200 : 503,
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
          }),
        );
      } else if (url.pathname === '/metrics') {
        if (request.method !== 'GET') return;
        endResponse(
          new fetchAPI.Response(await options.metrics.render(), {
            status: 200,
            headers: {
              'content-type': options.metrics.registry.contentType,
              'cache-control': 'no-store',
            },
          }),
        );
      }
    },
  };
}
