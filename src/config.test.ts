import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

test('defaults give port 8080, ./data and a localhost public URL', () => {
  const config = loadConfig({}, '/srv/app');
  assert.equal(config.port, 8080);
  assert.equal(config.dataDir, '/srv/app/data');
  assert.equal(config.publicUrl, 'http://localhost:8080');
  assert.equal(config.demoRows, 200_000);
});

test('the token issuer does not follow the port, so a restart elsewhere keeps tokens valid', () => {
  assert.equal(loadConfig({ PORT: '9999' }, '/').tokenIssuer, loadConfig({}, '/').tokenIssuer);
  assert.equal(loadConfig({ PUBLIC_URL: 'https://usage.example.com/' }, '/').tokenIssuer, 'https://usage.example.com');
});

test('bad values are refused with the variable named', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }, '/'), (error: unknown) => error instanceof ConfigError && /PORT/.test(error.message));
  assert.throws(() => loadConfig({ DEMO_DATA: 'maybe' }, '/'), /DEMO_DATA/);
  assert.throws(() => loadConfig({ PUBLIC_URL: 'not a url' }, '/'), /PUBLIC_URL/);
  assert.throws(() => loadConfig({ RESULT_RETENTION_SECONDS: '60' }, '/'), /RESULT_RETENTION_SECONDS/);
});

test('DuckDB is the default; a postgres:// DATABASE_URL selects PostgreSQL, in DATABASE_SCHEMA', () => {
  assert.equal(loadConfig({}, '/').databaseUrl, undefined);
  const config = loadConfig({ DATABASE_URL: 'postgres://app@db:5432/usage', DATABASE_SCHEMA: 'tenant_a' }, '/');
  assert.equal(config.databaseUrl, 'postgres://app@db:5432/usage');
  assert.equal(config.databaseSchema, 'tenant_a');
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://db/usage' }, '/').databaseSchema, 'public');
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://db/usage' }, '/'), /DATABASE_URL/);
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://db/usage', DATABASE_SCHEMA: 'Bad-Name' }, '/'), /DATABASE_SCHEMA/);
});

test('FILES_DIR moves the export files and, with them, the download secret that every process sharing them must use', () => {
  const alone = loadConfig({ DATA_DIR: '/srv/a' }, '/');
  assert.equal(alone.filesDir, '/srv/a/files');
  assert.equal(alone.downloadSecretFile, '/srv/a/keys/download-secret');
  assert.equal(alone.jobStaleAfterSeconds, 30);
  const shared = loadConfig({ DATA_DIR: '/srv/a', FILES_DIR: '/mnt/files', JOB_STALE_AFTER_SECONDS: '6' }, '/');
  assert.equal(shared.filesDir, '/mnt/files');
  assert.equal(shared.downloadSecretFile, '/mnt/files/.keys/download-secret');
  assert.equal(shared.jobStaleAfterSeconds, 6);
  assert.equal(loadConfig({ FILES_DIR: '/mnt/files', DOWNLOAD_SECRET_FILE: '/run/secrets/dl' }, '/').downloadSecretFile, '/run/secrets/dl');
  assert.throws(() => loadConfig({ JOB_STALE_AFTER_SECONDS: '1' }, '/'), /JOB_STALE_AFTER_SECONDS/);
});

test('an EXCEL worksheet holds Excel\'s 1,048,576 rows unless XLSX_SHEET_ROWS says fewer', () => {
  assert.equal(loadConfig({}, '/').xlsxSheetRows, 1_048_576);
  assert.equal(loadConfig({ XLSX_SHEET_ROWS: '1000' }, '/').xlsxSheetRows, 1_000);
  assert.throws(() => loadConfig({ XLSX_SHEET_ROWS: '1048577' }, '/'), /XLSX_SHEET_ROWS/);
  assert.throws(() => loadConfig({ XLSX_SHEET_ROWS: '1' }, '/'), /XLSX_SHEET_ROWS/);
});

test('METRICS opens /metrics to this machine by default; off and token are the other choices', () => {
  assert.equal(loadConfig({}, '/').metrics, 'loopback');
  assert.equal(loadConfig({ METRICS: 'off' }, '/').metrics, 'off');
  assert.equal(loadConfig({ METRICS: 'Token' }, '/').metrics, 'token');
  assert.throws(() => loadConfig({ METRICS: 'public' }, '/'), /METRICS/);
});

test('DUCKDB_MEMORY_LIMIT bounds DuckDB at 256MB unless set; `default` leaves DuckDB its own', () => {
  assert.equal(loadConfig({}, '/').duckdbMemoryLimit, '256MB');
  assert.equal(loadConfig({ DUCKDB_MEMORY_LIMIT: '2GB' }, '/').duckdbMemoryLimit, '2GB');
  assert.equal(loadConfig({ DUCKDB_MEMORY_LIMIT: 'default' }, '/').duckdbMemoryLimit, undefined);
  assert.throws(() => loadConfig({ DUCKDB_MEMORY_LIMIT: 'lots' }, '/'), /DUCKDB_MEMORY_LIMIT/);
  assert.throws(() => loadConfig({ DUCKDB_MEMORY_LIMIT: "1GB'; drop table x" }, '/'), /DUCKDB_MEMORY_LIMIT/);
});
