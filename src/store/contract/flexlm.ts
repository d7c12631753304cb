// What the store keeps of FlexNet debug logs besides the sessions and denials themselves (issue 20,
// docs/sources.md): how each session ended and the licences it held, and what a log imported on its
// own leaves for the batch of its neighbour (rotated logs imported as separate batches, in either order).

/** How a session read from a FlexNet log ended; `log-end` is provisional. */
export type SessionEndedBy = 'checkin' | 'inactive' | 'server-stop' | 'log-end';

/** What a log says of a stored desktop session (its usage record, by id). */
export interface SessionMark {
  readonly id: string;
  /** The session's end, epoch ms UTC: may move a stored `log-end` session's end (see `applyFlexlmLog`). */
  readonly sessionEnd: number;
  readonly endedBy: SessionEndedBy;
  readonly licenses: number;
}

/** A session stored as still open at the end of its log (`log-end`): a later log may hold its check-in. */
export interface ProvisionalSession {
  readonly id: string;
  readonly feature: string;
  readonly productLineCode: string;
  readonly productVersion: string;
  readonly userName: string;
  readonly host: string;
  readonly licenses: number;
  /** Epoch ms UTC. */
  readonly sessionStart: number;
  readonly sessionEnd: number;
}

/** A check-in at the start of a log (before any stop or restart) whose checkout no batch has held yet. */
export interface PendingCheckin {
  readonly id: string;
  readonly feature: string;
  readonly userName: string;
  readonly host: string;
  /** Epoch ms UTC. */
  readonly at: number;
  readonly inactive: boolean;
}

/**
 * Where an imported log lies in time (UTC epoch ms), and what its first stop or restart does to the
 * sessions open before it: `break` is null without one; `'stop'` ends them at `breakAt`; `'restart'`
 * (lmgrd started again without a stop line) at the last line before it, `breakAt`, or at the
 * previous log's end when the restart is the log's first line (`breakAt` null).
 */
export interface LogSpan {
  readonly firstAt: number;
  readonly lastAt: number;
  readonly break: 'stop' | 'restart' | null;
  readonly breakAt: number | null;
}

/** The state a FlexNet batch reads before it starts, for one contract and licence server. */
export interface FlexlmLogState {
  readonly provisional: readonly ProvisionalSession[];
  readonly pending: readonly PendingCheckin[];
  readonly spans: readonly LogSpan[];
}

export interface FlexlmLogWrite {
  readonly contractNumber: string;
  readonly server: string;
  readonly marks: readonly SessionMark[];
  readonly spans: readonly LogSpan[];
  readonly pending: readonly PendingCheckin[];
  /** Pending check-ins this batch's sessions ended with: deleted. */
  readonly consumed: readonly string[];
}

export interface FlexlmLogStore {
  /** The provisional sessions, pending check-ins and log spans of a contract's licence server. */
  loadFlexlmLogState(contractNumber: string, server: string): Promise<FlexlmLogState>;
  /**
   * After a FlexNet batch is stored, in one transaction: each mark sets its session's licences and
   * how it ended, and moves the end of a session stored as `log-end` (never of one that ended for
   * good: a log read again cannot undo a check-in), its minutes following (its charge is not
   * re-rated: sessions of network seats cost no tokens; see docs/sources.md for `--rate-as flex`).
   * Stores the spans and pending check-ins (each once; a check-in a stored session already ended
   * with is not pending), deletes the consumed ones.
   */
  applyFlexlmLog(write: FlexlmLogWrite): Promise<void>;
}
