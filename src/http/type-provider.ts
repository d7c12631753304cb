import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { FastifyInstance, FastifyTypeProvider } from 'fastify';

/**
 * Route handlers take their body, query, params and headers types from the route schemas through
 * json-schema-to-ts (what @fastify/type-provider-json-schema-to-ts uses), never restated by hand. Replies are not typed from the
 * response schemas: those describe the wire for the OpenAPI document (several shapes per status,
 * problem+json), and the serializer checks them at run time.
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
