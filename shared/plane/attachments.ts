/** @module Work item attachments: list, and the three-step presigned upload (plane-api.md §3.4). */

import * as z from 'zod'
import type { PlaneEndpointContext } from './endpoints/context.ts'
import { planePath } from './paths.ts'
import { planeListSchema } from './schema-fields.ts'
import {
  type PlaneAttachment,
  planeAttachmentSchema,
  planeAttachmentUploadSchema,
} from './work-item-schemas.ts'

export type AttachmentUploadInput = {
  name: string
  /** MIME type; must be in Plane's `ATTACHMENT_MIME_TYPES`. */
  type: string
  data: Blob | Uint8Array | ArrayBuffer
  external_id?: string
  external_source?: string
}

export type UploadedAttachment = {
  /** The asset id, which is also the attachment id in `…/attachments/{id}/`. */
  id: string
  name: string
  type: string
  size: number
  assetUrl: string | null
  attachment: PlaneAttachment | null
}

export function createAttachmentEndpoints(context: PlaneEndpointContext) {
  const { transport, workspaceSlug: slug, baseUrl } = context
  const under = (projectId: string, workItemId: string, ...rest: string[]) =>
    planePath(
      'workspaces',
      slug,
      'projects',
      projectId,
      'work-items',
      workItemId,
      'attachments',
      ...rest
    )

  /** Uploaded attachments only, as a plain list. */
  async function list(projectId: string, workItemId: string): Promise<PlaneAttachment[]> {
    return transport.request(
      'GET',
      under(projectId, workItemId),
      planeListSchema(planeAttachmentSchema)
    )
  }

  /**
   * 1. POST the metadata (sent once: a duplicate would answer 409 with an id whose GET redirects to the
   *    file, not JSON). 2. POST the bytes to the presigned URL, every policy field before `file`, as S3
   *    requires. 3. PATCH `is_uploaded` (idempotent); until then Plane does not list the attachment.
   */
  async function upload(
    projectId: string,
    workItemId: string,
    { name, type, data, external_id, external_source }: AttachmentUploadInput
  ): Promise<UploadedAttachment> {
    // A Blob keeps its bytes where they are (a spooled file stays on disk): only its type is set.
    const blob =
      data instanceof Blob
        ? data.type === type
          ? data
          : data.slice(0, data.size, type)
        : new Blob([data as BlobPart], { type })
    const metadata = {
      name,
      type,
      size: blob.size,
      ...(external_id ? { external_id } : {}),
      ...(external_source ? { external_source } : {}),
    }
    const ticket = await transport.request(
      'POST',
      under(projectId, workItemId),
      planeAttachmentUploadSchema,
      { body: metadata, replaySafe: false }
    )

    const form = new FormData()
    for (const [key, value] of Object.entries(ticket.upload_data.fields)) form.append(key, value)
    form.append('file', blob, name)
    // With USE_MINIO=1 the URL's host is the API call's Host header; resolve a relative one against ours.
    await transport.uploadForm(new URL(ticket.upload_data.url, `${baseUrl}/`).toString(), form)

    await transport.request('PATCH', under(projectId, workItemId, ticket.asset_id), z.unknown(), {
      body: { is_uploaded: true },
    })
    return {
      id: ticket.asset_id,
      name,
      type,
      size: blob.size,
      assetUrl: ticket.asset_url ?? null,
      attachment: ticket.attachment ?? null,
    }
  }

  return { list, upload }
}
