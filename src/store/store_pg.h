/* store_pg.h — internals of the PostgreSQL backend of the store, shared by
 * its files: store_pg.c (the ops: transactions, writes, loads, open and
 * close), store_pg_conn.c (connections, the advisory lock, errors and their
 * messages) and store_pg_schema.c (the schema and its migrations). Nothing
 * outside src/store/store_pg*.c includes this; docs/store.md describes the
 * design.
 */
#ifndef SW_STORE_STORE_PG_H
#define SW_STORE_STORE_PG_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store_int.h"

/* The advisory lock that makes one controller per database: one bigint,
 * "SWNG" as in the SQLite file's application id. */
#define PG_LOCK_KEY 0x53574e47LL
/* How long open (and a reconnect) waits for the lock before refusing: the
 * session of a controller killed a moment ago may take a little while to
 * end on the server. sw_store__pg_lock_wait_ms (store_int.h) starts here. */
#define PG_LOCK_WAIT_MS 5000

/* The tables whose ids the writer tracks (pg_store.hwm). */
enum pg_table { PG_T_TENANTS, PG_T_TOKENS, PG_T_JOBS, PG_T_EVENTS, PG_T_N };

struct pg_store {
    char name[512];        /* postgresql://user@host:port/db, no password: for messages */
    char *conninfo;        /* as given (owned; it may hold a password) */
    PGconn *w;             /* the writer's: one batch leader at a time */
    PGconn *r;             /* loads', under rlock */
    pthread_mutex_t rlock;
    /* The highest id the writer has seen in each table (committed or not).
     * After a reconnect, a row above it means that another controller
     * wrote while this one was away: the writer then stops (fenced). */
    int64_t hwm[PG_T_N];
    bool fenced;
    sw_error_t fence_err;  /* why, repeated to every later write */
};

/* ---- store_pg_conn.c ---- */

/* Fill s->name from s->conninfo (a postgresql:// URL), leaving out any
 * password. Fails (EINVAL) when libpq cannot parse it. */
int pg_name_init(struct pg_store *s, sw_error_t *err);

/* Connect as `role` ("writer" or "loader", shown in pg_stat_activity as
 * "suanwang writer"), with client_encoding UTF8 and notices silenced.
 * Returns the connection or NULL with a message naming the server. */
PGconn *pg_connect(struct pg_store *s, const char *role, sw_error_t *err);

/* errno for a failed result (SQLSTATE) or a lost connection. */
int pg_errno(PGconn *c, const PGresult *res);

/* Fail with "NAME: what: reason", or for a lost connection "NAME: connection
 * lost while what: reason; what to do". errno is set. `res` may be NULL
 * (the reason is then the connection's). Returns -1. */
int pg_fail(const struct pg_store *s, PGconn *c, const PGresult *res, const char *what,
            sw_error_t *err);

/* The SQLSTATE of a failed result ("" when none). */
const char *pg_sqlstate(const PGresult *res);

/* Run `sql` (one or more commands, no parameters, results not wanted).
 * Returns 0 or -1 via pg_fail(…, what, …). */
int pg_cmd(const struct pg_store *s, PGconn *c, const char *sql, const char *what,
           sw_error_t *err);

/* Run a query with no parameters that must return exactly one row; the
 * caller PQclear()s the result. NULL via pg_fail on failure. */
PGresult *pg_row(const struct pg_store *s, PGconn *c, const char *sql, const char *what,
                 sw_error_t *err);

/* Parse a decimal bigint as PostgreSQL prints it. */
int pg_parse_i64(const char *text, int64_t *out);

/* Take the advisory lock on the writer's session, trying for
 * sw_store__pg_lock_wait_ms; EBUSY with a message naming the session that
 * holds it. */
int pg_lock(struct pg_store *s, sw_error_t *err);

/* ---- store_pg_schema.c ---- */

/* Check the server and the database (version, encoding, whose tables), and
 * bring the schema to the current version, in one transaction on the
 * writer's session (which holds the lock). */
int pg_migrate(struct pg_store *s, sw_error_t *err);

/* Read the highest id of each table into out[PG_T_N]. */
int pg_read_hwm(struct pg_store *s, int64_t *out, sw_error_t *err);

#endif
