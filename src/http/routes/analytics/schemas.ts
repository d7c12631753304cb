import { authenticatedProblemErrors, problemSchema } from '../../schemas.js';

/** Every analytics route can answer these, as problem+json (403: not your team or contract). */
const errors = authenticatedProblemErrors(problemSchema);
const TAGS = ['analytics'];

const num = (description: string) => ({ type: 'number', description }) as const;
const int = (description: string) => ({ type: 'integer', description }) as const;
const text = (description: string) => ({ type: 'string', description }) as const;
const day = (description: string) => ({ type: 'string', format: 'date', description }) as const;
const dayOrNull = (description: string) => ({ type: ['string', 'null'], description }) as const;
const obj = <P extends Record<string, unknown>>(description: string, properties: P) =>
  ({ type: 'object', description, properties, required: Object.keys(properties), additionalProperties: false }) as const;

const contractNumber = { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$', description: 'The contract number.' } as const;
const teamId = { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$', description: 'The team id (Insights context).' } as const;
const dayParam = (description: string) => ({ type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description} (YYYY-MM-DD).` }) as const;

// ---- Forecast ---------------------------------------------------------------------------------

const banded = (description: string) => obj(description, {
  tokens: num('The point forecast (tokens).'),
  low80: num('Lower bound of the 80 % interval.'),
  high80: num('Upper bound of the 80 % interval.'),
  low95: num('Lower bound of the 95 % interval.'),
  high95: num('Upper bound of the 95 % interval.'),
});

const window = (description: string) => obj(description, {
  earliest: dayOrNull('Earliest day (the interval\'s upper bound reaches the pool); null: not within the year.'),
  latest: dayOrNull('Latest day (the interval\'s lower bound reaches the pool); null: possibly not within the year.'),
});

const pool = (description: string) => obj(description, {
  provisionedTokens: num('Tokens the pool was given.'),
  usedTokens: num('Year pool: the year\'s consumption so far. Multi-year pool: drawn from it in every year so far.'),
  leftTokens: num('provisioned − used on asOf (negative: overdrawn).'),
  exhaustion: obj('When the pool runs out.', {
    status: { type: 'string', enum: ['exhausted', 'projected', 'not-within-year'], description: '`exhausted`: already empty; `projected`: the point forecast empties it on `date`; `not-within-year`: it does not.' },
    date: dayOrNull('The day it ran out or is projected to; null for not-within-year (or exhausted before this year).'),
    interval80: window('The 80 % interval of the day.'),
    interval95: window('The 95 % interval of the day.'),
  }),
});

const horizon = obj('The cumulative forecast\'s error at one horizon over rolling-origin backtests on the contract\'s history.', {
  days: int('The horizon: 30, 60 or 90 days.'),
  origins: int('Past days the horizon could be checked from.'),
  modelError: { type: ['number', 'null'], description: 'Σ|actual − forecast| ÷ Σ actual of the cumulative consumption `days` ahead; null without origins.' },
  naiveError: { type: ['number', 'null'], description: 'The same for the naive forecast "the average of the last 28 days".' },
  modelMeanAbsoluteError: { type: ['number', 'null'], description: 'The model\'s average miss in tokens.' },
  naiveMeanAbsoluteError: { type: ['number', 'null'], description: 'The naive forecast\'s average miss in tokens.' },
});

const forecastAnswer = obj('The token forecast of a contract year (docs/analytics.md#token-forecast).', {
  asOf: day('The last day whose consumption is counted (yesterday, or the year\'s end for a past year).'),
  contractYear: obj('The contract year forecast.', {
    year: int('The year number.'), startDate: day('First day.'), endDate: day('Last day.'), provisionedTokens: num('The year\'s own tokens (pool CY).'),
  }),
  method: { type: 'string', enum: ['robust-exponential-smoothing', 'naive-average'], description: 'The model, or the naive average when the history is too short.' },
  reason: { type: ['string', 'null'], description: 'Why the naive method answers; null for the model.' },
  model: {
    anyOf: [{ type: 'null' }, obj('The chosen model (null for the naive method).', {
      alpha: num('How fast the level follows the data.'),
      beta: num('How fast the trend follows the data (0: no trend).'),
      phi: num('The trend\'s damping per day (1: none).'),
      gamma: num('How fast the weekday factors follow the data.'),
      weekdayFactors: { type: 'array', items: { type: 'number' }, description: 'Seven factors, Monday first: how much busier than an average day (1).' },
      level: num('Tokens of an ordinary day at asOf, the weekly rhythm taken out.'),
      trend: num('Change of the level per day at asOf.'),
      levelShifts: { type: 'array', items: { type: 'string' }, description: 'Days on which a new level was recognised (a step change).' },
      clippedDays: int('Days treated as outliers (their surprise clipped).'),
    })],
  },
  history: obj('The daily history the model learnt from.', {
    from: dayOrNull('First day (null: no history).'), to: day('Last day (asOf).'), days: int('Days of history.'),
  }),
  intervals: obj('Where the intervals come from.', {
    basis: { type: 'string', enum: ['backtest', 'assumed'], description: '`backtest`: from the model\'s own past errors; `assumed`: ±50 % / ±100 %.' },
    origins: int('Backtest origins behind the 1-day horizon.'),
    measuredHorizonDays: int('Horizons up to this many days are measured; longer ones grow with √horizon.'),
  }),
  actual: {
    type: 'array', description: 'Each day of the year up to asOf.',
    items: obj('A day so far.', {
      date: day('The day.'), tokens: num('All tokens of the day, adjustments included.'), cumulative: num('The year\'s consumption to the end of the day.'),
    }),
  },
  forecast: {
    type: 'array', description: 'Each remaining day of the year.',
    items: obj('A forecast day.', {
      date: day('The day.'), daily: banded('The day\'s consumption.'), cumulative: banded('The year\'s consumption to the end of the day, what was used so far included.'),
    }),
  },
  yearEnd: banded('The year\'s total consumption at its last day.'),
  pools: obj('The pools against the forecast.', {
    year: pool('The contract year\'s own tokens (CY).'),
    multiyear: { anyOf: [{ type: 'null' }, pool('The multi-year pool (MY); null for a contract without one.')] },
  }),
  purchase: obj('Tokens to buy so the pools cover the year.', {
    p50: num('With 50 % confidence (the point forecast).'),
    p90: num('With 90 % confidence (the 80 % interval\'s upper bound).'),
  }),
  backtest: { type: 'array', items: horizon, description: 'The forecast\'s own record at 30, 60 and 90 days, beside the naive forecast\'s.' },
});

export const forecastRoute = {
  tags: TAGS,
  summary: 'Token forecast of a contract year: daily and cumulative, with 80 % and 95 % intervals, pool exhaustion dates and tokens to buy.',
  params: { type: 'object', properties: { contractNumber }, required: ['contractNumber'], additionalProperties: false },
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { contractYear: { type: 'integer', minimum: 1, maximum: 999, description: 'The contract year (default: the year holding today).' } },
  },
  response: { 200: forecastAnswer, ...errors },
} as const;

// ---- Advice -----------------------------------------------------------------------------------

const monthDays = { type: 'array', description: 'Use days per calendar month.', items: obj('A month.', { month: text('YYYY-MM.'), days: int('Days with use.') }) } as const;
const actionTotal = (description: string) => obj(description, { users: int('Users advised so.'), tokensSavedPerYear: num('Tokens a year following the advice saves.') });

const adviceAnswer = obj('Seat-or-Flex advice (docs/analytics.md#seat-or-flex-advice).', {
  period: obj('The period looked at.', {
    from: day('First day.'), to: day('Last day.'),
    months: num('Calendar months it covers (a month in part by its share of days).'),
    annualisation: num('12 ÷ months: use days in the period × this = use days a year.'),
  }),
  recommendations: {
    type: 'array', description: 'Most tokens saved first.',
    items: obj('One user and product.', {
      action: { type: 'string', enum: ['assign-seat', 'move-to-flex'], description: 'Assign a seat to a Flex user above the break-even; move a seat holder below it to Flex.' },
      userId: text('The user.'), userName: text('The user\'s name.'),
      productLineCode: text('The product line.'), productName: text('The product\'s name.'),
      holdsSeat: { type: 'boolean', description: 'Whether the user holds a subscription seat of the product.' },
      daysByMonth: monthDays,
      useDays: int('Use days in the period (any version, any source).'),
      useDaysPerYear: num('useDays × annualisation.'),
      flexTokens: num('Flex tokens the user spent on the product in the period.'),
      dailyTokenRate: num('Tokens a day of Flex use costs.'),
      seatTokensPerYear: num('What a seat costs in tokens a year.'),
      breakEvenDaysPerYear: num('seatTokensPerYear ÷ dailyTokenRate.'),
      flexTokensPerYear: num('dailyTokenRate × useDaysPerYear.'),
      tokensSavedPerYear: num('|flexTokensPerYear − seatTokensPerYear|.'),
    }),
  },
  products: {
    type: 'array', description: 'Per product evaluated.',
    items: obj('A product.', {
      productLineCode: text('The product line.'), productName: text('The product\'s name.'),
      dailyTokenRate: num('Tokens a day of Flex use costs.'), seatTokensPerYear: num('The seat price.'),
      breakEvenDaysPerYear: num('Use days a year at which both cost the same.'),
      users: int('Users evaluated.'), seatHolders: int('Of whom seat holders.'), flexUsers: int('And Flex users.'),
      assignSeat: actionTotal('Users to give a seat.'), moveToFlex: actionTotal('Seat holders to move to Flex.'),
      tokensSavedPerYear: num('Both together.'),
    }),
  },
  leftOut: {
    type: 'array', description: 'Products not evaluated.',
    items: obj('A product left out.', {
      productLineCode: text('The product line.'), productName: text('The product\'s name.'),
      reason: { type: 'string', enum: ['no-seat-price', 'no-daily-rate'], description: '`no-seat-price`: seatTokensPerYear is not set; `no-daily-rate`: not charged by the day.' },
      users: int('Its users in the period.'),
    }),
  },
  totals: obj('Over every product.', {
    assignSeat: actionTotal('Users to give a seat.'), moveToFlex: actionTotal('Seat holders to move to Flex.'), tokensSavedPerYear: num('Both together.'),
  }),
});

export const adviceRoute = {
  tags: TAGS,
  summary: 'Seat-or-Flex advice per user and product over a period: who should get a seat, who would be cheaper on Flex.',
  params: { type: 'object', properties: { contractNumber }, required: ['contractNumber'], additionalProperties: false },
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { from: dayParam('First day (default: 12 months before to)'), to: dayParam('Last day (default: yesterday)') },
  },
  response: { 200: adviceAnswer, ...errors },
} as const;

// ---- Idle seats -------------------------------------------------------------------------------

const idleAnswer = obj('Idle seats (docs/analytics.md#idle-seats).', {
  asOf: day('The last day counted (today).'),
  days: int('The window in days.'),
  since: day('The window\'s first day: asOf − days + 1.'),
  seats: {
    type: 'array', description: 'Never-used seats first, then the longest idle.',
    items: obj('An idle seat.', {
      productLineCode: text('The product line.'), productName: text('The product\'s name.'),
      userId: text('The seat\'s user.'), userName: text('The user\'s name.'),
      subscription: obj('The subscription the seat belongs to.', {
        id: text('Its id.'), offeringType: text('e.g. Subscription.'), term: text('e.g. Annual.'), status: text('Active.'),
        endDate: day('Its end.'), renewalDate: dayOrNull('Its renewal date, if any.'),
      }),
      lastUseDate: dayOrNull('The user\'s last day of use of the product (any version, any source); null: never.'),
      daysSinceLastUse: { type: ['integer', 'null'], description: 'Days from the last use to asOf; null: never used.' },
    }),
  },
  products: {
    type: 'array', description: 'Per product.',
    items: obj('A product.', {
      productLineCode: text('The product line.'), productName: text('The product\'s name.'),
      assignedSeats: int('Seats assigned.'), idleSeats: int('Of which idle.'),
    }),
  },
  totals: obj('Over every product.', { assignedSeats: int('Seats assigned.'), idleSeats: int('Of which idle.') }),
});

export const idleSeatsRoute = {
  tags: TAGS,
  summary: 'Seats of a team\'s active subscriptions whose user has not used the product in the last N days, or never.',
  params: { type: 'object', properties: { teamId }, required: ['teamId'], additionalProperties: false },
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { days: { type: 'integer', minimum: 1, maximum: 3660, default: 30, description: 'The window in days (default 30).' } },
  },
  response: { 200: idleAnswer, ...errors },
} as const;

// ---- Concurrency ------------------------------------------------------------------------------

const period = obj('A product in a period.', {
  productLineCode: text('The product line.'),
  periodStart: text('The period\'s first instant, ISO 8601 UTC.'),
  peakSessions: int('The most desktop sessions running at one instant in the period.'),
  peakAt: text('The first minute the peak was reached, ISO 8601 UTC.'),
  distinctUsers: int('Users with a session running in the period.'),
  denials: int('Checkouts the licence servers refused in the period (FlexNet `DENIED:` lines, imported with ?source=flexlm); a period with denials and no session has peakSessions 0.'),
});

const concurrencyAnswer = obj('Peak concurrent desktop sessions (docs/analytics.md#concurrency).', {
  contractNumber: text('The contract.'),
  productLineCode: { type: ['string', 'null'], description: 'The product asked for; null: every product.' },
  from: day('First day.'), to: day('Last day.'),
  granularity: { type: 'string', enum: ['hour', 'day'], description: 'UTC hours or UTC days.' },
  products: { type: 'array', items: period, description: 'Per product: its busiest period (the earliest on a tie).' },
  top: { type: 'array', items: period, description: 'The busiest periods over every product: most sessions, then the earlier period.' },
  periods: { type: 'array', items: period, description: 'Every period with a session running or a denial, by product and period.' },
});

export const concurrencyRoute = {
  tags: TAGS,
  summary: 'Peak number of desktop sessions running at once per product and hour or day, the minute of the peak, and distinct users.',
  params: { type: 'object', properties: { contractNumber }, required: ['contractNumber'], additionalProperties: false },
  querystring: {
    type: 'object', additionalProperties: false,
    properties: {
      productLineCode: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$', description: 'One product line (default: every one).' },
      from: dayParam('First day (default: 29 days before to)'),
      to: dayParam('Last day (default: today)'),
      granularity: { type: 'string', enum: ['hour', 'day'], default: 'day', description: 'Periods: UTC hours (range up to 92 days) or days (up to 732).' },
      top: { type: 'integer', minimum: 1, maximum: 1000, default: 10, description: 'How many busiest periods `top` lists (default 10).' },
    },
  },
  response: { 200: concurrencyAnswer, ...errors },
} as const;
