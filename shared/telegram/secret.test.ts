import { describe, expect, it } from 'vitest'
import { isValidSecretToken, verifyTelegramSecret } from './secret.ts'

describe('isValidSecretToken', () => {
  it('should accept 1-256 characters of A-Z a-z 0-9 _ -', () => {
    expect(isValidSecretToken('a')).toBe(true)
    expect(isValidSecretToken('Abc_09-xyz')).toBe(true)
    expect(isValidSecretToken('x'.repeat(256))).toBe(true)
  })

  it('should reject empty, too long and other characters', () => {
    expect(isValidSecretToken('')).toBe(false)
    expect(isValidSecretToken('x'.repeat(257))).toBe(false)
    for (const bad of ['a b', 'a+b', 'a/b', 'a=b', 'a.b', 'ä', 'a\n']) {
      expect(isValidSecretToken(bad)).toBe(false)
    }
  })
})

describe('verifyTelegramSecret', () => {
  const SECRET = 'k3y_with-Dashes'

  it('should accept the exact secret', async () => {
    await expect(verifyTelegramSecret(SECRET, SECRET)).resolves.toBe(true)
  })

  it('should reject a different, shorter, longer or differently-cased secret', async () => {
    for (const header of ['k3y_with-Dashez', 'k3y', `${SECRET}x`, SECRET.toUpperCase(), '']) {
      await expect(verifyTelegramSecret(header, SECRET)).resolves.toBe(false)
    }
  })

  it('should fail closed on a missing header or an unset secret', async () => {
    await expect(verifyTelegramSecret(undefined, SECRET)).resolves.toBe(false)
    await expect(verifyTelegramSecret(null, SECRET)).resolves.toBe(false)
    await expect(verifyTelegramSecret('', '')).resolves.toBe(false)
    await expect(verifyTelegramSecret(null, '')).resolves.toBe(false)
  })
})
