/* store.h — the controller's durable state: an append-only record of jobs
 * as they were submitted, every state transition of their task attempts,
 * and the tenants and (hashed) tokens. The controller keeps its working
 * state in memory and rebuilds it from here at start (sw_store_load).
 *
 * Durability: every write call returns only after its transaction is
 * committed and fsync'd. Calls from many threads at once share commits
 * (group commit): one of the callers leads — it takes every queued write,
 * runs them in one transaction (each in its own savepoint, so one failure
 * does not undo the others), commits once, and wakes all their callers; a
 * lone caller commits on its own thread. All calls are thread-safe.
 *
 * Backends sit behind an ops table (store_int.h): SQLite (store_sqlite.c,
 * file DIR/suanwang.db in WAL mode with synchronous=FULL) and PostgreSQL
 * (store_pg.c, libpq, synchronous_commit = on), picked by what
 * sw_store_open is given. docs/store.md.
 */
#ifndef SW_STORE_STORE_H
#define SW_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define SW_STORE_NAME_MAX 48
#define SW_STORE_KEY_MAX 128
#define SW_TOKEN_HASH_BYTES 32

enum sw_role { SW_ROLE_ADMIN = 0, SW_ROLE_PROVIDER, SW_ROLE_CONSUMER, SW_ROLE_AGENT };

const char *sw_role_name(enum sw_role r);
int sw_role_parse(const char *s, enum sw_role *out);

/* A submitted job, as stored. */
struct sw_store_job {
    uint64_t id;                           /* assigned by the store on create */
    char tenant[SW_STORE_NAME_MAX];
    char idempotency_key[SW_STORE_KEY_MAX]; /* "" = none */
    int64_t submit_ms;                     /* Unix time, ms */
    const char *spec_json;                 /* the job, normalized JSON (borrowed on
                                              create; valid during the load callback) */
};

/* One state transition of one task attempt (or of the whole job when
 * task = -1). */
struct sw_store_event {
    uint64_t seq;                          /* assigned by the store: global order */
    uint64_t job_id;
    int64_t task;                          /* task index, -1 = the job */
    uint32_t attempt;                      /* 1, 2, … */
    int state;                             /* enum sw_state (core/lifecycle.h) */
    int64_t time_ms;                       /* Unix time, ms */
    const char *detail_json;               /* NULL or a JSON object: site, node class,
                                              reason, exit status, … (borrowed) */
};

struct sw_store_tenant {
    char name[SW_STORE_NAME_MAX];
    enum sw_role kind;                     /* admin, provider or consumer */
    int64_t created_ms;
};

struct sw_store_token {
    uint64_t id;                           /* assigned by the store */
    unsigned char hash[SW_TOKEN_HASH_BYTES]; /* BLAKE2b of the token; the token itself
                                                is never stored */
    char tenant[SW_STORE_NAME_MAX];
    enum sw_role role;
    char site[SW_STORE_NAME_MAX];          /* agents: the site the token is bound to */
    char label[64];
    int64_t created_ms;
    bool revoked;
};

struct sw_store;

/* Open (creating if needed) the store at `where`: a directory (SQLite:
 * DIR/suanwang.db), or a postgresql:// or postgres:// URL (libpq's URI form,
 * parameters included, e.g. postgresql://suanwang@db1:5432/suanwang?
 * sslmode=verify-full; the database must exist, the tables are created).
 * One process at a time may have a store open (EBUSY for a second one).
 * Returns NULL with a message naming the file or the server and the reason. */
struct sw_store *sw_store_open(const char *where, sw_error_t *err);

/* Where the store is, for messages: the SQLite file, or the PostgreSQL
 * server and database as postgresql://USER@HOST:PORT/DB (never a password).
 * Valid until sw_store_close. */
const char *sw_store_location(const struct sw_store *st);

/* Stop the writer (after finishing queued writes) and close. Accepts NULL. */
void sw_store_close(struct sw_store *st);

/* Record new jobs durably; assigns jobs[i].id. A job whose (tenant,
 * idempotency_key) already exists with the same spec_json is not created
 * again: it gets the existing id and existed[i] = true (existed may be NULL
 * when no job has a key). A key that exists with another spec_json fails
 * the call with EEXIST, naming the key and the job. All n jobs are in one
 * transaction: all or none. Returns 0, or -1 with a message. */
int sw_store_create_jobs(struct sw_store *st, struct sw_store_job *jobs, size_t n, bool *existed,
                         sw_error_t *err);

/* Record state transitions durably, in order; assigns each event's seq.
 * Returns 0 or -1. */
int sw_store_add_events(struct sw_store *st, struct sw_store_event *ev, size_t n,
                        sw_error_t *err);

/* Tenants and tokens. put_tenant fails with EEXIST for a taken name. */
int sw_store_put_tenant(struct sw_store *st, const struct sw_store_tenant *t, sw_error_t *err);
int sw_store_put_token(struct sw_store *st, struct sw_store_token *t, sw_error_t *err);
/* Revoke a token by id; ENOENT if there is none. */
int sw_store_revoke_token(struct sw_store *st, uint64_t id, sw_error_t *err);

/* Everything, for rebuilding the controller's state at start: tenants,
 * then tokens, then jobs in id order, then events in seq order. A callback
 * returning non-zero stops the load (which then returns -1). Callbacks may
 * be NULL. Pointers inside the records are valid during the call only. */
struct sw_store_loader {
    int (*tenant)(void *arg, const struct sw_store_tenant *t);
    int (*token)(void *arg, const struct sw_store_token *t);
    int (*job)(void *arg, const struct sw_store_job *j);
    int (*event)(void *arg, const struct sw_store_event *e);
};
int sw_store_load(struct sw_store *st, const struct sw_store_loader *l, void *arg,
                  sw_error_t *err);

/* Counters for /metrics. */
struct sw_store_stats {
    uint64_t commits;        /* transactions committed */
    uint64_t writes;         /* write calls served */
    uint64_t max_batch;      /* most write calls in one commit */
};
void sw_store_get_stats(struct sw_store *st, struct sw_store_stats *out);

#endif
