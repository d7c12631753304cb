import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { controlSocketPath, type Config } from '../../config.js';
import type { OutputFormat, ReportType } from '../../exports/index.js';
import { createJobServices, jobSettingsOf, openFileSettings } from '../../app-services.js';
import { isPending } from '../../jobs/index.js';
import { openStore, type Job } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { startProgress, type Progress } from '../progress.js';
import { connectToServer } from '../server-client.js';

export interface ExportCommandOptions {
  readonly api: 'tokenflex' | 'insights';
  readonly user: string;
  readonly out: string;
  // Token Flex
  readonly contract?: string;
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly usageCategory: readonly string[];
  readonly where?: string;
  // Insights
  readonly report: readonly string[];
  readonly format: string;
  readonly team?: string;
  readonly start?: string;
  readonly end?: string;
}

export interface ExportOutcome {
  readonly files: readonly string[];
  readonly rows: number;
  /** The final status word (`Download`, `COMPLETED`, `succeeded` in-process). */
  readonly status: string;
}

/**
 * Runs an export of either API and copies its file(s) to `--out` (a file for one report, a
 * directory for several). While a server runs, through its HTTP API; otherwise in-process with
 * the same services and worker.
 */
export async function runExportCommand(config: Config, options: ExportCommandOptions, stderr: NodeJS.WriteStream): Promise<ExportOutcome> {
  if (options.api === 'tokenflex' && !options.contract) throw new CliError('--contract is required with --api tokenflex');
  if (options.api === 'insights' && options.report.length === 0) throw new CliError('--report is required with --api insights');
  const progress = startProgress('export', stderr);
  try {
    const outcome = existsSync(controlSocketPath(config.dataDir)) ? await viaServer(config, options, progress) : await inProcess(config, options, progress);
    progress.finish(outcome.status, `${outcome.rows.toLocaleString('en')} rows in ${outcome.files.length} file${outcome.files.length === 1 ? '' : 's'}`);
    return outcome;
  } finally {
    progress.abort();
  }
}

function insightsBody(options: ExportCommandOptions) {
  return {
    outputFormat: options.format.toUpperCase() as OutputFormat,
    reports: options.report.map((r) => r.toUpperCase()) as ReportType[],
    ...(options.team ? { teamId: options.team } : {}),
    ...(options.start ? { startDate: options.start } : {}),
    ...(options.end ? { endDate: options.end } : {}),
    ...(options.report.some((r) => r.toUpperCase() === 'USAGE_REPORT') ? { usageReports: ['USAGE_REPORT_BY_PRODUCT'] } : {}),
  };
}

function tokenflexBody(options: ExportCommandOptions) {
  return {
    fields: options.fields, metrics: options.metrics,
    ...(options.usageCategory.length ? { usageCategory: options.usageCategory } : {}),
    ...(options.where ? { where: options.where } : {}),
    downloadFileName: path.basename(options.out),
  };
}

/** Where each file goes: `out` itself for one file, `out/<name>` for several; folders are created. */
async function targets(out: string, names: readonly string[]): Promise<string[]> {
  const paths = names.length === 1 ? [out] : names.map((name) => path.join(out, name));
  await mkdir(path.dirname(paths[0]!), { recursive: true });
  return paths;
}

