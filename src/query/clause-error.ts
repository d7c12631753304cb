import type { ErrorCode, SourcePosition } from '../errors.js';
import { AppError, caretSnippet } from '../errors.js';

/**
 * The error of a `where` or `orderBy` clause: the message, the position of the offending text and a
 * caret snippet under it, so a client can show the user exactly where the fault is (spec §5).
 */
export function createClauseError(
  code: ErrorCode,
  message: string,
  source: string,
  position: SourcePosition,
): AppError {
  return new AppError(code, message, { position, snippet: caretSnippet(source, position) });
}
