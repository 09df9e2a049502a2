/**
 * @module Character classes of JavaScript's regular expressions, as functions, for the index scanners that read
 * text from outside (issue 38): each answers for one UTF-16 code unit in constant time. Pure.
 */

/** `\s`: WhiteSpace and LineTerminator of ECMAScript, the set `String.prototype.trim` also removes. */
export function isSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d)
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  )
}

/** What `.` does not match without the `s` flag: the end of a line. */
export function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029
}

/** `\w` without the `u` flag: ASCII letters, digits and `_`. */
export function isWordChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  )
}

/** `\d`: ASCII digits only, with or without the `u` flag. */
export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
}

/** Index of the first code unit at or after `from` that is not `\s` (the length when there is none). */
export function skipSpaces(text: string, from: number): number {
  let i = from
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  return i
}
