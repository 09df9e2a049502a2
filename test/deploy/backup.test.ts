/**
 * @module INFRA-02/05 against the machine's real PostgreSQL (127.0.0.1:5432, user postgres): plane-init.sql
 * twice, then backup.sh → restore.sh into a fresh database and directory, compared table by table and file
 * by file. Every role, database and directory is named with a random suffix and removed afterwards.
 */
import { randomBytes } from 'node:crypto'
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
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { needMachine, toolsRequired } from '../helpers/machine.ts'
import {
  BACKUP,
  FIXTURE_SQL,
  fingerprint,
  INIT_SQL,
  RESTORE,
  type Result,
  run,
  sha256,
  sql,
  tree,
  UNICODE_COMMENT,
} from './backup-helpers.ts'

const POSTGRES = {
  install:
    'apt-get install postgresql postgresql-client, then pg_ctlcluster --skip-systemctl-redirect <version> main start (as .ci/run does)',
}

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
  // Without a server there is nothing to drop, and the clear failure below must not be buried.
  let reachable = false
  /** Why the suite cannot run on this machine (no PostgreSQL answers), or null. */
  let unavailable: string | null = null
  beforeEach((ctx) =>
    needMachine(ctx, { what: unavailable ?? '', install: POSTGRES.install }, unavailable !== null)
  )

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
      // Issue 45: a fresh machine has no PostgreSQL. Not run there, said in the run's report; CI (.ci/run starts
      // one and sets TEST_REQUIRE_TOOLS=1) fails instead, with the same words.
      unavailable = `PostgreSQL does not answer on 127.0.0.1:5432 as user postgres (${ping.stderr.trim() || 'no answer'})`
      if (toolsRequired()) throw new Error(`${unavailable}: ${POSTGRES.install}`)
      return
    }
    reachable = true
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
    rmSync(work, { recursive: true, force: true })
    if (!reachable) return
    const drops = [database, restored, damaged]
      .map((db) => `DROP DATABASE IF EXISTS "${db}" WITH (FORCE);`)
      .join('\n')
    await sql(
      'postgres',
      `${drops}\nDROP ROLE IF EXISTS "${role}";\nDROP ROLE IF EXISTS "${role}_nopw";`
    )
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
