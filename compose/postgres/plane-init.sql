-- Plane's role and database on the shared PostgreSQL (INFRA-02). Idempotent: run it again to re-apply the
-- grants or to set a new password. Run as a superuser, never with --single-transaction (CREATE DATABASE
-- cannot run in a transaction block):
--   psql -U postgres -v plane_password="$PLANE_DB_PASSWORD" -f plane-init.sql
-- or, keeping the password off every command line (psql 15+ reads it from the environment):
--   PLANE_DB_PASSWORD=… psql -U postgres -f plane-init.sql
-- Optional: -v plane_role=plane -v plane_database=plane_production (the defaults, = plane.env);
-- -v monitor_password=… (or PLANE_MONITOR_DB_PASSWORD) also makes the exporter's role, -v monitor_role=plane_monitor.
-- Nothing here echoes the password; a server with log_statement=all or ddl would still log the
-- CREATE/ALTER ROLE statement, as it does for any password change.
\set ON_ERROR_STOP on
\set QUIET on

\if :{?plane_role}
\else
  \set plane_role plane
\endif
\if :{?plane_database}
\else
  \set plane_database plane_production
\endif
\if :{?plane_password}
\else
  \getenv plane_password PLANE_DB_PASSWORD
\endif
\if :{?plane_password}
\else
  \set plane_password ''
\endif

-- Refuse an empty password (an unset variable ends up here too): Plane logs in with one (REX #41).
SELECT length(:'plane_password') = 0 AS missing_password \gset
\if :missing_password
  DO $$ BEGIN RAISE EXCEPTION 'plane_password is not set: psql -v plane_password=… -f plane-init.sql (or PLANE_DB_PASSWORD in the environment)'; END $$;
\endif

-- The role: created once, its password (re)set at every run so plane.env's PLANE_DB_PASSWORD wins.
SELECT format('CREATE ROLE %I LOGIN', :'plane_role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'plane_role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'plane_role', :'plane_password') \gexec
\unset plane_password

-- The database, owned by the role: Plane's migrator creates every table in it.
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', :'plane_database', :'plane_role', 'UTF8')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'plane_database') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'plane_database', :'plane_role') \gexec
-- A shared server: the other stacks' roles may not connect to Plane's database.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'plane_database') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'plane_database', :'plane_role') \gexec

-- The monitoring role (MONITOR-04), only when its password is given: postgres_exporter logs in as it. pg_monitor
-- reads the statistics views and every setting, and no table of any database; Plane's database stays closed to
-- it (REVOKE above), the exporter reads the server-wide views from `postgres`. Three connections at most: a stuck
-- exporter cannot take the shared server's.
--   psql -U postgres -v plane_password=… -v monitor_password=… -f plane-init.sql   (or PLANE_MONITOR_DB_PASSWORD)
\if :{?monitor_role}
\else
  \set monitor_role plane_monitor
\endif
\if :{?monitor_password}
\else
  \getenv monitor_password PLANE_MONITOR_DB_PASSWORD
\endif
\if :{?monitor_password}
  SELECT length(:'monitor_password') > 0 AS with_monitor \gset
\else
  \set with_monitor false
\endif
\if :with_monitor
  SELECT format('CREATE ROLE %I LOGIN', :'monitor_role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'monitor_role') \gexec
  SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION CONNECTION LIMIT 3 PASSWORD %L',
    :'monitor_role', :'monitor_password') \gexec
  -- Granted once: a second GRANT would print a NOTICE on every run.
  SELECT format('GRANT pg_monitor TO %I', :'monitor_role')
  WHERE NOT EXISTS (
    SELECT FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
    WHERE r.rolname = :'monitor_role' AND g.rolname = 'pg_monitor') \gexec
  SELECT format('plane-init: monitoring role %s ready (pg_monitor, 3 connections)', :'monitor_role') AS monitor_done \gset
\endif
\unset monitor_password

-- Inside it: Plane's tables go in the public schema, which the role owns (PostgreSQL 15 no longer lets
-- every role create there; owning it works on every version).
\connect :"plane_database"
\set QUIET on
SELECT format('ALTER SCHEMA public OWNER TO %I', :'plane_role') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

SELECT format('plane-init: role %s and database %s ready', :'plane_role', :'plane_database') AS done \gset
\echo :done
\if :with_monitor
  \echo :monitor_done
\endif
