// The fixed vocabulary of the demo data set: teams, contracts, products, names. Only small lists
// live here; `seed-database.ts` turns them into lookup tables once and lets DuckDB draw the
// millions of usage rows from them.

/** Industry of a product; teams weight product popularity by it. */
export type ProductGroup = 'AEC' | 'CIV' | 'MFG' | 'ME' | 'GEN';

/** How a team's licence servers move their clock: US and EU daylight-saving rules, or none. */
export type DstRule = 'us' | 'eu' | 'none';

export interface DemoTeam {
  readonly id: string;
  readonly name: string;
  readonly benefits: string;
  /** Share of users whose home team this is (relative weight). */
  readonly weight: number;
  /** Standard-time UTC offset of the team's licence servers, in minutes. */
  readonly utcOffsetMinutes: number;
  readonly dst: DstRule;
  /** Prefix of machine and licence-server names, e.g. NYC. */
  readonly site: string;
  readonly contractNumber: string;
  readonly contractName: string;
  /** The contract started this many months before the first of the window's first month. */
  readonly contractStartMonthsBefore: number;
  /**
   * Contract-year tokens provisioned, as a multiple of what the team consumes in a year. Below 1
   * the CY pool runs dry before the year ends and charges spill into the multi-year pool.
   */
  readonly poolFactor: number;
  /** Ten enrichment category names (customField1..10); '' = unused. */
  readonly enrichment: readonly string[];
  /** Multipliers of product popularity per industry. */
  readonly affinity: Readonly<Record<ProductGroup, number>>;
  /**
   * How the team's consumption moves over the window (the token forecast needs both shapes):
   * `growth` scales its days from 1 − g/2 at the first day to 1 + g/2 at the last; `step`
   * multiplies every day from the given share of the window on (a new team joining). Absent:
   * the shared calendar only.
   */
  readonly trend?: { readonly growth: number } | { readonly stepAt: number; readonly stepFactor: number };
}

const BENEFITS_ALL = 'ReportingAPIAccess ReportingAdvanced ReportingFlexUsage ReportingSeatUsage InsightsTeam';
const BENEFITS_BASIC = 'ReportingAPIAccess ReportingFlexUsage ReportingSeatUsage InsightsTeam';

const cats = (...names: string[]): readonly string[] =>
  Array.from({ length: 10 }, (_, k) => names[k] ?? '');

// Team 0 is the admin's home team, team 1 Alice's: its pool factor below 1 makes her demo show
// MY-pool usage. Munich's consumption grows through the window, Toronto's steps up.
export const DEMO_TEAMS: readonly DemoTeam[] = [
  {
    id: '4280140', name: 'New York Office', benefits: BENEFITS_ALL, weight: 30, utcOffsetMinutes: -300, dst: 'us',
    site: 'NYC', contractNumber: '110000917988', contractName: 'New York Office Flex', contractStartMonthsBefore: 0,
    poolFactor: 1.2, enrichment: cats('Department', 'Cost Center', 'Location', 'Discipline', 'Project'),
    affinity: { AEC: 3, CIV: 1, MFG: 0.3, ME: 0.7, GEN: 2 },
  },
  {
    id: '4865648', name: 'London Studio', benefits: BENEFITS_ALL, weight: 18, utcOffsetMinutes: 0, dst: 'eu',
    site: 'LON', contractNumber: '110001034275', contractName: 'London Studio Flex', contractStartMonthsBefore: 4,
    poolFactor: 0.85, enrichment: cats('Department', 'Cost Center', '', 'Manager'),
    affinity: { AEC: 2, CIV: 0.5, MFG: 0.3, ME: 2.5, GEN: 1.5 },
  },
  {
    id: '5127033', name: 'Munich Engineering', benefits: BENEFITS_ALL, weight: 16, utcOffsetMinutes: 60, dst: 'eu',
    site: 'MUC', contractNumber: '110000988410', contractName: 'Munich Engineering Flex', contractStartMonthsBefore: 8,
    poolFactor: 1.1, enrichment: cats('Department', 'Cost Center', 'Location', 'Business Unit'),
    affinity: { AEC: 0.5, CIV: 0.3, MFG: 4, ME: 0.3, GEN: 2 }, trend: { growth: 0.6 },
  },
  {
    id: '3904417', name: 'Toronto Design Centre', benefits: BENEFITS_BASIC, weight: 12, utcOffsetMinutes: -300, dst: 'us',
    site: 'TOR', contractNumber: '110001120563', contractName: 'Toronto Design Centre Flex', contractStartMonthsBefore: 2,
    poolFactor: 0.92, enrichment: cats('Department'),
    affinity: { AEC: 1.5, CIV: 4, MFG: 0.3, ME: 0.2, GEN: 1.5 }, trend: { stepAt: 0.4, stepFactor: 1.5 },
  },
  {
    id: '6011852', name: 'Tokyo Office', benefits: BENEFITS_BASIC, weight: 10, utcOffsetMinutes: 540, dst: 'none',
    site: 'TYO', contractNumber: '110000945172', contractName: 'Tokyo Office Flex', contractStartMonthsBefore: 10,
    poolFactor: 1.35, enrichment: cats(),
    affinity: { AEC: 0.6, CIV: 0.3, MFG: 2, ME: 3, GEN: 1.5 },
  },
  {
    id: '4472906', name: 'San Francisco HQ', benefits: BENEFITS_ALL, weight: 14, utcOffsetMinutes: -480, dst: 'us',
    site: 'SFO', contractNumber: '110001201846', contractName: 'San Francisco HQ Flex', contractStartMonthsBefore: 6,
    poolFactor: 1.05,
    enrichment: cats('Department', 'Cost Center', 'Location', 'Discipline', 'Project', 'Business Unit', 'Region', 'Manager'),
    affinity: { AEC: 1, CIV: 0.3, MFG: 2.5, ME: 1.5, GEN: 1.5 },
  },
];

