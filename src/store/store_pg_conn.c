/* store_pg_conn.c — the PostgreSQL backend's connections (store_pg.h):
 * connecting with suanwang's defaults, naming the server in messages
 * without its password, mapping SQLSTATEs to errno, running simple
 * commands, and the advisory lock that keeps a second controller off the
 * database.
 */
#include "store/store_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- names and messages ---- */

/* The value of option `key` in a PQconninfoParse() result, or "". */
static const char *opt_val(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val ? o->val : "";
    return "";
}

/* Copy libpq's message `msg` (several lines, tabs) into dst[cap] as one
 * line, shortened to fit. */
static void one_line(char *dst, size_t cap, const char *msg)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = msg ? msg : ""; *p && n + 1 < cap; p++) {
        if (*p == '\n' || *p == '\t' || *p == ' ') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < cap)
            dst[n++] = ' ';
        space = false;
        dst[n++] = *p;
    }
    dst[n] = '\0';
}

int pg_name_init(struct pg_store *s, sw_error_t *err)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(s->conninfo, &msg);
    if (!opts) {
        char reason[300];
        one_line(reason, sizeof(reason), msg ? msg : "out of memory");
        PQfreemem(msg);
        errno = EINVAL;
        return sw_errprintf(err, "not a valid PostgreSQL URL: %s (the form is "
                            "postgresql://USER@HOST:PORT/DATABASE?PARAM=VALUE)", reason);
    }
    const char *user = opt_val(opts, "user"), *host = opt_val(opts, "host");
    const char *port = opt_val(opts, "port"), *db = opt_val(opts, "dbname");
    if (!*host)
        host = opt_val(opts, "hostaddr");
    snprintf(s->name, sizeof(s->name), "postgresql://%s%s%s%s%s/%s", user, *user ? "@" : "",
             host, *port ? ":" : "", port, db);
    PQconninfoFree(opts);
    return 0;
}

static void no_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

PGconn *pg_connect(struct pg_store *s, const char *role, sw_error_t *err)
{
    char app[64];
    snprintf(app, sizeof(app), "suanwang %s", role);
    /* Keywords before "dbname" are defaults the URL may override; those
     * after it are not negotiable. */
    const char *const keys[] = {"application_name", "connect_timeout", "target_session_attrs",
                                "dbname", "client_encoding", NULL};
    const char *const vals[] = {app, "10", "read-write", s->conninfo, "UTF8", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        errno = ENOMEM;
        sw_errprintf(err, "%s: out of memory connecting", s->name);
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        char reason[300];
        one_line(reason, sizeof(reason), PQerrorMessage(c));
        errno = PQconnectionNeedsPassword(c) ? EACCES : EIO;
        sw_errprintf(err, "%s: cannot connect (%s): %s; check that PostgreSQL runs there and "
                     "that the user, password and database in the URL are right", s->name,
                     role, reason);
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, no_notices, NULL);
    if (PQserverVersion(c) < 100000) {
        errno = ENOTSUP;
        sw_errprintf(err, "%s: PostgreSQL %d.%d is too old; suanwang needs 10 or newer",
                     s->name, PQserverVersion(c) / 10000, PQserverVersion(c) / 100 % 100);
        PQfinish(c);
        return NULL;
    }
    return c;
}

const char *pg_sqlstate(const PGresult *res)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return st ? st : "";
}

/* errno for SQLSTATE `st` (a class of two characters, then three more). */
static int errno_of_state(const char *st)
{
    static const struct {
        const char *state; /* a whole SQLSTATE, or a class */
        int errnum;
    } map[] = {
        {"23505", EEXIST},  {"23503", ENOENT},     {"23", EINVAL},     {"22", EINVAL},
        {"40", EBUSY},      {"55P03", EBUSY},      {"53100", ENOSPC},  {"53200", ENOMEM},
        {"53300", EBUSY},   {"25006", EROFS},      {"42501", EACCES},  {"28", EACCES},
        {"57014", ECANCELED}, {"57", ECONNRESET}, {"08", ECONNRESET},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strncmp(st, map[i].state, strlen(map[i].state)) == 0)
            return map[i].errnum;
    return EIO;
}

