// Logging and startup failures, shared by every part of the launcher.
//
// stdout carries exactly one line, the "listening on" line, which kafru's scripts and tests
// wait for; everything else goes to stderr.

/** The program's name, as it prefixes every log line and error. */
export const PROG = 'kafru-surrealdb';

/** Log levels as `surreal start` names them; `full` is an alias of `trace`. */
export const LEVELS = { none: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5, full: 5 };

let logLevel = LEVELS.info;

/** Sets the level from its name; false when the name is unknown. */
export function setLogLevel(name) {
  const level = String(name).toLowerCase();
  if (!(level in LEVELS)) return false;
  logLevel = LEVELS[level];
  return true;
}

/** Whether a message at this level would be written: lets callers skip costly work, such as timing. */
export function logs(level) {
  return LEVELS[level] <= logLevel;
}

/** Writes one timestamped line to stderr if the level is enabled. */
export function log(level, msg) {
  if (logs(level)) {
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${PROG}: ${msg}\n`);
  }
}

/** Startup failure: the launcher prints its message as one clear line on stderr and exits non-zero. */
export class Fatal extends Error {}

/** Stops the startup with a message that names the problem and the fix. */
export function fail(msg) {
  throw new Fatal(msg);
}
