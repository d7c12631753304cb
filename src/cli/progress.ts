/** Where progress goes: stderr, or a stand-in with the same two members (tests). */
export type ProgressStream = Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };

/** Progress of a command that waits for a job (`insights export`, `insights query`). */
export interface Progress {
  /** The job's status word as last seen (`Requested`, `SUBMITTED`, `running`, …). */
  update(status: string): void;
  /** Ends with one summary line: `<label> <status> in 3.2 s[: <detail>]`. */
  finish(status: string, detail?: string): void;
  /** Ends without a summary (the caller reports the failure itself); no-op once ended. */
  abort(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;
/** ANSI "erase the whole line", after a carriage return to its start. */
const CLEAR_LINE = '\r\u001B[2K';

/*
 * Our own ~40 lines rather than a spinner package: yocto-spinner (1 dependency, maintained) was the
 * candidate, but off a terminal it prints a line per text change, where a log or CI wants one
 * summary line, and the terminal part we need (one line rewritten in place) is this short.
 */

/**
 * On a terminal, one line rewritten in place every 100 ms: spinner, label, status, elapsed
 * seconds; at the end it is replaced by the summary line. Anywhere else (a pipe, a log file, CI)
 * nothing while waiting and then only the summary line, so logs get no carriage-return noise.
 */
export function startProgress(label: string, stream: ProgressStream, now: () => number = Date.now): Progress {
  const started = now();
  const seconds = () => ((now() - started) / 1000).toFixed(1);
  let status = 'starting';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const render = () => {
    stream.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${label} ${status} ${seconds()} s`);
  };
  if (stream.isTTY) {
    render();
    timer = setInterval(render, FRAME_MS);
    // A forgotten progress line must never keep the process alive.
    timer.unref();
  }
  let ended = false;
  const stop = () => {
    if (ended) return false;
    ended = true;
    clearInterval(timer);
    if (stream.isTTY) stream.write(CLEAR_LINE);
    return true;
  };
  return {
    update(next) {
      status = next;
    },
    finish(final, detail) {
      if (!stop()) return;
      stream.write(`${label} ${final} in ${seconds()} s${detail ? `: ${detail}` : ''}\n`);
    },
    abort() {
      stop();
    },
  };
}
