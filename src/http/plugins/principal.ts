import type { AccessClaims } from '../../auth/index.js';
import { AppError } from '../../errors.js';
import type { Store, User } from '../../store/index.js';
import { TtlCache } from './principal-cache.js';

/** Users and their tenancy, read through short-lived caches (see TtlCache for the trade-off). */
export class TenancyCache {
  readonly #store: Store;
  readonly #users: TtlCache<User | undefined>;
  readonly #teams: TtlCache<ReadonlySet<string>>;
  readonly #contracts: TtlCache<ReadonlySet<string>>;

  constructor(store: Store, ttlMs = 5_000) {
    this.#store = store;
    this.#users = new TtlCache(ttlMs);
    this.#teams = new TtlCache(ttlMs);
    this.#contracts = new TtlCache(ttlMs);
  }

  user(id: string): Promise<User | undefined> {
    return this.#users.get(id, () => this.#store.findUserById(id));
  }

  teamIds(userId: string): Promise<ReadonlySet<string>> {
    return this.#teams.get(userId, async () => new Set((await this.#store.listAdministeredTeams(userId)).map((t) => t.teamId)));
  }

  contractNumbers(userId: string): Promise<ReadonlySet<string>> {
    return this.#contracts.get(userId, async () => new Set((await this.#store.listManagedContracts(userId)).map((c) => c.contractNumber)));
  }

  /**
   * Forgets every cached user and tenancy, so a change made through this process's admin API is
   * seen by the very next request. Changes made elsewhere (the CLI, another server process on
   * PostgreSQL) are seen once the entries expire.
   */
  clear(): void {
    this.#users.clear();
    this.#teams.clear();
    this.#contracts.clear();
  }
}

/**
 * Who is calling: the token's claims, its user (absent for a two-legged token bound to no user),
 * and lazily, the teams and contracts that user administers. Scoping every read through here keeps
 * tenancy checks in one place.
 */
export class Principal {
  readonly claims: AccessClaims;
  readonly user: User | undefined;
  readonly #tenancy: TenancyCache;

  constructor(claims: AccessClaims, user: User | undefined, tenancy: TenancyCache) {
    this.claims = claims;
    this.user = user;
    this.#tenancy = tenancy;
  }

  /** Ids of the teams this caller administers (empty without a user). */
  teamIds(): Promise<ReadonlySet<string>> {
    return this.user ? this.#tenancy.teamIds(this.user.id) : Promise.resolve(new Set());
  }

  /** Numbers of the contracts this caller manages (empty without a user). */
  contractNumbers(): Promise<ReadonlySet<string>> {
    return this.user ? this.#tenancy.contractNumbers(this.user.id) : Promise.resolve(new Set());
  }

  /** Throws ACCESS_DENIED unless the caller administers the team. Unknown teams are denied alike. */
  async assertTeam(teamId: string): Promise<void> {
    if (!(await this.teamIds()).has(teamId)) {
      throw new AppError('ACCESS_DENIED', `You do not administer team ${teamId}.`);
    }
  }

  /** Throws ACCESS_DENIED unless the caller manages the contract. Unknown contracts are denied alike. */
  async assertContract(contractNumber: string): Promise<void> {
    if (!(await this.contractNumbers()).has(contractNumber)) {
      throw new AppError('ACCESS_DENIED', `You are not a contract manager of contract ${contractNumber}.`);
    }
  }
}
