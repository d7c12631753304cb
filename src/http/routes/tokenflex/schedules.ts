import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ScheduleService } from '../../../exports/index.js';
import type { ExportSchedule } from '../../../store/index.js';
import { principalOf } from '../../plugins/auth.js';
import { typedRoutes } from '../../type-provider.js';
import { scheduleBodySchema, scheduleIdParams, scheduleListRoute, scheduleRoute, tokenflexErrors } from './schemas.js';

function describe(schedule: ExportSchedule) {
  return {
    scheduleID: schedule.id,
    dateRangeExpression: schedule.dateRangeExpression,
    enableFlag: schedule.enabled ? 'Y' : 'N',
    frequencyExpression: schedule.frequencyExpression,
    lastRanDate: schedule.lastRanAt,
    nextRunDate: schedule.nextRunAt,
    scheduleObjects: schedule.scheduleObjects,
  };
}

/** `/export/:c/schedules[/:id]` (spec §4). */
export function registerTokenflexSchedules(untyped: FastifyInstance, schedules: ScheduleService): void {
  // Body and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  const owner = async (request: FastifyRequest, contractNumber: string) => {
    const principal = principalOf(request);
    await principal.assertContract(contractNumber);
    return principal.user?.id ?? '';
  };
  app.get('/export/:contract_number/schedules', { schema: scheduleListRoute }, async (request) =>
    (await schedules.list(await owner(request, request.params.contract_number), request.params.contract_number)).map(describe));

  app.post('/export/:contract_number/schedules', {
    schema: { ...scheduleListRoute, summary: 'Create an export schedule.', body: scheduleBodySchema, response: scheduleRoute.response },
  }, async (request) => {
    const contractNumber = request.params.contract_number;
    return describe(await schedules.save(await owner(request, contractNumber), contractNumber, request.body));
  });

  app.get('/export/:contract_number/schedules/:schedule_id', { schema: scheduleRoute }, async (request) => {
    const { contract_number: contractNumber, schedule_id: scheduleId } = request.params;
    return describe(await schedules.get(await owner(request, contractNumber), contractNumber, scheduleId));
  });

  app.put('/export/:contract_number/schedules/:schedule_id', {
    schema: { ...scheduleRoute, summary: 'Replace an export schedule.', body: scheduleBodySchema },
  }, async (request) => {
    const { contract_number: contractNumber, schedule_id: scheduleId } = request.params;
    const user = await owner(request, contractNumber);
    const existing = await schedules.get(user, contractNumber, scheduleId);
    return describe(await schedules.save(user, contractNumber, request.body, existing.id));
  });

  app.delete('/export/:contract_number/schedules/:schedule_id', {
    schema: { params: scheduleIdParams, tags: ['tokenflex'], summary: 'Delete an export schedule.', response: { 204: { type: 'null', description: 'Deleted.' }, ...tokenflexErrors } },
  }, async (request, reply) => {
    const { contract_number: contractNumber, schedule_id: scheduleId } = request.params;
    const existing = await schedules.get(await owner(request, contractNumber), contractNumber, scheduleId);
    await schedules.delete(existing.id);
    return reply.code(204).send();
  });
}
