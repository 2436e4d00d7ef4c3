/**
 * The dashboard's addresses: which path answers what. Pages for a run check that the run exists
 * first, so an unknown id is a 404 page with a clear message rather than a shell that fails later.
 */
import type { DashboardApi } from './api.ts';
import type { Assets } from './assets.ts';
import { comparePage } from './pages/compare-page.ts';
import { errorPage } from './pages/error-page.ts';
import { runPage } from './pages/run-page.ts';
import { runsPage } from './pages/runs-page.ts';
import { HttpError, htmlResponse, jsonResponse, type WebResponse } from './responses.ts';

export interface RouteContext {
  readonly url: URL;
  /** Decoded path segments after the route's fixed prefix. */
  readonly params: readonly string[];
}

interface Route {
  readonly pattern: RegExp;
  readonly handle: (ctx: RouteContext) => Promise<WebResponse>;
}

export interface Router {
  /** The route's answer, or null when no route matches. Throws what a handler throws. */
  dispatch(url: URL): Promise<WebResponse | null>;
}

export function createRouter(api: DashboardApi, assets: Assets): Router {
  const routes: Route[] = [
    { pattern: /^\/$/, handle: async () => htmlResponse(runsPage()) },
    { pattern: /^\/runs\/([^/]+)$/, handle: async ({ params }) => htmlResponse(runPage(await api.requireRun(params[0]!))) },
    {
      pattern: /^\/compare$/,
      handle: async ({ url }) => {
        const [a, b] = [url.searchParams.get('a'), url.searchParams.get('b')];
        if (!a || !b) return htmlResponse(errorPage(400, 'Pick two runs to compare: tick them in the runs list, or open /compare?a=<run id>&b=<run id>.'), 400);
        return htmlResponse(comparePage(await api.requireRun(a), await api.requireRun(b)));
      },
    },
    { pattern: /^\/api\/runs$/, handle: async ({ url }) => jsonResponse(await api.runs(url.searchParams.get('limit'), url.searchParams.getAll('filter'))) },
    { pattern: /^\/api\/runs\/([^/]+)$/, handle: async ({ params }) => jsonResponse(await api.run(params[0]!)) },
    { pattern: /^\/api\/runs\/([^/]+)\/charts$/, handle: async ({ params }) => jsonResponse(await api.charts(params[0]!)) },
    { pattern: /^\/api\/compare$/, handle: async ({ url }) => jsonResponse(await api.compare(url.searchParams.get('a'), url.searchParams.get('b'))) },
    {
      pattern: /^\/assets\/([^/]+)$/,
      handle: async ({ params }) => {
        const asset = assets.get(params[0]!);
        if (!asset) throw new HttpError(404, 'NotFound', `no asset ${params[0]}`);
        return asset;
      },
    },
  ];
  return {
    async dispatch(url) {
      for (const route of routes) {
        const match = route.pattern.exec(url.pathname);
        if (match) return route.handle({ url, params: match.slice(1).map(decodeSegment) });
      }
      return null;
    },
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'InvalidParameterValue', `the address has a malformed escape (%) in ${JSON.stringify(segment)}`);
  }
}

/** Static assets carry no run data: the one route a request without the token may reach. */
export function isPublicPath(pathname: string): boolean {
  return /^\/assets\/[^/]+$/.test(pathname);
}
