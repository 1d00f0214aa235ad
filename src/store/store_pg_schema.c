/* store_pg_schema.c — the PostgreSQL backend's schema (store_pg.h): the
 * migrations, in PostgreSQL's types, and the checks at open that the
 * database is suanwang's (or empty), not newer than this program, and
 * stores UTF-8. The tables live in the session's current schema (the first
 * of search_path, "public" unless the URL says otherwise).
 */
#include "store/store_pg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define APPLICATION "suanwang"

/* migrations[v] takes the schema from version v to v + 1. Append new ones;
 * never change one that has shipped. The same tables as the SQLite
 * backend's (store_sqlite.c), with two differences: identity columns
 * instead of AUTOINCREMENT, and tenants get an id for their creation
 * order (SQLite has the rowid). */
static const char *const migrations[] = {
    /* 0 -> 1: the first schema */
    "CREATE TABLE schema_version ("
    "  singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),"
    "  application TEXT NOT NULL,"
    "  version INTEGER NOT NULL);"
    "INSERT INTO schema_version (application, version) VALUES ('" APPLICATION "', 0);"
    "CREATE TABLE tenants ("
    "  name TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('admin', 'provider', 'consumer')),"
    "  created_ms BIGINT NOT NULL,"
    "  id BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE);"
    "CREATE TABLE tokens ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  hash BYTEA NOT NULL UNIQUE CHECK (octet_length(hash) = 32),"
    "  tenant TEXT NOT NULL REFERENCES tenants(name),"
    "  role TEXT NOT NULL CHECK (role IN ('admin', 'provider', 'consumer', 'agent')),"
    "  site TEXT NOT NULL DEFAULT '',"
    "  label TEXT NOT NULL DEFAULT '',"
    "  created_ms BIGINT NOT NULL,"
    "  revoked BOOLEAN NOT NULL DEFAULT false);"
    "CREATE TABLE jobs ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  tenant TEXT NOT NULL REFERENCES tenants(name),"
    "  idempotency_key TEXT NOT NULL DEFAULT '',"
    "  submit_ms BIGINT NOT NULL,"
    "  spec_json TEXT NOT NULL);"
    "CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key)"
    "  WHERE idempotency_key <> '';"
    "CREATE TABLE events ("
    "  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  job_id BIGINT NOT NULL REFERENCES jobs(id),"
    "  task BIGINT NOT NULL CHECK (task >= -1),"
    "  attempt BIGINT NOT NULL CHECK (attempt >= 1),"
    "  state INTEGER NOT NULL CHECK (state >= 0),"
    "  time_ms BIGINT NOT NULL,"
    "  detail_json TEXT);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

/* suanwang stores UTF-8 text (job specs in any language). */
static int check_encoding(struct pg_store *s, sw_error_t *err)
{
    const char *enc = PQparameterStatus(s->w, "server_encoding");
    if (!enc || strcmp(enc, "UTF8") == 0 || strcmp(enc, "SQL_ASCII") == 0)
        return 0;
    errno = ENOTSUP;
    return sw_errprintf(err, "%s: the database's encoding is %s; suanwang stores UTF-8: create "
                        "it with createdb -E UTF8 -T template0", s->name, enc);
}

/* The schema's version: 0 for an empty schema; fails for a schema with
 * somebody else's tables. */
static int read_version(struct pg_store *s, int64_t *version, sw_error_t *err)
{
    PGresult *res = pg_row(s, s->w,
                           "SELECT count(*) FILTER (WHERE tablename = 'schema_version'),"
                           " count(*), coalesce(current_schema(), '')"
                           " FROM pg_tables WHERE schemaname = current_schema()",
                           "reading the schema", err);
    if (!res)
        return -1;
    bool ours = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
    bool empty = strcmp(PQgetvalue(res, 0, 1), "0") == 0;
    char schema[64];
    snprintf(schema, sizeof(schema), "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
    *version = 0;
    if (!ours) {
        errno = ENOTSUP;
        return empty ? 0 : sw_errprintf(err, "%s: not a suanwang database (schema \"%s\" has "
                                        "tables but no schema_version); use an empty database",
                                        s->name, schema);
    }
    res = pg_row(s, s->w, "SELECT application, version FROM schema_version",
                 "reading the schema version", err);
    if (!res)
        return -1;
    bool app = strcmp(PQgetvalue(res, 0, 0), APPLICATION) == 0;
    int rc = pg_parse_i64(PQgetvalue(res, 0, 1), version);
    PQclear(res);
    errno = ENOTSUP;
    if (!app || rc < 0)
        return sw_errprintf(err, "%s: not a suanwang database (schema_version belongs to "
                            "another application)", s->name);
    if (*version > SCHEMA_VERSION)
        return sw_errprintf(err, "%s: schema version %lld is newer than this suanwang knows "
                            "(%d); run a newer suanwang", s->name, (long long)*version,
                            SCHEMA_VERSION);
    return 0;
}

/* Apply migrations[version .. SCHEMA_VERSION - 1] and record the new
 * version, inside the caller's transaction. */
static int apply_migrations(struct pg_store *s, int64_t version, sw_error_t *err)
{
    for (int64_t v = version; v < SCHEMA_VERSION; v++)
        if (pg_cmd(s, s->w, migrations[v], "creating the tables", err) < 0)
            return sw_errprefix(err, "migrating to schema version %lld: ", (long long)v + 1);
    char sql[64];
    snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", SCHEMA_VERSION);
    return pg_cmd(s, s->w, sql, "recording the schema version", err);
}

int pg_migrate(struct pg_store *s, sw_error_t *err)
{
    if (check_encoding(s, err) < 0 || pg_cmd(s, s->w, "BEGIN", "BEGIN", err) < 0)
        return -1;
    int64_t version = 0;
    int rc = read_version(s, &version, err);
    if (rc == 0 && version < SCHEMA_VERSION)
        rc = apply_migrations(s, version, err);
    if (rc == 0)
        return pg_cmd(s, s->w, "COMMIT", "committing the schema", err);
    int saved = errno;
    PQclear(PQexec(s->w, "ROLLBACK"));
    errno = saved;
    return -1;
}

int pg_read_hwm(struct pg_store *s, int64_t *out, sw_error_t *err)
{
    PGresult *res = pg_row(s, s->w,
                           "SELECT (SELECT coalesce(max(id), 0) FROM tenants),"
                           " (SELECT coalesce(max(id), 0) FROM tokens),"
                           " (SELECT coalesce(max(id), 0) FROM jobs),"
                           " (SELECT coalesce(max(seq), 0) FROM events)",
                           "reading the highest ids", err);
    if (!res)
        return -1;
    int rc = 0;
    for (int t = 0; t < PG_T_N && rc == 0; t++)
        rc = pg_parse_i64(PQgetvalue(res, 0, t), &out[t]);
    PQclear(res);
    if (rc < 0) {
        errno = EIO;
        return sw_errprintf(err, "%s: reading the highest ids: not a number", s->name);
    }
    return 0;
}
