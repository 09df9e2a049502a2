/**
 * @module job `bootstrap` — from a Plane just installed to a working team in one command (DESIGN 13; PROV-01, PROV-03,
 * AUTH-01, AUTH-02, NOTIF-01): through Plane's own session API, what a person would click in /god-mode and the web
 * app — the instance admin, the workspace, an account per agent and one for the bridge with their roles, one key each,
 * the webhook — each only when missing, every secret written to BOOTSTRAP_SECRETS_FILE as it is made; then provision.
 */

import { setUpAccount } from '../../shared/bootstrap/account.ts'
import { bridgeEmailOf, wantedAccounts } from '../../shared/bootstrap/accounts.ts'
import { type BootstrapContext, human, type Item, skipped } from '../../shared/bootstrap/context.ts'
import { setUpInstance } from '../../shared/bootstrap/instance.ts'
import { inviteAccounts, settleRoles } from '../../shared/bootstrap/members.ts'
import { openSecretsLedger, type SecretsLedger } from '../../shared/bootstrap/secrets-ledger.ts'
import { setUpWebhook } from '../../shared/bootstrap/webhook.ts'
import { defineJobFunction, type JobOutcome } from '../../shared/core/function.ts'
import { createPlaneClient } from '../../shared/plane/client.ts'
import { webhookTargetOf } from '../../shared/plane/release.ts'
import { createPlaneSession } from '../../shared/plane/session/client.ts'
import { buildProvisionReport } from '../../shared/provision/report.ts'
import { type ProvisionContext, type ProvisionPart, runProvision } from '../provision/provision.ts'

export const bootstrapFunction = defineJobFunction<ProvisionPart>({
  name: 'bootstrap',
  usage: '[--dry-run]',
  description:
    'From a Plane just installed (v1.2.x or v1.3.x) to a working team, through Plane’s own session API: the instance admin (PLANE_ADMIN_EMAIL), the workspace (PLANE_WORKSPACE_SLUG, time zone UTC), an account per agent and one for the bridge with their roles, one labelled API key each, the webhook; every secret written to BOOTSTRAP_SECRETS_FILE (0600) as it is made; then what provision does. Each only when missing: a second run changes nothing, a run cut short goes on from where it stopped. --dry-run prints the plan and writes nothing. Exit 0 done, 1 Plane failed (run it again), 2 a person must act.',
  requires: ['PLANE_BASE_URL', 'PLANE_WORKSPACE_SLUG', 'PLANE_ADMIN_EMAIL', 'PLANE_ADMIN_PASSWORD'],
  maxDurationSeconds: 20 * 60,
  parts: ['plane', 'telegram', 'topics', 'runs'],
  run: async function bootstrap(ctx) {
    const { config } = ctx
    const dryRun = ctx.args.includes('--dry-run')
    const baseUrl = config.PLANE_BASE_URL
    const slug = config.PLANE_WORKSPACE_SLUG
    const bridgeEmail = bridgeEmailOf(config)
    if (!ctx.secretsFile)
      throw new Error(
        'bootstrap writes BOOTSTRAP_SECRETS_FILE: run it with the Node runtime (npm run job -- bootstrap)'
      )
    if (
      !baseUrl ||
      !slug ||
      !config.PLANE_ADMIN_EMAIL ||
      !config.PLANE_ADMIN_PASSWORD ||
      !bridgeEmail
    )
      throw new Error(
        'bootstrap needs PLANE_BASE_URL, PLANE_WORKSPACE_SLUG, PLANE_ADMIN_EMAIL and PLANE_ADMIN_PASSWORD'
      )
    const ledger = await openSecretsLedger(ctx.secretsFile, { dryRun })
    const wanted = wantedAccounts(ctx.agents, { bridgeEmail })
    const run: BootstrapContext = {
      settings: {
        slug,
        adminEmail: config.PLANE_ADMIN_EMAIL.toLowerCase(),
        adminPassword: config.PLANE_ADMIN_PASSWORD,
        webhookUrl: webhookTargetOf(config),
        planeHost: new URL(baseUrl).hostname,
        language: config.LOCALE,
      },
      accounts: wanted.accounts,
      ledger,
      dryRun,
      newSession: () => createPlaneSession({ baseUrl, sleep: ctx.sleep, now: ctx.now }),
      newPassword,
      progress: (line) => ctx.progress?.(line),
    }

    const items: Item[] = wanted.problems.map((p) => human(p.subject, p.detail))
    const instance = await setUpInstance(run)
    items.push(...instance.items)
    let webhookItem: Item | undefined
    if (instance.ready) {
      items.push(...(await inviteAccounts(run, instance.admin)))
      for (const account of run.accounts) items.push(...(await setUpAccount(run, account)))
      items.push(...(await settleRoles(run, instance.admin)))
      webhookItem = await setUpWebhook(run, instance.admin, instance.release)
      items.push(webhookItem)
    } else items.push(skipped('accounts, keys, webhook', 'they wait for the lines above'))

    const report = buildProvisionReport(items, { dryRun })
    const provision = await _provision(ctx, ledger, { dryRun, webhookItem })
    return _outcome(report, provision, ledger.where)
  },
})

