import type { JSONSchema } from 'json-schema-to-ts';
import { authenticatedProblemErrors, daySchema, pagingProperties, problemResponse, problemSchema } from '../../schemas.js';

export { problemSchema };

/** Every admin route can answer these; 409 is CONFLICT (duplicate key, still in use, last admin). */
const errors = { ...authenticatedProblemErrors(problemSchema), 409: problemResponse(problemSchema) } as const;

const TAGS = ['admin'];

// ---- Shared pieces ----------------------------------------------------------------------------

const day = daySchema;
const dayOrNull = { ...daySchema, type: ['string', 'null'], description: 'YYYY-MM-DD (years 1970 to 9999), or null' } as const;
/** Non-blank text. */
const label = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength, pattern: '\\S' }) as const;
const userId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const userIds = (description: string) => ({ type: 'array', items: userId, maxItems: 1000, description }) as const;
/** Same shape as the Insights `contextId` and Token Flex `contract_number` parameters, so what is created here can be addressed there. */
const teamId = { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$' } as const;
const contractNumber = { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$' } as const;
const productLineCode = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' } as const;
const productVersion = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,40}$' } as const;
const subscriptionId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const clientId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

const pagingQuery = { type: 'object', properties: pagingProperties, additionalProperties: false } as const;

const pagination = {
  type: 'object',
  properties: { offset: { type: 'integer' }, limit: { type: 'integer' }, totalResults: { type: 'integer' } },
  required: ['offset', 'limit', 'totalResults'],
} as const;

/** A list answer: one page of items and where it sits in the whole list. */
function listOf(item: object) {
  return { type: 'object', properties: { items: { type: 'array', items: item }, pagination }, required: ['items', 'pagination'] } as const;
}

/** Path parameters, every one required; typed so that handlers infer them (src/http/type-provider.ts). */
function params<const P extends Record<string, JSONSchema>>(properties: P) {
  return { type: 'object', properties, required: Object.keys(properties) as (keyof P & string)[], additionalProperties: false } as const;
}

const noContent = { type: 'null', description: 'Done; nothing to return.' } as const;

// ---- Users ------------------------------------------------------------------------------------

/** A user as the admin API shows one: never a password hash. */
const user = {
  type: 'object',
  properties: {
    id: { type: 'string' }, email: { type: 'string' }, userName: { type: 'string' }, firstName: { type: 'string' },
    lastName: { type: 'string' }, fullName: { type: 'string' }, status: { type: 'string', enum: ['active', 'inactive'] },
    roles: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'email', 'userName', 'firstName', 'lastName', 'fullName', 'status', 'roles'],
} as const;

const role = { type: 'string', enum: ['admin'] } as const;
const roles = { type: 'array', items: role, maxItems: 10, description: 'Roles; "admin" may use this API.' } as const;
const password = { type: 'string', minLength: 10, maxLength: 1024, description: 'At least 10 characters; stored only as an scrypt hash.' } as const;

const userIdParams = params({ userId });

export const createUserRoute = {
  tags: TAGS,
  summary: 'Create a user (active). Give `name`, or `firstName` and `lastName`; `password` is optional.',
  body: {
    type: 'object',
    properties: {
      email: { type: 'string', format: 'email', maxLength: 254 }, name: label(200), firstName: label(100), lastName: label(100), roles, password,
    },
    required: ['email'],
    additionalProperties: false,
  },
  response: { 201: user, ...errors },
} as const;

export const listUsersRoute = { tags: TAGS, summary: 'Users, ordered by e-mail address.', querystring: pagingQuery, response: { 200: listOf(user), ...errors } } as const;

export const getUserRoute = { tags: TAGS, summary: 'One user.', params: userIdParams, response: { 200: user, ...errors } } as const;

export const updateUserRoute = {
  tags: TAGS,
  summary: 'Change a user\'s names, roles or status (`inactive` disables: sign-in and every token of theirs are refused).',
  params: userIdParams,
  body: {
    type: 'object',
    properties: { name: label(200), firstName: label(100), lastName: label(100), roles, status: { type: 'string', enum: ['active', 'inactive'] } },
    additionalProperties: false,
    minProperties: 1,
  },
  response: { 200: user, ...errors },
} as const;

export const setPasswordRoute = {
  tags: TAGS,
  summary: 'Set a user\'s password (the sign-in page\'s).',
  params: userIdParams,
  body: { type: 'object', properties: { password }, required: ['password'], additionalProperties: false },
  response: { 204: noContent, ...errors },
} as const;

// ---- OAuth clients ----------------------------------------------------------------------------

const redirectUris = {
  type: 'array', items: { type: 'string', minLength: 1, maxLength: 2000 }, maxItems: 20,
  description: 'Absolute URLs without fragment, matched exactly.',
} as const;
const boundUserId = { type: ['string', 'null'], pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'The user client_credentials tokens act for; null for none.' } as const;

const client = {
  type: 'object',
  properties: {
    clientId: { type: 'string' }, name: { type: 'string' }, redirectUris: { type: 'array', items: { type: 'string' } },
    isPublic: { type: 'boolean' }, boundUserId: { type: ['string', 'null'] }, scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string' },
  },
  required: ['clientId', 'name', 'redirectUris', 'isPublic', 'boundUserId', 'scopes', 'createdAt'],
} as const;

/** A client with its secret: only in the answers to create and rotate, the one time it is shown. */
const clientWithSecret = {
  ...client,
  properties: { ...client.properties, clientSecret: { type: 'string', description: 'Shown only now; only its scrypt hash is stored.' } },
} as const;

const clientIdParams = params({ clientId });

export const createClientRoute = {
  tags: TAGS,
  summary: 'Register an OAuth client; a confidential one\'s secret is in this answer only.',
  body: {
    type: 'object',
    properties: { name: label(200), redirectUris, isPublic: { type: 'boolean', default: false }, boundUserId },
    required: ['name'],
    additionalProperties: false,
  },
  response: { 201: clientWithSecret, ...errors },
} as const;

export const listClientsRoute = { tags: TAGS, summary: 'OAuth clients, oldest first.', querystring: pagingQuery, response: { 200: listOf(client), ...errors } } as const;

export const getClientRoute = { tags: TAGS, summary: 'One OAuth client (never its secret).', params: clientIdParams, response: { 200: client, ...errors } } as const;

export const updateClientRoute = {
  tags: TAGS,
  summary: 'Change a client\'s name, redirect URIs or bound user.',
  params: clientIdParams,
  body: { type: 'object', properties: { name: label(200), redirectUris, boundUserId }, additionalProperties: false, minProperties: 1 },
  response: { 200: client, ...errors },
} as const;

export const deleteClientRoute = {
  tags: TAGS,
  summary: 'Delete a client and revoke every token issued to it.',
  params: clientIdParams,
  response: { 204: noContent, ...errors },
} as const;

export const rotateClientSecretRoute = {
  tags: TAGS,
  summary: 'Give a confidential client a new secret (in this answer only); the old one stops working and its client_credentials tokens are revoked.',
  params: clientIdParams,
  response: { 200: clientWithSecret, ...errors },
} as const;

// ---- Teams ------------------------------------------------------------------------------------

const reportingBenefits = {
  type: 'array', items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]{0,59}$' }, maxItems: 20,
  description: 'e.g. ReportingAPIAccess, InsightsTeam (the Insights contexts\' reportingBenefits).',
} as const;

