/* store_int.h — internals of the durable store, shared by the generic front
 * (store.c) and its backends (store_sqlite.c; store_pg*.c, or store_nopg.c
 * in builds without libpq). Callers use store.h only.
 *
 * The front owns everything that does not depend on the database: argument
 * checks, the queue of write requests, group commit (a leader among the
 * callers runs each batch), and the counters. A backend supplies, through struct
 * sw_store_ops, one connection for the writer with a transaction and
 * savepoints, the five writes, and the load.
 *
 * Threads: open and close run in the thread that opens or closes the store.
 * Between them, transactions and write ops are called from one thread at a
 * time (the caller leading the current batch; it may be a different thread
 * for each batch), and always inside begin() … commit() or
 * rollback() and inside savepoint() … release() or rollback_to(). load() may
 * be called from any thread at any time, also while the writer works: the
 * backend uses a separate connection for it and serializes loads itself.
 *
 * Errors: every op returns 0, or -1 with errno set and a message in err.
 * Messages about the database name its location and the driver's reason;
 * messages about a rejected request (a taken name, an unknown tenant) name
 * the record instead, since callers may show them to clients.
 */
#ifndef SW_STORE_STORE_INT_H
#define SW_STORE_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The most write calls the writer runs in one transaction. */
#define SW_STORE_BATCH_MAX 4096

struct sw_store_ops {
    const char *name; /* "sqlite", "postgresql" */

    /* Open (creating and migrating if needed) the database at `where`: the
     * store's directory for SQLite, a postgresql:// URL for PostgreSQL.
     * Returns the backend's handle, or NULL. */
    void *(*open)(const char *where, sw_error_t *err);
    /* Finalize everything and close. Accepts NULL; keeps errno. */
    void (*close)(void *be);
    /* The database, for messages: a file, or a server and database (never
     * a password). */
    const char *(*location)(void *be);

    /* The writer's transaction. begin() starts one that may write (taking
     * the write lock, waiting a while for it); commit() returns 0 only once
     * the transaction is durable. rollback() ends a transaction after a
     * failure and does nothing when none is open. */
    int (*begin)(void *be, sw_error_t *err);
    int (*commit)(void *be, sw_error_t *err);
    void (*rollback)(void *be);

    /* One savepoint around each write call. rollback_to() undoes the call's
     * changes and ends the savepoint; it fails when the transaction itself
     * is gone (the database aborted it), and then the whole batch fails. */
    int (*savepoint)(void *be, sw_error_t *err);
    int (*release)(void *be, sw_error_t *err);
    int (*rollback_to)(void *be, sw_error_t *err);

    /* The writes (see store.h), inside a savepoint. Results go to the
     * arrays given (n entries each), never into the caller's records, so
     * that a call rolled back later leaves no trace. A job whose (tenant,
     * key) exists, also earlier in the same transaction, gets that id and
     * existed[i] = true when its spec_json is the same, and fails the call
     * with EEXIST when it is not. */
    int (*create_jobs)(void *be, const struct sw_store_job *jobs, size_t n, uint64_t *ids,
                       bool *existed, sw_error_t *err);
    int (*add_events)(void *be, const struct sw_store_event *ev, size_t n, uint64_t *seqs,
                      sw_error_t *err);
    int (*put_tenant)(void *be, const struct sw_store_tenant *t, sw_error_t *err);
    int (*put_token)(void *be, const struct sw_store_token *t, uint64_t *id, sw_error_t *err);
    int (*revoke_token)(void *be, uint64_t id, sw_error_t *err);

    /* Stream everything committed, from one consistent snapshot, in the
     * order store.h gives. */
    int (*load)(void *be, const struct sw_store_loader *l, void *arg, sw_error_t *err);
};

extern const struct sw_store_ops sw_store__sqlite_ops;
/* The PostgreSQL backend; in builds without libpq (SW_WITH_POSTGRES off) a
 * stand-in whose open fails saying so. */
extern const struct sw_store_ops sw_store__pg_ops;

/* The backend for `where`: PostgreSQL for a postgresql:// or postgres://
 * URL, else SQLite (a directory). */
const struct sw_store_ops *sw_store__ops_for(const char *where);

/* sw_store_open on the backend `ops` (which must outlive the store).
 * sw_store_open picks the backend by sw_store__ops_for; tests use this to
 * wrap one. */
struct sw_store *sw_store__open_ops(const struct sw_store_ops *ops, const char *where,
                                    sw_error_t *err);

/* Test hooks. While held, no caller leads a batch, so that a test
 * can line up several calls for one batch; sw_store__queued() counts the
 * calls waiting in the queue. */
void sw_store__hold(struct sw_store *st, bool hold);
size_t sw_store__queued(struct sw_store *st);
/* How long the PostgreSQL backend's open waits for its lock before
 * refusing (default 5000 ms; tests shorten it). */
extern long sw_store__pg_lock_wait_ms;

#endif
