import type { paths } from '../../../generated/api';
import { api, must } from '../../api/client';

export type Forecast = paths['/analytics/v1/contracts/{contractNumber}/forecast']['get']['responses'][200]['content']['application/json'];

/** The token forecast of a contract year (`GET /analytics/v1/contracts/:c/forecast`); no year: the one holding today. */
export function loadForecast(contractNumber: string, contractYear: number | undefined): Promise<Forecast> {
  return must(api.GET('/analytics/v1/contracts/{contractNumber}/forecast', {
    params: { path: { contractNumber }, query: contractYear ? { contractYear } : {} },
  }));
}

/** The chart's lines: consumption so far, then the forecast with its 80 % band, against the year pool. */
export function forecastLines(forecast: Forecast): { days: string[]; actual: number[]; median: number[]; low80: number[]; high80: number[]; pool: number[] } {
  const days = [...forecast.actual.map((d) => d.date), ...forecast.forecast.map((d) => d.date)];
  const lastActual = forecast.actual.at(-1)?.cumulative;
  const n = forecast.actual.length;
  // The forecast lines start at the last day so far, so the two lines join.
  const ahead = (pick: (d: Forecast['forecast'][number]) => number) =>
    days.map((_, i) => (i < n - 1 ? NaN : i === n - 1 ? (lastActual ?? NaN) : pick(forecast.forecast[i - n]!)));
  return {
    days,
    actual: days.map((_, i) => (i < n ? forecast.actual[i]!.cumulative : NaN)),
    median: ahead((d) => d.cumulative.tokens),
    low80: ahead((d) => d.cumulative.low80),
    high80: ahead((d) => d.cumulative.high80),
    pool: days.map(() => forecast.pools.year.provisionedTokens),
  };
}