const personalData = {
  type: 'boolean',
  description: 'The personal-data switch (default true). While any team has it false, every Insights and Token Flex answer '
    + 'and export shows stable hashes instead of user names, e-mail addresses and machine names, for all teams (as Autodesk does).',
} as const;

const team = {
  type: 'object',
  properties: {
    teamId: { type: 'string' }, name: { type: 'string' }, reportingBenefits: { type: 'array', items: { type: 'string' } },
    personalData,
    administrators: { type: 'array', items: { type: 'string' } }, members: { type: 'array', items: { type: 'string' } },
  },
  required: ['teamId', 'name', 'reportingBenefits', 'personalData', 'administrators', 'members'],
} as const;

const teamProperties = {
  name: label(200), reportingBenefits, personalData,
  administrators: userIds('User ids; they see the team as an Insights context.'),
  members: userIds('User ids of the other members.'),
} as const;

const teamIdParams = params({ teamId });

export const createTeamRoute = {
  tags: TAGS,
  summary: 'Create a team (Insights context) with its administrators and members; without teamId a nine-digit id is chosen.',
  body: { type: 'object', properties: { teamId, ...teamProperties }, required: ['name'], additionalProperties: false },
  response: { 201: team, ...errors },
} as const;

export const listTeamsRoute = { tags: TAGS, summary: 'Teams, ordered by id.', querystring: pagingQuery, response: { 200: listOf(team), ...errors } } as const;

export const getTeamRoute = { tags: TAGS, summary: 'One team with its people.', params: teamIdParams, response: { 200: team, ...errors } } as const;

export const updateTeamRoute = {
  tags: TAGS,
  summary: 'Change a team; administrators and members each replace their whole list.',
  params: teamIdParams,
  body: { type: 'object', properties: teamProperties, additionalProperties: false, minProperties: 1 },
  response: { 200: team, ...errors },
} as const;

export const deleteTeamRoute = {
  tags: TAGS,
  summary: 'Delete a team that has no contracts, subscriptions or usage (else 409).',
  params: teamIdParams,
  response: { 204: noContent, ...errors },
} as const;

