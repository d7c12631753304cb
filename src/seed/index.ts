export type { SeedOptions, SeedSummary } from './seed-database.js';
export {
  DEFAULT_SEED_OPTIONS, DEMO_ADMIN_EMAIL, DEMO_ADMIN_USER_ID, DEMO_ALICE_EMAIL, DEMO_ALICE_USER_ID, seedDatabase,
} from './seed-database.js';
export { demoSeatPrices } from './demo-data.js';
