import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { ContractDefinition, ContractYearDefinition, ProductDetail, TeamDetail } from '../store/index.js';
import { CliError } from './cli-error.js';
import type { AnalyticsCommandOptions, AnalyticsQuestion } from './commands/analytics.js';
import type { runExportCommand } from './commands/export.js';
import { parseContractYear } from './contract-year.js';
import { parseDuration } from './duration.js';

// Each command's module (and the database, HTTP and query code behind it) loads only when that
// command runs: `insights --help` and `insights token` start in a fraction of the time (issue 22).
const load = {
  server: () => import('../http/index.js'),
  migrate: () => import('./commands/migrate.js'),
  export: () => import('./commands/export.js'),
  query: () => import('./commands/query.js'),
  seed: () => import('./commands/seed.js'),
  import: () => import('./commands/import.js'),
  accounts: () => import('./commands/accounts.js'),
  keys: () => import('./commands/keys.js'),
  admin: () => import('./commands/admin.js'),
  token: () => import('./commands/token.js'),
  analytics: () => import('./commands/analytics.js'),
};

function positiveInteger(max: number) {
  return (value: string): number => {
    const number = Number(value.replace(/_/g, ''));
    if (!Number.isInteger(number) || number < 0 || number > max) throw new InvalidArgumentError(`expected a whole number from 0 to ${max}`);
    return number;
  };
}

function nonNegativeNumber(value: string): number {
  const number = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('expected a number from 0 up');
  return number;
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  }
  return value;
}

