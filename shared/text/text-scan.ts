/**
 * @module Character classes of JavaScript's regular expressions, as functions, for the index scanners that read
 * text from outside: each answers for one UTF-16 code unit in constant time. Pure.
 */

/** `\s`: WhiteSpace and LineTerminator of ECMAScript, exactly what `String.prototype.trim` removes. */
export function isSpace(code: number): boolean {
  return !String.fromCharCode(code).trim()
}

/** `\w` without the `u` flag: ASCII letters, digits and `_`. */
export function isWordChar(code: number): boolean {
  return code === 0x5f || isAsciiLetter(code) || isDigit(code)
}

/** `\d`: ASCII digits only, with or without the `u` flag. */
export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

export function isAsciiLetter(code: number): boolean {
  return (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a
}

/** Index of the first code unit at or after `from` that is not `\s` (the length when there is none). */
export function skipSpaces(text: string, from: number): number {
  let i = from
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  return i
}
