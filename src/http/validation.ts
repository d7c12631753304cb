import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { HANDLER_CHECKED } from './schemas.js';

/**
 * The request validator of every route. One Ajv without type coercion: a JSON body is checked as
 * sent, so `null`, `false` or `[null]` where a number or text belongs is a 400 naming the property,
 * never stored as `0` or `"false"`. Query strings, path parameters and headers are text, so they
 * are coerced here first, strictly, by their schema: an integer is digits only (no `1e400`,
 * `Infinity`, `0x10` or ` 5`), a number a finite decimal, a boolean `true` or `false`; a text that
 * is none of these is left as text for Ajv to refuse with the parameter's name.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<AnySchema> {
  const ajv = new Ajv({ removeAdditional: false, allErrors: true, coerceTypes: false, useDefaults: true, strictNumbers: true });
  // ajv-formats is CommonJS: its plugin is both the module and its `default`.
  ajvFormats.default(ajv);
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') return ajv.compile(withoutHandlerChecked(schema));
    const validate = ajv.compile(schema);
    return coercing(schema as Schema, validate);
  };
}

/**
 * A body schema without the keywords its handler checks (HANDLER_CHECKED, src/http/schemas.ts):
 * the document states them, the handler answers them with the spec's error body.
 */
function withoutHandlerChecked(schema: AnySchema): AnySchema {
  if (typeof schema !== 'object' || schema === null || !(HANDLER_CHECKED in schema)) return schema;
  const checked = new Set<string>([HANDLER_CHECKED, ...((schema as Record<string, unknown>)[HANDLER_CHECKED] as readonly string[])]);
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !checked.has(key)));
}

interface Schema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
}

function coercing(schema: Schema, validate: ValidateFunction): ValidateFunction {
  const wrapped = ((data: unknown) => {
    coerceObject(schema, data);
    const valid = validate(data);
    wrapped.errors = validate.errors;
    return valid;
  }) as ValidateFunction;
  wrapped.errors = null;
  return wrapped;
}

function coerceObject(schema: Schema, data: unknown): void {
  if (!schema.properties || data === null || typeof data !== 'object') return;
  const record = data as Record<string, unknown>;
  for (const [name, property] of Object.entries(schema.properties)) {
    if (Object.hasOwn(record, name)) record[name] = coerceText(property, record[name]);
  }
}

const INTEGER = /^[+-]?\d{1,30}$/;
const NUMBER = /^[+-]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})([eE][+-]?\d{1,3})?$/;

function typesOf(schema: Schema): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

/** One text value as its schema's type says, or unchanged when it does not read as that type. */
function coerceText(schema: Schema, value: unknown): unknown {
  const types = typesOf(schema);
  if (Array.isArray(value)) return types.includes('array') && schema.items ? value.map((item) => coerceText(schema.items as Schema, item)) : value;
  if (typeof value !== 'string' || types.length === 0 || types.includes('string')) return value;
  if (types.includes('array')) return [schema.items ? coerceText(schema.items, value) : value];
  if (types.includes('integer') && INTEGER.test(value)) return Number(value);
  if (types.includes('number') && NUMBER.test(value) && Number.isFinite(Number(value))) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if (types.includes('null') && value === '') return null;
  return value;
}
