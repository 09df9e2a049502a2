import { describe, expect, it } from 'vitest'
import { nodeHashing } from '../../runtime/node-hashing.ts'
import { pyDumps, pyFloat } from '../../sim/plane/py-json.ts'
import { makeIssueWebhook } from '../../test/fixtures/plane.ts'
import { sha256Hex, webCryptoHashing } from '../hash.ts'
import {
  createPlaneSignatureVerifier,
  signPlaneBody,
  verifyPlaneSignature,
} from './webhook-signature.ts'

const SECRET = 'plane_wh_0123456789abcdef'
const encode = (text: string) => new TextEncoder().encode(text)

/**
 * Golden vector made by CPython 3: `json.dumps(payload)` and
 * `hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()`, exactly as Plane signs.
 */
const PYTHON_BODY = String.raw`{"event": "issue", "action": "updated", "webhook_id": "w1", "workspace_id": "ws1", "data": {"id": "i1", "name": "Caf\u00e9 \u2615 \ud83d\ude00", "sort_order": 65535.0, "description_stripped": "line\nnext\t\"q\""}, "activity": {"field": "name", "new_value": "Caf\u00e9 \u2615 \ud83d\ude00", "old_value": "Cafe", "actor": null, "old_identifier": null, "new_identifier": null}}`
const PYTHON_SIGNATURE = '4a71cedee91d131897ed4c71e34d5cba0e2e2af2aef2c6be4509da040f760d29'

describe('verifyPlaneSignature', () => {
  it('should accept the bytes and signature CPython produces', async () => {
    expect(await verifyPlaneSignature(encode(PYTHON_BODY), PYTHON_SIGNATURE, SECRET)).toBe(true)
  })

  it('should accept a payload serialized with pyDumps and signed with the secret', async () => {
    const body = encode(
      pyDumps({ ...makeIssueWebhook(), extra: { sort_order: pyFloat(65535), name: 'café' } })
    )
    expect(await verifyPlaneSignature(body, await signPlaneBody(body, SECRET), SECRET)).toBe(true)
  })

  it('should reject the same payload re-serialized with JSON.stringify', async () => {
    const restringified = encode(JSON.stringify(JSON.parse(PYTHON_BODY)))
    expect(await verifyPlaneSignature(restringified, PYTHON_SIGNATURE, SECRET)).toBe(false)
  })

  it('should reject one flipped byte of the body', async () => {
    const body = encode(PYTHON_BODY)
    body[40] = (body[40] ?? 0) ^ 0x01
    expect(await verifyPlaneSignature(body, PYTHON_SIGNATURE, SECRET)).toBe(false)
  })

  it('should reject a wrong secret', async () => {
    expect(await verifyPlaneSignature(encode(PYTHON_BODY), PYTHON_SIGNATURE, `${SECRET}x`)).toBe(
      false
    )
  })

  it.each([
    ['missing (null)', null],
    ['missing (undefined)', undefined],
    ['empty', ''],
    ['uppercase hex', PYTHON_SIGNATURE.toUpperCase()],
    ['63 chars', PYTHON_SIGNATURE.slice(1)],
    ['65 chars', `${PYTHON_SIGNATURE}0`],
    ['sha256= prefix', `sha256=${PYTHON_SIGNATURE}`],
    ['non-hex', `${PYTHON_SIGNATURE.slice(0, 63)}g`],
    ['padded', ` ${PYTHON_SIGNATURE}`],
  ])('should reject a %s header', async (_name, header) => {
    expect(await verifyPlaneSignature(encode(PYTHON_BODY), header, SECRET)).toBe(false)
  })

  it('should fail closed on an empty secret, even with a signature made from it', async () => {
    // hmac.new(b'', body, sha256).hexdigest(): what an attacker sends if an empty key were accepted.
    const signedWithEmpty = 'bb384209a2e096bea33941da6e5a38f0628bd7ec25606ec5853fb0f43a4bf8db'
    const body = encode(PYTHON_BODY)
    expect(await verifyPlaneSignature(body, signedWithEmpty, '')).toBe(false)
    expect(await verifyPlaneSignature(body, PYTHON_SIGNATURE, '   ')).toBe(false)
    await expect(signPlaneBody(body, '')).rejects.toThrow(/secret is empty/)
  })

  it('should hash only the viewed bytes of a Uint8Array inside a larger buffer', async () => {
    const inner = encode(PYTHON_BODY)
    const outer = new Uint8Array(inner.length + 8)
    outer.set(inner, 4)
    expect(
      await verifyPlaneSignature(outer.subarray(4, 4 + inner.length), PYTHON_SIGNATURE, SECRET)
    ).toBe(true)
  })

  it('should switch keys when the secret changes', async () => {
    const body = encode(PYTHON_BODY)
    const other = await signPlaneBody(body, 'plane_wh_other_secret')
    expect(await verifyPlaneSignature(body, PYTHON_SIGNATURE, SECRET)).toBe(true)
    expect(await verifyPlaneSignature(body, other, 'plane_wh_other_secret')).toBe(true)
    expect(await verifyPlaneSignature(body, PYTHON_SIGNATURE, 'plane_wh_other_secret')).toBe(false)
  })
})

describe('createPlaneSignatureVerifier', () => {
  it('should refuse to be built without a secret', () => {
    expect(() => createPlaneSignatureVerifier('')).toThrow(/secret is empty/)
    expect(() => createPlaneSignatureVerifier('  ')).toThrow(/secret is empty/)
  })

  // The Node runtime checks with node:crypto, Workers with WebCrypto: both must agree with CPython.
  it.each([
    ['WebCrypto', webCryptoHashing],
    ['node:crypto', nodeHashing],
  ])('should verify repeatedly with its cached key (%s)', async (_name, hashing) => {
    const verify = createPlaneSignatureVerifier(SECRET, hashing)
    expect(await verify(encode(PYTHON_BODY), PYTHON_SIGNATURE)).toBe(true)
    expect(await verify(encode(PYTHON_BODY), PYTHON_SIGNATURE)).toBe(true)
    expect(await verify(encode(`${PYTHON_BODY} `), PYTHON_SIGNATURE)).toBe(false)
    expect(await verify(encode(PYTHON_BODY), null)).toBe(false)
    expect(await verify(encode(PYTHON_BODY), PYTHON_SIGNATURE.toUpperCase())).toBe(false)
    expect(
      await createPlaneSignatureVerifier(`${SECRET}x`, hashing)(
        encode(PYTHON_BODY),
        PYTHON_SIGNATURE
      )
    ).toBe(false)
    const body = encode(PYTHON_BODY)
    expect(await hashing.sha256Hex(body)).toBe(await sha256Hex(body))
    expect(await hashing.sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    )
  })
})
