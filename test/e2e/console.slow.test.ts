import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Issue 18 acceptance: the console in a real browser on a real server with the demo data. Chromium
// is Debian's (.ci/run installs it), driven by playwright-core; under CI=true a missing Chromium
// fails these tests instead of skipping them.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(ROOT, 'test-results');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const hasChromium = existsSync(CHROMIUM);
const skip = !hasChromium && process.env.CI !== 'true'
  ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium): skipping the console's browser tests`
  : false;
/** A year inside the demo data's fixed window, so every figure has data behind it. */
const RANGE = { from: '2025-11-01', to: '2026-10-31' } as const;
const RANGE_QUERY = `range=custom&from=${RANGE.from}&to=${RANGE.to}`;
const WHERE_RANGE = `usageDate >= '${RANGE.from}' and usageDate <= '${RANGE.to}'`;
const numbers = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
/** The Usage report's query with its default columns: a user and a product line per row. */
const REPORT_QUERY = {
  fields: ['userId', 'productLineCode', 'productName', 'fullName', 'emailAddress'], metrics: ['totalUniqueDays', 'totalTokens', 'latestUsageDate'],
} as const;

let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess | undefined;
let browser: Browser | undefined;
let password: string;
const tokens = new Map<string, string>();

async function tokenFor(email: string): Promise<string> {
  if (!tokens.has(email)) {
    const result = await runCli(['token', '--user', email], env);
    assert.equal(result.code, 0, result.stderr);
    tokens.set(email, result.stdout.trim());
  }
  return tokens.get(email)!;
}

async function callApi<T>(email: string, url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await fetch(`${server!.url}${url}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${await tokenFor(email)}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  assert.ok(response.ok, `${url}: ${response.status} ${await response.clone().text()}`);
  return response.json() as Promise<T>;
}

/** Every row of a Token Flex query, as the API answers it. */
async function tokenflexRows(email: string, contract: string, body: object, headers: Record<string, string> = {}): Promise<unknown[][]> {
  let answer = await callApi<{ id: string; status: string; result?: { rows: unknown[][]; total: number } }>(email, `/tokenflex/v1/usage/${contract}/query`,
    { method: 'POST', body, headers: { prefer: 'wait=60', ...headers } });
  const rows: unknown[][] = [];
  for (let offset = 0; ; offset += 1000) {
    answer = await callApi(email, `/tokenflex/v1/usage/${contract}/query/${answer.id}?offset=${offset}&limit=1000`, { headers: { prefer: 'wait=60' } });
    assert.equal(answer.status, 'DONE');
    rows.push(...answer.result!.rows);
    if (rows.length >= answer.result!.total) return rows;
  }
}

/** Every row of an Insights query. */
async function insightsRows(email: string, body: object): Promise<Record<string, unknown>[]> {
  let answer = await callApi<{ id: string; status: string; columns?: string[]; rows?: unknown[][]; pagination?: { totalResults: number } }>(email,
    '/insights/v1/usage-queries', { method: 'POST', body, headers: { prefer: 'wait=60' } });
  const rows: unknown[][] = [];
  for (let offset = 0; ; offset += 1000) {
    answer = await callApi(email, `/insights/v1/usage-queries/${answer.id}?offset=${offset}&limit=1000`, { headers: { prefer: 'wait=60' } });
    assert.equal(answer.status, 'COMPLETED');
    rows.push(...answer.rows!);
    if (rows.length >= answer.pagination!.totalResults) break;
  }
  return rows.map((row) => Object.fromEntries(answer.columns!.map((c, i) => [c, row[i]])));
}

async function signIn(email: string, options: { readonly bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  // English numbers and words, so figures compare as text; axe needs its script in despite the CSP.
  const context = await browser!.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, bypassCSP: options.bypassCSP ?? false, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server!.url}/`);
  // `/` leads to the console, which finds no sign-in session and hands over to the sign-in page.
  await page.getByLabel(/e-?mail/i).fill(email);
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([page.waitForURL(/\/console\/token-usage/, { timeout: 30_000 }), page.getByRole('button', { name: 'Sign in' }).click()]);
  return { context, page };
}

