/**
 * @module Helpers for test/deploy/backup.test.ts: the scripts and psql run against the real PostgreSQL,
 * fingerprints of a database and of a directory tree, and the rows standing in for Plane's.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const path = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url))
export const INIT_SQL = path('compose/postgres/plane-init.sql')
export const BACKUP = path('scripts/backup/backup.sh')
export const RESTORE = path('scripts/backup/restore.sh')
// What CI and the machine provide (.ci/run starts the cluster when nothing answers).
const PG_ENV = { PGHOST: '127.0.0.1', PGPORT: '5432', PGUSER: 'postgres' }
const NOT_SET = { PGDATABASE: undefined, PGPASSWORD: undefined, DATABASE_URL: undefined }

export type Result = { code: number; stdout: string; stderr: string }

export function run(
  command: string,
  args: string[],
  { env = {}, input }: { env?: Record<string, string | undefined>; input?: string } = {}
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...NOT_SET, ...PG_ENV, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    // A script that exits before reading its stdin (--help, an early error) closes the pipe: not a failure.
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

/** psql as postgres on `database`; throws with psql's message on any error. */
export async function sql(database: string, text: string): Promise<string> {
  const result = await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database], {
    input: text,
  })
  if (result.code !== 0) throw new Error(`psql on ${database} failed: ${result.stderr.trim()}`)
  return result.stdout.trim()
}

/** Every table's row count and an md5 of its rows, and every sequence's position. */
export async function fingerprint(database: string): Promise<Record<string, string>> {
  const tables = (
    await sql(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
  ).split('\n')
  const out: Record<string, string> = {}
  for (const table of tables) {
    out[table] = await sql(
      database,
      `SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM "${table}" t`
    )
  }
  const sequences = (
    await sql(
      database,
      "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
    )
  ).split('\n')
  for (const sequence of sequences) {
    out[`sequence ${sequence}`] = await sql(
      database,
      `SELECT last_value || ' ' || is_called FROM "${sequence}"`
    )
  }
  return out
}

/** Relative path → sha256 (files) or 'dir', for a whole tree. */
export function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) {
        out[relative(root, full)] = 'dir'
        walk(full)
      } else out[relative(root, full)] = sha256(readFileSync(full))
    }
  }
  walk(root)
  return out
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

// Arabic, Hebrew between right-to-left marks, CJK, a combining accent, a ZWJ emoji sequence, a tab.
export const UNICODE_COMMENT = 'مرحبا \u200fעברית\u200f 中文 e\u0301 👩\u200d💻 tab\there'

// Stand-ins for Plane's tables: what matters is every type Plane stores surviving the round trip.
export const FIXTURE_SQL = `
CREATE TABLE instances (id uuid PRIMARY KEY, current_version varchar(255), created_at timestamptz);
INSERT INTO instances VALUES ('5f0c1a4e-0000-4000-8000-000000000001', 'v1.2.2', '2026-02-01T10:00:00Z');
CREATE TABLE projects (id uuid PRIMARY KEY, identifier varchar(12) UNIQUE, name text NOT NULL);
INSERT INTO projects VALUES
  ('5f0c1a4e-0000-4000-8000-0000000000a1', 'ONB', 'Onboarding'),
  ('5f0c1a4e-0000-4000-8000-0000000000a2', 'OPS', 'Opérations — équipe ☕');
CREATE TABLE issues (
  id bigserial PRIMARY KEY, project_id uuid REFERENCES projects (id), sequence_id int,
  name text NOT NULL, description_json jsonb, description_html text, priority text,
  due date, completed_at timestamptz, archived boolean DEFAULT false, estimate numeric(6, 2)
);
INSERT INTO issues (project_id, sequence_id, name, description_json, description_html, priority, due,
  completed_at, estimate)
SELECT ('5f0c1a4e-0000-4000-8000-0000000000a' || (1 + n % 2))::uuid, n, 'Tâche n°' || n || ' 🚀',
  jsonb_build_object('type', 'doc', 'text', 'élément ' || n, 'tags', jsonb_build_array('日本語', n)),
  '<p>Ligne ' || n || E'\\n« guillemets » & <b>gras</b></p>',
  (ARRAY['urgent', 'high', 'none', NULL])[1 + n % 4], date '2026-03-01' + n,
  CASE WHEN n % 3 = 0 THEN timestamptz '2026-03-01T08:00:00Z' + n * interval '1 hour' END, n / 7.0
FROM generate_series(1, 250) n;
CREATE TABLE issue_comments (
  id uuid PRIMARY KEY, issue_id bigint REFERENCES issues (id), comment_html text, external_source text,
  attachment bytea, created_at timestamptz DEFAULT now()
);
INSERT INTO issue_comments VALUES
  ('5f0c1a4e-0000-4000-8000-0000000000c1', 1, '<p>confiance : 0,55 — « à revoir » 🤖</p>', 'plane-bridge',
   NULL, '2026-03-02T09:00:00Z'),
  ('5f0c1a4e-0000-4000-8000-0000000000c2', 2, '${UNICODE_COMMENT}', NULL,
   '\\x00ff10deadbeef', '2026-03-02T09:01:00Z'),
  ('5f0c1a4e-0000-4000-8000-0000000000c3', 2, E'multi\\nline\\r\\n"quoted" \\\\ backslash', NULL,
   NULL, '2026-03-02T09:02:00Z');
`
