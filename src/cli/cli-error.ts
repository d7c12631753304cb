/** A failure to report to the operator as one line, without a stack trace. */
export class CliError extends Error {}