int pg_errno(PGconn *c, const PGresult *res)
{
    if (!c || PQstatus(c) == CONNECTION_BAD)
        return ECONNRESET;
    const char *st = pg_sqlstate(res);
    return *st ? errno_of_state(st) : EIO;
}

int pg_fail(const struct pg_store *s, PGconn *c, const PGresult *res, const char *what,
            sw_error_t *err)
{
    int e = pg_errno(c, res);
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *st = pg_sqlstate(res);
    char reason[320];
    one_line(reason, sizeof(reason), primary ? primary : c ? PQerrorMessage(c) : "no connection");
    if (!c || PQstatus(c) == CONNECTION_BAD)
        sw_errprintf(err, "%s: connection lost while %s: %s; check that PostgreSQL is up and "
                     "reachable (the store connects again for its next write or load)",
                     s->name, what, reason);
    else if (e == EROFS)
        sw_errprintf(err, "%s: %s: %s; the server is read-only (a standby?): point the URL at "
                     "the primary", s->name, what, reason);
    else if (*st)
        sw_errprintf(err, "%s: %s: %s (SQLSTATE %s)", s->name, what, reason, st);
    else
        sw_errprintf(err, "%s: %s: %s", s->name, what, reason);
    errno = e;
    return -1;
}

/* ---- simple commands ---- */

int pg_cmd(const struct pg_store *s, PGconn *c, const char *sql, const char *what,
           sw_error_t *err)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_fail(s, c, res, what, err);
    PQclear(res);
    return rc;
}

PGresult *pg_row(const struct pg_store *s, PGconn *c, const char *sql, const char *what,
                 sw_error_t *err)
{
    PGresult *res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_fail(s, c, res, what, err);
        PQclear(res);
        return NULL;
    }
    if (PQntuples(res) != 1) {
        errno = EIO;
        sw_errprintf(err, "%s: %s: %d rows where one was expected", s->name, what,
                     PQntuples(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

int pg_parse_i64(const char *text, int64_t *out)
{
    if (!text || !*text)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* ---- the lock ---- */

/* The session holding the lock, for the message: "session 123 from
 * 10.0.0.5, "suanwang writer", since …", or what little is visible. */
static void lock_holder(struct pg_store *s, char *out, size_t cap, int *pid)
{
    static const char sql[] =
        "SELECT l.pid, coalesce(host(a.client_addr), 'a local socket'),"
        " coalesce(a.application_name, ''),"
        " coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '?')"
        " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0"
        " AND l.objid = 1398230599 AND l.objsubid = 1"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " LIMIT 1";
    *pid = 0;
    snprintf(out, cap, "a session that has ended since");
    PGresult *res = PQexec(s->w, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        *pid = atoi(PQgetvalue(res, 0, 0));
        snprintf(out, cap, "the session of server process %d (client %s, \"%s\", connected "
                 "since %s)", *pid, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
                 PQgetvalue(res, 0, 3));
    }
    PQclear(res);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

long sw_store__pg_lock_wait_ms = PG_LOCK_WAIT_MS;

int pg_lock(struct pg_store *s, sw_error_t *err)
{
    char sql[64];
    snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%lld)", PG_LOCK_KEY);
    for (long waited = 0;; waited += 50) {
        PGresult *res = pg_row(s, s->w, sql, "taking the controller's lock", err);
        if (!res)
            return -1;
        bool got = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (got)
            return 0;
        if (waited >= sw_store__pg_lock_wait_ms)
            break;
        sleep_ms(50);
    }
    char who[300];
    int pid;
    lock_holder(s, who, sizeof(who), &pid);
    errno = EBUSY;
    return sw_errprintf(err, "%s: in use by another process: %s holds suanwang's lock on the "
                        "database; stop that controller first, or if it is gone end its "
                        "session: SELECT pg_terminate_backend(%d)", s->name, who, pid);
}
