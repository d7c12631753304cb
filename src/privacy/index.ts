export { forgetPersonalDataPolicy, hashPersonalValue, maskRows, personalDataMask, personalValueHasher } from './personal-data.js';
export type { RowMask } from './personal-data.js';
