import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { AppError } from '../errors.js';
import type { ExportSchedule, Store } from '../store/index.js';
import type { TokenflexExportRequest, TokenflexExportService } from './tokenflex-exports.js';

export type AggregationLevel = 'Transactional' | 'Daily' | 'Monthly';
export interface ScheduleObject { readonly usageCategory: 'DESKTOP_PRODUCT' | 'CLOUD'; readonly aggregationLevel: readonly AggregationLevel[] }

/** A schedule as the API sends it. */
export interface ScheduleInput {
  readonly dateRangeExpression: string;
  readonly enableFlag: 'Y' | 'N';
  readonly frequencyExpression: string;
  readonly scheduleObjects: readonly ScheduleObject[];
}

const DATE_RANGE = /^Previous-([1-9]\d?)-(Day|Week|Month)$/;

/** The next firing of a six-field cron (seconds first), in UTC; 400 with the parser's reason when invalid. */
export function nextFiring(expression: string, after: Date): Date {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new AppError('REQUEST_INVALID', `frequencyExpression must have six fields (second minute hour day month weekday), found ${fields.length}.`,
      { errors: [{ path: 'body/frequencyExpression', message: 'needs six fields' }] });
  }
  try {
    return CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate();
  } catch (error) {
    throw new AppError('REQUEST_INVALID', `frequencyExpression is not a valid cron expression: ${(error as Error).message}.`,
      { errors: [{ path: 'body/frequencyExpression', message: 'is not a valid cron expression' }] });
  }
}

/** `Previous-N-Month` (etc.) at a firing time → the first day and the day after the last, UTC. */
export function resolveDateRange(expression: string, at: Date): { readonly from: string; readonly to: string } {
  const match = DATE_RANGE.exec(expression);
  if (!match) throw new AppError('REQUEST_INVALID', `dateRangeExpression must look like Previous-1-Month, Previous-7-Day or Previous-2-Week.`);
  const n = Number(match[1]);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const today = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (match[2] === 'Month') {
    const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
    return { from: day(new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - n, 1))), to: day(end) };
  }
  const span = match[2] === 'Week' ? 7 * n : n;
  return { from: day(new Date(today.getTime() - span * 86_400_000)), to: day(today) };
}

const DESKTOP_TRANSACTIONAL = ['usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode',
  'userName', 'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory',
  'licenseServerName', 'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, i) => `customField${i + 1}`)];

/** The export requests one schedule object asks for at one firing. */
function requestsFor(object: ScheduleObject, range: { from: string; to: string }): TokenflexExportRequest[] {
  const categories = object.usageCategory === 'CLOUD' ? ['CLOUD_PRODUCT', 'CLOUD_SERVICE'] : ['DESKTOP_PRODUCT'];
  const where = `usageDate >= '${range.from}' and usageDate < '${range.to}'`;
  return categories.flatMap((category) => object.aggregationLevel.map((level): TokenflexExportRequest => {
    const desktop = category === 'DESKTOP_PRODUCT';
    const transactional = desktop
      ? { fields: DESKTOP_TRANSACTIONAL, metrics: ['tokensConsumed', 'usageMinutes', 'usageHours'] }
      : { fields: ['usageDate', 'usageTimestamp', 'productName', 'productLineCode', 'userName', 'chargedItemID', 'chargeCategory', 'hubId', 'hubName', ...(category === 'CLOUD_SERVICE' ? ['jobStatus'] : [])], metrics: ['tokensConsumed'] };
    const period = level === 'Monthly' ? 'usageMonth' : 'usageDate';
    const aggregated = { fields: [period, 'productName', 'productLineCode', 'userName', 'chargeCategory', ...(desktop ? ['productVersion', 'machineName'] : [])], metrics: ['tokensConsumed', ...(desktop ? ['usageMinutes'] : []), 'useCount'] };
    return {
      ...(level === 'Transactional' ? transactional : aggregated),
      usageCategory: [category],
      where,
      downloadFileName: `${category} ${level} ${range.from} to ${range.to}`,
    };
  }));
}

/**
 * Token Flex export schedules: CRUD, and the scheduler that fires them. A firing is claimed with
 * a fenced update of `next_run_at` before any export is created, so a schedule fires once per
 * due time whatever the number of server processes or restarts; a server that was down over
 * several due times fires once when it comes back (and then resumes the rhythm).
 */
export class ScheduleService {
  readonly #store: Store;
  readonly #exports: TokenflexExportService;
  readonly #log: { warn(obj: object, msg: string): void } | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, exportsService: TokenflexExportService, log?: { warn(obj: object, msg: string): void }) {
    this.#store = store;
    this.#exports = exportsService;
    this.#log = log;
  }

  async save(ownerUserId: string, contractNumber: string, input: ScheduleInput, id: string = randomUUID()): Promise<ExportSchedule> {
    resolveDateRange(input.dateRangeExpression, new Date());
    const enabled = input.enableFlag === 'Y';
    const next = nextFiring(input.frequencyExpression, new Date());
    const existing = await this.#store.getSchedule(id);
    const schedule: ExportSchedule = {
      id, contractNumber, ownerUserId, dateRangeExpression: input.dateRangeExpression, enabled,
      frequencyExpression: input.frequencyExpression.trim(), scheduleObjects: input.scheduleObjects,
      lastRanAt: existing?.lastRanAt ?? null, nextRunAt: enabled ? next.toISOString() : null,
    };
    await this.#store.saveSchedule(schedule);
    return (await this.#store.getSchedule(id))!;
  }

  async get(ownerUserId: string, contractNumber: string, id: string): Promise<ExportSchedule> {
    const schedule = await this.#store.getSchedule(id);
    if (!schedule || schedule.contractNumber !== contractNumber) throw new AppError('NOT_FOUND', `Contract ${contractNumber} has no schedule ${id}.`);
    if (schedule.ownerUserId !== ownerUserId) throw new AppError('ACCESS_DENIED', 'This schedule belongs to another user.');
    return schedule;
  }

  list(ownerUserId: string, contractNumber: string): Promise<readonly ExportSchedule[]> {
    return this.#store.listSchedules(ownerUserId, contractNumber);
  }

  delete(id: string): Promise<void> {
    return this.#store.deleteSchedule(id);
  }

  /** Fires every due schedule once; returns how many it fired. */
  async fireDue(now = new Date()): Promise<number> {
    let fired = 0;
    for (const schedule of await this.#store.listDueSchedules(now)) {
      const next = nextFiring(schedule.frequencyExpression, now);
      if (!(await this.#store.claimScheduleFiring(schedule.id, schedule.nextRunAt!, next, now))) continue;
      fired++;
      const range = resolveDateRange(schedule.dateRangeExpression, now);
      for (const object of schedule.scheduleObjects) {
        for (const request of requestsFor(object as ScheduleObject, range)) {
          // A full queue or a revoked contract manager must not stop the other schedules.
          await this.#exports.submit(schedule.ownerUserId, schedule.contractNumber, request, schedule.id)
            .catch((error: unknown) => this.#log?.warn({ err: error, scheduleId: schedule.id }, 'a scheduled export could not be requested'));
        }
      }
    }
    return fired;
  }

  start(intervalMs = 1_000): void {
    this.#timer = setInterval(() => {
      this.fireDue().catch((error: unknown) => this.#log?.warn({ err: error }, 'firing export schedules failed; will retry'));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