/** A headline figure once it has loaded. */
async function figure(page: Page, id: string): Promise<string> {
  const value = page.locator(`[data-figure="${id}"] .tile-value`);
  await value.waitFor({ timeout: 60_000 });
  await page.waitForFunction((selector) => /\d/.test(document.querySelector(selector)?.textContent ?? ''), `[data-figure="${id}"] .tile-value`, { timeout: 60_000 });
  return (await value.textContent())!.trim();
}

async function optionValues(page: Page, label: string): Promise<string[]> {
  return page.getByLabel(label, { exact: true }).locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
}

/** axe-core in the page: no serious or critical violation. */
async function assertAccessible(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${name}: accessibility violations`);
}

async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name}: the page is ${overflow} px wider than a 390-px window`);
  await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the reporting console in Chromium', { skip }, () => {
  before(async () => {
    assert.ok(hasChromium, `CI=true but ${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
    dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-console-e2e-'));
    env = { DATA_DIR: dataDir, DEMO_ROWS: '6000' };
    server = await startServer(env, 120_000);
    // The demo users' password is told once, in the log line that announces the demo data.
    password = /with the password (\S+?)"/.exec(server.output())?.[1] ?? '';
    assert.ok(password, 'the demo data log line names the password');
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('alice signs in from / and sees only her team and her contract', { timeout: 180_000 }, async () => {
    const { context, page } = await signIn('alice@example.com');
    const contracts = await callApi<{ contractNumber: string }[]>('alice@example.com', '/tokenflex/v1/contract');
    const teams = await callApi<{ contextId: string }[]>('alice@example.com', '/insights/v1/contexts');
    assert.equal(contracts.length, 1);
    assert.equal(teams.length, 1);
    await page.getByLabel('Contract', { exact: true }).waitFor();
    assert.deepEqual(await optionValues(page, 'Contract'), contracts.map((c) => c.contractNumber));
    await page.getByRole('link', { name: 'Seat usage' }).click();
    await page.getByLabel('Team', { exact: true }).waitFor();
    assert.deepEqual(await optionValues(page, 'Team'), teams.map((t) => t.contextId));
    assert.equal(await page.getByRole('link', { name: 'Administration' }).count(), 0);
    // A reload has no tokens (they live in memory): the console signs in again silently.
    await page.reload();
    await page.getByLabel('Team', { exact: true }).waitFor({ timeout: 30_000 });
    assert.match(page.url(), /\/console\/seat-usage/);
    // Sign-out ends the sign-in session too: the next visit asks for the password again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel(/password/i).waitFor();
    await context.close();
  });

  test('as admin every page opens, passes axe, fits 1280 and 390 px, and its headline numbers are the API\'s', { timeout: 600_000 }, async () => {
    const admin = 'admin@example.com';
    const { context, page } = await signIn(admin, { bypassCSP: true });
    const [contract] = await callApi<{ contractNumber: string }[]>(admin, '/tokenflex/v1/contract');
    const [team] = await callApi<{ contextId: string }[]>(admin, '/insights/v1/contexts');

    // 1. Token usage: the balance of the contract year holding the range's end, and the tokens of the range.
    await page.goto(`${server!.url}/console/token-usage?contract=${contract!.contractNumber}&${RANGE_QUERY}`);
    const detail = await callApi<{ multiyearProvisionedTokens: number; contractYears: { year: number; startDate: string; endDate: string; provisionedTokens: number; consumedTokens: number; remainingTokens: number; multiyearConsumedTokens: number }[] }>(
      admin, `/tokenflex/v1/contract/${contract!.contractNumber}`);
    const year = detail.contractYears.find((y) => y.startDate <= RANGE.to && RANGE.to <= y.endDate)!;
    assert.equal(await figure(page, 'year-provisioned'), numbers.format(year.provisionedTokens));
    assert.equal(await figure(page, 'year-consumed'), numbers.format(year.consumedTokens));
    assert.equal(await figure(page, 'year-remaining'), numbers.format(year.remainingTokens));
    const myConsumed = detail.contractYears.reduce((sum, y) => sum + y.multiyearConsumedTokens, 0);
    assert.equal(await figure(page, 'multiyear-remaining'), numbers.format(detail.multiyearProvisionedTokens - myConsumed));
    const daily = await tokenflexRows(admin, contract!.contractNumber, { fields: ['usageDate'], metrics: ['tokensConsumed'], where: WHERE_RANGE });
    assert.equal(await figure(page, 'tokens-in-range'), numbers.format(daily.reduce((sum, row) => sum + Number(row[1]), 0)));
    await page.locator('#daily-tokens canvas').waitFor();
    await assertAccessible(page, 'token usage');
    await screenshots(page, 'token-usage');
    // The chart's table view holds the same numbers.
    await page.getByRole('button', { name: 'Show as table' }).click();
    await page.locator('#daily-tokens table').waitFor();
    await page.getByRole('tab', { name: 'By product' }).click();
    await page.getByRole('heading', { name: 'Tokens by product' }).waitFor({ timeout: 60_000 });
    await assertAccessible(page, 'token usage by product');

    // 2. Seat usage: users and products with usage (Insights), seats of active product subscriptions.
    await page.goto(`${server!.url}/console/seat-usage?team=${team!.contextId}&${RANGE_QUERY}`);
    const [totals] = await insightsRows(admin, { contextId: team!.contextId, metrics: ['uniqueUsers', 'uniqueProducts'], where: WHERE_RANGE });
    assert.equal(await figure(page, 'users'), numbers.format(Number(totals!.uniqueUsers)));
    assert.equal(await figure(page, 'products'), numbers.format(Number(totals!.uniqueProducts)));
    const subscriptions = (await callApi<{ status: string; offeringType: string; quantity: number; assignedSeats: number }[]>(admin, `/insights/v1/contexts/${team!.contextId}/subscriptions`))
      .filter((s) => s.status === 'Active' && s.offeringType !== 'Flex');
    assert.equal(await figure(page, 'seats'), numbers.format(subscriptions.reduce((sum, s) => sum + s.quantity, 0)));
    assert.equal(await figure(page, 'assigned-seats'), numbers.format(subscriptions.reduce((sum, s) => sum + s.assignedSeats, 0)));
    await page.getByRole('heading', { name: 'Seats and users by product' }).waitFor({ timeout: 60_000 });
    await assertAccessible(page, 'seat usage');
    await screenshots(page, 'seat-usage');

    // 3. Usage report: rows, users and tokens of the users × products query.
    await page.goto(`${server!.url}/console/usage-report?${RANGE_QUERY}`);
    // The page asks for its shown columns only (web/src/pages/usage-report: reportQueryColumns).
    const report = await insightsRows(admin, { ...REPORT_QUERY, where: WHERE_RANGE });
    assert.equal(await figure(page, 'report-rows'), numbers.format(report.length));
    assert.equal(await figure(page, 'report-users'), numbers.format(new Set(report.map((r) => r.userId)).size));
    assert.equal(await figure(page, 'report-tokens'), numbers.format(report.reduce((sum, r) => sum + Number(r.totalTokens), 0)));
    await assertAccessible(page, 'usage report');
    await screenshots(page, 'usage-report');
    // Paging: the second page starts at row 101.
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(`Rows 101–200 of ${numbers.format(report.length)}`).waitFor();

    // 5. Forecast and Advice (the analytics API): the same figures as /analytics/v1 answers.
    await page.goto(`${server!.url}/console/forecast?contract=${contract!.contractNumber}`);
    const forecast = await callApi<{ pools: { year: { provisionedTokens: number; usedTokens: number; leftTokens: number } } }>(admin, `/analytics/v1/contracts/${contract!.contractNumber}/forecast`);
    assert.equal(await figure(page, 'forecast-provisioned'), numbers.format(forecast.pools.year.provisionedTokens));
    assert.equal(await figure(page, 'forecast-used'), numbers.format(forecast.pools.year.usedTokens));
    assert.equal(await figure(page, 'forecast-left'), numbers.format(forecast.pools.year.leftTokens));
    await page.locator('#forecast-chart canvas').waitFor();
    await assertAccessible(page, 'forecast');
    await screenshots(page, 'forecast');
    await page.goto(`${server!.url}/console/advice?contract=${contract!.contractNumber}&${RANGE_QUERY}`);
    const advice = await callApi<{ totals: { assignSeat: { users: number }; moveToFlex: { users: number }; tokensSavedPerYear: number } }>(
      admin, `/analytics/v1/contracts/${contract!.contractNumber}/advice?from=${RANGE.from}&to=${RANGE.to}`);
    assert.equal(await figure(page, 'advice-assign-seat'), numbers.format(advice.totals.assignSeat.users));
    assert.equal(await figure(page, 'advice-move-to-flex'), numbers.format(advice.totals.moveToFlex.users));
    assert.equal(await figure(page, 'advice-saved'), numbers.format(Math.round(advice.totals.tokensSavedPerYear)));
    await assertAccessible(page, 'advice');
    await screenshots(page, 'advice');
    await page.goto(`${server!.url}/console/advice?tab=idle&team=${team!.contextId}&days=30`);
    const idle = await callApi<{ totals: { assignedSeats: number; idleSeats: number } }>(admin, `/analytics/v1/teams/${team!.contextId}/idle-seats?days=30`);
    assert.equal(await figure(page, 'idle-assigned'), numbers.format(idle.totals.assignedSeats));
    assert.equal(await figure(page, 'idle-idle'), numbers.format(idle.totals.idleSeats));
    await assertAccessible(page, 'idle seats');
    await screenshots(page, 'advice-idle-seats');
    await page.goto(`${server!.url}/console/advice?tab=concurrency&contract=${contract!.contractNumber}&${RANGE_QUERY}`);
    const peaks = await callApi<{ products: { peakSessions: number }[] }>(admin, `/analytics/v1/contracts/${contract!.contractNumber}/concurrency?from=${RANGE.from}&to=${RANGE.to}&granularity=day`);
    assert.equal(await figure(page, 'concurrency-peak'), numbers.format(Math.max(0, ...peaks.products.map((p) => p.peakSessions))));
    await assertAccessible(page, 'peak concurrency');
    await screenshots(page, 'advice-concurrency');

    // 4. Exports, query explorer and administration open and pass the same checks.
    for (const [name, url, ready] of [
      ['exports', '/console/exports', 'Insights exports'],
      ['query-explorer', '/console/query?api=insights&fields=productName&metrics=uniqueUsers', 'Query explorer'],
      ['admin-users', '/console/admin', 'New user'],
      ['admin-clients', '/console/admin?tab=clients', 'New OAuth client'],
      ['admin-teams', '/console/admin?tab=teams', 'New team'],
      ['admin-contracts', '/console/admin?tab=contracts', 'New contract'],
      ['admin-products', '/console/admin?tab=products', 'New product version'],
      ['admin-import', '/console/admin?tab=import', 'Import usage records'],
    ] as const) {
      await page.goto(`${server!.url}${url}`);
      await page.getByRole('heading', { name: ready }).waitFor({ timeout: 60_000 });
      await page.locator('.loading').waitFor({ state: 'detached', timeout: 60_000 }).catch(() => undefined);
      await assertAccessible(page, name);
      await screenshots(page, name);
    }
    await context.close();
  });

  test('the query explorer shows the caret under `productName = ` and runs a valid query', { timeout: 180_000 }, async () => {
    const { context, page } = await signIn('admin@example.com');
    await page.goto(`${server!.url}/console/query?api=insights&fields=productName&metrics=uniqueUsers`);
    await page.getByLabel('Filter (where)').fill('productName = ');
    const caret = page.locator('[data-caret]');
    await caret.waitFor({ timeout: 30_000 });
    assert.match(await caret.textContent() ?? '', /productName =\s*\n\s*\^/);
    assert.match(await page.locator('.where-problem .error-text').textContent() ?? '', /Expected a value/);
    // A typo gets the service's suggestion, which one click applies.
    await page.getByLabel('Filter (where)').fill("prodctName = 'AutoCAD'");
    await page.getByRole('button', { name: 'Use productName' }).click();
    assert.equal(await page.getByLabel('Filter (where)').inputValue(), "productName = 'AutoCAD'");
    await page.getByText('The query is valid.').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Run query' }).click();
    const rows = await insightsRows('admin@example.com', { fields: ['productName'], metrics: ['uniqueUsers'], where: "productName = 'AutoCAD'" });
    const cell = page.locator('#explorer-result tbody tr').first().locator('td').nth(1);
    await cell.waitFor({ timeout: 60_000 });
    assert.equal((await cell.textContent())?.trim(), numbers.format(Number(rows[0]!.uniqueUsers)));
    assert.match(await page.locator('pre[data-code="curl"]').textContent() ?? '', /usage-queries[\s\S]*productName = ''AutoCAD''|productName = '\\''AutoCAD'\\''/);
    await context.close();
  });

  test('an export created from the usage report downloads a file with the filtered rows', { timeout: 300_000 }, async () => {
    const admin = 'admin@example.com';
    const { context, page } = await signIn(admin);
    const [team] = await callApi<{ contextId: string }[]>(admin, '/insights/v1/contexts');
    const [product] = await insightsRows(admin, { contextId: team!.contextId, fields: ['productLineCode'], metrics: ['uniqueUsers'], where: WHERE_RANGE, orderBy: 'uniqueUsers DESC' });
    const code = String(product!.productLineCode);
    await page.goto(`${server!.url}/console/usage-report?team=${team!.contextId}&product=${code}&${RANGE_QUERY}`);
    await figure(page, 'report-rows');
    await page.getByRole('button', { name: 'Export' }).click();
    await page.waitForURL(/\/console\/exports\?highlight=/);
    const id = new URL(page.url()).searchParams.get('highlight')!;
    await page.locator(`[data-export-id="${id}"]`).filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 120_000 });
    const link = page.locator('#insights-exports-table tr', { has: page.locator(`[data-export-id="${id}"]`) }).getByRole('link').last();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(dataDir, 'downloaded.csv');
    await download.saveAs(file);
    const [header, ...lines] = (await readFile(file, 'utf8')).trim().split(/\r?\n/);
    const column = header!.split(',').indexOf('productLineCode');
    assert.ok(column >= 0, header);
    assert.ok(lines.length > 0, 'the file has rows');
    for (const line of lines) assert.equal(line.split(',')[column], code, line);
    await context.close();
  });

  test('the usage report filters by usage category and status, and its Token Flex export keeps the product and category', { timeout: 300_000 }, async () => {
    const admin = 'admin@example.com';
    const { context, page } = await signIn(admin);
    const [contract] = await callApi<{ contractNumber: string }[]>(admin, '/tokenflex/v1/contract');
    const where = `${WHERE_RANGE} and usageCategory = 'DESKTOP_PRODUCT' and userStatus = 'active'`;
    const report = await insightsRows(admin, { ...REPORT_QUERY, where });
    await page.goto(`${server!.url}/console/usage-report?category=DESKTOP_PRODUCT&status=active&${RANGE_QUERY}`);
    assert.equal(await figure(page, 'report-rows'), numbers.format(report.length));
    assert.equal(await page.locator('select[name="category"]').inputValue(), 'DESKTOP_PRODUCT');
    assert.equal(await page.locator('select[name="status"]').inputValue(), 'active');
    const flex = await tokenflexRows(admin, contract!.contractNumber, { fields: ['productLineCode'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'], where: WHERE_RANGE });
    const code = String(flex.sort((a, b) => Number(b[1]) - Number(a[1]))[0]![0]);
    await page.goto(`${server!.url}/console/usage-report?category=DESKTOP_PRODUCT&product=${code}&${RANGE_QUERY}`);
    await figure(page, 'report-rows');
    await page.getByLabel('Export as').selectOption('tokenflex');
    await page.getByLabel('Contract', { exact: true }).selectOption(contract!.contractNumber);
    await page.getByRole('button', { name: 'Export' }).click();
    await page.waitForURL(/\/console\/exports\?contract=/);
    const row = page.locator('#tokenflex-requests-table tbody tr', { hasText: `usage-report-${RANGE.from}-${RANGE.to}` }).first();
    await row.getByRole('link', { name: 'Download' }).waitFor({ timeout: 120_000 }).catch(async () => {
      // The list refreshes while a request is Requested; a reload shows the settled state.
      await page.reload();
      await row.getByRole('link', { name: 'Download' }).waitFor({ timeout: 60_000 });
    });
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download' }).click()]);
    const file = path.join(dataDir, 'tokenflex.csv');
    await download.saveAs(file);
    const [header, ...lines] = (await readFile(file, 'utf8')).trim().split(/\r?\n/);
    const columns = header!.split(',').map((c) => c.replace(/"/g, ''));
    assert.ok(lines.length > 0, 'the file has rows');
    for (const line of lines) {
      const cells = line.split(',').map((c) => c.replace(/"/g, ''));
      assert.equal(cells[columns.indexOf('productLineCode')], code, line);
      assert.equal(cells[columns.indexOf('usageCategory')], 'DESKTOP_PRODUCT', line);
    }
    await context.close();
  });

  test('administration creates and edits teams (the personal-data switch) and a product\'s seat price, as the API then answers', { timeout: 180_000 }, async () => {
    const admin = 'admin@example.com';
    const { context, page } = await signIn(admin);
    await page.goto(`${server!.url}/console/admin?tab=teams`);
    const create = page.locator('form', { has: page.getByRole('heading', { name: 'New team' }) });
    await create.getByLabel('Team id (optional)').fill('5550042');
    await create.getByLabel('Name', { exact: true }).fill('Console Office');
    await create.getByLabel('Personal data').uncheck();
    await create.getByRole('button', { name: 'Create' }).click();
    await create.getByText('Console Office (5550042) was created.').waitFor({ timeout: 30_000 });
    assert.equal((await callApi<{ personalData: boolean }>(admin, '/admin/v1/teams/5550042')).personalData, false);
    // While it is off, the API shows hashes for every team's users.
    const [row] = await insightsRows(admin, { fields: ['emailAddress'], metrics: ['uniqueUsers'], where: WHERE_RANGE });
    assert.match(String(row!.emailAddress), /^[0-9a-f]{32}$/);
    await page.getByRole('button', { name: 'Edit Console Office' }).click();
    const edit = page.locator('form', { has: page.getByRole('heading', { name: 'Change Console Office' }) });
    await edit.getByLabel('Personal data').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText('Console Office (5550042) was saved.').waitFor({ timeout: 30_000 });
    assert.equal((await callApi<{ personalData: boolean }>(admin, '/admin/v1/teams/5550042')).personalData, true);

    const products = await callApi<{ items: { productLineCode: string; version: string; productName: string }[] }>(admin, '/admin/v1/products?limit=1');
    const product = products.items[0]!;
    await page.goto(`${server!.url}/console/admin?tab=products`);
    await page.getByRole('button', { name: `Edit ${product.productName} ${product.version}` }).click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: `Change ${product.productName} ${product.version}` }) });
    await form.getByLabel('Seat price (tokens a year)').fill('1234');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('was saved.').waitFor({ timeout: 30_000 });
    const saved = await callApi<{ seatTokensPerYear: number | null }>(admin, `/admin/v1/products/${product.productLineCode}/${encodeURIComponent(product.version)}`);
    assert.equal(saved.seatTokensPerYear, 1234);
    await context.close();
  });

  test('with personal data hidden, Token usage › By user shows hashes, and a picked user shows their products and days as the API answers', { timeout: 300_000 }, async () => {
    const admin = 'admin@example.com';
    const [contract] = await callApi<{ contractNumber: string }[]>(admin, '/tokenflex/v1/contract');
    const [team] = await callApi<{ contextId: string }[]>(admin, '/insights/v1/contexts');
    const setSwitch = (personalData: boolean) => callApi(admin, `/admin/v1/teams/${team!.contextId}`, { method: 'PATCH', body: { personalData } });
    await setSwitch(false);
    try {
      const { context, page } = await signIn(admin, { bypassCSP: true });
      await page.goto(`${server!.url}/console/token-usage?contract=${contract!.contractNumber}&tab=users&${RANGE_QUERY}`);
      const first = page.getByRole('table', { name: 'Tokens by user' }).locator('tbody tr').first().getByRole('button');
      await first.waitFor({ timeout: 60_000 });
      const hash = (await first.textContent())!.trim();
      assert.match(hash, /^[0-9a-f]{32}$/, 'the user is shown as a hash');
      // Records without a user (contract-level adjustments) are a row with nobody to pick.
      const byUser = await tokenflexRows(admin, contract!.contractNumber, { fields: ['userName'], metrics: ['tokensConsumed'], where: WHERE_RANGE });
      if (byUser.length <= 50 && byUser.some((row) => row[0] === null || row[0] === '')) {
        const nobody = page.getByRole('table', { name: 'Tokens by user' }).locator('tbody tr', { hasText: 'No user (contract adjustments)' });
        assert.equal(await nobody.count(), 1);
        assert.equal(await nobody.getByRole('button').count(), 0);
      }
      await first.click();
      // The user's products through the API, by the hash (the service maps it to the person).
      const where = `${WHERE_RANGE} and userName = '${hash}'`;
      const products = await tokenflexRows(admin, contract!.contractNumber, { fields: ['productName'], metrics: ['tokensConsumed', 'usageHours'], where });
      assert.ok(products.length > 0, 'the API finds the hashed user\'s rows');
      const table = page.getByRole('table', { name: `Products of ${hash}` });
      await table.locator('tbody tr').first().waitFor({ timeout: 60_000 });
      assert.equal(await table.locator('tbody tr').count(), Math.min(50, products.length));
      const shown = await table.locator('tbody tr td:first-child').allTextContents();
      assert.deepEqual(new Set(shown.map((name) => name.trim())), new Set(products.map((row) => String(row[0]))));
      const days = await tokenflexRows(admin, contract!.contractNumber, { fields: ['usageDate'], metrics: ['tokensConsumed'], where });
      const weeks = await page.getByRole('table', { name: 'Days of use per week' }).locator('tbody tr td:last-child').allTextContents();
      assert.equal(weeks.reduce((sum, cell) => sum + Number(cell.replace(/,/g, '')), 0), days.length, 'days of use per week add up to the API\'s days');
      await assertAccessible(page, 'token usage by a hashed user');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'console-token-usage-hashed-user-1280.png'), fullPage: true });
      await context.close();
    } finally {
      await setSwitch(true);
    }
  });

  test('an import of a file with one bad line shows that line and writes nothing', { timeout: 180_000 }, async () => {
    const admin = 'admin@example.com';
    const { context, page } = await signIn(admin);
    const [contract] = await callApi<{ contractNumber: string }[]>(admin, '/tokenflex/v1/contract');
    const [userName] = await callApi<string[]>(admin, `/tokenflex/v1/contract/${contract!.contractNumber}/userName`);
    const products = await callApi<{ items: { productLineCode: string; version: string }[] }>(admin, '/admin/v1/products?limit=1');
    const { productLineCode, version } = products.items[0]!;
    const day = '2026-10-30';
    const session = (hour: number, minutes: number) => [contract!.contractNumber, userName, productLineCode, version,
      `${day}T${String(hour).padStart(2, '0')}:00:00Z`, `${day}T${String(hour).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:00Z`, '+00:00'].join(',');
    const before = await tokenflexRows(admin, contract!.contractNumber, { fields: ['userName'], metrics: ['useCount', 'usageMinutes'], usageCategory: ['DESKTOP_PRODUCT'], where: `usageDate = '${day}'` },
      { 'idempotency-key': `before-${Date.now()}` });
    const csv = ['contractNumber,userName,productLineCode,productVersion,sessionStartDate,sessionEndDate,licenseServerTimeZoneOffset',
      session(20, 30), `${contract!.contractNumber},${userName},${productLineCode},${version},${day}T21:00:00Z,${day}T20:00:00Z,+00:00`, session(22, 45)].join('\n');
    await page.goto(`${server!.url}/console/admin?tab=import`);
    await page.getByLabel('File').setInputFiles({ name: 'sessions.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const refused = page.locator('[data-import="refused"]');
    await refused.waitFor({ timeout: 60_000 });
    // Line 3 of the file (the header is line 1) is the session that ends before it starts.
    const row = page.locator('#import-errors tbody tr').first();
    assert.equal((await row.locator('td').first().textContent())?.trim(), '3');
    assert.equal(await page.locator('progress').getAttribute('value'), String(Buffer.byteLength(csv)));
    const afterRows = await tokenflexRows(admin, contract!.contractNumber, { fields: ['userName'], metrics: ['useCount', 'usageMinutes'], usageCategory: ['DESKTOP_PRODUCT'], where: `usageDate = '${day}'` },
      { 'idempotency-key': `after-${Date.now()}` });
    assert.deepEqual(afterRows, before);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-admin-import-refused-1280.png'), fullPage: true });
    await context.close();
  });
});
