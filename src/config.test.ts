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
