/** @module Structured JSON logs, one line per event, secrets redacted, long values cut, filtered by LOG_LEVEL. */
import { capText } from '../text/cap.ts'
import { createRedactor, type Redactor } from './redact.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

export type Logger = {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  /** A logger that adds `bindings` to every line (e.g. `{ fn: 'poll', agent: 'imhotep' }`). */
  child(bindings: LogFields): Logger
  /** Whether a line at `level` would be written: hot paths skip building fields nobody reads. */
  enabled(level: LogLevel): boolean
}

export type LoggerOptions = {
  level?: LogLevel
  redactor?: Redactor
  /** Where lines go; console.log works on Node and Workers alike. */
  write?: (line: string) => void
  now?: () => number
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

/**
 * A string in a log line (the message, or any field at any depth) longer than this is cut, saying how long it was:
 * one hostile value (a 900 KB task name in an error message) must not make a multi-MB line that log shippers drop
 * or choke on. A few KB keeps every useful error message and stack whole.
 */
export const LOG_STRING_MAX_CHARS = 4096
/** A line still longer than this (thousands of short fields) keeps its time, level and message only. */
export const LOG_LINE_MAX_CHARS = 64 * 1024

/**
 * @example createLogger({ level: 'info', redactor }).info('request', { status: 200 })
 * // {"time":"2026-…","level":"info","msg":"request","status":200}
 */
export function createLogger({
  level = 'info',
  redactor = createRedactor(),
  write = (line) => console.log(line),
  now = Date.now,
}: LoggerOptions = {}): Logger {
  const threshold = LEVEL_RANK[level]
  const build = (bindings: LogFields): Logger => {
    const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
      if (LEVEL_RANK[lvl] < threshold) return
      const record = {
        time: new Date(now()).toISOString(),
        level: lvl,
        msg: redactor.text(msg),
        ...(redactor.value({ ...bindings, ...fields }) as LogFields),
      }
      write(_safeStringify(record))
    }
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (more) => build({ ...bindings, ...more }),
      enabled: (lvl) => LEVEL_RANK[lvl] >= threshold,
    }
  }
  return build({})
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => {} })

// --- Internal helpers ---

function _safeStringify(record: LogFields): string {
  let line: string
  try {
    line = JSON.stringify(record, _replacer)
  } catch {
    return _bare(record, 'unserializable fields')
  }
  return line.length <= LOG_LINE_MAX_CHARS
    ? line
    : _bare(record, `fields dropped: the line had ${line.length} characters`)
}

function _replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string' && value.length > LOG_STRING_MAX_CHARS)
    return capText(value, LOG_STRING_MAX_CHARS, `… [cut: ${value.length} characters in all]`)
  return value
}

function _bare(record: LogFields, note: string): string {
  return JSON.stringify(
    { time: record.time, level: record.level, msg: record.msg, note },
    _replacer
  )
}
