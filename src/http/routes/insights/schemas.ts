import { authenticatedErrors, catalogSchema, insightsErrorSchema } from '../../schemas.js';

const errors = authenticatedErrors(insightsErrorSchema);

export const catalogRoute = {
  tags: ['insights'],
  summary: 'Every Insights field and metric with type, description and where it can be used (ours).',
  response: { 200: catalogSchema, ...errors },
} as const;

export const contextsRoute = {
  tags: ['insights'],
  summary: 'The teams (contexts) the caller administers.',
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          contextId: { type: 'string' },
          alias: { type: 'string' },
          reportingBenefits: { type: 'array', items: { type: 'string' } },
        },
        required: ['contextId', 'alias', 'reportingBenefits'],
      },
    },
    ...errors,
  },
} as const;