export interface DemoCollection {
  readonly code: string;
  readonly name: string;
}

export const DEMO_COLLECTIONS: readonly DemoCollection[] = [
  { code: 'AECCOL', name: 'Architecture Engineering & Construction Collection' },
  { code: 'PDCOLL', name: 'Product Design & Manufacturing Collection' },
  { code: 'MECOLL', name: 'Media & Entertainment Collection' },
];

export interface DemoProduct {
  readonly code: string;
  readonly name: string;
  readonly dailyTokenRate: number;
  readonly group: ProductGroup;
  /** Index into DEMO_COLLECTIONS, or null when no collection includes it. */
  readonly collection: number | null;
  /** Releases a 2025.1 update. */
  readonly pointRelease: boolean;
}

// Listed by popularity: the generator weights product k by 1/(k+1) (Zipf), then by team affinity.
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  { code: 'RVT', name: 'Revit', dailyTokenRate: 10, group: 'AEC', collection: 0, pointRelease: true },
  { code: 'ACD', name: 'AutoCAD', dailyTokenRate: 7, group: 'GEN', collection: 0, pointRelease: true },
  { code: 'ACDLT', name: 'AutoCAD LT', dailyTokenRate: 3, group: 'GEN', collection: null, pointRelease: false },
  { code: 'CIV3D', name: 'Civil 3D', dailyTokenRate: 10, group: 'CIV', collection: 0, pointRelease: true },
  { code: 'INVPROSA', name: 'Inventor Professional', dailyTokenRate: 10, group: 'MFG', collection: 1, pointRelease: true },
  { code: '3DSMAX', name: '3ds Max', dailyTokenRate: 9, group: 'ME', collection: 2, pointRelease: false },
  { code: 'NAVMAN', name: 'Navisworks Manage', dailyTokenRate: 7, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'MAYA', name: 'Maya', dailyTokenRate: 9, group: 'ME', collection: 2, pointRelease: false },
  { code: 'FUSION', name: 'Fusion', dailyTokenRate: 4, group: 'MFG', collection: null, pointRelease: false },
  { code: 'ACDMAC', name: 'AutoCAD for Mac', dailyTokenRate: 7, group: 'GEN', collection: null, pointRelease: false },
  { code: 'RECAP', name: 'ReCap Pro', dailyTokenRate: 3, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'INFWMPRO', name: 'InfraWorks', dailyTokenRate: 7, group: 'CIV', collection: 0, pointRelease: false },
  { code: 'ARCHDESK', name: 'AutoCAD Architecture', dailyTokenRate: 7, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'AMECH_PP', name: 'AutoCAD Mechanical', dailyTokenRate: 7, group: 'MFG', collection: 1, pointRelease: false },
  { code: 'MAP', name: 'AutoCAD Map 3D', dailyTokenRate: 7, group: 'CIV', collection: 0, pointRelease: false },
  { code: 'ACAD_E', name: 'AutoCAD Electrical', dailyTokenRate: 7, group: 'MFG', collection: 1, pointRelease: false },
  { code: 'BLDSYS', name: 'AutoCAD MEP', dailyTokenRate: 7, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'ADVS', name: 'Advance Steel', dailyTokenRate: 8, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'RSAPRO', name: 'Robot Structural Analysis Professional', dailyTokenRate: 8, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'VLTPRO', name: 'Vault Professional', dailyTokenRate: 5, group: 'MFG', collection: 1, pointRelease: false },
  { code: 'PLNT3D', name: 'AutoCAD Plant 3D', dailyTokenRate: 7, group: 'MFG', collection: 1, pointRelease: false },
  { code: 'FDU', name: 'Factory Design Utilities', dailyTokenRate: 6, group: 'MFG', collection: 1, pointRelease: false },
  { code: 'MOBPRO', name: 'MotionBuilder', dailyTokenRate: 9, group: 'ME', collection: 2, pointRelease: false },
  { code: 'MUDBOX', name: 'Mudbox', dailyTokenRate: 3, group: 'ME', collection: 2, pointRelease: false },
  { code: 'ARNOL', name: 'Arnold', dailyTokenRate: 4, group: 'ME', collection: 2, pointRelease: false },
  { code: 'NSTRN', name: 'Inventor Nastran', dailyTokenRate: 12, group: 'MFG', collection: 1, pointRelease: false },
  { code: 'MFAA', name: 'Moldflow Adviser Ultimate', dailyTokenRate: 12, group: 'MFG', collection: null, pointRelease: false },
  { code: 'VRDPRO', name: 'VRED Professional', dailyTokenRate: 11, group: 'MFG', collection: null, pointRelease: false },
  { code: 'FORMIT', name: 'FormIt Pro', dailyTokenRate: 3, group: 'AEC', collection: 0, pointRelease: false },
  { code: 'NAVSIM', name: 'Navisworks Simulate', dailyTokenRate: 5, group: 'AEC', collection: null, pointRelease: false },
];

