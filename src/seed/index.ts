export type { SeedOptions, SeedSummary } from './seed-options.js';
export {
  DEFAULT_SEED_OPTIONS, DEMO_ADMIN_EMAIL, DEMO_ADMIN_USER_ID, DEMO_ALICE_EMAIL, DEMO_ALICE_USER_ID,
} from './seed-options.js';
export { loadDemoData } from './load-demo-data.js';
export { demoSeatPrices } from './demo-data.js';
