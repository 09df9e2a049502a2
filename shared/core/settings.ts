/** @module Every setting plane-bridge reads: name, zod schema, default, whether it is a secret, and what it is for. */
import * as z from 'zod'
import { NOTIFICATION_KINDS } from '../notify/policy.ts'
import { DEFAULT_TEXT_LIMITS } from '../plane/limits.ts'
import { DEFAULT_RATE_LIMIT } from '../plane/request-window.ts'
import { BOOTSTRAP_SETTINGS } from './settings-bootstrap.ts'
import {
  commaList,
  cronExpression,
  httpUrl,
  optionalText,
  positiveInt,
  rateLimit,
  redisUrl,
  timezone,
} from './settings-schemas.ts'
import { TELEGRAM_SETTINGS } from './settings-telegram.ts'

/** One setting. `doc` and `defaultText` feed the docs/settings.md table, which a test keeps in sync with this list. */
export type SettingSpec = {
  schema: z.ZodType
  doc: string
  /** Secrets are never echoed in errors or logs. */
  secret?: boolean
  /** How the default reads in docs (absent: no default). */
  defaultText?: string
}

export const SETTINGS = {
  PORT: {
    schema: positiveInt(1, 65535).default(8787),
    defaultText: '`8787`',
    doc: 'HTTP port of the Node runtime.',
  },
  OPS_TOKEN: {
    schema: optionalText,
    secret: true,
    doc: '`/ready` and `/metrics` then need `Authorization: Bearer <OPS_TOKEN>` (Prometheus: `authorization: { credentials: … }`); `/health` stays open.',
  },
  OPS_PUBLIC: {
    schema: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    defaultText: '`true` on Node, `false` on Workers',
    doc: '`false`: without `OPS_TOKEN`, `/ready` and `/metrics` answer 401 (they list projects, agents and errors). On Workers, where nothing sits in front of them, that is the default.',
  },
  HOST: {
    schema: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z.:_-]{1,253}$/, 'must be an address or host name, e.g. 127.0.0.1')
      .default('127.0.0.1'),
    defaultText: '`127.0.0.1` (the image sets `0.0.0.0`)',
    doc: 'Address the Node runtime listens on: `127.0.0.1` keeps it to this machine (behind a local proxy); `0.0.0.0` listens on every interface, as the image does so that Caddy reaches it over the compose network.',
  },
  PUBLIC_URL: {
    schema: httpUrl.optional(),
    doc: 'Public base URL of plane-bridge (webhook registration, links in messages).',
  },
  PLANE_BASE_URL: {
    // Pasted from Plane's API docs with its /api/v1 (or /api): requests would go to /api/v1/api/v1/….
    schema: httpUrl.transform((s) => s.replace(/\/api(?:\/v1)?\/*$/i, '')).optional(),
    doc: "Plane's web address as this host reaches it, e.g. `https://work.example.com`: the bridge adds `/api/v1/`, so a trailing `/api` or `/api/v1` (pasted from Plane's API docs) is dropped. No answer there, or something other than Plane's API, is reported naming `PLANE_BASE_URL`.",
  },
  PLANE_API_KEY: {
    schema: optionalText,
    secret: true,
    doc: "The bridge's Plane API key (`plane_api_…`, sent as `X-API-Key`).",
  },
  PLANE_WORKSPACE_SLUG: {
    schema: optionalText,
    doc: 'Slug of the Plane workspace, as in its URLs (`https://plane.example.com/<slug>/…`), e.g. `my-workspace`.',
  },
  PLANE_WEBHOOK_SECRET: {
    schema: optionalText,
    secret: true,
    doc: "Secret of Plane's webhook (`plane_wh_…`); without it `/webhooks/plane` answers 503.",
  },
  PLANE_WEBHOOK_URL: {
    schema: httpUrl.optional(),
    defaultText: '`PUBLIC_URL`/webhooks/plane',
    doc: "The URL Plane posts its webhook to, as `provision` and `check` tell you to register it and check it against the rules of the Plane that runs. On Plane v1.3.1 it can stay inside the host: `http://plane-bridge.internal:8787/webhooks/plane` with `WEBHOOK_ALLOWED_HOSTS=plane-bridge.internal` on Plane's api and worker ([Deploy: Plane's webhook inside the host](deploy.md#planes-webhook-inside-the-host-plane-v131)).",
  },
  // The set-up from an empty Plane (`bootstrap`): settings-bootstrap.ts.
  ...BOOTSTRAP_SETTINGS,
  // The bot, the human's chat, topics and the live view: settings-telegram.ts.
  ...TELEGRAM_SETTINGS,
  OPENCLAW_HOOKS_URL: {
    schema: httpUrl.optional(),
    doc: 'OpenClaw gateway hooks base, e.g. `http://openclaw:18789/hooks`.',
  },
  OPENCLAW_HOOKS_TOKEN: {
    schema: optionalText,
    secret: true,
    doc: 'Bearer token of OpenClaw hooks (`hooks.token`, not the gateway token).',
  },
  OPENCLAW_SESSION_KEY_PREFIX: {
    schema: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, :, _ and -')
      .optional(),
    defaultText: 'unset: no session key',
    doc: 'Wake each task in its own OpenClaw session, keyed `<prefix><task ref>` (e.g. `hook:plane:` gives `hook:plane:ONB-3`). Needs `hooks.allowRequestSessionKey: true` and a `hooks.allowedSessionKeyPrefixes` entry the prefix starts with (OpenClaw requires `hook:` among them).',
  },
  WAKE_CHECKIN_SECONDS: {
    schema: positiveInt(10, 86_400).default(120),
    defaultText: '`120`',
    doc: 'How long a woken agent has to check in (any tool call on the task, or listing its tasks) before it is woken again.',
  },
  WAKE_ATTEMPTS: {
    schema: positiveInt(1, 10).default(3),
    defaultText: '`3`',
    doc: 'Wakes sent for one assignment, in all, before the human and the Concierge are told the agent does not answer.',
  },
  RUN_STALE_MINUTES: {
    schema: positiveInt(1, 10_080).default(30),
    defaultText: '`30`',
    doc: 'An active run with no tool call and no comment from its agent for this long becomes `stale` (one message to the human).',
  },
  REDIS_URL: {
    schema: redisUrl.optional(),
    secret: true,
    doc: "Redis for the store (keys under `REDIS_KEY_PREFIX:`). Unset: embedded file store in `DATA_DIR`. Never Plane's own Redis DB (Plane flushes it at start).",
  },
  REDIS_KEY_PREFIX: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 characters of A-Z, a-z, 0-9, _ and -')
      .default('plane'),
    defaultText: '`plane`',
    doc: 'Prefix of every Redis key (`plane:…`).',
  },
  DATA_DIR: {
    schema: z.string().trim().min(1).default('./data'),
    defaultText: '`./data`',
    doc: 'Directory of the embedded file store (used when `REDIS_URL` is unset): one journal file, `store.journal`. A relative path is from the working directory; created if missing, and a directory that cannot be written stops the start, naming `DATA_DIR`.',
  },
  STORE_DRIVER: {
    schema: z.enum(['auto', 'redis', 'fs', 'memory']).default('auto'),
    defaultText: '`auto`',
    doc: "Which store keeps the bridge's state. `redis`: the Redis at `REDIS_URL` (required), shared by replicas and `npm run job`. `fs`: the embedded file store in `DATA_DIR`, for one host: the server and `npm run job` beside it share it (each tails the other's journal); replicas on other hosts need Redis. `auto` picks `redis` when `REDIS_URL` is set, else `fs`. `memory` keeps nothing across restarts (tests). A configured Redis that does not answer within 5 s stops the start, naming `REDIS_URL`; the bridge never falls back to another store.",
  },
  REDIS_REST_URL: {
    schema: httpUrl.optional(),
    doc: 'Workers: Redis over HTTP (Upstash REST protocol) for exact claims; unset: the `STORE` KV binding (best effort, see [Cloudflare Workers](workers.md)).',
  },
  REDIS_REST_TOKEN: {
    schema: optionalText,
    secret: true,
    doc: 'Workers: bearer token of `REDIS_REST_URL`.',
  },
  AGENTS_FILE: {
    schema: optionalText,
    doc: 'The agent registry: a JSON file `{"agents": [...]}` (copy `agents.example.json`); a relative path is from the working directory. Each agent: `id` (short, lowercase: `imhotep`), `name` (how messages name it), `role` (`member` or `concierge`, one at most), `planeUser` (its Plane account\'s email, or user id), `openclawAgentId`, `tags` (what it is for: `get_team_status` shows them to the Concierge); optional `planeTokenEnv` (the name of the variable holding the agent\'s own Plane key, e.g. `PLANE_TOKEN_IMHOTEP`: its actions are then its own in Plane) and `bridgeTokenSha256` (the SHA-256 of its bridge token, written by `npm run job -- agent-token --all`; the file holds no secret), and `monthlyBudgetUsd` (its own budget for a month, in USD, within `BUDGET_MONTHLY_USD`). A bad entry stops the start, naming it.',
  },
  AGENTS_JSON: {
    schema: optionalText,
    doc: 'The agent registry itself, as JSON (what `AGENTS_FILE` would hold): Workers have no files. Node reads it when `AGENTS_FILE` is unset.',
  },
  TIMEZONE: {
    schema: timezone.default('UTC'),
    defaultText: '`UTC`',
    doc: 'Time zone of schedules such as the daily digest (PROV-01: UTC).',
  },
  BUDGET_MONTHLY_USD: {
    schema: z.coerce.number({ error: 'must be USD, e.g. 500' }).positive().max(1e9).optional(),
    defaultText: 'unset: no budget',
    doc: "The team's budget for a calendar month in `TIMEZONE`, in USD (OPENCLAW-11): spent (the `cost` agents report, else the task's estimate) plus committed (estimates of open tasks) against it, told at 80 % and 100 %; past it, a new `create_task` waits for the human's approval. An agent's `monthlyBudgetUsd` in the agents file adds its own. Unset: no budget, nothing is counted, held or told. See [Telegram: the budget](telegram.md#the-budget-openclaw-11).",
  },
  LOCALE: {
    schema: z.enum(['fr', 'en']).default('fr'),
    defaultText: '`fr`',
    doc: 'Language of messages to the human: `fr` or `en`.',
  },
  LOG_LEVEL: {
    schema: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    defaultText: '`info`',
    doc: '`debug`, `info`, `warn` or `error`.',
  },
  POLL_SCHEDULE: {
    schema: cronExpression.default('*/5 * * * *'),
    defaultText: '`*/5 * * * *`',
    doc: 'When the poll cycle runs (UTC). On Workers it can only thin out `*/5` unless `wrangler.jsonc` gets a matching trigger.',
  },
  NOTIFY_EVENTS: {
    schema: commaList.pipe(z.array(z.enum(NOTIFICATION_KINDS)).min(1)).optional(),
    defaultText:
      '`task.completed,task.blocked,project.created,cycle.started,cycle.completed,review.needed`',
    doc: 'Events the human is told about (NOTIF-05); also `task.cancelled`, `task.created`, `task.assigned`, `task.state`.',
  },
  NOTIFY_PROJECTS: {
    schema: commaList.optional(),
    defaultText: 'all',
    doc: 'Comma-separated project identifiers (`ONB`) or ids to notify about.',
  },
  NOTIFY_COALESCE_MS: {
    schema: positiveInt(0, 120_000).default(5000),
    defaultText: '`5000`',
    doc: "Window that merges one edit's per-field webhook storm into one message.",
  },
  WEBHOOK_RATE_LIMIT_PER_MIN: {
    schema: positiveInt(0, 100_000).default(600),
    defaultText: '`600`',
    doc: 'Verified requests per minute accepted on each `/webhooks/*` route (NOTIF-02); more get 429. Counted after the signature check, so junk traffic never spends it. `0` turns it off (when a proxy in front limits instead).',
  },
  TRUSTED_PROXIES: {
    schema: commaList.optional(),
    defaultText: 'none',
    doc: "Addresses (or IPv4 CIDR blocks) of the reverse proxies in front, e.g. Caddy's: only from these is `X-Forwarded-For` believed, for the client address in logs. On Workers the address is `CF-Connecting-IP`.",
  },
  BODY_LIMIT_BYTES: {
    schema: positiveInt(1024, 64 * 1024 * 1024).default(1024 * 1024),
    defaultText: '`1048576`',
    doc: 'Largest accepted request body; larger ones get 413.',
  },
  DESCRIPTION_MAX_CHARS: {
    schema: positiveInt(2000, 1_000_000).default(DEFAULT_TEXT_LIMITS.descriptionMaxChars),
    defaultText: '`100000`',
    doc: 'Longest task or project description kept from a Plane webhook (longer ones are cut, ending with `…`; Plane keeps the whole text, `get_task_details` reads it there). Agents write up to 50,000 characters of Markdown (`create_task`).',
  },
  COMMENT_MAX_CHARS: {
    schema: positiveInt(2000, 1_000_000).default(DEFAULT_TEXT_LIMITS.commentMaxChars),
    defaultText: '`20000`',
    doc: "Longest comment kept from a Plane webhook (longer ones are cut, ending with `…`), as long as `add_comment` lets agents write. Names are cut to Plane's own 255 characters, and ids that are not Plane's (UUIDs) are refused.",
  },
  PLANE_API_RATE_LIMIT: {
    schema: rateLimit.default(DEFAULT_RATE_LIMIT),
    defaultText: '`60/minute`',
    doc: "Plane's `API_KEY_RATE_LIMIT` (its default: 60/minute, a sliding window per key): each key the bridge uses (its own, each agent's) sends at once while the window has room and never more than this; a person's action goes first, then an agent's tool call, then background work. Set it to what Plane is set to.",
  },
  MCP_ALLOWED_HOSTS: {
    schema: commaList.optional(),
    defaultText: "`PUBLIC_URL`'s host and localhost",
    doc: 'More host names `/mcp` answers to (DNS-rebinding protection), e.g. `plane-bridge` for agents calling it inside the compose network.',
  },
  PLANE_UPLOAD_MAX_BYTES: {
    schema: positiveInt(1024, 1024 * 1024 * 1024).default(5 * 1024 * 1024),
    defaultText: '`5242880`',
    doc: "Largest deliverable `upload_deliverable` accepts: keep it equal to Plane's `FILE_SIZE_LIMIT` (5 MiB by default; the compose file raises both to 50 MiB). The tool routes accept bodies this large (base64: a third more); multipart uploads are streamed through `DATA_DIR/uploads/`, never held in memory.",
  },
  UPLOAD_MEMORY_BUDGET_BYTES: {
    schema: positiveInt(1024 * 1024, 1024 * 1024 * 1024).optional(),
    defaultText:
      'an eighth of the heap (Node: ~21 MiB under `--max-old-space-size=160`); 16 MiB on Workers',
    doc: "Bytes of JSON upload bodies (`upload_deliverable`'s `content_base64`, over HTTP or MCP) held in memory at once; the file is decoded as the body arrives (never held as text), and each costs two to three times its size while it is read, decoded and sent. A body that does not fit now gets 503 with `Retry-After`; one larger than the whole budget gets 413. Multipart uploads are spooled to `DATA_DIR` and never count. See [deploy.md, Memory](deploy.md#memory).",
  },
  AGENT_CALLS_IN_FLIGHT: {
    schema: positiveInt(1, 100).default(4),
    defaultText: '`4`',
    doc: "Tool calls one agent may have running at once (HTTP and MCP together). More wait up to `AGENT_CALL_WAIT_MS` for a slot, then get 429 with `Retry-After`; other agents are never held by one agent's burst.",
  },
  AGENT_CALL_WAIT_MS: {
    schema: positiveInt(0, 60_000).default(2000),
    defaultText: '`2000`',
    doc: 'How long a call past `AGENT_CALLS_IN_FLIGHT` waits for a slot before it is refused (429); `0` refuses at once.',
  },
  AGENT_MESSAGES_PER_WINDOW: {
    schema: positiveInt(1, 1000).default(5),
    defaultText: '`5`',
    doc: "Messages about one agent's changes that reach the human on their own in `AGENT_MESSAGES_WINDOW_S`; past them, the agent's messages wait and go together in one message at the end of the window, which counts them and links their tasks (nothing is dropped). Review and approval cards are never held.",
  },
  AGENT_MESSAGES_WINDOW_S: {
    schema: positiveInt(10, 3600).default(120),
    defaultText: '`120`',
    doc: 'The window of `AGENT_MESSAGES_PER_WINDOW`, in seconds.',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: positiveInt(0, 120_000).default(8000),
    defaultText: '`8000`',
    doc: 'How long a shutdown waits for in-flight requests and the running job.',
  },
} satisfies Record<string, SettingSpec>

export type SettingKey = keyof typeof SETTINGS

/** Every setting name, in documentation order. */
export const CONFIG_KEYS = Object.keys(SETTINGS) as SettingKey[]

/** Names of the settings whose values must never be shown. */
export const SECRET_KEYS = CONFIG_KEYS.filter((k) => (SETTINGS[k] as SettingSpec).secret === true)
