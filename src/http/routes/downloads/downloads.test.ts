import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalFileStore, UrlSigner } from '../../../exports/index.js';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore, TEST_SCHEMA_COMPILERS } from '../../../../test/helpers/build-app.js';
import { buildApp } from '../../index.js';

let store: Store;
let dir: string;
let files: LocalFileStore;
const signer = new UrlSigner(Buffer.alloc(32, 3), 'http://localhost:8080');
const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));

before(async (t) => {
  store = await openSeededStore(t as never, 200);
  dir = await mkdtemp(path.join(tmpdir(), 'downloads-'));
  files = new LocalFileStore(dir);
  await files.write('exports/e1/usage.csv', async (out) => {
    await pipeline(Readable.from([content]), out);
    return { rowCount: 5000 };
  });
});
after(() => rm(dir, { recursive: true, force: true }));

async function app(t: { after: (fn: () => Promise<void>) => void }) {
  const base = await buildTestApp(t, store);
  const withDownloads = await buildApp({
    store, keys: base.keys, tokens: { issuer: 'http://localhost:8080', audience: 'usage-insights' }, queries: base.jobs.queries,
    publicUrl: 'http://localhost:8080', downloads: { files, signer }, schemaCompilers: TEST_SCHEMA_COMPILERS,
  });
  t.after(() => withDownloads.close());
  return withDownloads;
}

const pathOf = (url: string) => url.replace('http://localhost:8080', '');

describe('GET /downloads/*', () => {
  test('a signed link streams the file with type, length and the requested file name', async (t) => {
    const server = await app(t);
    const response = await server.inject({ url: pathOf(signer.sign('exports/e1/usage.csv', 'Désktop usage.csv').url) });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(response.headers['content-length'], String(content.length));
    assert.equal(response.headers['content-disposition'], `attachment; filename="D_sktop usage.csv"; filename*=UTF-8''D%C3%A9sktop%20usage.csv`);
    assert.equal(response.headers['accept-ranges'], 'bytes');
    assert.deepEqual(response.rawPayload, content);
  });

  test('a Range request resumes the download byte-exactly', async (t) => {
    const server = await app(t);
    const url = pathOf(signer.sign('exports/e1/usage.csv', 'usage.csv').url);
    const first = await server.inject({ url, headers: { range: 'bytes=0-999' } });
    const rest = await server.inject({ url, headers: { range: 'bytes=1000-' } });
    assert.equal(first.statusCode, 206);
    assert.equal(first.headers['content-range'], `bytes 0-999/${content.length}`);
    assert.equal(rest.statusCode, 206);
    assert.deepEqual(Buffer.concat([first.rawPayload, rest.rawPayload]), content);
    const tail = await server.inject({ url, headers: { range: 'bytes=-10' } });
    assert.deepEqual(tail.rawPayload, content.subarray(content.length - 10));
    const beyond = await server.inject({ url, headers: { range: `bytes=${content.length}-` } });
    assert.equal(beyond.statusCode, 416);
  });

  test('expired, tampered and path-traversal links answer the same 403', async (t) => {
    const server = await app(t);
    const expired = pathOf(signer.sign('exports/e1/usage.csv', 'usage.csv', 600, Date.now() - 3_600_000).url);
    const good = new URL(signer.sign('exports/e1/usage.csv', 'usage.csv').url);
    const tampered = `/downloads/exports/e1/usage.csv?expires=${Number(good.searchParams.get('expires')) + 999}&name=usage.csv&sig=${good.searchParams.get('sig')}`;
    const renamed = `/downloads/exports/e1/usage.csv?expires=${good.searchParams.get('expires')}&name=evil.exe&sig=${good.searchParams.get('sig')}`;
    const traversal = `/downloads/exports/e1/../../../etc/passwd?${good.searchParams.toString()}`;
    const encodedTraversal = `/downloads/exports%2F..%2F..%2Fetc%2Fpasswd?${good.searchParams.toString()}`;
    const unsigned = '/downloads/exports/e1/usage.csv';
    const bodies = new Set<string>();
    for (const url of [expired, tampered, renamed, traversal, encodedTraversal, unsigned]) {
      const response = await server.inject({ url });
      assert.ok(response.statusCode === 403 || response.statusCode === 404, `${url} answered ${response.statusCode}`);
      if (response.statusCode === 403) bodies.add(response.json().detail);
      assert.doesNotMatch(response.body, /root:|line 0/);
    }
    assert.equal(bodies.size, 1, 'every refusal says the same');
  });
});
