/** @module upload_deliverable (OPENCLAW-07/19): a file attached to the task with Plane's three-step upload, then a comment linking it. */
import * as z from 'zod'
import { isAllowedAttachmentType, mimeTypeFor } from '../../../shared/plane/mime-types.ts'
import { BRIDGE_EXTERNAL_SOURCE } from '../../../shared/runs/records.ts'
import { ToolError } from '../errors.ts'
import { toolPhrases } from '../phrases.ts'
import { presentDeliverable } from '../present.ts'
import { deliverableOut, taskArg, WRITE_HINTS } from '../schemas.ts'
import { assertMine, resolveTask } from '../tasks.ts'
import { defineTool } from '../tool.ts'
import { postComment, touchRun } from '../writes.ts'

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export const uploadDeliverable = defineTool({
  name: 'upload_deliverable',
  title: 'Upload a deliverable',
  description:
    "Attaches a file you produced to one of your tasks in Plane (report, document, image, archive…) and comments a link to it, so the human finds it. Give `filename` and the bytes as `content_base64` (over HTTP you may instead POST multipart/form-data with a `file` field). The type is taken from `mime_type` or the file's extension and must be one Plane accepts; the size limit is Plane's (5 MiB unless the deployment raised it). Upload deliverables before marking a task with the label `deliverable` done.",
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
    content_base64: z.string().min(1, 'the file is empty').describe('The file, base64-encoded.'),
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
    const max = ctx.services.config.PLANE_UPLOAD_MAX_BYTES
    const bytes = _decode(input.content_base64)
    if (bytes.byteLength > max)
      throw new ToolError(
        'payload_too_large',
        `${input.filename} is ${bytes.byteLength} bytes; Plane accepts at most ${max} (PLANE_UPLOAD_MAX_BYTES). Compress or split it.`,
        { max_bytes: max }
      )
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
    const task = await resolveTask(ctx, input.task)
    await assertMine(ctx, task)
    const uploaded = await ctx.writer.attachments.upload(task.key.projectId, task.key.id, {
      name: input.filename,
      type,
      data: bytes,
      external_source: BRIDGE_EXTERNAL_SOURCE,
      external_id: `deliverable:${crypto.randomUUID()}`,
    })
    // Read back: until step 3 took, Plane does not list the attachment.
    const listed = await ctx.plane.attachments.list(task.key.projectId, task.key.id)
    if (!listed.some((a) => a.id === uploaded.id))
      throw new ToolError(
        'plane_error',
        `Plane took ${input.filename} but does not list it on ${task.ref ?? task.key.id} (upload not confirmed). Try again.`,
        { rule: 'read_back' }
      )
    const url = _absolute(ctx.services.config.PLANE_BASE_URL, uploaded.assetUrl)
    const p = toolPhrases(ctx.services.config.LOCALE)
    const comment = await postComment(
      ctx,
      task,
      p.deliverable(input.filename, url, input.description ?? null)
    )
    const at = new Date(ctx.now()).toISOString()
    const deliverable = {
      attachmentId: uploaded.id,
      name: input.filename,
      mimeType: type,
      sizeBytes: bytes.byteLength,
      url,
      description: input.description ?? null,
      at,
    }
    await touchRun(ctx, task, (r) => ({
      ...r,
      deliverables: [...r.deliverables.filter((d) => d.attachmentId !== uploaded.id), deliverable],
    }))
    return {
      task: task.ref ?? task.key.id,
      comment_id: comment.id,
      ...presentDeliverable(deliverable),
    }
  },
  summarize: (o) =>
    `${o.name} (${o.size_bytes} bytes, ${o.mime_type}) is attached to ${o.task}${o.url ? `: ${o.url}` : ''}.`,
})

// --- Internal helpers ---

function _decode(base64: string): Uint8Array {
  const clean = base64.replace(/\s+/g, '')
  if (!BASE64.test(clean) || clean.length % 4 === 1)
    throw new ToolError('invalid_input', 'content_base64 is not valid base64.', {
      fields: [{ field: 'content_base64', message: 'not valid base64' }],
    })
  const binary = atob(clean)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  if (bytes.byteLength === 0)
    throw new ToolError('invalid_input', 'The file is empty.', {
      fields: [{ field: 'content_base64', message: 'the file is empty' }],
    })
  return bytes
}

function _absolute(base: string | undefined, url: string | null): string | null {
  if (!url) return null
  if (/^https?:\/\//.test(url)) return url
  return base ? `${base.replace(/\/+$/, '')}${url.startsWith('/') ? '' : '/'}${url}` : url
}
