export { forgetPersonalDataPolicy, hashPersonalValue, maskRows, personalDataMask } from './personal-data.js';
export type { RowMask } from './personal-data.js';
