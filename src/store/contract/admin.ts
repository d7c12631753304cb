import type { Team, User } from './store.js';
import type { OAuthClient } from './oauth.js';

// ---------------------------------------------------------------------------------------------
// AdminStore: what the administration API (`/admin/v1`, spec §6) and the operator's CLI change:
// users, OAuth clients, teams, contracts, products and subscriptions. Lists are pages of
// `offset`/`limit` with the total count. Creating a row whose key exists throws
// DuplicateKeyError; a delete of a row others still refer to answers 'in-use' and changes nothing.
// References to other rows (a team's users, a contract's team) are checked by the caller
// (src/admin) before it writes, with `listUnknownUserIds` and the finders.
// ---------------------------------------------------------------------------------------------

/** A page of a list: rows `offset`..`offset+limit-1` in the list's fixed order. */
export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Rows in the whole list. */
  readonly total: number;
}

export type DeleteOutcome = 'deleted' | 'not-found' | 'in-use';

/** Members of a user that may change; absent members stay as they are. */
export interface UserPatch {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly fullName?: string;
  readonly roles?: readonly string[];
  readonly status?: User['status'];
}

/** Members of an OAuth client that may change; `boundUserId: null` unbinds. */
export interface OAuthClientPatch {
  readonly name?: string;
  readonly redirectUris?: readonly string[];
  readonly boundUserId?: string | null;
  /** A new secret's scrypt hash (rotation). */
  readonly secretHash?: string;
}

/** The personal-data switch as a whole (issue 18): any team off hides personal data everywhere. */
export interface PersonalDataPolicy {
  readonly hidden: boolean;
  /** A random secret of this installation; hashes are HMACs under it, stable across processes. */
  readonly hashKey: string;
}

/** A team with its people: `administrators` see it in Insights; `members` are the other users in it. */
export interface TeamDetail extends Team {
  /** User ids, sorted. */
  readonly administrators: readonly string[];
  /** User ids of members who are not administrators, sorted. */
  readonly members: readonly string[];
}

/** `personalData` is on unless given. */
export type NewTeam = Omit<TeamDetail, 'personalData'> & { readonly personalData?: boolean };

/** Absent members stay; `administrators` and `members` replace the whole list when given. */
export type TeamPatch = Partial<Omit<TeamDetail, 'teamId'>>;

/** A contract year as the operator defines it (the token figures are computed elsewhere). */
export interface ContractYearDefinition {
  readonly year: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly provisionedTokens: number;
}

/** A contract as the operator defines it. */
export interface ContractDefinition {
  readonly contractNumber: string;
  readonly contractName: string;
  readonly teamId: string;
  readonly contractStartDate: string;
  readonly contractEndDate: string;
  readonly multiyearProvisionedTokens: number;
  /** Ordered by year. */
  readonly contractYears: readonly ContractYearDefinition[];
  /** Ten names; position i names customField{i+1}, '' when unused. */
  readonly enrichmentCategories: readonly string[];
  /** User ids of the contract managers, sorted. */
  readonly contractManagers: readonly string[];
  /**
   * Where its records' charges come from: our own rating, or Autodesk's Token Flex export files
   * (docs/sources.md). Always there in what the store returns; absent on a definition: `rating`.
   */
  readonly chargesFrom?: ChargesFrom;
}

/**
 * `rating`: every record is rated on arrival by our own rating (src/rating); `autodesk`: records
 * come from Autodesk's Token Flex export files with the charges Autodesk gave them, stored as given
 * and never re-rated. A batch never mixes the two on one contract.
 */
export type ChargesFrom = 'rating' | 'autodesk';

/** Absent members stay; `contractYears` and `contractManagers` replace the whole list when given. */
export type ContractPatch = Partial<Omit<ContractDefinition, 'contractNumber'>>;

export interface Product {
  readonly productLineCode: string;
  readonly version: string;
  readonly productName: string;
  readonly featureCode: string;
  readonly dailyTokenRate: number;
  /** YYYY-MM-DD or null (open). */
  readonly effectiveFrom: string | null;
  readonly effectiveTo: string | null;
}

/** A product version as the admin API shows it: with the settings of its product line. */
export interface ProductDetail extends Product {
  /** What a subscription seat of the product line costs in tokens a year (all its versions); null: not set. */
  readonly seatTokensPerYear: number | null;
}

