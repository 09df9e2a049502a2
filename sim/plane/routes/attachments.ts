/** @module The 3-step attachment flow and the simulated MinIO bucket (plane-api.md §3.4). */

import { ATTACHMENT_MIME_TYPES } from '../../../shared/plane/mime-types.ts'
import { addChildActivity } from '../activity-log.ts'
import { doesNotExist, errorBody } from '../http-errors.ts'
import { findProjectMember } from '../queries.ts'
import { readObjectBody } from '../request-body.ts'
import type { AttachmentRecord, PlaneStore } from '../store.ts'
import type { Attachment } from '../types.ts'
import { noContent, PROJECT, type RouteDeps, type SimApp, type SimContext } from './context.ts'

/** `FILE_SIZE_LIMIT` default: 5 MiB (PlaneSimOptions.fileSizeLimitBytes moves it). */
export const ATTACHMENT_SIZE_LIMIT = 5 * 1024 * 1024
/** `AWS_S3_BUCKET_NAME` in the compose file. */
export const BUCKET = 'uploads'

// The attachment path differs between prefixes (§2 "work-items vs issues").
const ATTACHMENT_PATHS = [
  `${PROJECT}/work-items/:issue_id/attachments/`,
  `${PROJECT}/issues/:issue_id/issue-attachments/`,
]

export function registerAttachmentRoutes(app: SimApp, deps: RouteDeps) {
  const { store, clock, guard, fileSizeLimitBytes } = deps
  const blobs = new Map<string, { bytes: ArrayBuffer; type: string }>()

  // user_has_issue_permission: the issue's creator, or any active project member.
  const mayWrite = (c: SimContext, creator: string | null) => {
    const userId = c.get('user').id
    return (
      creator === userId ||
      findProjectMember(store, c.req.param('project_id') ?? '', userId) !== undefined
    )
  }
  const issueOf = (c: SimContext) => {
    const issue = store.issues.get(c.req.param('issue_id') ?? '')
    if (!issue || issue.deleted_at !== null || issue.project !== c.req.param('project_id'))
      throw doesNotExist()
    return issue
  }
  const assetOf = (c: SimContext) => {
    const asset = store.attachments.get(c.req.param('pk') ?? '')
    if (!asset || asset.project !== c.req.param('project_id')) throw doesNotExist()
    return asset
  }

  for (const list of ATTACHMENT_PATHS) {
    // Step 1: metadata → 200 with a presigned POST whose host is the caller's Host (USE_MINIO=1).
    app.post(list, guard('authenticated'), async function createAttachment(c) {
      const issue = issueOf(c)
      if (!mayWrite(c, issue.created_by))
        throw errorBody(403, 'You are not allowed to upload this attachment')
      const data = await readObjectBody(c)
      const { name, type, size } = data
      if (!name || !size) throw errorBody(400, 'Invalid request.', { status: false })
      if (typeof type !== 'string' || !ATTACHMENT_MIME_TYPES.has(type)) {
        throw errorBody(400, 'Invalid file type.', { status: false })
      }
      // An external id already used on this work item's attachments (deleted or not, as Plane's query has it).
      if (data.external_id && data.external_source) {
        const taken = [...store.attachments.values()].find(
          (row) =>
            row.project === issue.project &&
            row.issue === issue.id &&
            row.entity_type === 'ISSUE_ATTACHMENT' &&
            row.external_id === data.external_id &&
            row.external_source === data.external_source
        )
        if (taken)
          throw errorBody(
            409,
            'Issue with the same external id and external source already exists',
            { id: taken.id }
          )
      }
      const sizeLimit = Math.min(Number(size), fileSizeLimitBytes)
      const key = `${store.workspace.id}/${crypto.randomUUID().replaceAll('-', '')}-${String(name)}`
      const at = clock.stamp()
      const asset: AttachmentRecord = {
        id: crypto.randomUUID(),
        created_at: at,
        updated_at: at,
        deleted_at: null,
        attributes: { name: String(name), type, size: sizeLimit },
        asset: key,
        entity_type: 'ISSUE_ATTACHMENT',
        is_deleted: false,
        is_archived: false,
        external_id: (data.external_id as string | undefined) ?? null,
        external_source: (data.external_source as string | undefined) ?? null,
        size: sizeLimit,
        is_uploaded: false,
        storage_metadata: null,
        created_by: c.get('user').id,
        updated_by: null,
        workspace: store.workspace.id,
        project: issue.project,
        issue: issue.id,
        upload_key: key,
        uploaded_bytes: null,
      }
      store.attachments.set(asset.id, asset)
      const origin = new URL(c.req.url).origin
      const policy = Buffer.from(JSON.stringify({ key, size: sizeLimit })).toString('base64')
      return c.json({
        upload_data: {
          url: `${origin}/${BUCKET}`,
          fields: {
            'Content-Type': type,
            key,
            'x-amz-algorithm': 'AWS4-HMAC-SHA256',
            'x-amz-credential': `sim-access-key/${clock.today().replaceAll('-', '')}/us-east-1/s3/aws4_request`,
            'x-amz-date': `${clock.today().replaceAll('-', '')}T000000Z`,
            policy,
            'x-amz-signature': policy.length.toString(16).padStart(64, '0'),
          },
        },
        asset_id: asset.id,
        attachment: attachmentView(asset),
        asset_url: `/api/assets/v2/workspaces/${store.workspace.slug}/projects/${issue.project}/issues/${issue.id}/attachments/${asset.id}/`,
      })
    })

    // Only uploaded attachments, as a plain list (not paginated); no membership check in Plane.
    app.get(list, guard('authenticated'), function listAttachments(c) {
      const rows = [...store.attachments.values()].filter(
        (row) =>
          row.issue === c.req.param('issue_id') &&
          row.project === c.req.param('project_id') &&
          row.is_uploaded &&
          row.deleted_at === null
      )
      return c.json(rows.map(attachmentView))
    })

    // Step 3: marks the asset uploaded. Plane does not check that the file reached the bucket.
    app.patch(`${list}:pk/`, guard('authenticated'), function confirmAttachment(c) {
      const issue = issueOf(c)
      if (!mayWrite(c, issue.created_by))
        throw errorBody(403, 'You are not allowed to upload this attachment')
      const asset = assetOf(c)
      if (!asset.is_uploaded) {
        asset.is_uploaded = true
        addChildActivity(store, clock, c.get('user').id, {
          verb: 'created',
          field: 'attachment',
          issue: issue.id,
          project: issue.project,
          comment: 'uploaded an attachment',
        })
      }
      asset.updated_at = clock.stamp()
      return noContent(c)
    })

    app.get(`${list}:pk/`, guard('authenticated'), function downloadAttachment(c) {
      if (!findProjectMember(store, c.req.param('project_id') ?? '', c.get('user').id)) {
        throw errorBody(403, 'You are not allowed to download this attachment')
      }
      const asset = assetOf(c)
      if (!asset.is_uploaded) throw errorBody(400, 'The asset is not uploaded.', { status: false })
      return c.redirect(
        `${new URL(c.req.url).origin}/${BUCKET}/${encodeURI(asset.upload_key)}?X-Amz-Expires=3600`,
        302
      )
    })

    app.delete(`${list}:pk/`, guard('authenticated'), function deleteAttachment(c) {
      const issue = issueOf(c)
      if (!mayWrite(c, issue.created_by))
        throw errorBody(403, 'You are not allowed to delete this attachment')
      const asset = assetOf(c)
      asset.is_deleted = true
      asset.deleted_at = clock.stamp()
      return noContent(c)
    })
  }

  registerBucket(app, store, blobs)
}

