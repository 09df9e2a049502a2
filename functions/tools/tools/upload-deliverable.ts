/** @module upload_deliverable (OPENCLAW-07/19): a file attached to the task with Plane's three-step upload, then a comment linking it. */
import * as z from 'zod'
import { PlaneApiError } from '../../../shared/plane/errors.ts'
import { isAllowedAttachmentType, mimeTypeFor } from '../../../shared/plane/mime-types.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../../../shared/runs/records.ts'
import { postComment } from '../../../shared/tasks/comments.ts'
import { ToolError } from '../../../shared/tasks/errors.ts'
import { type LoadedTask, readTask, resolveTask } from '../../../shared/tasks/tasks.ts'
import { decodeBase64 } from '../../../shared/uploads/base64.ts'
import { type SpooledFile, spooledBytes } from '../../../shared/uploads/spool.ts'
import { toolPhrases } from '../phrases.ts'
import { presentDeliverable } from '../present.ts'
import { deliverableOut, taskArg, WRITE_HINTS } from '../schemas.ts'
import { assertMine } from '../tasks.ts'
import { defineTool, type ToolContext } from '../tool.ts'
import { repeatableExternalId, touchRun } from '../writes.ts'

export const uploadDeliverable = defineTool({
  name: 'upload_deliverable',
  title: 'Upload a deliverable',
  description:
    "Attaches a file you produced to one of your tasks in Plane (report, document, image, archive…) and comments a link to it, so the human finds it. Give `filename` and the bytes as `content_base64`; for a file over a few MiB, POST it over HTTP as multipart/form-data with a `file` field instead (streamed to disk; a large base64 body may be refused with 503 while other uploads are in memory, or 413 when larger than the bridge holds). The type is taken from `mime_type` or the file's extension and must be one Plane accepts; the size limit is Plane's (5 MiB unless the deployment raised it). Upload deliverables before marking a task with the label `deliverable` done. The same file again within 10 minutes returns the first upload instead of a second copy.",
  input: z.object({
    task: taskArg,
    filename: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .refine(
        (v) => !/[\\/]/.test(v) && !v.includes(String.fromCharCode(0)),
        'must be a file name, without / or \\'
      )
      .describe('File name with its extension, e.g. report.pdf.'),
    content_base64: z
      .string()
      .min(1, 'the file is empty')
      .optional()
      .describe(
        'The file, base64-encoded. Required, except over HTTP as multipart/form-data, where the file is the `file` field.'
      ),
    mime_type: z
      .string()
      .trim()
      .max(255)
      .optional()
      .describe('MIME type, e.g. application/pdf; guessed from the extension when absent.'),
    description: z.string().trim().max(2000).optional().describe('One line on what the file is.'),
  }),
  output: deliverableOut.extend({ task: z.string(), comment_id: z.string() }),
  hints: WRITE_HINTS,
  access: 'agent',
  async handler(input, ctx) {
    // What is cheap to refuse goes first: the type before the file is decoded.
    const type = _typeOf(input)
    const file = await _fileOf(input.content_base64, ctx)
    try {
      return await _attach(input, type, file, ctx)
    } finally {
      // A multipart file belongs to the door that spooled it; bytes decoded here are ours to drop.
      if (file !== ctx.upload) await file.release()
    }
  },
  summarize: (o) =>
    `${o.name} (${o.size_bytes} bytes, ${o.mime_type}) is attached to ${o.task}${o.url ? `: ${o.url}` : ''}.`,
})

// --- Internal helpers ---

type UploadInput = {
  task: string
  filename: string
  mime_type?: string | undefined
  description?: string | undefined
}

/** The file's MIME type: given, or from its extension; one Plane accepts. */
function _typeOf(input: UploadInput): string {
  const type = (input.mime_type || mimeTypeFor(input.filename) || '').toLowerCase()
  if (!type)
    throw new ToolError(
      'invalid_input',
      `Cannot tell the type of ${input.filename}: give \`mime_type\` (e.g. application/pdf).`,
      { fields: [{ field: 'mime_type', message: 'required for this file name' }] }
    )
  if (!isAllowedAttachmentType(type))
    throw new ToolError(
      'invalid_input',
      `Plane does not accept files of type ${type}. Convert it (PDF, text, Markdown, image, ZIP…) and upload again.`,
      { fields: [{ field: 'mime_type', message: `${type} is not in Plane's allowed types` }] }
    )
  return type
}

