import type { paths } from '../../../generated/api';
import { api, must } from '../../api/client';
import type { DateRange } from '../../ui/date-range';

export type Advice = paths['/analytics/v1/contracts/{contractNumber}/advice']['get']['responses'][200]['content']['application/json'];
export type IdleSeats = paths['/analytics/v1/teams/{teamId}/idle-seats']['get']['responses'][200]['content']['application/json'];
export type Concurrency = paths['/analytics/v1/contracts/{contractNumber}/concurrency']['get']['responses'][200]['content']['application/json'];

/** Seat-or-Flex advice of a contract over the page's period. */
export function loadAdvice(contractNumber: string, range: DateRange): Promise<Advice> {
  return must(api.GET('/analytics/v1/contracts/{contractNumber}/advice', { params: { path: { contractNumber }, query: { from: range.from, to: range.to } } }));
}

/** A team's seats unused for `days` days. */
export function loadIdleSeats(teamId: string, days: number): Promise<IdleSeats> {
  return must(api.GET('/analytics/v1/teams/{teamId}/idle-seats', { params: { path: { teamId }, query: { days } } }));
}

/** Peak concurrent desktop sessions of a contract over the page's period, per day or hour. */
export function loadConcurrency(contractNumber: string, range: DateRange, granularity: 'day' | 'hour'): Promise<Concurrency> {
  return must(api.GET('/analytics/v1/contracts/{contractNumber}/concurrency', {
    params: { path: { contractNumber }, query: { from: range.from, to: range.to, granularity, top: 10 } },
  }));
}
