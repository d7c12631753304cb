import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { FastifyInstance, FastifyTypeProvider } from 'fastify';

/**
 * Route handlers take their body, query, params and headers types from the route schemas through
 * json-schema-to-ts, never restated by hand. Ours rather than @fastify/type-provider-json-schema-to-ts
 * (the same engine), because that one also types replies from the response schemas, and ours
 * describe the wire for the OpenAPI document (several shapes per status, problem+json); the
 * serializer checks replies at run time.
 */
export interface SchemaTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? FromSchema<this['schema']> : unknown;
  serializer: unknown;
}

/** The app with handlers typed from their schemas (see SchemaTypeProvider). */
export function typedRoutes(app: FastifyInstance) {
  return app.withTypeProvider<SchemaTypeProvider>();
}

/** The value a JSON schema describes (for a helper that takes a request part, as a handler gets it). */
export type SchemaType<S extends JSONSchema> = FromSchema<S>;
