// Issue 22: the public Python Token Flex report sample (tokenflex-python-report.script of the
// autodesk-platform-services organisation) finishes against this service with only its base URLs
// changed. Its exact call sequence, as its `requests` calls send it:
//  1. the browser opens /authorize?response_type=code&client_id=…&redirect_uri=…&scope=data:read%20data:write
//     (no state, no PKCE), signs in and consents;
//  2. the callback posts the code with client_id AND client_secret in the form (client_secret_post);
//  3. GET {tokenflex}/v1/contract, then per contract POST v1/export/:c/requests (JSON, an array
//     usageCategory, a where, a downloadFileName) and it needs status 200 with `requestKey`;
//  4. GET v1/export/:c/requests/quote_plus(requestKey) until the answer has `downloadUrl`
//     (`requestStatus` "Error" is a failure), then once more for `downloadUrl` and `downloadFileName`;
//  5. a plain GET of downloadUrl, without any header.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { CookieJar, hiddenFields } from '../helpers/browser.js';
import { startE2eServer } from '../helpers/e2e-server.js';
import { suiteScope } from '../helpers/suite-scope.js';

const CALLBACK = 'http://localhost:3000/api/aps/callback/oauth';
const PASSWORD = 'a long enough password';
const EMAIL = 'admin@example.com';
const scope = suiteScope();
let base: string;
let client: { clientId: string; clientSecret: string };

before(async () => {
  const e2e = await startE2eServer(scope, { name: 'python-sample', demoRows: 500 });
  base = e2e.url;
  const headers = await e2e.headers();
  const users = await (await fetch(`${base}/admin/v1/users?limit=1000`, { headers })).json() as { items: { id: string; email: string }[] };
  const admin = users.items.find((user) => user.email === EMAIL)!;
  const password = await fetch(`${base}/admin/v1/users/${admin.id}/password`, { method: 'PUT', headers, body: JSON.stringify({ password: PASSWORD }) });
  assert.equal(password.status, 204);
  const created = await fetch(`${base}/admin/v1/clients`, {
    method: 'POST', headers, body: JSON.stringify({ name: 'Token Flex report (Python)', redirectUris: [CALLBACK], isPublic: false }),
  });
  assert.equal(created.status, 201);
  const body = await created.json() as { clientId: string; clientSecret: string };
  client = { clientId: body.clientId, clientSecret: body.clientSecret };
});

/** Python's urllib.parse.quote_plus: every reserved character escaped, spaces as '+'. */
function quotePlus(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** The person at the browser: signs in and allows; returns the callback's code. */
async function browserSignIn(authorizationUrl: string): Promise<string> {
  const jar = new CookieJar();
  const signInPage = jar.take(await fetch(authorizationUrl, { redirect: 'manual' }));
  assert.equal(signInPage.status, 200);
  const signedIn = await jar.submit(`${base}/authentication/v2/sign-in`, { ...hiddenFields(await signInPage.text()), email: EMAIL, password: PASSWORD });
  assert.equal(signedIn.status, 303);
  const consentPage = await jar.get(new URL(signedIn.headers.get('location')!, base));
  assert.equal(consentPage.status, 200);
  const allowed = await jar.submit(`${base}/authentication/v2/consent`, { ...hiddenFields(await consentPage.text()), decision: 'allow' });
  assert.equal(allowed.status, 303);
  const callback = new URL(allowed.headers.get('location')!);
  assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
  return callback.searchParams.get('code')!;
}

test('the Python Token Flex report sample\'s call sequence: sign-in, client_secret_post code exchange, export request, polling, plain download', async () => {
  // 1. start.py: the authorization URL, built by string concatenation.
  const authorizationUrl = `${base}/authentication/v2/authorize?response_type=code&client_id=${client.clientId}&redirect_uri=${quotePlus(CALLBACK)}&scope=data:read%20data:write`;
  const code = await browserSignIn(authorizationUrl);
  // 2. simple_http_server.py: client_id and client_secret in the form body, no Authorization header.
  const tokenResponse = await fetch(`${base}/authentication/v2/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, grant_type: 'authorization_code', code, redirect_uri: CALLBACK }).toString(),
  });
  assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
  const accessToken = (await tokenResponse.json() as { access_token: string }).access_token;
  const tokenflex = `${base}/tokenflex/`;
  const getJson = async (url: string) => {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}` } });
    assert.equal(response.status, 200, `${url}: ${await response.clone().text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  // 3. consumption_reporting.py: the contracts, then one export request per contract.
  const contracts = await getJson(new URL('v1/contract', tokenflex).href) as unknown as { contractNumber: string }[];
  assert.ok(contracts.length > 0, 'the signed-in user manages a contract');
  const contractNumber = contracts[0]!.contractNumber;
  const submitted = await fetch(new URL(`v1/export/${contractNumber}/requests`, tokenflex), {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({
      fields: ['contractYear', 'tokenPool', 'usageCategory', 'usageDate', 'productLineCode', 'productName'],
      metrics: ['tokensConsumed'],
      usageCategory: ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT', 'CLOUD_SERVICE'],
      where: 'contractYear=1',
      downloadFileName: `${contractNumber}_myYear1DesktopCloudUsage.csv`,
    }),
  });
  assert.equal(submitted.status, 200, await submitted.clone().text());
  const requestKey = String((await submitted.json() as { requestKey: string }).requestKey);
  // 4. Polling (the sample waits 5 s a step; 200 ms here) until downloadUrl appears.
  const detailsUrl = new URL(`v1/export/${contractNumber}/requests/${quotePlus(requestKey)}`, tokenflex).href;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const polled = await (await fetch(detailsUrl, { headers: { Authorization: `Bearer ${accessToken}` } })).json() as Record<string, unknown>;
    assert.notEqual(polled.requestStatus, 'Error', JSON.stringify(polled));
    if ('downloadUrl' in polled) break;
    assert.ok(Date.now() < deadline, `no downloadUrl after 120 s: ${JSON.stringify(polled)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const details = await getJson(detailsUrl);
  assert.equal(details.downloadFileName, `${contractNumber}_myYear1DesktopCloudUsage.csv`);
  // 5. A plain GET of the download address, without any header.
  const file = await fetch(String(details.downloadUrl));
  assert.equal(file.status, 200);
  const csv = await file.text();
  assert.match(csv.split('\n')[0]!, /contractYear/i);
});