/** The `insights` command line. Reads the same environment variables as the server. */
export function buildProgram(): Command {
  const config = () => loadConfig(process.env, process.cwd());
  const program = new Command('insights')
    .description('usage-insights: licence-usage reporting, compatible with the Insights and Token Flex APIs.\n' +
      'Configuration comes from the environment (DATA_DIR, PORT, PUBLIC_URL, …; see the README).')
    .showHelpAfterError();

  program.command('serve').description('run the HTTP service (seeds demo data into an empty database)')
    .action(async () => (await load.server()).runServer(config()));

  program.command('migrate').description('apply pending database migrations')
    .action(async () => {
      const report = await (await load.migrate()).runMigrateCommand(config());
      console.log(report.applied.length ? `applied: ${report.applied.join(', ')}` : 'the schema is current');
    });

  program.command('seed').description('generate a deterministic synthetic dataset into the data directory')
    .addOption(new Option('--rows <n>', 'usage records to generate').argParser(positiveInteger(1_000_000_000)).default(200_000))
    .addOption(new Option('--seed <s>', 'random seed; the same seed gives the same data').argParser(positiveInteger(2 ** 31 - 1)).default(42))
    .addOption(new Option('--from <date>', 'first usage day').argParser(isoDate).default('2024-11-01'))
    .addOption(new Option('--to <date>', 'last usage day').argParser(isoDate).default('2026-10-31'))
    .option('--reset', 'delete the existing database first', false)
    .action(async (options: { rows: number; seed: number; from: string; to: string; reset: boolean }) => {
      if (options.from > options.to) throw new CliError('--from must not be after --to');
      const summary = await (await load.seed()).runSeedCommand(config(), options);
      console.log(`seeded ${summary.usageRecords} usage records, ${summary.users} users, ${summary.teams} teams, ` +
        `${summary.contracts} contracts, ${summary.products} products in ${(summary.millis / 1000).toFixed(1)} s`);
    });

  program.command('token').description('print an access token for a user, for scripts and tests')
    .requiredOption('--user <email>', 'e-mail address of the user')
    .option('--scope <scopes>', 'space-separated scopes', 'data:read data:write')
    .option('--ttl <duration>', 'lifetime: 3600, 90s, 15m, 1h, 7d', '1h')
    .action(async (options: { user: string; scope: string; ttl: string }) => {
      console.log(await (await load.token()).runTokenCommand(config(), options));
    });

  const user = program.command('user').description('manage the users who sign in to the authorize pages');
  user.command('create').description('create an active user (without a password: set one with set-password)')
    .requiredOption('--email <email>', 'e-mail address (the sign-in name)')
    .requiredOption('--name <name>', 'full name, e.g. "Ada Lovelace"')
    .action(async (options: { email: string; name: string }) => {
      const result = await (await load.accounts()).runAccountsCommand(config(), 'user-create', options) as { id: string };
      console.log(`created user ${result.id}`);
    });
  user.command('set-password').description('set a user\'s password (read from stdin unless --password is given)')
    .requiredOption('--user <email>', 'e-mail address of the user')
    .option('--password <password>', 'the password (visible in the process list: prefer stdin)')
    .action(async (options: { user: string; password?: string }) => {
      const password = options.password ?? await (await load.accounts()).readPasswordFromStdin();
      await (await load.accounts()).runAccountsCommand(config(), 'user-set-password', { email: options.user, password });
      console.log(`password set for ${options.user}`);
    });
  user.command('disable').description('disable a user: sign-in, grants and their tokens are refused')
    .requiredOption('--user <email>', 'e-mail address of the user')
    .action(async (options: { user: string }) => {
      await (await load.accounts()).runAccountsCommand(config(), 'user-disable', { email: options.user });
      console.log(`disabled ${options.user}`);
    });

  const keys = program.command('keys').description('manage the keys that sign access tokens');
  keys.command('rotate').description('add a new signing key; older public keys stay published until their tokens expire')
    .action(async () => {
      console.log(`signing with key ${await (await load.keys()).runKeysRotateCommand(config())}`);
    });

  const pat = program.command('pat').description('manage personal access tokens (header ADSK-PAT, next to a two-legged bearer token)');
  pat.command('create').description('create a personal access token for a user; prints it once')
    .requiredOption('--user <email>', 'e-mail address of the user the token acts for')
    .option('--name <name>', 'a label to recognise the token by', 'personal access token')
    .option('--ttl <duration>', 'lifetime: 90d, 12h, … (at most 365d)', '90d')
    .action(async (options: { user: string; name: string; ttl: string }) => {
      const ttlSeconds = parseDuration(options.ttl);
      if (ttlSeconds === undefined) throw new CliError(`--ttl must look like 3600, 90s, 15m, 1h or 90d, got "${options.ttl}"`);
      const result = await (await load.accounts()).runAccountsCommand(config(), 'pat-create', { email: options.user, name: options.name, ttlSeconds }) as { id: string; token: string; expiresAt: string };
      console.log(`pat_id=${result.id}\npat=${result.token}\nexpires_at=${result.expiresAt}\n(the token is shown only now; only its sha-256 is stored)`);
    });
  pat.command('revoke').description('revoke a personal access token')
    .requiredOption('--id <id>', 'the pat_id printed by "pat create"')
    .action(async (options: { id: string }) => {
      await (await load.accounts()).runAccountsCommand(config(), 'pat-revoke', { id: options.id });
      console.log(`revoked ${options.id}`);
    });

  const client = program.command('client').description('manage OAuth clients (apps)');
  const many = (value: string, previous: string[] = []) => [...previous, value];
  client.command('create').description('register an OAuth client; prints its id and (once) its secret')
    .requiredOption('--name <name>', 'the name shown on the consent page')
    .option('--redirect-uri <uri>', 'a redirect URI, matched exactly (repeatable)', many, [])
    .option('--public', 'a public client (no secret; PKCE required)', false)
    .option('--user <email>', 'client_credentials tokens act for this user')
    .action(async (options: { name: string; redirectUri: string[]; public: boolean; user?: string }) => {
      const result = await (await load.accounts()).runAccountsCommand(config(), 'client-create', {
        name: options.name, redirectUris: options.redirectUri, isPublic: options.public,
        ...(options.user ? { userEmail: options.user } : {}),
      }) as { clientId: string; clientSecret?: string };
      console.log(`client_id=${result.clientId}`);
      if (result.clientSecret) console.log(`client_secret=${result.clientSecret}\n(the secret is shown only now; only its hash is stored)`);
    });

  const team = program.command('team').description('manage teams (Insights contexts), their administrators and members');
  team.command('create').description('create a team; its administrators see it in Insights at once')
    .requiredOption('--name <name>', 'the team\'s name (the Insights context alias)')
    .option('--id <teamId>', 'the team id (default: a random nine-digit number)')
    .option('--benefit <name>', 'a reporting benefit, e.g. ReportingAPIAccess (repeatable)', many, [])
    .option('--admin <email>', 'an administrator (repeatable)', many, [])
    .option('--member <email>', 'a member who is not an administrator (repeatable)', many, [])
    .addOption(new Option('--personal-data <on|off>', 'off: user names and e-mail addresses are shown as hashes (in every team\'s answers)').choices(['on', 'off']))
    .action(async (options: { name: string; id?: string; benefit: string[]; admin: string[]; member: string[]; personalData?: 'on' | 'off' }) => {
      const created = await (await load.admin()).runAdminCliCommand(config(), 'team-create', {
        name: options.name, ...(options.id ? { teamId: options.id } : {}), reportingBenefits: options.benefit,
        administrators: options.admin, members: options.member,
        ...(options.personalData ? { personalData: options.personalData === 'on' } : {}),
      }) as { teamId: string };
      console.log(`created team ${created.teamId}`);
    });
  team.command('update').description('change a team\'s name or its personal-data switch')
    .requiredOption('--id <teamId>', 'the team id')
    .option('--name <name>', 'a new name')
    .addOption(new Option('--personal-data <on|off>', 'off: user names and e-mail addresses are shown as hashes, in every team\'s answers and exports while any team has it off').choices(['on', 'off']))
    .action(async (options: { id: string; name?: string; personalData?: 'on' | 'off' }) => {
      if (options.name === undefined && options.personalData === undefined) throw new CliError('give --name or --personal-data');
      const updated = await (await load.admin()).runAdminCliCommand(config(), 'team-update', {
        teamId: options.id, ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.personalData ? { personalData: options.personalData === 'on' } : {}),
      }) as { teamId: string; personalData: boolean };
      console.log(`updated team ${updated.teamId} (personal data ${updated.personalData ? 'on' : 'off'})`);
    });
  team.command('list').description('list every team')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (options: { format: 'table' | 'csv' | 'json' }) => {
      console.log((await load.admin()).formatTeams(options.format, await (await load.admin()).runAdminCliCommand(config(), 'team-list', {}) as TeamDetail[]));
    });

  const contract = program.command('contract').description('manage Token Flex contracts, their years, token pools and managers');
  contract.command('create').description('create a contract of a team; its managers see it in Token Flex at once')
    .requiredOption('--number <contractNumber>', 'the contract number')
    .requiredOption('--name <name>', 'the contract name')
    .requiredOption('--team <teamId>', 'the team the contract belongs to')
    .requiredOption('--start <date>', 'first day, YYYY-MM-DD', isoDate)
    .requiredOption('--end <date>', 'last day, YYYY-MM-DD', isoDate)
    .option('--year <spec>', 'a contract year as YEAR:START:END:TOKENS, e.g. 1:2025-01-01:2025-12-31:10000 (repeatable)',
      (value: string, previous: ContractYearDefinition[] = []) => [...previous, parseContractYear(value)], [])
    .option('--multiyear-tokens <n>', 'the multi-year token pool (MY)', nonNegativeNumber, 0)
    .option('--enrichment <names>', 'customField1..10 names, comma-separated in order ("" skips one), e.g. "Department,,Site"')
    .option('--manager <email>', 'a contract manager (repeatable)', many, [])
    .addOption(new Option('--charges-from <where>', 'where its charges come from: our own rating, or Autodesk\'s Token Flex export files (docs/sources.md)')
      .choices(['rating', 'autodesk']).default('rating'))
    .action(async (options: { number: string; name: string; team: string; start: string; end: string; year: ContractYearDefinition[]; multiyearTokens: number; enrichment?: string; manager: string[]; chargesFrom: 'rating' | 'autodesk' }) => {
      const created = await (await load.admin()).runAdminCliCommand(config(), 'contract-create', {
        contractNumber: options.number, contractName: options.name, teamId: options.team, contractStartDate: options.start, contractEndDate: options.end,
        contractYears: options.year, multiyearProvisionedTokens: options.multiyearTokens,
        enrichmentCategories: options.enrichment === undefined ? [] : options.enrichment.split(',').map((name) => name.trim()),
        contractManagers: options.manager, chargesFrom: options.chargesFrom,
      }) as { contractNumber: string };
      console.log(`created contract ${created.contractNumber}`);
    });
  contract.command('set-charges-from').description('say where a contract\'s charges come from (only while it has no usage records)')
    .requiredOption('--number <contractNumber>', 'the contract number')
    .addOption(new Option('--charges-from <where>', 'our own rating, or Autodesk\'s Token Flex export files').choices(['rating', 'autodesk']).makeOptionMandatory())
    .action(async (options: { number: string; chargesFrom: 'rating' | 'autodesk' }) => {
      const updated = await (await load.admin()).runAdminCliCommand(config(), 'contract-set-charges-from', { contractNumber: options.number, chargesFrom: options.chargesFrom }) as { contractNumber: string; chargesFrom: string };
      console.log(`contract ${updated.contractNumber} takes its charges from ${updated.chargesFrom === 'autodesk' ? 'Autodesk\'s Token Flex export files' : 'our own rating'}`);
    });
  contract.command('list').description('list every contract')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (options: { format: 'table' | 'csv' | 'json' }) => {
      console.log((await load.admin()).formatContracts(options.format, await (await load.admin()).runAdminCliCommand(config(), 'contract-list', {}) as ContractDefinition[]));
    });

  const product = program.command('product').description('list products and set a product line\'s seat price');
  product.command('list').description('list every product version with its daily token rate and its line\'s seat price')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (options: { format: 'table' | 'csv' | 'json' }) => {
      console.log((await load.admin()).formatProducts(options.format, await (await load.admin()).runAdminCliCommand(config(), 'product-list', {}) as ProductDetail[]));
    });
  product.command('set-seat-price').description('set what a subscription seat of a product line costs in tokens a year (the seat-or-Flex advice)')
    .requiredOption('--line <productLineCode>', 'the product line, e.g. RVT (every version of it)')
    .option('--tokens <n>', 'tokens a year', nonNegativeNumber)
    .option('--clear', 'remove the seat price (the line is left out of the advice)', false)
    .action(async (options: { line: string; tokens?: number; clear: boolean }) => {
      if ((options.tokens === undefined) === !options.clear) throw new CliError('give either --tokens <n> or --clear');
      const versions = await (await load.admin()).runAdminCliCommand(config(), 'product-set-seat-price', {
        productLineCode: options.line, seatTokensPerYear: options.clear ? null : options.tokens,
      }) as ProductDetail[];
      console.log(options.clear ? `cleared the seat price of ${options.line} (${versions.length} versions)`
        : `seat price of ${options.line}: ${options.tokens} tokens a year (${versions.length} versions)`);
    });

  const analytics = program.command('analytics').description('licence analytics: token forecast, seat-or-Flex advice, idle seats, concurrency (as a user; tenancy applies)');
  const formatOption = () => new Option('--format <format>', 'output format (csv: the main table; json: the API\'s answer)').choices(['table', 'csv', 'json']).default('table');
  const ask = (question: AnalyticsQuestion) => async (options: AnalyticsCommandOptions) => {
    console.log(await (await load.analytics()).runAnalyticsCommand(config(), question, options));
  };
  analytics.command('forecast').description('when the tokens run out: the contract year\'s consumption, its forecast with intervals, against the pools')
    .requiredOption('--user <email>', 'ask as this user (a manager of the contract)')
    .requiredOption('--contract <number>', 'the contract')
    .option('--year <n>', 'the contract year (default: the one holding today)', positiveInteger(999))
    .addOption(formatOption())
    .action(ask('forecast'));
  analytics.command('advice').description('seat or Flex: who should get a seat, who would be cheaper on Flex')
    .requiredOption('--user <email>', 'ask as this user (a manager of the contract)')
    .requiredOption('--contract <number>', 'the contract')
    .option('--from <date>', 'first day (default: 12 months before --to)', isoDate)
    .option('--to <date>', 'last day (default: yesterday)', isoDate)
    .addOption(formatOption())
    .action(ask('advice'));
  analytics.command('idle-seats').description('seats whose user has not used the product in the last N days, or never')
    .requiredOption('--user <email>', 'ask as this user (an administrator of the team)')
    .requiredOption('--team <teamId>', 'the team')
    .option('--days <n>', 'the window in days', positiveInteger(3660), 30)
    .addOption(formatOption())
    .action(ask('idle-seats'));
  analytics.command('concurrency').description('the most desktop sessions running at once, per product and hour or day')
    .requiredOption('--user <email>', 'ask as this user (a manager of the contract)')
    .requiredOption('--contract <number>', 'the contract')
    .option('--product <code>', 'one product line (default: every one)')
    .option('--from <date>', 'first day (default: 29 days before --to)', isoDate)
    .option('--to <date>', 'last day (default: today)', isoDate)
    .addOption(new Option('--granularity <unit>', 'periods').choices(['hour', 'day']).default('day'))
    .option('--top <n>', 'how many busiest periods to list', positiveInteger(1000), 10)
    .addOption(formatOption())
    .action(ask('concurrency'));

  program.command('import').description('ingest usage records from CSV or NDJSON files, rated on arrival (each file all or nothing); ' +
    'or Autodesk\'s Token Flex exports and FlexNet debug logs (--source, docs/sources.md)')
    .argument('<files...>', 'files to import (.csv, .ndjson, .jsonl; .gz too)')
    .addOption(new Option('--format <format>', 'format of every file (default: by extension)').choices(['csv', 'ndjson']))
    .option('--dry-run', 'validate and count only; write nothing (--source flexlm: lists the features no product has)', false)
    .option('--contract <number>', 'the contract of records that name none (with --source: of every record)')
    .addOption(new Option('--source <source>', 'read the files as Token Flex exports (rated by Autodesk) or FlexNet debug logs')
      .choices(['tokenflex-export', 'flexlm']))
    .option('--server <name>', '--source flexlm: the licence server the logs are of')
    .option('--offset <±HH:MM>', '--source flexlm: the licence server\'s UTC offset (its log\'s times are local)')
    .addOption(new Option('--rate-as <source>', '--source flexlm: sus (network seats, no Flex tokens) or flex (rated as Flex usage)')
      .choices(['sus', 'flex']).default('sus'))
    .action(async (files: string[], options: {
      format?: 'csv' | 'ndjson'; dryRun: boolean; contract?: string; source?: 'tokenflex-export' | 'flexlm'; server?: string; offset?: string; rateAs: 'sus' | 'flex';
    }) => {
      const ok = await (await load.import()).runImportCommand(config(), { files, ...options }, {
        progress: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true, summary: (line) => console.log(line),
      });
      if (!ok) process.exitCode = 1;
    });

  const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
  program.command('query').description('run a usage query as the given user and print its rows')
    .addOption(new Option('--api <api>', 'which API\'s catalogue and rules').choices(['insights', 'tokenflex']).default('tokenflex'))
    .requiredOption('--user <email>', 'run as this user (tenancy applies)')
    .option('--contract <number>', 'Token Flex: the contract to query')
    .option('--context <teamId>', 'Insights: one team (default: every team the user administers)')
    .option('--fields <names>', 'comma-separated fields', list, [])
    .option('--metrics <names>', 'comma-separated metrics', list, [])
    .option('--where <clause>', "filter, e.g. \"contractYear = 2 and userName LIKE 'admin%'\"")
    .option('--order-by <clause>', 'Insights: e.g. "productName DESC"')
    .option('--usage-category <names>', 'Token Flex: comma-separated usage categories', list, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .action(async (options: { api: 'insights' | 'tokenflex'; user: string; contract?: string; context?: string; fields: string[]; metrics: string[]; where?: string; orderBy?: string; usageCategory: string[]; format: 'table' | 'csv' | 'json' }) => {
      console.log(await (await load.query()).runQueryCommand(config(), options, process.stderr));
    });

  program.command('export').description('run an export of either API and save its file(s)')
    .addOption(new Option('--api <api>', 'which API').choices(['insights', 'tokenflex']).default('tokenflex'))
    .requiredOption('--user <email>', 'run as this user (tenancy applies)')
    .requiredOption('--out <path>', 'file to write (a directory when the export has several files)')
    .option('--contract <number>', 'Token Flex: the contract')
    .option('--fields <names>', 'Token Flex: comma-separated fields', list, [])
    .option('--metrics <names>', 'Token Flex: comma-separated metrics', list, [])
    .option('--usage-category <names>', 'Token Flex: usage categories', list, [])
    .option('--where <clause>', 'Token Flex: filter')
    .option('--report <names>', 'Insights: SUBSCRIPTIONS, USERS, USAGE, USAGE_REPORT', list, [])
    .addOption(new Option('--format <format>', 'Insights: output format').choices(['CSV', 'EXCEL', 'JSON', 'csv', 'excel', 'json']).default('EXCEL'))
    .option('--team <teamId>', 'Insights: one team (default: every team the user administers)')
    .option('--start <date>', 'Insights: first day (USAGE, USAGE_REPORT)')
    .option('--end <date>', 'Insights: last day (USAGE, USAGE_REPORT)')
    .action(async (options: Parameters<typeof runExportCommand>[1]) => {
      const outcome = await (await load.export()).runExportCommand(config(), options, process.stderr);
      console.log(`wrote ${outcome.rows} rows to ${outcome.files.join(', ')}`);
    });

  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError || error instanceof ConfigError || AppError.is(error)) {
    console.error(`insights: ${error.message}`);
    if (AppError.is(error) && error.snippet) console.error(error.snippet);
    for (const detail of AppError.is(error) ? error.errors ?? [] : []) console.error(`  ${detail.path}: ${detail.message}`);
    process.exitCode = 1;
  } else {
    // No command prints a stack trace (issue 22): one line saying what failed, the stack only with
    // INSIGHTS_DEBUG=1, for a bug report.
    const { message, cause } = error as { message?: string; cause?: { message?: string; code?: string } };
    const because = cause?.code ?? cause?.message;
    console.error(`insights: ${message ?? String(error)}${because ? ` (${because})` : ''}`);
    if (process.env.INSIGHTS_DEBUG === '1') console.error(error);
    else console.error('insights: that was unexpected; run again with INSIGHTS_DEBUG=1 to see where it happened, and report it.');
    process.exitCode = 1;
  }
}
