import { existsSync } from 'node:fs';
import { catalogFor, type ApiName } from '../../catalog/index.js';
import { controlSocketPath, type Config } from '../../config.js';
import { createJobServices, jobSettingsOf } from '../../app-services.js';
import { isPending } from '../../jobs/index.js';
import type { UsageQueryScope } from '../../query/index.js';
import { openStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { formatRows, type OutputFormat } from '../table.js';
import { startProgress, type Progress, type ProgressStream } from '../progress.js';
import { connectToServer } from '../server-client.js';

export interface QueryCommandOptions {
  readonly api: ApiName;
  readonly user: string;
  readonly contract?: string;
  readonly context?: string;
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly where?: string;
  readonly orderBy?: string;
  readonly usageCategory: readonly string[];
  readonly format: OutputFormat;
}

interface Result { readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[]; readonly status: string }

const PAGE = 1000;

/**
 * Runs a usage query and renders its rows. While a server runs on the data directory (it holds
 * the DuckDB file) the query goes through its HTTP API with a token minted over the control
 * socket; otherwise the CLI runs the same query service and worker in-process.
 */
export async function runQueryCommand(config: Config, options: QueryCommandOptions, stderr: ProgressStream): Promise<string> {
  if (options.api === 'tokenflex' && !options.contract) throw new CliError('--contract is required with --api tokenflex');
  const progress = startProgress('query', stderr);
  try {
    const result = existsSync(controlSocketPath(config.dataDir)) ? await viaServer(config, options, progress) : await inProcess(config, options, progress);
    progress.finish(result.status, `${result.rows.length.toLocaleString('en')} rows`);
    const catalog = catalogFor(options.api);
    const typed = new Set(result.columns.filter((name) => catalog.metrics.has(name) || catalog.fields.get(name)?.freeText === false));
    return formatRows(options.format, result.columns, result.rows, typed);
  } finally {
    progress.abort();
  }
}

async function inProcess(config: Config, options: QueryCommandOptions, progress: Progress): Promise<Result> {
  const store = await openStore(config);
  const jobs = createJobServices(store, store.backend, jobSettingsOf(config, { concurrency: 1 }));
  try {
    await store.migrate();
    const user = await store.findUserByEmail(options.user);
    if (!user) throw new CliError(`No user has the e-mail address ${options.user}.`);
    let scope: UsageQueryScope;
    if (options.api === 'tokenflex') {
      const managed = await store.listManagedContracts(user.id);
      if (!managed.some((c) => c.contractNumber === options.contract)) throw new CliError(`${options.user} does not manage contract ${options.contract}.`);
      scope = { kind: 'contract', contractNumber: options.contract! };
    } else {
      const teams = (await store.listAdministeredTeams(user.id)).map((t) => t.teamId);
      if (options.context && !teams.includes(options.context)) throw new CliError(`${options.user} does not administer team ${options.context}.`);
      scope = { kind: 'teams', teamIds: options.context ? [options.context] : teams };
    }
    await jobs.runner.start({ recoverAll: store.backend === 'duckdb' });
    const { job } = await jobs.queries.submit(options.api, user.id, scope, {
      fields: options.fields, metrics: options.metrics,
      ...(options.where ? { where: options.where } : {}),
      ...(options.orderBy ? { orderBy: options.orderBy } : {}),
      ...(options.usageCategory.length ? { usageCategories: options.usageCategory } : {}),
    });
    let current = job;
    while (isPending(current.state)) {
      progress.update(current.state);
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = await jobs.queries.get(options.api, user.id, job.id);
    }
    if (current.state !== 'succeeded') throw new CliError(`The query ended ${current.state}: ${current.errorTitle ?? ''} ${current.errorDetail ?? ''}`.trim());
    const rows: unknown[][] = [];
    for (let offset = 0; offset < (current.rowCount ?? 0); offset += PAGE) rows.push(...(await jobs.queries.readPage(current, offset, PAGE)));
    return { columns: current.columns ?? [], rows, status: current.state };
  } finally {
    await jobs.runner.stop();
    await store.close();
  }
}

async function viaServer(config: Config, options: QueryCommandOptions, progress: Progress): Promise<Result> {
  const { call } = await connectToServer(config, options.user, 'data:read', '15m');
  let statusPath: string;
  if (options.api === 'tokenflex') {
    const submitted = await call(`/tokenflex/v1/usage/${encodeURIComponent(options.contract!)}/query`, {
      method: 'POST',
      body: JSON.stringify({ fields: options.fields, metrics: options.metrics, ...(options.where ? { where: options.where } : {}), ...(options.usageCategory.length ? { usageCategory: options.usageCategory } : {}) }),
    });
    statusPath = String(submitted.detail_uri);
  } else {
    const submitted = await call('/insights/v1/usage-queries', {
      method: 'POST',
      body: JSON.stringify({ fields: options.fields, metrics: options.metrics, ...(options.where ? { where: options.where } : {}), ...(options.orderBy ? { orderBy: options.orderBy } : {}), ...(options.context ? { contextId: options.context } : {}) }),
    });
    statusPath = `/insights/v1/usage-queries/${String(submitted.id)}`;
  }
  const rows: unknown[][] = [];
  let columns: readonly string[] | undefined;
  let final: string | undefined;
  for (let offset = 0; ; ) {
    const body = await call(`${statusPath}?offset=${offset}&limit=${PAGE}`);
    const status = String(body.status);
    progress.update(status);
    if (['SUBMITTED', 'RUNNING', 'QUEUED', 'PROCESSING'].includes(status)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    if (status !== 'COMPLETED' && status !== 'DONE') throw new CliError(`The query ended ${status}: ${JSON.stringify(body.error ?? {})}`);
    final = status;
    const page = (options.api === 'tokenflex' ? body.result : body) as { columns: string[]; rows: unknown[][] };
    const total = options.api === 'tokenflex' ? (body.result as { total: number }).total : (body.pagination as { totalResults: number }).totalResults;
    columns = page.columns;
    rows.push(...page.rows);
    offset += PAGE;
    if (offset >= total) break;
  }
  return { columns: columns ?? [], rows, status: final ?? 'COMPLETED' };
}
