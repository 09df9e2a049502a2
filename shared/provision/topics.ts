/** @module TELEGRAM_TOPICS=per-project: each project's forum topic, as provision items. */

import type { Parts } from '../core/parts.ts'
import { errorMessage } from '../observe/errors.ts'
import type { ProvisionItem } from './types.ts'

/** TELEGRAM_TOPICS=per-project: each project's forum topic, created once (its id kept in the store). */
export async function ensureProjectTopics(
  parts: Pick<Parts, 'topics'>,
  projects: readonly { id: string; identifier: string }[],
  { dryRun = false }: { dryRun?: boolean } = {}
): Promise<ProvisionItem[]> {
  if (!parts.topics) return []
  const items: ProvisionItem[] = []
  for (const project of projects) {
    const subject = `telegram topic ${project.identifier}`
    if (dryRun) {
      const known = await parts.topics.known(project.id)
      items.push(
        known === null
          ? { subject, status: 'ok', changed: true, detail: 'create' }
          : { subject, status: 'ok', changed: false, detail: `exists (thread ${known})` }
      )
      continue
    }
    try {
      const { threadId, created, error } = await parts.topics.ensure(project.id)
      items.push(
        threadId === null
          ? {
              subject,
              status: 'human',
              changed: false,
              detail: `no topic (${error ?? 'unknown'}): turn Topics on in the group and let the bot manage topics, or set TELEGRAM_TOPICS=off`,
            }
          : {
              subject,
              status: 'ok',
              changed: created,
              detail: created ? `created (thread ${threadId})` : `exists (thread ${threadId})`,
            }
      )
    } catch (error) {
      items.push({
        subject,
        status: 'human',
        changed: false,
        detail: `not created: ${errorMessage(error)}`,
      })
    }
  }
  return items
}