/** A new version; `seatTokensPerYear`, when given, sets the line's seat price (absent: the line's stays). */
export interface NewProduct extends Product {
  readonly seatTokensPerYear?: number | null;
}

/** Absent members stay; `seatTokensPerYear` changes it for every version of the line. */
export type ProductPatch = Partial<Omit<ProductDetail, 'productLineCode' | 'version'>>;

export interface Subscription {
  readonly id: string;
  readonly teamId: string;
  readonly contractNumber: string;
  readonly productLineCode: string;
  readonly productName: string;
  /** e.g. 'Subscription', 'Flex'. */
  readonly offeringType: string;
  /** e.g. 'Annual', '3-Year'. */
  readonly term: string;
  readonly status: 'Active' | 'Expired' | 'Canceled';
  readonly quantity: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly renewalDate: string | null;
  /** User ids holding a seat, sorted. */
  readonly seats: readonly string[];
}

/** Absent members stay; `seats` replaces every seat assignment when given. */
export type SubscriptionPatch = Partial<Omit<Subscription, 'id'>>;

export interface SubscriptionFilter {
  readonly teamId?: string;
  readonly contractNumber?: string;
}

export interface AdminStore {
  /** Users ordered by e-mail address. */
  listUsers(page: PageRequest): Promise<Page<User>>;
  updateUser(id: string, patch: UserPatch): Promise<User | undefined>;
  /** Active users holding the `admin` role. */
  countActiveAdmins(): Promise<number>;
  /** The ids among `ids` that no user has, in the order given. */
  listUnknownUserIds(ids: readonly string[]): Promise<readonly string[]>;

  /** Clients ordered by creation time, then id. */
  listOAuthClients(page: PageRequest): Promise<Page<OAuthClient>>;
  updateOAuthClient(id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined>;
  /**
   * Deletes a client with its authorization codes, and revokes every refresh token issued to it
   * and every access token recorded for its grants (and for grant `client:<id>`, which names its
   * client_credentials tokens). False when there was no such client.
   */
  deleteOAuthClient(id: string, now: Date): Promise<boolean>;

  createTeam(team: NewTeam): Promise<TeamDetail>;
  findTeam(teamId: string): Promise<TeamDetail | undefined>;
  /** Teams ordered by id. */
  listTeams(page: PageRequest): Promise<Page<TeamDetail>>;
  updateTeam(teamId: string, patch: TeamPatch): Promise<TeamDetail | undefined>;
  /** 'in-use' while a contract, subscription or usage record belongs to the team. */
  deleteTeam(teamId: string): Promise<DeleteOutcome>;
  /** Whether any team has personal data off, and the hash key (made on first use, once). */
  personalDataPolicy(): Promise<PersonalDataPolicy>;

  createContract(contract: ContractDefinition): Promise<ContractDefinition>;
  findContract(contractNumber: string): Promise<ContractDefinition | undefined>;
  /** Contracts ordered by number. */
  listContracts(page: PageRequest): Promise<Page<ContractDefinition>>;
  updateContract(contractNumber: string, patch: ContractPatch): Promise<ContractDefinition | undefined>;
  /** 'in-use' while a subscription, usage record or export schedule belongs to the contract. */
  deleteContract(contractNumber: string): Promise<DeleteOutcome>;

  createProduct(product: NewProduct): Promise<ProductDetail>;
  findProduct(productLineCode: string, version: string): Promise<ProductDetail | undefined>;
  /** Products ordered by line code, then version. */
  listProducts(page: PageRequest): Promise<Page<ProductDetail>>;
  updateProduct(productLineCode: string, version: string, patch: ProductPatch): Promise<ProductDetail | undefined>;
  /** 'in-use' while a usage record names the product's line code and version. */
  deleteProduct(productLineCode: string, version: string): Promise<DeleteOutcome>;

  createSubscription(subscription: Subscription): Promise<Subscription>;
  findSubscription(id: string): Promise<Subscription | undefined>;
  /** Subscriptions ordered by id. */
  listSubscriptions(filter: SubscriptionFilter, page: PageRequest): Promise<Page<Subscription>>;
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription | undefined>;
  /** Deletes the subscription and its seat assignments. */
  deleteSubscription(id: string): Promise<DeleteOutcome>;
}
