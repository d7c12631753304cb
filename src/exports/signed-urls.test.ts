import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadDownloadSecretFile, UrlSigner } from './signed-urls.js';

test('processes creating the shared download secret at once all get the same one, so a link signed by one verifies in another', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'download-secret-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'files', '.keys', 'download-secret');
  const secrets = await Promise.all(Array.from({ length: 12 }, () => loadDownloadSecretFile(file)));
  for (const secret of secrets) assert.deepEqual(secret, secrets[0]);
  assert.equal(secrets[0]!.length, 32);
  assert.deepEqual(await readdir(path.dirname(file)), ['download-secret'], 'no temporary files left');
  const link = new URL(new UrlSigner(secrets[0]!, 'http://a').sign('k/file.csv', 'file.csv').url);
  const q = link.searchParams;
  assert.ok(new UrlSigner(secrets[5]!, 'http://b').verify('k/file.csv', q.get('expires')!, q.get('name')!, q.get('sig')!));
});
