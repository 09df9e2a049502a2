/**
 * @module `upload_deliverable` as multipart/form-data: the `file` part streamed into the spool as it arrives (DATA_DIR on
 * Node), the other fields read as short text. What comes out is the tool's input plus the held file, whatever the
 * file's size: nothing here holds more than a chunk of it.
 */

import type { Context } from 'hono'
import type { AppEnv } from '../../shared/core/function.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import { capText } from '../../shared/text/cap.ts'
import {
  MultipartError,
  type MultipartSink,
  multipartBoundary,
  readMultipart,
} from '../../shared/uploads/multipart.ts'
import {
  FileTooLargeError,
  type SpooledFile,
  type SpoolWriter,
} from '../../shared/uploads/spool.ts'

/** The fields besides `file` that upload_deliverable reads; anything else is ignored. */
const FIELDS = ['task', 'filename', 'mime_type', 'description'] as const
/** Longest text field: the tool's own limits are shorter (a description of 2,000 characters). */
const MAX_FIELD_BYTES = 8 * 1024

export type UploadForm = { input: Record<string, string | undefined>; file: SpooledFile }

/** The form read whole (file spooled), or the ToolError that says what is wrong with it; nothing is held then. */
export async function readUploadForm(c: Context<AppEnv>): Promise<UploadForm | ToolError> {
  const { spool, config } = c.get('services')
  const boundary = multipartBoundary(c.req.header('content-type') ?? '')
  const body = c.req.raw.body
  if (!boundary || !body)
    return new ToolError(
      'invalid_input',
      'multipart upload: the body or its boundary is missing (Content-Type: multipart/form-data; boundary=…).'
    )
  const maxBytes = config.PLANE_UPLOAD_MAX_BYTES
  const fields: Record<string, string | undefined> = {}
  let writer: SpoolWriter | null = null
  let file: SpooledFile | null = null
  let filename: string | null = null
  let fileType: string | null = null
  try {
    await readMultipart(body, {
      boundary,
      onPart(part): MultipartSink {
        if (part.name === 'file') {
          if (writer) throw new ToolError('invalid_input', 'multipart upload: one `file` only.')
          const held = spool.open({ maxBytes })
          writer = held
          filename = part.filename
          fileType = part.contentType
          return {
            write: (chunk) => held.write(chunk),
            end: async () => {
              file = await held.finish()
            },
          }
        }
        return _textField(part.name, fields)
      },
    })
  } catch (error) {
    await (file as SpooledFile | null)?.release()
    await (writer as SpoolWriter | null)?.abort()
    if (error instanceof ToolError) return error
    if (error instanceof FileTooLargeError)
      return new ToolError(
        'payload_too_large',
        `The file is larger than ${maxBytes} bytes, what Plane accepts (PLANE_UPLOAD_MAX_BYTES). Compress or split it.`,
        { max_bytes: maxBytes }
      )
    if (error instanceof MultipartError)
      return new ToolError(
        error.status === 413 ? 'payload_too_large' : 'invalid_input',
        `multipart upload: ${error.message}`
      )
    throw error
  }
  const held = file as SpooledFile | null
  if (!held)
    return new ToolError('invalid_input', 'multipart upload: the `file` field is missing.', {
      fields: [{ field: 'file', message: 'required' }],
    })
  return {
    input: {
      ...fields,
      filename: fields.filename ?? filename ?? undefined,
      mime_type: fields.mime_type ?? (fileType || undefined),
    },
    file: held,
  }
}

/** A short text field, kept when the tool reads it; longer than MAX_FIELD_BYTES is refused. */
function _textField(name: string, fields: Record<string, string | undefined>): MultipartSink {
  const kept = (FIELDS as readonly string[]).includes(name)
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  return {
    write(chunk) {
      size += chunk.byteLength
      if (size > MAX_FIELD_BYTES)
        throw new ToolError(
          'invalid_input',
          `multipart upload: the field \`${capText(name, 64)}\` is longer than ${MAX_FIELD_BYTES} bytes.`
        )
      if (kept) text += decoder.decode(chunk, { stream: true })
    },
    end() {
      if (!kept) return
      text += decoder.decode()
      fields[name] = text === '' ? undefined : text
    },
  }
}
