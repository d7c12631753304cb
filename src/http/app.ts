import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { OAuthProvider, type SigningKeys, type TokenSettings } from '../auth/index.js';
import type { InsightsExportService, ScheduleService, TokenflexExportService } from '../exports/index.js';
import type { UsageQueryService } from '../jobs/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Store } from '../store/index.js';
import { sendFrameworkError, useErrorFamily } from './errors/index.js';
import { metricsPlugin, type MetricsAccess } from './plugins/metrics.js';
import type { SchemaCompilers } from './schema-compilers.js';
import { TenancyCache } from './plugins/principal.js';
import { adminRoutes } from './routes/admin/index.js';
import { analyticsRoutes } from './routes/analytics/index.js';
import { authenticationRoutes, openIdRoutes } from './routes/authentication/index.js';
import { CONSOLE_CLIENT_ID, consoleRoutes } from './routes/console/index.js';
import { downloadRoutes, type DownloadOptions } from './routes/downloads/index.js';
import { ERROR_DOCS_PATH, errorDocsRoutes } from './routes/error-docs/index.js';
import { healthRoutes } from './routes/health/index.js';
import { insightsRoutes } from './routes/insights/index.js';
import { tokenflexRoutes } from './routes/tokenflex/index.js';
import { createValidatorCompiler } from './validation.js';

