/**
 * @module INFRA-02/05 against the machine's real PostgreSQL (127.0.0.1:5432, user postgres): plane-init.sql
 * twice, then backup.sh → restore.sh into a fresh database and directory, compared table by table and file
 * by file. Every role, database and directory is named with a random suffix and removed afterwards.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const path = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url))
const INIT_SQL = path('compose/postgres/plane-init.sql')
const BACKUP = path('scripts/backup/backup.sh')
const RESTORE = path('scripts/backup/restore.sh')
// What CI and the machine provide (.ci/run starts the cluster when nothing answers).
const PG_ENV = { PGHOST: '127.0.0.1', PGPORT: '5432', PGUSER: 'postgres' }
const NOT_SET = { PGDATABASE: undefined, PGPASSWORD: undefined, DATABASE_URL: undefined }

type Result = { code: number; stdout: string; stderr: string }

function run(
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
async function sql(database: string, text: string): Promise<string> {
  const result = await run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database], {
    input: text,
  })
  if (result.code !== 0) throw new Error(`psql on ${database} failed: ${result.stderr.trim()}`)
  return result.stdout.trim()
}

/** Every table's row count and an md5 of its rows, and every sequence's position. */
async function fingerprint(database: string): Promise<Record<string, string>> {
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
function tree(root: string): Record<string, string> {
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

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

// Arabic, Hebrew between right-to-left marks, CJK, a combining accent, a ZWJ emoji sequence, a tab.
const UNICODE_COMMENT = 'مرحبا \u200fעברית\u200f 中文 e\u0301 👩\u200d💻 tab\there'

// Stand-ins for Plane's tables: what matters is every type Plane stores surviving the round trip.
const FIXTURE_SQL = `
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

describe('PostgreSQL for Plane: plane-init.sql, backup.sh, restore.sh (INFRA-02, INFRA-05)', () => {
  const suffix = randomBytes(4).toString('hex')
  const role = `pb_test_${suffix}`
  const database = `pb_test_${suffix}`
  const restored = `${database}_restored`
  const damaged = `${database}_damaged`
  const password = `pw-${randomBytes(6).toString('hex')}`
  const work = mkdtempSync(join(tmpdir(), 'plane-bridge-backup-test-'))
  const uploads = join(work, 'uploads')
  const backups = join(work, 'backups')
  let backupDir = ''
  let backupRun: Result | null = null

  const init = (extra: string[], env: Record<string, string> = {}) =>
    run(
      'psql',
      [
        '-X',
        '-d',
        'postgres',
        '-v',
        `plane_role=${role}`,
        '-v',
        `plane_database=${database}`,
        ...extra,
      ],
      { env }
    )

  beforeAll(async () => {
    const ping = await run('psql', ['-X', '-At', '-d', 'postgres', '-c', 'SELECT 1']).catch(
      (error: Error) => ({ code: -1, stdout: '', stderr: error.message })
    )
    if (ping.code !== 0 || ping.stdout.trim() !== '1') {
      throw new Error(
        `PostgreSQL does not answer on 127.0.0.1:5432 as user postgres (${ping.stderr.trim()}). ` +
          'This suite needs it and fails rather than skip: install postgresql-client and start the ' +
          'server (pg_ctlcluster --skip-systemctl-redirect <version> main start), as .ci/run does.'
      )
    }
    // The uploads tree: nested folders, non-ASCII names, an empty file and folder, binary content.
    mkdirSync(join(uploads, 'uploads', 'workspace-1', 'pièces jointes'), { recursive: true })
    mkdirSync(join(uploads, 'uploads', 'empty folder'), { recursive: true })
    writeFileSync(
      join(uploads, 'uploads', 'workspace-1', 'pièces jointes', 'résumé 📎.md'),
      '# Résumé\n'
    )
    writeFileSync(join(uploads, 'uploads', 'workspace-1', 'cover.bin'), randomBytes(256 * 1024))
    writeFileSync(join(uploads, 'uploads', 'empty.txt'), '')
    writeFileSync(join(uploads, '.minio.sys-format.json'), '{"version":"1"}')
  })

  afterAll(async () => {
    const drops = [database, restored, damaged]
      .map((db) => `DROP DATABASE IF EXISTS "${db}" WITH (FORCE);`)
      .join('\n')
    await sql(
      'postgres',
      `${drops}\nDROP ROLE IF EXISTS "${role}";\nDROP ROLE IF EXISTS "${role}_nopw";`
    )
    rmSync(work, { recursive: true, force: true })
  })

  it('should create Plane role and database, and leave them right when run a second time', async () => {
    for (const attempt of [1, 2]) {
      const result = await init(['-v', `plane_password=${password}`, '-f', INIT_SQL])
      expect(result.stderr, `run ${attempt}`).toBe('')
      expect(result.code, `run ${attempt}`).toBe(0)
      expect(result.stdout).toContain(`role ${role} and database ${database} ready`)
      expect(result.stdout + result.stderr).not.toContain(password)
    }
    expect(
      await sql(
        'postgres',
        `SELECT rolcanlogin, rolsuper, rolcreatedb, left(rolpassword, 14) FROM pg_authid WHERE rolname = '${role}'`
      )
    ).toBe('t|f|f|SCRAM-SHA-256$')
    expect(
      await sql(
        'postgres',
        `SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding),
           (SELECT count(*) FROM aclexplode(datacl) a WHERE a.grantee = 0)
         FROM pg_database WHERE datname = '${database}'`
      )
    ).toBe(`${role}|UTF8|0`)
    expect(
      await sql(
        database,
        "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'"
      )
    ).toBe(role)
    // The role can do what Plane's migrator does.
    await sql(database, `SET ROLE "${role}"; CREATE TABLE probe (id int); DROP TABLE probe;`)
  })

  it('should take the password from PLANE_DB_PASSWORD, and refuse to run without one', async () => {
    const fromEnv = await init(['-f', INIT_SQL], { PLANE_DB_PASSWORD: password })
    expect(fromEnv.code).toBe(0)
    const missing = await run('psql', [
      '-X',
      '-d',
      'postgres',
      '-v',
      `plane_role=${role}_nopw`,
      '-f',
      INIT_SQL,
    ])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('plane_password is not set')
    expect(
      await sql('postgres', `SELECT count(*) FROM pg_roles WHERE rolname = '${role}_nopw'`)
    ).toBe('0')
  })

  describe('backup.sh → restore.sh', () => {
    beforeAll(async () => {
      await sql(database, `SET ROLE "${role}";\n${FIXTURE_SQL}`)
      // Through DATABASE_URL with a password (trust auth ignores it): it must never be printed.
      backupRun = await run(BACKUP, ['--dest', backups, '--uploads-dir', uploads], {
        env: {
          PGHOST: undefined,
          PGPORT: undefined,
          PGUSER: undefined,
          DATABASE_URL: `postgresql://postgres:${password}%40x@127.0.0.1:5432/${database}`,
        },
      })
      backupDir = backupRun.stdout.trim()
    })

    it('should write the dump, the uploads archive and a manifest that describes them', () => {
      expect(backupRun?.stderr).not.toContain(password)
      expect(backupRun?.code, backupRun?.stderr).toBe(0)
      expect(backupDir).toMatch(/\/plane-\d{8}T\d{6}\.\d{3}Z$/)
      expect(readdirSync(backupDir).sort()).toEqual([
        'SHA256SUMS',
        'database.dump',
        'manifest.json',
        'uploads.tar.gz',
      ])
      const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'))
      const file = (name: string) => readFileSync(join(backupDir, name))
      expect(manifest).toMatchObject({
        format: 'plane-backup/1',
        plane_version: 'v1.2.2',
        database: {
          file: 'database.dump',
          name: database,
          bytes: statSync(join(backupDir, 'database.dump')).size,
          sha256: sha256(file('database.dump')),
        },
        uploads: {
          file: 'uploads.tar.gz',
          source: uploads,
          files: 4,
          bytes: statSync(join(backupDir, 'uploads.tar.gz')).size,
          sha256: sha256(file('uploads.tar.gz')),
        },
      })
      expect(statSync(join(backupDir, 'database.dump')).mode & 0o077).toBe(0)
    })

    it('should restore every table, sequence and upload exactly as it was', async () => {
      const result = await run(RESTORE, [
        backupDir,
        '--database',
        restored,
        '--owner',
        role,
        '--uploads-dir',
        join(work, 'restored-uploads'),
      ])
      expect(result.code, result.stderr).toBe(0)
      const before = await fingerprint(database)
      expect(Object.keys(before)).toEqual([
        'instances',
        'issue_comments',
        'issues',
        'projects',
        'sequence issues_id_seq',
      ])
      expect(before.issues).toMatch(/^250 [0-9a-f]{32}$/)
      expect(await fingerprint(restored)).toEqual(before)
      expect(
        await sql(
          restored,
          `SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = 'public'::regnamespace`
        )
      ).toBe(role)
      expect(
        await sql(restored, "SELECT comment_html FROM issue_comments WHERE id::text LIKE '%c2'")
      ).toBe(UNICODE_COMMENT)
      expect(tree(join(work, 'restored-uploads'))).toEqual(tree(uploads))
      expect(Object.keys(tree(uploads))).toContain('uploads/empty folder')
    })

    it('should refuse a database with tables and an uploads directory with files', async () => {
      const intoDatabase = await run(RESTORE, [backupDir, '--database', restored, '--owner', role])
      expect(intoDatabase.code).toBe(1)
      expect(intoDatabase.stderr).toContain(`database ${restored} exists and holds`)
      const intoUploads = await run(RESTORE, [backupDir, '--uploads-dir', uploads])
      expect(intoUploads.code).toBe(1)
      expect(intoUploads.stderr).toContain('is not empty')
    })

    it('should verify a sound backup and reject a damaged one before writing anything', async () => {
      const verify = await run(RESTORE, [backupDir, '--verify-only'])
      expect(verify.code, verify.stderr).toBe(0)
      expect(verify.stderr).toContain('Plane v1.2.2')
      expect(verify.stderr).toContain('4 tables with data')
      const copy = join(work, 'damaged')
      cpSync(backupDir, copy, { recursive: true })
      const dump = readFileSync(join(copy, 'database.dump'))
      dump[dump.length >> 1] = (dump[dump.length >> 1] ?? 0) ^ 0xff
      writeFileSync(join(copy, 'database.dump'), dump)
      const result = await run(RESTORE, [copy, '--database', damaged, '--owner', role])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain('checksum mismatch')
      expect(
        await sql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${damaged}'`)
      ).toBe('0')
    })
  })

  it('should keep only the N newest complete backups and touch nothing else', async () => {
    const dest = join(work, 'retention')
    const fake = (name: string, manifest: boolean) => {
      mkdirSync(join(dest, name), { recursive: true })
      if (manifest) writeFileSync(join(dest, name, 'manifest.json'), '{}')
    }
    fake('plane-20200101T000000.000Z', true)
    fake('plane-20210101T000000.000Z', true)
    fake('plane-20190101T000000.000Z', false)
    fake('notes', true)
    const result = await run(BACKUP, [
      '--dest',
      dest,
      '--database',
      database,
      '--no-uploads',
      '--keep',
      '2',
    ])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain('covers are NOT in this backup')
    expect(readdirSync(dest).sort()).toEqual([
      'notes',
      'plane-20190101T000000.000Z',
      'plane-20210101T000000.000Z',
      result.stdout.trim().split('/').pop(),
    ])
  })

  it('should explain itself and say what is missing', async () => {
    for (const script of [BACKUP, RESTORE]) {
      const help = await run(script, ['--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(/^Usage: /)
    }
    expect((await run(BACKUP, [])).stderr).toContain('no destination')
    expect((await run(BACKUP, ['--dest', join(work, 'x')])).stderr).toContain('--no-uploads')
    expect(
      (await run(BACKUP, ['--dest', join(work, 'x'), '--no-uploads', '--keep', '0'])).code
    ).toBe(1)
    expect((await run(RESTORE, [join(work, 'nowhere')])).stderr).toContain('not a complete backup')
    const wrong = await run(BACKUP, [
      '--dest',
      join(work, 'x'),
      '--no-uploads',
      '--database',
      `${database}_nope`,
    ])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('cannot connect')
    expect(readdirSync(join(work, 'x'))).toEqual([])
  })
})