/** Step 2: the S3 presigned POST. Fields after `file` are ignored by S3, so order matters. */
function registerBucket(
  app: SimApp,
  store: PlaneStore,
  blobs: Map<string, { bytes: ArrayBuffer; type: string }>
) {
  app.post(`/${BUCKET}`, async function bucketPost(c) {
    // S3 (and MinIO) refuse a POST whose length is not declared (sent chunked): a client streaming a form must
    // know its size. In process (app.request) a body has neither header, as it never went over a wire.
    if (c.req.header('transfer-encoding')?.toLowerCase().includes('chunked'))
      return s3Error(
        411,
        'MissingContentLength',
        'You must provide the Content-Length HTTP header.'
      )
    const form = await c.req.raw.formData().catch(() => undefined)
    const fields = new Map<string, string>()
    let file: File | undefined
    for (const [name, value] of form?.entries() ?? []) {
      if (name === 'file' && typeof value !== 'string') {
        file = value
        break
      }
      if (typeof value === 'string') fields.set(name, value)
    }
    const key = fields.get('key')
    const asset = [...store.attachments.values()].find((row) => row.upload_key === key)
    if (!key || !asset || !fields.get('policy')) {
      return s3Error(
        400,
        'InvalidArgument',
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields."
      )
    }
    if (!file)
      return s3Error(400, 'InvalidArgument', 'POST requires exactly one file upload per request.')
    if (file.size > asset.size)
      return s3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size')
    blobs.set(key, {
      bytes: await file.arrayBuffer(),
      type: fields.get('Content-Type') ?? file.type,
    })
    asset.uploaded_bytes = file.size
    return c.body(null, 204)
  })

  app.get(`/${BUCKET}/*`, function bucketGet(c) {
    const key = decodeURI(c.req.path.slice(BUCKET.length + 2))
    const blob = blobs.get(key)
    if (!blob) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
    return new Response(blob.bytes, { headers: { 'Content-Type': blob.type } })
  })
}

function s3Error(status: number, code: string, message: string) {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`
  return new Response(xml, { status, headers: { 'Content-Type': 'application/xml' } })
}

export function attachmentView(asset: AttachmentRecord): Attachment {
  const { upload_key: _key, uploaded_bytes: _bytes, ...view } = asset
  return view
}