// ---- Contracts --------------------------------------------------------------------------------

const tokens = { type: 'number', minimum: 0, maximum: 1e12 } as const;

const contractYearInput = {
  type: 'object',
  properties: { year: { type: 'integer', minimum: 1, maximum: 100 }, startDate: day, endDate: day, provisionedTokens: tokens },
  required: ['year', 'startDate', 'endDate', 'provisionedTokens'],
  additionalProperties: false,
} as const;

const contractProperties = {
  contractName: label(200),
  teamId,
  contractStartDate: day,
  contractEndDate: day,
  multiyearProvisionedTokens: { ...tokens, description: 'The multi-year pool (MY), drawn on once a year\'s tokens are spent.' },
  contractYears: { type: 'array', items: contractYearInput, maxItems: 100, description: 'Each with its provisioned tokens (CY pool).' },
  enrichmentCategories: {
    type: 'array', items: { type: 'string', maxLength: 100, pattern: '^[^\\t\\n]*$' }, maxItems: 10,
    description: 'Names of customField1..10 in order; "" for an unused one.',
  },
  contractManagers: userIds('User ids; they see the contract in Token Flex.'),
  chargesFrom: {
    type: 'string', enum: ['rating', 'autodesk'],
    description: 'Where its records\' charges come from: `rating` (default), our own rating on arrival; `autodesk`, Autodesk\'s Token Flex export files ' +
      '(`POST /admin/v1/usage?source=tokenflex-export`), stored as given and never re-rated. A batch that mixes the two is refused (docs/sources.md). ' +
      'It can change only while the contract has no usage records (else 409).',
  },
} as const;

const contract = {
  type: 'object',
  properties: {
    contractNumber: { type: 'string' }, contractName: { type: 'string' }, teamId: { type: 'string' },
    contractStartDate: { type: 'string' }, contractEndDate: { type: 'string' }, isActive: { type: 'boolean' },
    multiyearProvisionedTokens: { type: 'number' },
    contractYears: {
      type: 'array',
      items: {
        type: 'object',
        properties: { year: { type: 'integer' }, startDate: { type: 'string' }, endDate: { type: 'string' }, provisionedTokens: { type: 'number' } },
      },
    },
    enrichmentCategories: { type: 'array', items: { type: 'string' } },
    contractManagers: { type: 'array', items: { type: 'string' } },
    chargesFrom: { type: 'string', enum: ['rating', 'autodesk'] },
  },
  required: ['contractNumber', 'contractName', 'teamId', 'contractStartDate', 'contractEndDate', 'multiyearProvisionedTokens', 'contractYears', 'enrichmentCategories', 'contractManagers', 'chargesFrom'],
} as const;

const contractParams = params({ contractNumber });

export const createContractRoute = {
  tags: TAGS,
  summary: 'Create a Token Flex contract of a team, with its years, token pools, enrichment categories and managers.',
  body: {
    type: 'object',
    properties: { contractNumber, ...contractProperties },
    required: ['contractNumber', 'contractName', 'teamId', 'contractStartDate', 'contractEndDate'],
    additionalProperties: false,
  },
  response: { 201: contract, ...errors },
} as const;

export const listContractsRoute = { tags: TAGS, summary: 'Contracts, ordered by number.', querystring: pagingQuery, response: { 200: listOf(contract), ...errors } } as const;

export const getContractRoute = { tags: TAGS, summary: 'One contract as defined (Token Flex shows its token figures).', params: contractParams, response: { 200: contract, ...errors } } as const;

export const updateContractRoute = {
  tags: TAGS,
  summary: 'Change a contract; contractYears and contractManagers each replace their whole list.',
  params: contractParams,
  body: { type: 'object', properties: contractProperties, additionalProperties: false, minProperties: 1 },
  response: { 200: contract, ...errors },
} as const;

export const deleteContractRoute = {
  tags: TAGS,
  summary: 'Delete a contract that has no subscriptions, usage or export schedules (else 409).',
  params: contractParams,
  response: { 204: noContent, ...errors },
} as const;

// ---- Products ---------------------------------------------------------------------------------

const productProperties = {
  productName: label(200),
  featureCode: label(100),
  dailyTokenRate: { type: 'number', minimum: 0, maximum: 1e6, description: 'Tokens charged for a day of use (spec §6).' },
  effectiveFrom: dayOrNull,
  effectiveTo: dayOrNull,
  seatTokensPerYear: {
    type: ['number', 'null'], minimum: 0, maximum: 1e9,
    description: 'What a subscription seat of the product line costs in tokens a year (the seat-or-Flex advice, '
      + '/analytics/v1): a setting of the line, so it changes every version of it; null clears it.',
  },
} as const;