export interface AppDeps {
  readonly store: Store;
  readonly keys: SigningKeys;
  readonly tokens: TokenSettings;
  readonly queries: UsageQueryService;
  /** Base URL that clients reach the service at (used in the OpenAPI document). */
  readonly publicUrl: string;
  /**
   * How long `POST /insights/v1/usage-queries` and `POST /tokenflex/v1/usage/:c/query` wait for the
   * query to finish and answer it inline (spec §3.2, §4); 0 or absent: they answer at once.
   */
  readonly submitHoldMs?: number;
  /** A pino logger; silent when absent (tests). */
  readonly logger?: FastifyBaseLogger;
  readonly isReady?: () => boolean;
  /** Requests per minute per client address on the token endpoint and the sign-in form (0: no limit). */
  readonly authRateLimits?: { readonly token: number; readonly signIn: number };
  /** Export files and the signer of their download links; without it no `/downloads` route. */
  readonly downloads?: DownloadOptions;
  /** Token Flex export requests; without it those routes are absent. */
  readonly tokenflexExports?: TokenflexExportService;
  /** Insights exports; without it those routes are absent. */
  readonly insightsExports?: InsightsExportService;
  /** Token Flex export schedules; without it those routes are absent. */
  readonly schedules?: ScheduleService;
  /**
   * The reporting console's build (`web/dist`), served at `/console/`; its OAuth client
   * (`insights-console`, registered by the server at start) then signs in without a consent page.
   */
  readonly console?: { readonly distDir: string };
  /** The clock of "today" in the analytics answers (default: the system's). */
  readonly now?: () => Date;
  /** Request metrics and `GET /metrics`; without it neither (METRICS=off). */
  readonly metrics?: { readonly metrics: Metrics; readonly access: MetricsAccess };
  /**
   * The inflated size of a compressed usage batch (`Content-Encoding: gzip`) past which it is
   * refused with 413 BODY_TOO_LARGE (default MAX_INFLATED_BODY_BYTES, 512 MiB: README "Limits").
   */
  readonly maxInflatedBodyBytes?: number;
  /** Schema compilers shared by the apps of one process (`cachingSchemaCompilers`: the tests build many); Fastify's own when absent. */
  readonly schemaCompilers?: SchemaCompilers;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `//a/b?x` → `/a/b?x`: a run of leading slashes becomes one; the rest of the target is untouched. */
function collapseLeadingSlashes(target: string): string {
  return target.startsWith('//') ? target.replace(/^\/{2,}/, '/') : target;
}

/** Builds the whole HTTP application, ready for `inject` or `listen`; it never listens itself. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // Echo a caller's request id when it is well-formed, so logs can be joined across services.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    frameworkErrors: sendFrameworkError,
    // Spec §1 Paths: the APS Node SDK sends `//authentication/v2/token` when its base address is a
    // `URL` object. Collapse the leading slashes before routing, textually: never with
    // `new URL(target, base)`, which would read `//host/…` as a host.
    rewriteUrl: (request) => collapseLeadingSlashes(request.url ?? '/'),
    ...(deps.schemaCompilers ? { schemaController: { compilersFactory: { buildSerializer: deps.schemaCompilers.buildSerializer } } } : {}),
  });
  // Unknown properties are reported (spec §1), not silently dropped (Fastify's default); only text
  // (query strings, path parameters, headers) is coerced, never a JSON body.
  app.setValidatorCompiler(deps.schemaCompilers?.validatorCompiler ?? createValidatorCompiler());
  app.decorateRequest('principal', null);
  app.decorate('errorDocsUrl', `${deps.publicUrl.replace(/\/+$/, '')}${ERROR_DOCS_PATH}`);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  useErrorFamily(app, 'problem');

  const provider = new OAuthProvider({ store: deps.store, keys: deps.keys, tokens: deps.tokens });
  // Every bearer check also consults the revocation list (RFC 7009), one indexed lookup per request.
  const verifyAccessToken = (token: string) => provider.verifyAccessToken(token);
  const auth = { store: deps.store, verifyAccessToken, tenancyCache: new TenancyCache(deps.store) };

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'usage-insights',
        version: '0.1.0',
        description: 'Licence-usage reporting, wire-compatible with the Autodesk Insights and Token Flex APIs.',
      },
      servers: [{ url: deps.publicUrl }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Its counting hook is the root context's, so it sees every route, those registered before it too.
  if (deps.metrics) await app.register(metricsPlugin, { ...auth, ...deps.metrics });

  await app.register(errorDocsRoutes);
  await app.register(healthRoutes, { store: deps.store, isReady: deps.isReady ?? (() => true) });
  if (deps.downloads) await app.register(downloadRoutes, deps.downloads);
  await app.register(authenticationRoutes, {
    prefix: '/authentication/v2', keys: deps.keys, provider, issuer: deps.tokens.issuer,
    secureCookies: deps.publicUrl.startsWith('https:'), rateLimits: deps.authRateLimits ?? { token: 120, signIn: 20 }, store: deps.store,
    firstPartyClientIds: deps.console ? [CONSOLE_CLIENT_ID] : [],
  });
  await app.register(openIdRoutes, { issuer: deps.tokens.issuer, publicUrl: deps.publicUrl, ...auth });
  await app.register(insightsRoutes, {
    prefix: '/insights/v1', ...auth, queries: deps.queries, submitHoldMs: deps.submitHoldMs ?? 0, ...(deps.insightsExports ? { insightsExports: deps.insightsExports } : {}),
  });
  await app.register(tokenflexRoutes, {
    prefix: '/tokenflex/v1', ...auth, queries: deps.queries, submitHoldMs: deps.submitHoldMs ?? 0, ...(deps.tokenflexExports ? { tokenflexExports: deps.tokenflexExports } : {}),
    ...(deps.schedules ? { schedules: deps.schedules } : {}),
  });
  const metrics = deps.metrics?.metrics;
  await app.register(adminRoutes, {
    prefix: '/admin/v1', ...auth, ...(metrics ? { observeIngest: (batch) => metrics.observeIngest(batch) } : {}),
    ...(deps.maxInflatedBodyBytes !== undefined ? { maxInflatedBodyBytes: deps.maxInflatedBodyBytes } : {}),
  });
  await app.register(analyticsRoutes, { prefix: '/analytics/v1', ...auth, ...(deps.now ? { now: deps.now } : {}) });
  if (deps.console) await app.register(consoleRoutes, { distDir: deps.console.distDir });
  await app.ready();
  return app;
}