/** 24 random bytes as base64url: 32 characters Plane's zxcvbn scores 4. */
export function newPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '')
}

// --- Internal helpers ---

/** What provision does, run with the key bootstrap holds for the bridge (its own settings may not have it yet). */
async function _provision(
  ctx: ProvisionContext,
  ledger: SecretsLedger,
  { dryRun, webhookItem }: { dryRun: boolean; webhookItem: Item | undefined }
): Promise<JobOutcome | null> {
  const apiKey = ledger.get('PLANE_API_KEY')
  const { config } = ctx
  if (!apiKey || !config.PLANE_BASE_URL || !config.PLANE_WORKSPACE_SLUG) return null
  const plane = createPlaneClient({
    baseUrl: config.PLANE_BASE_URL,
    apiKey,
    workspaceSlug: config.PLANE_WORKSPACE_SLUG,
    rateLimit: config.PLANE_API_RATE_LIMIT,
    sharedWindow: ctx.store,
    now: ctx.now,
    sleep: ctx.sleep,
  })
  const secret = ledger.get('PLANE_WEBHOOK_SECRET')
  return runProvision(
    {
      ...ctx,
      plane,
      config: {
        ...config,
        PLANE_API_KEY: apiKey,
        ...(secret ? { PLANE_WEBHOOK_SECRET: secret } : {}),
      },
      args: dryRun ? ['--dry-run'] : [],
    },
    webhookItem ? { webhookItem } : {}
  )
}

function _outcome(
  report: ReturnType<typeof buildProvisionReport>,
  provision: JobOutcome | null,
  where: string
): JobOutcome {
  // Provision reports the webhook bootstrap handed it: said once, above.
  const own = new Set(report.lines)
  const terminal = [
    ...report.lines,
    ...(provision
      ? [
          `provision: ${provision.summary ?? ''}`,
          ...(provision.terminal ?? []).filter((l) => !own.has(l)).map((l) => `  ${l}`),
        ]
      : [
          'provision: not run yet (it needs the bridge’s key, PLANE_API_KEY, which the lines above make)',
        ]),
    `Secrets: ${where} (mode 0600). Start or restart plane-bridge: it reads them after .env.`,
  ]
  const summary = `${report.summary}${provision ? `; provision: ${provision.summary ?? ''}` : ''}`
  const failure = [
    ...(report.failed.length > 0
      ? [
          `Plane failed on ${report.failed.map((i) => i.subject).join(', ')}: run bootstrap again, it goes on from there`,
        ]
      : []),
    ...(provision?.failure ? [`provision: ${provision.failure}`] : []),
  ]
  if (failure.length > 0) return { summary, terminal, failure: failure.join(' — ') }
  const waits = report.human > 0 || provision?.exitCode === 2
  return { summary, terminal, ...(waits ? { exitCode: 2 as const } : {}) }
}
