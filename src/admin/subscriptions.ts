import { randomUUID } from 'node:crypto';
import type { Page, PageRequest, Store, Subscription, SubscriptionFilter, SubscriptionPatch } from '../store/index.js';
import { checkOrder, checkUsers, createOnce, invalid, notFound } from './checks.js';

export interface SubscriptionInput {
  /** Given, or a random UUID. */
  readonly id?: string;
  readonly teamId: string;
  readonly contractNumber: string;
  readonly productLineCode: string;
  /** As shown in the Insights reports, e.g. "AutoCAD" or "AEC Collection". */
  readonly productName: string;
  readonly offeringType: string;
  readonly term: string;
  readonly status: Subscription['status'];
  readonly quantity: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly renewalDate?: string | null;
  /** User ids holding a seat. */
  readonly seats?: readonly string[];
}

/** The rules a whole subscription meets, checked on the merged result of a create or an update. */
async function checkSubscription(store: Store, subscription: Subscription, changed: Partial<Subscription>): Promise<void> {
  if (!subscription.productName) throw invalid('body/productName', 'must not be empty.');
  checkOrder('body/endDate', subscription.startDate, subscription.endDate);
  const seats = new Set(subscription.seats);
  if (seats.size > subscription.quantity) {
    throw invalid(changed.seats ? 'body/seats' : 'body/quantity', `${seats.size} seats are assigned but the quantity is ${subscription.quantity}.`);
  }
  if (changed.teamId !== undefined && !(await store.findTeam(subscription.teamId))) {
    throw invalid('body/teamId', `names no team (${subscription.teamId}).`);
  }
  if (changed.contractNumber !== undefined || changed.teamId !== undefined) {
    const contract = await store.findContract(subscription.contractNumber);
    if (!contract) throw invalid('body/contractNumber', `names no contract (${subscription.contractNumber}).`);
    // A subscription is bought by a team under one of its own contracts.
    if (contract.teamId !== subscription.teamId) {
      throw invalid('body/contractNumber', `belongs to team ${contract.teamId}, not to team ${subscription.teamId}.`);
    }
  }
  await checkUsers(store, 'body/seats', changed.seats);
}

/** Creates a subscription of a team under one of its contracts, with its seat assignments. */
export async function createSubscription(store: Store, input: SubscriptionInput): Promise<Subscription> {
  const subscription: Subscription = {
    id: input.id ?? randomUUID(), teamId: input.teamId, contractNumber: input.contractNumber, productLineCode: input.productLineCode,
    productName: input.productName.trim(), offeringType: input.offeringType, term: input.term,
    status: input.status, quantity: input.quantity, startDate: input.startDate, endDate: input.endDate, renewalDate: input.renewalDate ?? null,
    seats: [...(input.seats ?? [])],
  };
  await checkSubscription(store, subscription, subscription);
  return createOnce(() => store.findSubscription(subscription.id), () => store.createSubscription(subscription),
    `A subscription with the id ${subscription.id}`);
}

export async function getSubscription(store: Store, id: string): Promise<Subscription> {
  const subscription = await store.findSubscription(id);
  if (!subscription) throw notFound(`subscription has the id ${id}`);
  return subscription;
}

export function listSubscriptions(store: Store, filter: SubscriptionFilter, page: PageRequest): Promise<Page<Subscription>> {
  return store.listSubscriptions(filter, page);
}

/** Changes the members given; `seats` replaces every seat assignment. */
export async function updateSubscription(store: Store, id: string, patch: SubscriptionPatch): Promise<Subscription> {
  const current = await getSubscription(store, id);
  // A new line code is a different product: its name must come with it.
  if (patch.productLineCode !== undefined && patch.productLineCode !== current.productLineCode && patch.productName === undefined) {
    throw invalid('body/productName', 'is required when productLineCode changes.');
  }
  const change = { ...patch, ...(patch.productName !== undefined ? { productName: patch.productName.trim() } : {}) };
  await checkSubscription(store, { ...current, ...change }, change);
  const updated = await store.updateSubscription(id, change);
  if (!updated) throw notFound(`subscription has the id ${id}`);
  return updated;
}

export async function deleteSubscription(store: Store, id: string): Promise<void> {
  if ((await store.deleteSubscription(id)) === 'not-found') throw notFound(`subscription has the id ${id}`);
}
