import { createHash, randomUUID } from 'node:crypto';
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
 * The request key of the `index`-th export of a schedule's firing due at `due`: the due second, '#',
 * and a UUID derived from schedule, due time and index (RFC 9562 version 8), so every try of one
 * firing names the same requests.
 * @internal exported for tests
 */
export function firingRequestKey(scheduleId: string, due: string, index: number): string {
  const hex = createHash('sha256').update(`${scheduleId}|${due}|${index}`).digest('hex');
  const variant = (8 | (parseInt(hex[16]!, 16) & 3)).toString(16);
  return `${new Date(due).toISOString().slice(0, 19)}#${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Token Flex export schedules: CRUD, and the scheduler that fires them.
 *
 * Each due time fires exactly once, whatever the number of server processes or restarts:
 * - the firing's export requests are made first, under keys derived from the due time
 *   (`firingRequestKey`), so a second try of the same firing finds them instead of adding more;
 * - then the firing is claimed with an update of `next_run_at` fenced by the due time it read.
 * A process that dies between the two leaves the schedule due, and the next tick (here or in
 * another process) completes the same firing without duplicates. Claiming first, as this did
 * before, lost the firing instead (the claim committed, the requests never made).
 *
 * A server that was down over one or more due times fires once when it comes back, for the
 * earliest missed due time, and then keeps the rhythm from the current time: an every-minute
 * schedule down for an hour makes one catch-up firing, not sixty.
 */
export class ScheduleService {
  readonly #store: Store;
  readonly #exports: TokenflexExportService;
  readonly #log: { warn(obj: object, msg: string): void } | undefined;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<unknown> | undefined;

  /** `now` is the scheduler's clock (default: the system's); a test moves it instead of waiting minutes. */
  constructor(store: Store, exportsService: TokenflexExportService, log?: { warn(obj: object, msg: string): void }, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#exports = exportsService;
    this.#log = log;
    this.#now = now;
  }

  async save(ownerUserId: string, contractNumber: string, input: ScheduleInput, id: string = randomUUID()): Promise<ExportSchedule> {
    const now = this.#now();
    resolveDateRange(input.dateRangeExpression, now);
    const enabled = input.enableFlag === 'Y';
    const next = nextFiring(input.frequencyExpression, now);
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

  /** Fires every due schedule once; returns how many firings this call claimed. */
  async fireDue(now = this.#now()): Promise<number> {
    let fired = 0;
    for (const schedule of await this.#store.listDueSchedules(now)) {
      try {
        if (await this.#fire(schedule, now)) fired++;
      } catch (error) {
        // The schedule stays due: the next tick tries the same firing again.
        this.#log?.warn({ err: error, scheduleId: schedule.id }, 'firing an export schedule failed; will retry');
      }
    }
    return fired;
  }

  async #fire(schedule: ExportSchedule, now: Date): Promise<boolean> {
    const due = schedule.nextRunAt!;
    // The range is that of the due time, not of the (possibly late) firing, so every try of a
    // firing asks for the same rows.
    const range = resolveDateRange(schedule.dateRangeExpression, new Date(due));
    const requests = schedule.scheduleObjects.flatMap((object) => requestsFor(object as ScheduleObject, range));
    for (const [index, request] of requests.entries()) {
      try {
        await this.#exports.submit(schedule.ownerUserId, schedule.contractNumber, request,
          { scheduleId: schedule.id, requestKey: firingRequestKey(schedule.id, due, index) });
      } catch (error) {
        // A full queue or a revoked contract manager skips this request; it must not stop the
        // firing, nor the other schedules. Anything else (the database) is retried as a whole.
        if (!AppError.is(error)) throw error;
        this.#log?.warn({ err: error, scheduleId: schedule.id }, 'a scheduled export could not be requested');
      }
    }
    return this.#store.claimScheduleFiring(schedule.id, due, nextFiring(schedule.frequencyExpression, now), now);
  }

  start(intervalMs = 1_000): void {
    this.#timer = setInterval(() => {
      // One tick at a time: a slow tick must not overlap the next and race itself.
      if (this.#tick) return;
      this.#tick = this.fireDue()
        .catch((error: unknown) => this.#log?.warn({ err: error }, 'firing export schedules failed; will retry'))
        .finally(() => { this.#tick = undefined; });
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a tick in progress, so the store can be closed after it. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
  }
}
