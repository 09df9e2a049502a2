import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { PyFloat, pyDumps, pyFloat, pyFloatRepr } from './py-json.ts'

const SECRET = 'plane_wh_0123456789abcdef0123456789abcdef'

// Reads a JSON document in which floats are tagged as {"$float": "<repr>"}, rebuilds real Python
// floats, then signs json.dumps(payload) exactly like plane/bgtasks/webhook_task.py.
const PYTHON_SIGNER = `
import hashlib, hmac, json, sys
def untag(o):
    return float(o["$float"]) if list(o.keys()) == ["$float"] else o
doc = json.loads(sys.stdin.read(), object_hook=untag)
body = json.dumps(doc["payload"])
sig = hmac.new(doc["secret"].encode("utf-8"), body.encode("utf-8"), hashlib.sha256).hexdigest()
sys.stdout.write(json.dumps({"body": body, "signature": sig}))
`

/** JSON.stringify with PyFloat marked so Python can rebuild it as a float. */
function toTaggedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item instanceof PyFloat
      ? { $float: Object.is(item.value, -0) ? '-0.0' : String(item.value) }
      : item
  )
}

function pythonSign(payload: unknown): { body: string; signature: string } {
  const input = JSON.stringify({ secret: SECRET, payload: JSON.parse(toTaggedJson(payload)) })
  const output = execFileSync('python3', ['-c', PYTHON_SIGNER], { input, encoding: 'utf8' })
  return JSON.parse(output)
}

function sign(body: string): string {
  return createHmac('sha256', SECRET).update(body, 'utf8').digest('hex')
}

const TORTURE_PAYLOAD = {
  event: 'issue',
  action: 'updated',
  data: {
    name: 'Café über 中文 — “quotes” \\ back\\slash',
    emoji: 'ship it 🚀👩‍💻',
    quotes: 'say "hi"',
    whitespace: 'line1\nline2\r\n\ttabbed\b\f',
    control: '\u0000\u0001\u001f end',
    del: 'delete \u007f char',
    high: '\u00a0\u2028\uffff',
    sort_order: pyFloat(65535),
    tiny: pyFloat(1e-7),
    huge: pyFloat(1.5e16),
    tenth: pyFloat(0.1),
    negative_zero: pyFloat(-0),
    third: 1 / 3,
    ints: [0, -1, 42, 9007199254740991],
    nested: { list: [[], {}, [null, true, false]], empty: '' },
    nothing: null,
    yes: true,
    no: false,
  },
  activity: { field: 'name', new_value: 'Café', old_value: null },
}

describe('pyDumps (golden against python3 json.dumps)', () => {
  it('should produce the same bytes and HMAC as CPython for the torture payload', () => {
    const python = pythonSign(TORTURE_PAYLOAD)
    const ours = pyDumps(TORTURE_PAYLOAD)
    expect(Buffer.from(ours, 'utf8').equals(Buffer.from(python.body, 'utf8'))).toBe(true)
    expect(sign(ours)).toBe(python.signature)
  })

  it('should differ from JSON.stringify, whose signature Plane would never match', () => {
    const python = pythonSign(TORTURE_PAYLOAD)
    const naive = JSON.stringify(JSON.parse(toTaggedJson(TORTURE_PAYLOAD)))
    expect(naive).not.toBe(python.body)
    expect(sign(naive)).not.toBe(python.signature)
  })

  it('should match python3 on a pure-ASCII payload too (separators alone break JSON.stringify)', () => {
    const payload = { a: 1, b: [1, 2], c: { d: 'e' } }
    const python = pythonSign(payload)
    expect(pyDumps(payload)).toBe(python.body)
    expect(pyDumps(payload)).toBe('{"a": 1, "b": [1, 2], "c": {"d": "e"}}')
    expect(JSON.stringify(payload)).not.toBe(python.body)
  })
})

describe('pyFloatRepr', () => {
  it.each([
    [65535, '65535.0'],
    [1e-7, '1e-07'],
    [1.5e16, '1.5e+16'],
    [1e16, '1e+16'],
    [0.1, '0.1'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-0, '-0.0'],
    [123456789012345.6, '123456789012345.6'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])('should print %s as Python repr %s', (value, expected) => {
    expect(pyFloatRepr(value)).toBe(expected)
  })

  it('should print unmarked integers as ints and reject undefined', () => {
    expect(pyDumps({ n: 65535, big: 1e21 })).toBe('{"n": 65535, "big": 1000000000000000000000}')
    expect(() => pyDumps({ x: undefined })).toThrow(TypeError)
  })
})
