// lib/log: JSON-lines logging for plugin calls (file, levels, rotation, redaction).
// May import: node builtins and lib/util; may be imported from anywhere.
export {
  openLog,
  newEventId,
  LOG_LEVELS,
  DEFAULT_LOG_FILE,
  DEFAULT_MAX_BYTES,
  DEFAULT_KEEP,
  type Logger,
  type LogLevel,
  type LogOptions,
  type Fields,
} from './logger.js';
export { rotateIfNeeded } from './rotate.js';
export { redact, REDACTED, SECRET_KEY } from './redact.js';
