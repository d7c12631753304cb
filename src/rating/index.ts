export type {
  AffectedUserDay, RatedCharge, RatingContext, RatingContractYear, RatingOptions, RatingProduct, RatingSession,
} from './rating-types.js';
export { affectedUserDays, DEFAULT_RATING_OPTIONS, rateRecords } from './rate-records.js';
export { localDay, parseInstant, parseOffsetMinutes } from './instant.js';
