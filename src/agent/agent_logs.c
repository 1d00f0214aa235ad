/* agent_logs.c — the log shipper: sends what each attempt wrote to its
 * stdout and stderr files, from the offset the controller has, in chunks of
 * at most 1 MiB (POST /v1/agent/logs, docs/agent-protocol.md).
 *
 * Once a second (and at once when an attempt ends) it looks at every
 * attempt's files. A 409 answer with the controller's size (X-Log-Size)
 * moves the offset there and the shipping resumes from it; a 409 without one
 * (not the current attempt) or another refusal ends the shipping of that
 * attempt. When an attempt has ended and its files are shipped to the end,
 * its final event is queued, so the controller never marks an attempt's log
 * complete while some of it is still on the way.
 */
#include "agent/agent_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_MAX ((size_t)1 << 20)
#define LOGS_TIMEOUT_MS 30000L
#define CYCLE_MS 1000

enum ship_result {
    SHIP_DONE,      /* everything in the file is shipped */
    SHIP_MORE,      /* try again in the next cycle */
    SHIP_REFUSED,   /* the controller does not want this attempt's logs */
    SHIP_OFFLINE,   /* the controller cannot be reached */
};

static const char *const stream_name[2] = {"stdout", "stderr"};

static enum ship_result ship_stream(struct sw_agent_client *c, struct sw__attempt *at, int s,
                                    char *buf, char *error, size_t errlen)
{
    if (!at->paths[s])
        return SHIP_DONE;
    int fd = open(at->paths[s], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? SHIP_DONE : SHIP_MORE;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return SHIP_MORE;
    }
    enum ship_result res = SHIP_DONE;
    while (at->shipped[s] < (int64_t)st.st_size) {
        size_t want = (size_t)((int64_t)st.st_size - at->shipped[s]);
        if (want > CHUNK_MAX)
            want = CHUNK_MAX;
        ssize_t n = pread(fd, buf, want, (off_t)at->shipped[s]);
        if (n <= 0) {
            res = SHIP_MORE;
            break;
        }
        char path[256];
        snprintf(path, sizeof(path),
                 "/v1/agent/logs?job=%lld&task=%lld&attempt=%lld&fence=%lld&stream=%s"
                 "&offset=%lld",
                 (long long)at->key.job, (long long)at->key.task, (long long)at->key.attempt,
                 (long long)at->key.fence, stream_name[s], (long long)at->shipped[s]);
        struct sw_agent_reply r;
        int rc = sw_agent_client_post_bytes(c, path, buf, (size_t)n, LOGS_TIMEOUT_MS, &r);
        if (rc == 0) {
            at->shipped[s] += n;
        } else if (r.status == 409 && r.log_size >= 0 && r.log_size != at->shipped[s]) {
            at->shipped[s] = r.log_size; /* resume from what the controller has */
        } else {
            snprintf(error, errlen, "%s", r.error);
            res = r.status == 0                     ? SHIP_OFFLINE
                  : r.status == 409 || (r.status >= 400 && r.status < 500 && r.status != 401 &&
                                        r.status != 403 && r.status != 429)
                      ? SHIP_REFUSED
                      : SHIP_MORE;
        }
        sw_agent_reply_clear(&r);
        if (res != SHIP_DONE)
            break;
    }
    close(fd);
    return res;
}

void *sw__logs_main(void *arg)
{
    struct sw_agent *a = arg;
    struct sw_agent_client *c = sw_agent_client_new(a->server, a->token, &a->abort_all, NULL);
    char *buf = malloc(CHUNK_MAX);
    struct sw__attempt **batch = NULL;
    bool *was_ended = NULL;
    size_t cap = 0;
    int64_t next = 0;
    pthread_mutex_lock(&a->mu);
    while (c && buf && !a->finishing) {
        int64_t now = sw_agent_mono_ms();
        if (!a->logs_kick && now < next) {
            sw__agent_wait_ms(a, next - now);
            continue;
        }
        a->logs_kick = false;
        next = now + CYCLE_MS;
        if (!a->connected)
            continue;
        /* the attempts to look at; logs_busy keeps each alive meanwhile */
        size_t n = 0;
        for (struct sw__attempt *at = a->attempts; at; at = at->next)
            n++;
        if (n > cap) {
            struct sw__attempt **nb = realloc(batch, n * 2 * sizeof(*nb));
            bool *ne = realloc(was_ended, n * 2 * sizeof(*ne));
            if (nb)
                batch = nb;
            if (ne)
                was_ended = ne;
            if (nb && ne)
                cap = n * 2;
        }
        n = 0;
        for (struct sw__attempt *at = a->attempts; at && n < cap; at = at->next) {
            if (!at->started || at->stopped || at->final_queued)
                continue;
            at->logs_busy = true;
            was_ended[n] = at->ended;
            batch[n++] = at;
        }
        pthread_mutex_unlock(&a->mu);

        bool offline = false;
        char error[512] = "";
        enum ship_result res[2];
        for (size_t i = 0; i < n; i++) {
            struct sw__attempt *at = batch[i];
            for (int s = 0; s < 2; s++) {
                res[s] = at->logs_refused || offline
                             ? (offline ? SHIP_MORE : SHIP_REFUSED)
                             : ship_stream(c, at, s, buf, error, sizeof(error));
                if (res[s] == SHIP_OFFLINE) {
                    offline = true;
                    res[s] = SHIP_MORE;
                }
                if (res[s] == SHIP_REFUSED)
                    at->logs_refused = true;
            }
            was_ended[i] = was_ended[i] && !offline &&
                           (at->logs_refused || (res[0] == SHIP_DONE && res[1] == SHIP_DONE));
        }

        pthread_mutex_lock(&a->mu);
        if (offline)
            sw__agent_lost_contact(a, error);
        for (size_t i = 0; i < n; i++) {
            struct sw__attempt *at = batch[i];
            at->logs_busy = false;
            if (at->stopped) {
                if (!at->starting)
                    sw__attempt_forget(a, at);
                continue;
            }
            if (was_ended[i] && !at->final_queued) {
                at->final_queued = true;
                json_t *ev = sw__event_final(&at->end);
                if (ev) {
                    sw__event_push(a, &at->key, ev, true);
                } else {
                    at->stopped = true;
                    sw__attempt_forget(a, at);
                }
            }
        }
    }
    pthread_mutex_unlock(&a->mu);
    free(batch);
    free(was_ended);
    free(buf);
    sw_agent_client_free(c);
    return NULL;
}