const product = {
  type: 'object',
  properties: {
    productLineCode: { type: 'string' }, version: { type: 'string' }, productName: { type: 'string' }, featureCode: { type: 'string' },
    dailyTokenRate: { type: 'number' }, effectiveFrom: { type: ['string', 'null'] }, effectiveTo: { type: ['string', 'null'] },
    seatTokensPerYear: { type: ['number', 'null'], description: 'The product line\'s seat price in tokens a year; null: not set.' },
  },
  required: ['productLineCode', 'version', 'productName', 'featureCode', 'dailyTokenRate', 'effectiveFrom', 'effectiveTo', 'seatTokensPerYear'],
} as const;

const productParams = params({ productLineCode, version: productVersion });

export const createProductRoute = {
  tags: TAGS,
  summary: 'Add a product version (line code, name, feature code, daily token rate, effective dates; optionally the line\'s seat price).',
  body: {
    type: 'object',
    properties: { productLineCode, version: productVersion, ...productProperties },
    required: ['productLineCode', 'version', 'productName', 'featureCode', 'dailyTokenRate'],
    additionalProperties: false,
  },
  response: { 201: product, ...errors },
} as const;

export const listProductsRoute = { tags: TAGS, summary: 'Products, ordered by line code and version.', querystring: pagingQuery, response: { 200: listOf(product), ...errors } } as const;

export const getProductRoute = { tags: TAGS, summary: 'One product version.', params: productParams, response: { 200: product, ...errors } } as const;

export const updateProductRoute = {
  tags: TAGS,
  summary: 'Change a product version.',
  params: productParams,
  body: { type: 'object', properties: productProperties, additionalProperties: false, minProperties: 1 },
  response: { 200: product, ...errors },
} as const;

export const deleteProductRoute = {
  tags: TAGS,
  summary: 'Delete a product version no usage record names (else 409).',
  params: productParams,
  response: { 204: noContent, ...errors },
} as const;

// ---- Subscriptions ----------------------------------------------------------------------------

const subscriptionProperties = {
  teamId,
  contractNumber,
  productLineCode,
  productName: label(200),
  offeringType: { ...label(40), description: 'e.g. Subscription, Flex' },
  term: { ...label(40), description: 'e.g. Annual, 3-Year' },
  status: { type: 'string', enum: ['Active', 'Expired', 'Canceled'] },
  quantity: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  startDate: day,
  endDate: day,
  renewalDate: dayOrNull,
  seats: { type: 'array', items: userId, maxItems: 10_000, description: 'User ids holding a seat (at most `quantity`).' },
} as const;

const subscription = {
  type: 'object',
  properties: {
    id: { type: 'string' }, teamId: { type: 'string' }, contractNumber: { type: 'string' }, productLineCode: { type: 'string' },
    productName: { type: 'string' }, offeringType: { type: 'string' }, term: { type: 'string' }, status: { type: 'string' },
    quantity: { type: 'integer' }, startDate: { type: 'string' }, endDate: { type: 'string' }, renewalDate: { type: ['string', 'null'] },
    seats: { type: 'array', items: { type: 'string' } },
  },
  required: ['id', 'teamId', 'contractNumber', 'productLineCode', 'productName', 'offeringType', 'term', 'status', 'quantity', 'startDate', 'endDate', 'renewalDate', 'seats'],
} as const;

const subscriptionParams = params({ subscriptionId });

export const createSubscriptionRoute = {
  tags: TAGS,
  summary: 'Create a subscription of a team under one of its contracts, with its seat assignments; without id a UUID is chosen.',
  body: {
    type: 'object',
    properties: { id: subscriptionId, ...subscriptionProperties },
    required: ['teamId', 'contractNumber', 'productLineCode', 'productName', 'offeringType', 'term', 'status', 'quantity', 'startDate', 'endDate'],
    additionalProperties: false,
  },
  response: { 201: subscription, ...errors },
} as const;

export const listSubscriptionsRoute = {
  tags: TAGS,
  summary: 'Subscriptions, ordered by id; optionally of one team or contract.',
  querystring: { type: 'object', properties: { teamId, contractNumber, ...pagingProperties }, additionalProperties: false },
  response: { 200: listOf(subscription), ...errors },
} as const;

export const getSubscriptionRoute = { tags: TAGS, summary: 'One subscription with its seats.', params: subscriptionParams, response: { 200: subscription, ...errors } } as const;

export const updateSubscriptionRoute = {
  tags: TAGS,
  summary: 'Change a subscription; seats replaces every seat assignment.',
  params: subscriptionParams,
  body: { type: 'object', properties: subscriptionProperties, additionalProperties: false, minProperties: 1 },
  response: { 200: subscription, ...errors },
} as const;

export const deleteSubscriptionRoute = {
  tags: TAGS,
  summary: 'Delete a subscription and its seat assignments.',
  params: subscriptionParams,
  response: { 204: noContent, ...errors },
} as const;