async function _attach(input: UploadInput, type: string, file: SpooledFile, ctx: ToolContext) {
  const max = ctx.config.PLANE_UPLOAD_MAX_BYTES
  if (file.size > max) throw _tooLarge(input.filename, file.size, max)
  if (file.size === 0)
    throw new ToolError('invalid_input', 'The file is empty.', {
      fields: [{ field: 'content_base64', message: 'the file is empty' }],
    })
  const task = await resolveTask(ctx, input.task)
  await assertMine(ctx, task)
  const call = await repeatableExternalId(
    ctx,
    'upload_deliverable',
    [task.key.id, input.filename, type, file.sha256Hex].join('\n'),
    'deliverable'
  )
  // An earlier try that got all three steps through is listed with its external id: that file, not a copy.
  const earlier = call.repeat ? await _listedWith(ctx, task, call.externalId) : null
  const uploaded =
    earlier ?? (await _upload(ctx, task, { filename: input.filename, type, blob: file.blob }, call))
  const url = _absolute(ctx.config.PLANE_BASE_URL, uploaded.assetUrl)
  const p = toolPhrases(ctx.config.LOCALE)
  // One link comment per attachment, whichever try writes it.
  const comment = await postComment(
    ctx,
    task,
    p.deliverable(input.filename, url, input.description ?? null),
    { externalId: `deliverable:${uploaded.id}:comment` }
  )
  const at = new Date(ctx.now()).toISOString()
  const deliverable = {
    attachmentId: uploaded.id,
    name: input.filename,
    mimeType: type,
    sizeBytes: file.size,
    url,
    description: input.description ?? null,
    at,
  }
  let kept = deliverable
  await touchRun(ctx, task, (r) => {
    const before = r.deliverables.find((d) => d.attachmentId === uploaded.id)
    // A repeat's listing may lack the URL the first try recorded.
    kept = { ...deliverable, url: deliverable.url ?? before?.url ?? null }
    return { ...r, deliverables: [...r.deliverables.filter((d) => d !== before), kept] }
  })
  return {
    task: task.ref ?? task.key.id,
    comment_id: comment.id,
    ...presentDeliverable(kept),
  }
}

type Attached = { id: string; assetUrl: string | null }

/** The attachment an earlier try of this call uploaded (listed, so all three steps took), if any. */
async function _listedWith(
  ctx: ToolContext,
  task: LoadedTask,
  externalId: string
): Promise<Attached | null> {
  const listed = await readTask(ctx, (plane) =>
    plane.attachments.list(task.key.projectId, task.key.id)
  )
  const found = listed.find(
    (a) => a.external_id === externalId && a.external_source === BRIDGE_EXTERNAL_SOURCE
  )
  return found ? { id: found.id, assetUrl: found.asset_url ?? null } : null
}

/** Plane's three-step upload under the call's external id, then read back: until step 3 took, it is not listed. */
async function _upload(
  ctx: ToolContext,
  task: LoadedTask,
  file: { filename: string; type: string; blob: Blob },
  call: { externalId: string; repeat: boolean }
): Promise<Attached> {
  const upload = (externalId: string) =>
    ctx.writer.attachments.upload(task.key.projectId, task.key.id, {
      name: file.filename,
      type: file.type,
      data: file.blob,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      external_id: externalId,
    })
  let uploaded: Attached
  try {
    uploaded = await upload(call.externalId)
  } catch (error) {
    if (!(call.repeat && error instanceof PlaneApiError && error.kind === 'conflict')) throw error
    // The first try's metadata is in Plane but its bytes never arrived (it is not listed): a new asset.
    uploaded = await upload(`deliverable:${crypto.randomUUID()}`)
  }
  const listed = await readTask(ctx, (plane) =>
    plane.attachments.list(task.key.projectId, task.key.id)
  )
  if (!listed.some((a) => a.id === uploaded.id))
    throw new ToolError(
      'plane_error',
      `Plane took ${file.filename} but does not list it on ${task.ref ?? task.key.id} (upload not confirmed). Try again.`,
      { rule: 'read_back' }
    )
  return uploaded
}

/** The file to attach: the door's multipart file, or `content_base64` decoded (its size checked before decoding). */
async function _fileOf(base64: string | undefined, ctx: ToolContext): Promise<SpooledFile> {
  if (ctx.upload) {
    if (base64 !== undefined)
      throw new ToolError(
        'invalid_input',
        'Send the file once: as the multipart `file` field or as `content_base64`, not both.',
        { fields: [{ field: 'content_base64', message: 'not with a multipart file' }] }
      )
    return ctx.upload
  }
  if (base64 === undefined)
    throw new ToolError('invalid_input', 'Invalid input — content_base64: required.', {
      fields: [{ field: 'content_base64', message: 'required' }],
    })
  const max = ctx.config.PLANE_UPLOAD_MAX_BYTES
  // Decoded by the door as it read the body (the input holds its marker), or the text itself.
  const decoded = ctx.spilled?.take(base64) ?? null
  const length = decoded ? decoded.length : base64.length
  // Four characters make three bytes (spaces aside): a file over the limit is refused before it is decoded.
  const atLeast = Math.floor((length * 3) / 4) - 2 - Math.ceil(length / 76) * 2
  if (atLeast > max) throw _tooLarge('The file', atLeast, max)
  const bytes = decoded ? decoded.bytes : await decodeBase64(base64)
  if (!bytes)
    throw new ToolError('invalid_input', 'content_base64 is not valid base64.', {
      fields: [{ field: 'content_base64', message: 'not valid base64' }],
    })
  return spooledBytes(bytes, await ctx.hashing.sha256Hex(bytes))
}

function _tooLarge(name: string, size: number, max: number): ToolError {
  return new ToolError(
    'payload_too_large',
    `${name} is ${size} bytes; Plane accepts at most ${max} (PLANE_UPLOAD_MAX_BYTES). Compress or split it.`,
    { max_bytes: max }
  )
}

function _absolute(base: string | undefined, url: string | null): string | null {
  if (!url) return null
  if (/^https?:\/\//.test(url)) return url
  return base ? `${base.replace(/\/+$/, '')}${url.startsWith('/') ? '' : '/'}${url}` : url
}