/** Product releases: version label and first day it can be used (Autodesk's yearly spring release). */
export const DEMO_RELEASES: readonly { readonly version: string; readonly from: string; readonly pointRelease: boolean }[] = [
  { version: '2024', from: '2023-03-28', pointRelease: false },
  { version: '2025', from: '2024-03-26', pointRelease: false },
  { version: '2025.1', from: '2024-09-24', pointRelease: true },
  { version: '2026', from: '2025-03-25', pointRelease: false },
  { version: '2027', from: '2026-03-24', pointRelease: false },
];

export interface DemoCloudProduct {
  readonly category: 'CLOUD_PRODUCT' | 'CLOUD_SERVICE';
  readonly code: string;
  readonly name: string;
  /** Tokens per event (CLOUD_PRODUCT) or per unit of work (CLOUD_SERVICE). */
  readonly tokens: number;
  readonly weight: number;
}

export const DEMO_CLOUD_PRODUCTS: readonly DemoCloudProduct[] = [
  { category: 'CLOUD_PRODUCT', code: 'BLDCLPRO', name: 'BIM Collaborate Pro', tokens: 10, weight: 5 },
  { category: 'CLOUD_PRODUCT', code: 'ACCBUILD', name: 'Autodesk Build', tokens: 8, weight: 3 },
  { category: 'CLOUD_PRODUCT', code: 'TAKEOFF', name: 'Autodesk Takeoff', tokens: 5, weight: 1 },
  { category: 'CLOUD_PRODUCT', code: 'FUSMNG', name: 'Fusion Manage', tokens: 4, weight: 1 },
  { category: 'CLOUD_SERVICE', code: 'CLDREND', name: 'Cloud Rendering', tokens: 1, weight: 6 },
  { category: 'CLOUD_SERVICE', code: 'GENDES', name: 'Generative Design', tokens: 12, weight: 1 },
  { category: 'CLOUD_SERVICE', code: 'FSIM', name: 'Fusion Simulation', tokens: 5, weight: 3 },
  { category: 'CLOUD_SERVICE', code: 'INSIGHT', name: 'Insight Energy Analysis', tokens: 2, weight: 2 },
];

