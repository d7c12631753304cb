import { authenticatedErrors, catalogSchema, tokenflexErrorSchema } from '../../schemas.js';

const errors = authenticatedErrors(tokenflexErrorSchema);

const contract = {
  contractNumber: { type: 'string' },
  contractName: { type: 'string' },
  contractStartDate: { type: 'string', format: 'date' },
  contractEndDate: { type: 'string', format: 'date' },
  isActive: { type: 'boolean' },
} as const;

/** `:contract_number`: digits, letters and dashes; anything else is 400 before any lookup. */
export const contractParams = {
  type: 'object',
  properties: { contract_number: { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$' } },
  required: ['contract_number'],
  additionalProperties: false,
} as const;

export const catalogRoute = {
  tags: ['tokenflex'],
  summary: 'Every Token Flex field and metric with type, description, categories and session level (ours).',
  response: { 200: catalogSchema, ...errors },
} as const;

export const contractsRoute = {
  tags: ['tokenflex'],
  summary: 'The contracts the caller manages.',
  response: {
    200: { type: 'array', items: { type: 'object', properties: contract, required: Object.keys(contract) } },
    ...errors,
  },
} as const;

export const contractRoute = {
  tags: ['tokenflex'],
  summary: 'One contract with its contract years and token figures.',
  params: contractParams,
  response: {
    200: {
      type: 'object',
      properties: {
        ...contract,
        multiyearProvisionedTokens: { type: 'number' },
        contractYears: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              year: { type: 'integer' },
              startDate: { type: 'string', format: 'date' },
              endDate: { type: 'string', format: 'date' },
              provisionedTokens: { type: 'number' },
              consumedTokens: { type: 'number' },
              remainingTokens: { type: 'number' },
              multiyearTokensAtStart: { type: 'number' },
              multiyearConsumedTokens: { type: 'number' },
            },
          },
        },
      },
    },
    ...errors,
  },
} as const;
