import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ScheduleInput, ScheduleService } from '../../../exports/index.js';
import type { ExportSchedule } from '../../../store/index.js';
import { principalOf } from '../../plugins/auth.js';
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
export function registerTokenflexSchedules(app: FastifyInstance, schedules: ScheduleService): void {
  const owner = async (request: FastifyRequest<{ Params: { contract_number: string } }>) => {
    const principal = principalOf(request);
    await principal.assertContract(request.params.contract_number);
    return principal.user?.id ?? '';
  };
  app.get<{ Params: { contract_number: string } }>('/export/:contract_number/schedules', { schema: scheduleListRoute }, async (request) =>
    (await schedules.list(await owner(request), request.params.contract_number)).map(describe));

  app.post<{ Params: { contract_number: string }; Body: ScheduleInput }>('/export/:contract_number/schedules', {
    schema: { ...scheduleListRoute, summary: 'Create an export schedule.', body: scheduleBodySchema, response: scheduleRoute.response },
  }, async (request) => describe(await schedules.save(await owner(request), request.params.contract_number, request.body)));

  app.get<{ Params: { contract_number: string; schedule_id: string } }>('/export/:contract_number/schedules/:schedule_id', { schema: scheduleRoute }, async (request) =>
    describe(await schedules.get(await owner(request), request.params.contract_number, request.params.schedule_id)));

  app.put<{ Params: { contract_number: string; schedule_id: string }; Body: ScheduleInput }>('/export/:contract_number/schedules/:schedule_id', {
    schema: { ...scheduleRoute, summary: 'Replace an export schedule.', body: scheduleBodySchema },
  }, async (request) => {
    const user = await owner(request);
    const existing = await schedules.get(user, request.params.contract_number, request.params.schedule_id);
    return describe(await schedules.save(user, request.params.contract_number, request.body, existing.id));
  });

  app.delete<{ Params: { contract_number: string; schedule_id: string } }>('/export/:contract_number/schedules/:schedule_id', {
    schema: { params: scheduleIdParams, tags: ['tokenflex'], summary: 'Delete an export schedule.', response: { 204: { type: 'null', description: 'Deleted.' }, ...tokenflexErrors } },
  }, async (request, reply) => {
    const existing = await schedules.get(await owner(request), request.params.contract_number, request.params.schedule_id);
    await schedules.delete(existing.id);
    return reply.code(204).send();
  });
}
