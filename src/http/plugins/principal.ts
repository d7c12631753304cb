import type { AccessClaims } from '../../auth/index.js';
import { AppError } from '../../errors.js';
import type { Store, User } from '../../store/index.js';

/**
 * Who is calling: the token's claims, its user (absent for a two-legged token bound to no user),
 * and lazily, the teams and contracts that user administers. Scoping every read through here keeps
 * tenancy checks in one place.
 */
export class Principal {
  readonly claims: AccessClaims;
  readonly user: User | undefined;
  readonly #store: Store;
  #teamIds?: Promise<ReadonlySet<string>>;
  #contractNumbers?: Promise<ReadonlySet<string>>;

  constructor(claims: AccessClaims, user: User | undefined, store: Store) {
    this.claims = claims;
    this.user = user;
    this.#store = store;
  }

  /** Ids of the teams this caller administers (empty without a user). */
  teamIds(): Promise<ReadonlySet<string>> {
    this.#teamIds ??= this.user
      ? this.#store.listAdministeredTeams(this.user.id).then((teams) => new Set(teams.map((t) => t.teamId)))
      : Promise.resolve(new Set());
    return this.#teamIds;
  }

  /** Numbers of the contracts this caller manages (empty without a user). */
  contractNumbers(): Promise<ReadonlySet<string>> {
    this.#contractNumbers ??= this.user
      ? this.#store.listManagedContracts(this.user.id).then((contracts) => new Set(contracts.map((c) => c.contractNumber)))
      : Promise.resolve(new Set());
    return this.#contractNumbers;
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
