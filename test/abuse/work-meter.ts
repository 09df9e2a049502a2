/**
 * @module The work a text function does, counted instead of timed (issue 38): while `meterWork` runs, String's
 * reading methods add the characters they touch to a counter, and a regular expression run on a long text
 * throws, since what a backtracking engine does cannot be counted. Same input, same count, on any machine.
 */

/** A regular expression on a text this long is refused: outside text goes through scanners (DESIGN.md §10). */
export const REGEX_TEXT_LIMIT = 256

export class RegexOnLongTextError extends Error {
  override readonly name = 'RegexOnLongTextError'
}

type Method = (this: unknown, ...args: never[]) => unknown
// Taken before any patch: the costs below must not meter themselves.
const indexOf = String.prototype.indexOf
type Cost = (self: string, args: unknown[], result: unknown) => number

const one: Cost = () => 1
const ownLength: Cost = (self) => self.length
const resultLength: Cost = (_self, _args, result) =>
  typeof result === 'string' ? result.length : 0
const patternLength: Cost = (_self, args) => String(args[0]).length
/** indexOf and includes read from `from` up to the match (or the end). */
const forwardSpan: Cost = (self, args, result) => {
  const from = Math.max(0, Math.min(self.length, Number(args[1] ?? 0) || 0))
  const found =
    typeof result === 'number' ? result : result ? indexOf.call(self, String(args[0]), from) : -1
  return (found >= 0 ? found + String(args[0]).length : self.length) - from + 1
}
const backwardSpan: Cost = (self, args, result) => {
  const from = args[1] === undefined ? self.length : Math.max(0, Number(args[1]) || 0)
  return from - (typeof result === 'number' && result >= 0 ? result : 0) + 1
}

const STRING_COSTS: Record<string, Cost> = {
  at: one,
  charAt: one,
  charCodeAt: one,
  codePointAt: one,
  endsWith: patternLength,
  includes: forwardSpan,
  indexOf: forwardSpan,
  lastIndexOf: backwardSpan,
  normalize: ownLength,
  padEnd: resultLength,
  padStart: resultLength,
  repeat: resultLength,
  // With a string pattern (a RegExp one goes through RegExp.prototype, below).
  replace: ownLength,
  replaceAll: ownLength,
  slice: resultLength,
  split: ownLength,
  startsWith: patternLength,
  substring: resultLength,
  toLowerCase: ownLength,
  toUpperCase: ownLength,
  trim: ownLength,
  trimEnd: ownLength,
  trimStart: ownLength,
}

const REGEX_METHODS = [
  'exec',
  'test',
  Symbol.replace,
  Symbol.split,
  Symbol.match,
  Symbol.matchAll,
  Symbol.search,
] as const

/** Runs `run` with the meter on and returns its result and the characters its string operations touched. */
export function meterWork<T>(run: () => T): { result: T; work: number } {
  let work = 0
  let inRegex = false
  const restore: Array<() => void> = []
  const patch = (target: object, key: PropertyKey, wrap: (original: Method) => Method) => {
    const original = Reflect.get(target, key) as Method
    Reflect.set(target, key, wrap(original))
    restore.push(() => Reflect.set(target, key, original))
  }
  for (const [name, cost] of Object.entries(STRING_COSTS)) {
    patch(
      String.prototype,
      name,
      (original) =>
        function metered(this: unknown, ...args: never[]) {
          const result = original.apply(this, args)
          if (!inRegex) work += cost(String(this), args, result)
          return result
        }
    )
  }
  patch(
    Array.prototype,
    'join',
    (original) =>
      function metered(this: unknown, ...args: never[]) {
        const result = original.apply(this, args) as string
        work += result.length + (this as unknown[]).length
        return result
      }
  )
  for (const key of REGEX_METHODS) {
    patch(
      RegExp.prototype,
      key,
      (original) =>
        function metered(this: unknown, ...args: never[]) {
          // The engine calls exec from replace, split…: the outer call is the one that counts.
          if (inRegex) return original.apply(this, args)
          const text = String(args[0])
          if (text.length > REGEX_TEXT_LIMIT)
            throw new RegexOnLongTextError(
              `${String(this as RegExp)} run on ${text.length} characters: its work cannot be bounded by counting`
            )
          inRegex = true
          try {
            work += text.length
            return original.apply(this, args)
          } finally {
            inRegex = false
          }
        }
    )
  }
  try {
    const result = run()
    return { result, work }
  } finally {
    for (const undo of restore.reverse()) undo()
  }
}
