/* controller.h — `suanwang server`: the one process the whole network talks
 * to. It owns the durable store, rebuilds its state from it at start, runs
 * the scheduling core over the network's pools on a scheduling thread, and
 * serves the HTTP/JSON API (api.c).
 *
 * Live state is in memory and guarded by one mutex; every acknowledged
 * change is in the store first (group-committed), so a restart — even after
 * SIGKILL — loses nothing that was acknowledged.
 */
#ifndef SW_SERVER_CONTROLLER_H
#define SW_SERVER_CONTROLLER_H

#include <stdint.h>

#include "core/sched.h"
#include "util/error.h"

struct sw_controller_config {
    const char *data_dir;     /* DIR: DIR/admin.token, and DIR/suanwang.db unless `store` */
    const char *store;        /* NULL, or where the state is: a postgresql:// URL, or
                                 another directory (sw_store_open) */
    const char *listen;       /* "127.0.0.1:8080" */
    const char *network;      /* NET.json, or NULL: this machine as one site */
    enum sw_policy policy;    /* per pool; default easy */
    int64_t tick_ms;          /* scheduling loop period; default 200 */
    int64_t heartbeat_timeout_s; /* an agent silent this long is lost; default 30 */
    bool quiet;               /* no start-up lines on stdout */
};

struct sw_controller;

/* Open the store (cfg->store, else DIR), load the network, rebuild the
 * state, make sure an admin token exists (creating DIR/admin.token, mode
 * 0600, on first start), start the scheduling thread and the HTTP server.
 * Returns NULL with a message. */
struct sw_controller *sw_controller_start(const struct sw_controller_config *cfg,
                                          sw_error_t *err);

/* The port the API listens on. */
uint16_t sw_controller_port(const struct sw_controller *c);

/* Where the durable state is, for messages (sw_store_location). */
const char *sw_controller_store(const struct sw_controller *c);

/* Stop serving, finish requests and writes in flight, close. Accepts NULL. */
void sw_controller_stop(struct sw_controller *c);

#endif
