import SerializerSelector, { type SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler } from 'fastify';
import { createValidatorCompiler } from './validation.js';

/** The route schema compilers of an app: requests' validators and responses' serializers. */
export interface SchemaCompilers {
  readonly validatorCompiler: FastifySchemaCompiler<unknown>;
  /** As Fastify's `schemaController.compilersFactory.buildSerializer` takes it. */
  readonly buildSerializer: SerializerFactory;
}

/**
 * The app's own validator compiler and Fastify's serializer compiler behind caches keyed by the
 * schema's text, for a process that builds many apps, as the tests do: a route's schemas are
 * compiled once per process, not once per app (that compiling is most of an app's build).
 */
export function cachingSchemaCompilers(): SchemaCompilers {
  const compileValidator = createValidatorCompiler();
  const validators = new Map<string, ReturnType<typeof compileValidator>>();
  const validatorCompiler: FastifySchemaCompiler<unknown> = (route) => {
    // A body is checked as sent, the other parts coerced from text first: two validators.
    const key = `${route.httpPart === 'body' ? 'body' : 'text'}:${JSON.stringify(route.schema)}`;
    let validate = validators.get(key);
    if (!validate) validators.set(key, validate = compileValidator(route as Parameters<typeof compileValidator>[0]));
    return validate;
  };

  const serializerFactory = SerializerSelector();
  const serializers = new Map<string, { readonly compile: ReturnType<SerializerFactory>; readonly compiled: Map<string, unknown> }>();
  const buildSerializer: SerializerFactory = (externalSchemas, serializerOptions) => {
    const poolKey = JSON.stringify([externalSchemas, serializerOptions]);
    let entry = serializers.get(poolKey);
    if (!entry) serializers.set(poolKey, entry = { compile: serializerFactory(externalSchemas, serializerOptions), compiled: new Map() });
    const { compile, compiled } = entry;
    return (route) => {
      const key = JSON.stringify(route.schema);
      let serialize = compiled.get(key) as ReturnType<typeof compile> | undefined;
      if (!serialize) compiled.set(key, serialize = compile(route));
      return serialize;
    };
  };

  return { validatorCompiler, buildSerializer };
}