/** Values of each enrichment category, per product group of the user's main product where it matters. */
export const DEMO_ENRICHMENT_VALUES: Readonly<Record<string, Partial<Record<ProductGroup | '*', readonly string[]>>>> = {
  'Department': {
    AEC: ['Architecture', 'Structural', 'MEP', 'Interiors'],
    CIV: ['Civil', 'Geospatial', 'Transportation'],
    MFG: ['Product Engineering', 'Manufacturing', 'Tooling'],
    ME: ['Visualization', 'Animation'],
    GEN: ['Drafting', 'Facilities', 'IT'],
  },
  'Discipline': {
    AEC: ['Architect', 'Structural Engineer', 'MEP Engineer', 'BIM Coordinator', 'Interior Designer'],
    CIV: ['Civil Engineer', 'Surveyor', 'Transportation Planner'],
    MFG: ['Mechanical Engineer', 'Industrial Designer', 'Electrical Engineer'],
    ME: ['3D Artist', 'Animator', 'VFX Artist'],
    GEN: ['Drafter', 'CAD Technician', 'Project Manager'],
  },
  'Business Unit': {
    AEC: ['Buildings'], CIV: ['Infrastructure'], MFG: ['Industrial'], ME: ['Media'], GEN: ['Buildings', 'Consulting'],
  },
  'Cost Center': { '*': ['CC-1010', 'CC-1020', 'CC-1030', 'CC-1040', 'CC-2010', 'CC-2020', 'CC-2030', 'CC-3100', 'CC-3200', 'CC-4000'] },
  'Location': { '*': ['Floor 2', 'Floor 3', 'Floor 4', 'Floor 5', 'Remote', 'Site Office'] },
  'Project': { '*': Array.from({ length: 24 }, (_, k) => `PRJ-${2023 + (k % 4)}-${String(101 + 7 * k).padStart(3, '0')}`) },
  'Region': { '*': ['AMER', 'EMEA', 'APAC'] },
  'Manager': { '*': ['A. Fischer', 'B. Okafor', 'C. Lindqvist', 'D. Moreau', 'E. Tanaka', 'F. Rossi', 'G. Novak', 'H. Patel'] },
};

export const DEMO_FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Sandra', 'Mark', 'Ashley', 'Steven', 'Emily',
  'Paul', 'Michelle', 'Andrew', 'Amanda', 'Joshua', 'Melissa', 'Kevin', 'Stephanie', 'Brian', 'Rebecca',
  'George', 'Laura', 'Timothy', 'Sharon', 'Ryan', 'Cynthia', 'Jacob', 'Kathleen', 'Oliver', 'Amy',
  'Lukas', 'Anna', 'Felix', 'Lena', 'Jonas', 'Sophie', 'Maximilian', 'Marie', 'Hiroshi', 'Yuki',
  'Kenji', 'Aiko', 'Takeshi', 'Haruka', 'Priya', 'Arjun', 'Wei', 'Mei', 'Chen', 'Ananya',
  'Mateo', 'Lucia', 'Santiago', 'Valentina', 'Omar', 'Fatima', 'Liam', 'Chloe', 'Noah', 'Isabelle',
  'Ethan', 'Grace', 'Samuel', 'Olivia', 'Benjamin', 'Emma', 'Henry', 'Ava', 'Lucas', 'Mia',
  'Pierre', 'Camille', 'Luca', 'Giulia', 'Sven', 'Ingrid', 'Mikhail', 'Olga', 'Kwame', 'Amara',
];

export const DEMO_LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Mueller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Schulz',
  'Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato',
  'Patel', 'Sharma', 'Singh', 'Kumar', 'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Huang',
  'Dubois', 'Laurent', 'Rossi', 'Russo', 'Bianchi', 'Johansson', 'Larsen', 'Novak', 'Kowalski', 'Ivanov',
  'Okafor', 'Mensah', 'Silva', 'Santos', 'Costa', 'Murphy', 'Kelly', 'Walsh', 'Byrne', 'Evans',
];

export const DEMO_REASON_COMMENTS: Readonly<Record<string, string>> = {
  CORRECTION: 'Correction of a duplicate usage upload, case',
  REFUND: 'Refund approved by the account team, case',
  SERVICE_CREDIT: 'Service credit for a cloud service outage, case',
  OFFLINE_USAGE: 'Offline usage reported by the site administrator, case',
};

/**
 * The seat price of each demo product line in tokens a year (the seat-or-Flex advice, issue 17):
 * its daily rate × a break-even of 40 to 79 use days a year, spread over the products so the advice
 * has lines where seats pay and lines where Flex does.
 */
export function demoSeatPrices(): readonly { readonly productLineCode: string; readonly seatTokensPerYear: number }[] {
  return DEMO_PRODUCTS.map((p, k) => ({ productLineCode: p.code, seatTokensPerYear: p.dailyTokenRate * (40 + ((k * 13) % 40)) }));
}
