import { describe, expect, it } from 'vitest'
import { ATTACHMENT_MIME_TYPES, isAllowedAttachmentType, mimeTypeFor } from './mime-types.ts'

describe('attachment types', () => {
  it('should guess common types from the extension, only types Plane accepts', () => {
    expect(mimeTypeFor('rapport.PDF')).toBe('application/pdf')
    expect(mimeTypeFor('notes.md')).toBe('text/markdown')
    expect(mimeTypeFor('data.tar.gz')).toBe('application/gzip')
    expect(mimeTypeFor('README')).toBeNull()
    expect(mimeTypeFor('app.exe')).toBeNull()
    for (const ext of [
      'pdf',
      'png',
      'jpg',
      'md',
      'csv',
      'json',
      'zip',
      'docx',
      'xlsx',
      'pptx',
      'mp4',
      'tgz',
    ])
      expect(ATTACHMENT_MIME_TYPES.has(mimeTypeFor(`f.${ext}`) as string)).toBe(true)
  })

  it('should accept Plane’s allowed types, case-insensitively, and refuse the others', () => {
    expect(isAllowedAttachmentType('Text/Plain')).toBe(true)
    expect(isAllowedAttachmentType('application/x-msdownload')).toBe(false)
    expect(isAllowedAttachmentType('text/html')).toBe(false)
  })
})