async function inProcess(config: Config, options: ExportCommandOptions, progress: Progress): Promise<ExportOutcome> {
  const store = await openStore(config);
  const downloads = await openFileSettings(config);
  const jobs = createJobServices(store, store.backend, jobSettingsOf(config, { concurrency: 1 }), undefined, downloads);
  try {
    await store.migrate();
    const user = await store.findUserByEmail(options.user);
    if (!user) throw new CliError(`No user has the e-mail address ${options.user}.`);
    await jobs.runner.start({ recoverAll: store.backend === 'duckdb' });
    let job: Job;
    if (options.api === 'tokenflex') {
      const managed = await store.listManagedContracts(user.id);
      if (!managed.some((c) => c.contractNumber === options.contract)) throw new CliError(`${options.user} does not manage contract ${options.contract}.`);
      job = await jobs.tokenflexExports!.submit(user.id, options.contract!, tokenflexBody(options));
    } else {
      const teams = await store.listAdministeredTeams(user.id);
      const team = options.team ? teams.find((t) => t.teamId === options.team) : undefined;
      if (options.team && !team) throw new CliError(`${options.user} does not administer team ${options.team}.`);
      job = await jobs.insightsExports!.submit(user.id, { teamIds: team ? [team.teamId] : teams.map((t) => t.teamId), team: team ? { id: team.teamId, name: team.name } : null }, insightsBody(options), 'en');
    }
    while (isPending(job.state)) {
      progress.update(job.state);
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await store.getJob(job.id))!;
    }
    if (job.state !== 'succeeded') throw new CliError(`The export ended ${job.state}: ${job.errorTitle ?? ''} ${job.errorDetail ?? ''}`.trim());
    const paths = await targets(options.out, job.files.map((f) => f.fileName));
    for (const [i, file] of job.files.entries()) await copyFile(path.join(config.filesDir, file.key), paths[i]!);
    return { files: paths, rows: job.files.reduce((sum, f) => sum + f.rowCount, 0), status: job.state };
  } finally {
    await jobs.runner.stop();
    await store.close();
  }
}

async function viaServer(config: Config, options: ExportCommandOptions, progress: Progress): Promise<ExportOutcome> {
  const { call, fetchRaw } = await connectToServer(config, options.user, 'data:read data:write', '1h');
  let links: { url: string; name: string; rows: number }[];
  if (options.api === 'tokenflex') {
    const created = await call(`/tokenflex/v1/export/${encodeURIComponent(options.contract!)}/requests`, { method: 'POST', body: JSON.stringify(tokenflexBody(options)) });
    const statusUrl = `/tokenflex/v1/export/${encodeURIComponent(options.contract!)}/requests/${encodeURIComponent(String(created.requestKey))}`;
    let body = created;
    while (body.requestStatus === 'Requested') {
      progress.update('Requested');
      await new Promise((resolve) => setTimeout(resolve, 200));
      body = await call(statusUrl);
    }
    if (body.requestStatus !== 'Download') throw new CliError(`The export ended ${String(body.requestStatus)}: ${JSON.stringify(body.error ?? {})}`);
    links = [{ url: String(body.downloadUrl), name: String(body.downloadFileName), rows: Number(body.rowCount ?? 0) }];
  } else {
    const created = await call('/insights/v1/exports', { method: 'POST', body: JSON.stringify(insightsBody(options)) });
    let body = created;
    while (body.status === 'SUBMITTED') {
      progress.update('SUBMITTED');
      await new Promise((resolve) => setTimeout(resolve, 200));
      body = await call(`/insights/v1/exports/${String(created.id)}`);
    }
    if (body.status !== 'COMPLETED') throw new CliError(`The export ended ${String(body.status)}: ${JSON.stringify(body.error ?? {})}`);
    links = (body.downloads as { downloadURL: string; fileName: string; rowCount: number }[]).map((d) => ({ url: d.downloadURL, name: d.fileName, rows: d.rowCount }));
  }
  progress.update('downloading');
  const paths = await targets(options.out, links.map((l) => l.name));
  for (const [i, link] of links.entries()) {
    // The link's path under the server the CLI reached (the link names PUBLIC_URL, which may be a proxy's).
    const url = new URL(link.url);
    const response = await fetchRaw(`${url.pathname}${url.search}`);
    if (!response.ok) throw new CliError(`downloading ${link.name} failed: ${response.status}`);
    await writeFile(paths[i]!, Buffer.from(await response.arrayBuffer()));
  }
  return { files: paths, rows: links.reduce((sum, l) => sum + l.rows, 0), status: options.api === 'tokenflex' ? 'Download' : 'COMPLETED' };
}
