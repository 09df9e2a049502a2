/** @module JSON's string escapes, byte by byte: what a backslash stands for, and a \u escape's hex digits. */

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** What a backslash may escape in JSON (\" \\ \/ \b \f \n \r \t \u) and what it stands for; -1: \u, null: none. */
export function unescapedByte(b: number): number | null {
  switch (b) {
    case QUOTE:
    case BACKSLASH:
    case 0x2f:
      return b
    case 0x62:
      return 8
    case 0x66:
      return 12
    case 0x6e:
      return 10
    case 0x72:
      return 13
    case 0x74:
      return 9
    case 0x75:
      return -1
    default:
      return null
  }
}

/** A hex digit's value, -1 for any other byte. */
export function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30
  const lower = b | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1
}
