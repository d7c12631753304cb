// `insights serve` with a movable export-schedule clock: the system's time plus an offset, which
// starts at TEST_SCHEDULE_CLOCK_OFFSET_MS and is moved by IPC messages `{ scheduleClockOffsetMs }`
// (each answered with the same message once applied). Everything else is the real server: the
// same runServer, signals and shutdown. Started by startServer's `scheduleClockOffsetMs` option.
import { loadConfig } from '../../src/config.js';
import { runServer } from '../../src/http/index.js';

let offsetMs = Number(process.env.TEST_SCHEDULE_CLOCK_OFFSET_MS ?? 0);
process.on('message', (message: { scheduleClockOffsetMs: number }) => {
  offsetMs = message.scheduleClockOffsetMs;
  process.send!({ scheduleClockOffsetMs: offsetMs });
});
// The channel must not keep a server that was told to stop alive.
process.channel?.unref();
await runServer(loadConfig(process.env, process.cwd()), { scheduleClock: () => new Date(Date.now() + offsetMs) });
