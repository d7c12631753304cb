export { buildApp } from './app.js';
export type { AppDeps } from './app.js';
export { cachingSchemaCompilers } from './schema-compilers.js';
export type { SchemaCompilers } from './schema-compilers.js';
export { controlSocketPath, runServer } from './server.js';
export type { ServerOptions } from './server.js';
/** @internal Started by runServer; exported for the CLI's tests. */
export { startControlSocket } from './control-socket.js';
