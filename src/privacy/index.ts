export { forgetPersonalDataPolicy, hashPersonalValue, maskRows, personalDataMask, personalValueHasher, pseudonymsIn } from './personal-data.js';
export type { RowMask } from './personal-data.js';
