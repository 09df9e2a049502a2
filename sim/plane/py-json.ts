/** @module Byte-exact CPython `json.dumps(obj)` (default arguments), the input of Plane's webhook HMAC (plane-api.md §7.4). */

/** Marks a number that Python holds as a float, so that `65535` prints as `65535.0`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Wrap a number that must serialize as a Python float (e.g. `sort_order`, `sequence`). */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value)
}

/**
 * Serialize like `json.dumps(value)`: separators `", "`/`": "`, `ensure_ascii=True`, insertion order,
 * `allow_nan=True`. Integral numbers print as Python ints unless wrapped in `pyFloat`; other numbers
 * print with Python's float repr. `undefined` and non-plain values throw, as Python would for
 * objects it cannot serialize.
 */
export function pyDumps(value: unknown): string {
  if (value === null) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (value instanceof PyFloat) return pyFloatRepr(value.value)
  if (typeof value === 'number') {
    return Number.isInteger(value) ? pyIntRepr(value) : pyFloatRepr(value)
  }
  if (typeof value === 'string') return pyString(value)
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(', ')}]`
  if (typeof value === 'object' && isPlainObject(value)) {
    const parts = Object.entries(value).map(([key, item]) => `${pyString(key)}: ${pyDumps(item)}`)
    return `{${parts.join(', ')}}`
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`)
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// Python's int repr never uses exponents, while String(1e21) does.
function pyIntRepr(value: number): string {
  return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : BigInt(value).toString()
}

/** Python `float.__repr__`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return 'Infinity'
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  // toExponential() without an argument yields the shortest digits that round-trip, like repr().
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e')
  const exponent = Number.parseInt(exponentText, 10)
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+'
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  // Within [1e-4, 1e16) JavaScript's String() is already fixed notation with the same digits.
  const fixed = String(value)
  return fixed.includes('.') ? fixed : `${fixed}.0`
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

// ensure_ascii: everything outside 0x20–0x7E (0x7F included) becomes \uXXXX per UTF-16 code unit,
// which is exactly how CPython writes astral characters (as surrogate pairs).
function pyString(text: string): string {
  let out = '"'
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index)
    const code = text.charCodeAt(index)
    const short = SHORT_ESCAPES[char]
    if (short !== undefined) out += short
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += char
  }
  return `${out}"`
}
