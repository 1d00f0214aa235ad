/* bench_submit.c — the load generator of bench/submit.sh.
 *
 *   bench_submit http  -p PORT -t TOKEN [-h HOST] -c C -n N [-b B | -a T] [-o IDS]
 *       C client threads, each with its own keep-alive HTTP/1.1 connection
 *       (blocking sockets, TCP_NODELAY), together send N requests
 *       POST /v1/jobs, closed loop: a client sends its next request when the
 *       answer to the last one has arrived. A request is one job
 *       {"name":"bench","command":["/bin/true"]}, or with -b B a batch
 *       {"jobs":[B such jobs]}, or with -a T one job array {..., "tasks": T}.
 *       Only a 201 counts; the ids it returns are written to IDS, one a line.
 *       With -G PATH it sends GET PATH instead (a 200 counts): the cost of
 *       the HTTP layer alone, e.g. GET /healthz.
 *   bench_submit exec  -c K -n N [-a T] [-o IDS] -- COMMAND ARGS...
 *       K threads together run COMMAND N times (posix_spawn, stdout read
 *       through a pipe): for `sbatch --parsable`, and for curl. A run counts
 *       when it exits 0 and prints a number (the first one is the job id:
 *       IDS). -a T: each run submits a job array of T tasks (for tasks_per_s).
 *   bench_submit fsync -n N -d DIR
 *       N appends of 512 bytes to a file in DIR, each followed by fdatasync:
 *       what one durable commit costs on this disk at least.
 *
 * Prints one JSON object on stdout: requests, ok, errors, jobs, tasks,
 * seconds (wall time from the first request to the last answer), req_per_s,
 * jobs_per_s, tasks_per_s, latency percentiles in ms (p50, p90, p99, max,
 * mean: per request, send to whole answer), and client_cpu_s (this
 * program's own user + system CPU time, to show it is not the bottleneck).
 *
 * Build: cc -O2 -pthread -o bench_submit bench/bench_submit.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *host = "127.0.0.1";
static int port;
static const char *token = "";
static int clients = 1;
static long nreq = 1000;
static int batch;  /* jobs per request (0: a single job object) */
static long tasks; /* tasks of one job array (0: none) */
static const char *ids_path;
static const char *get_path; /* -G: GET this path instead (200 counts; no ids) */
static char **cmd_argv;

static atomic_long next_req;
static atomic_long nerrors;
static atomic_int errors_shown;
static int64_t *lat_ns;     /* per request; -1: failed */
static pthread_barrier_t go;
static int64_t t_start, t_end_max;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

struct ids {
    long *v;
    size_t n, cap;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static void ids_add(struct ids *ids, long id)
{
    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? ids->cap * 2 : 1024;
        ids->v = realloc(ids->v, ids->cap * sizeof(*ids->v));
        if (!ids->v)
            die("realloc");
    }
    ids->v[ids->n++] = id;
}

static void show_error(const char *what, const char *detail)
{
    atomic_fetch_add(&nerrors, 1);
    if (atomic_fetch_add(&errors_shown, 1) < 5)
        fprintf(stderr, "bench_submit: %s: %s\n", what, detail);
}

/* ---- HTTP -------------------------------------------------------------------- */

static int connect_to(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
    char ps[16];
    snprintf(ps, sizeof(ps), "%d", port);
    if (getaddrinfo(host, ps, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one response into *buf (grown as needed). Returns the status code and
 * sets *body / *blen, or -1 on a broken connection or an unframed answer.
 * *close_after: the server said Connection: close. */
static int read_response(int fd, char **buf, size_t *cap, const char **body, size_t *blen,
                         int *close_after)
{
    size_t len = 0, hdr_end = 0;
    long clen = -1;
    for (;;) {
        if (len + 4096 > *cap) {
            *cap = (*cap + 4096) * 2;
            *buf = realloc(*buf, *cap);
            if (!*buf)
                die("realloc");
        }
        ssize_t r = recv(fd, *buf + len, *cap - len - 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        len += (size_t)r;
        (*buf)[len] = '\0';
        if (!hdr_end) {
            char *e = strstr(*buf, "\r\n\r\n");
            if (!e)
                continue;
            hdr_end = (size_t)(e - *buf) + 4;
            *close_after = 0;
            for (char *l = strstr(*buf, "\r\n"); l && l < e; l = strstr(l + 2, "\r\n")) {
                if (!strncasecmp(l + 2, "Content-Length:", 15))
                    clen = strtol(l + 17, NULL, 10);
                else if (!strncasecmp(l + 2, "Connection:", 11) && strcasestr(l + 13, "close") &&
                         strcasestr(l + 13, "close") < strstr(l + 2, "\r\n"))
                    *close_after = 1;
            }
            if (clen < 0)
                return -1; /* the server always sends Content-Length */
        }
        if (hdr_end && len >= hdr_end + (size_t)clen)
            break;
    }
    int status = 0;
    if (sscanf(*buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    *body = *buf + hdr_end;
    *blen = (size_t)clen;
    return status;
}

/* The ids of a 201 body: {"id": N} or {"ids": [N, ...]}. */
static size_t parse_ids(const char *body, struct ids *ids)
{
    size_t n = 0;
    const char *p = strstr(body, "\"ids\"");
    if (p) {
        p = strchr(p, '[');
        if (!p)
            return 0;
        while (*p && *p != ']') {
            p++;
            while (*p == ' ')
                p++;
            if (*p >= '0' && *p <= '9') {
                char *e;
                ids_add(ids, strtol(p, &e, 10));
                n++;
                p = e;
            }
            while (*p && *p != ',' && *p != ']')
                p++;
        }
        return n;
    }
    p = strstr(body, "\"id\"");
    if (p && (p = strchr(p, ':'))) {
        ids_add(ids, strtol(p + 1, NULL, 10));
        n = 1;
    }
    return n;
}

static char *make_body(size_t *len)
{
    static const char job[] = "{\"name\":\"bench\",\"command\":[\"/bin/true\"]}";
    size_t cap = 64 + (size_t)(batch > 0 ? batch : 1) * (sizeof(job) + 1);
    char *b = malloc(cap);
    if (!b)
        die("malloc");
    if (tasks > 0) {
        *len = (size_t)snprintf(b, cap, "{\"name\":\"bench-array\",\"command\":[\"/bin/true\"],"
                                        "\"tasks\":%ld}", tasks);
    } else if (batch > 0) {
        size_t n = (size_t)snprintf(b, cap, "{\"jobs\":[");
        for (int i = 0; i < batch; i++)
            n += (size_t)snprintf(b + n, cap - n, "%s%s", i ? "," : "", job);
        n += (size_t)snprintf(b + n, cap - n, "]}");
        *len = n;
    } else {
        *len = (size_t)snprintf(b, cap, "%s", job);
    }
    return b;
}

static void *http_client(void *arg)
{
    struct ids *ids = arg;
    size_t blen;
    char *body = make_body(&blen);
    size_t hcap = 512 + strlen(token) + strlen(host);
    char *req = malloc(hcap + blen);
    if (!req)
        die("malloc");
    int hlen;
    if (get_path) {
        hcap += strlen(get_path);
        free(req);
        req = malloc(hcap);
        if (!req)
            die("malloc");
        hlen = snprintf(req, hcap, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n\r\n",
                        get_path, host, port, token);
        blen = 0;
    } else {
        hlen = snprintf(req, hcap,
                        "POST /v1/jobs HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\n"
                        "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                        host, port, token, blen);
        memcpy(req + hlen, body, blen);
    }
    size_t rlen = (size_t)hlen + blen;
    char *buf = NULL;
    size_t cap = 0;
    int fd = connect_to();
    if (fd < 0)
        die("connect");
    pthread_barrier_wait(&go);
    for (;;) {
        long i = atomic_fetch_add(&next_req, 1);
        if (i >= nreq)
            break;
        if (fd < 0 && (fd = connect_to()) < 0)
            die("reconnect");
        int64_t t0 = now_ns();
        const char *rb;
        size_t rbl;
        int close_after = 0;
        int st = write_all(fd, req, rlen) < 0
                     ? -1
                     : read_response(fd, &buf, &cap, &rb, &rbl, &close_after);
        int64_t t1 = now_ns();
        if (get_path && st == 200) {
            lat_ns[i] = t1 - t0;
        } else if (!get_path && st == 201) {
            lat_ns[i] = t1 - t0;
            size_t want = batch > 0 ? (size_t)batch : 1;
            if (parse_ids(rb, ids) != want)
                show_error("a 201 without the ids expected", rb);
        } else {
            lat_ns[i] = -1;
            if (st < 0)
                show_error("connection broken or answer unframed", "");
            else
                show_error("unexpected answer", buf);
        }
        if (st < 0 || close_after) {
            close(fd);
            fd = -1;
        }
        pthread_mutex_lock(&mu);
        if (t1 > t_end_max)
            t_end_max = t1;
        pthread_mutex_unlock(&mu);
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    free(req);
    free(body);
    return NULL;
}

/* ---- exec -------------------------------------------------------------------- */

static void *exec_worker(void *arg)
{
    struct ids *ids = arg;
    char out[4096];
    pthread_barrier_wait(&go);
    for (;;) {
        long i = atomic_fetch_add(&next_req, 1);
        if (i >= nreq)
            break;
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
            die("pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        int64_t t0 = now_ns();
        pid_t pid;
        int rc = posix_spawnp(&pid, cmd_argv[0], &fa, NULL, cmd_argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(pfd[1]);
        if (rc != 0) {
            errno = rc;
            die(cmd_argv[0]);
        }
        size_t len = 0;
        ssize_t r;
        while ((r = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0 ||
               (r < 0 && errno == EINTR))
            if (r > 0)
                len += (size_t)r;
        out[len] = '\0';
        close(pfd[0]);
        int ws;
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
            ;
        int64_t t1 = now_ns();
        char *s = out + strcspn(out, "0123456789"), *e; /* sbatch: 12; curl: {"id":12} */
        long id = strtol(s, &e, 10);
        if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && e != s) {
            lat_ns[i] = t1 - t0;
            ids_add(ids, id);
        } else {
            lat_ns[i] = -1;
            show_error("command failed or printed no id", out);
        }
        pthread_mutex_lock(&mu);
        if (t1 > t_end_max)
            t_end_max = t1;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

/* ---- fsync ------------------------------------------------------------------- */

static void run_fsync(const char *dir)
{
    char path[4096], blk[512];
    snprintf(path, sizeof(path), "%s/bench_fsync.tmp", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        die(path);
    memset(blk, 'x', sizeof(blk));
    for (long i = 0; i < nreq; i++) {
        int64_t t0 = now_ns();
        if (write(fd, blk, sizeof(blk)) != (ssize_t)sizeof(blk) || fdatasync(fd) < 0)
            die("write/fdatasync");
        lat_ns[i] = now_ns() - t0;
    }
    close(fd);
    unlink(path);
}

/* ---- report ------------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted v[0..n). */
static double pct_ms(const int64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)(p * (double)n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return (double)v[k - 1] / 1e6;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_submit http -p PORT -t TOKEN [-h HOST] [-c C] [-n N] [-b B | -a T] "
            "[-o IDS]\n"
            "       bench_submit http -p PORT -t TOKEN -G PATH [-c C] [-n N]\n"
            "       bench_submit exec [-c K] [-n N] [-a T] [-o IDS] -- COMMAND ARGS...\n"
            "       bench_submit fsync [-n N] -d DIR\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    const char *dir = ".";
    int c;
    optind = 2;
    while ((c = getopt(argc, argv, "h:p:t:c:n:b:a:o:d:G:")) != -1) {
        switch (c) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 't': token = optarg; break;
        case 'c': clients = atoi(optarg); break;
        case 'n': nreq = atol(optarg); break;
        case 'b': batch = atoi(optarg); break;
        case 'a': tasks = atol(optarg); break;
        case 'o': ids_path = optarg; break;
        case 'd': dir = optarg; break;
        case 'G': get_path = optarg; break;
        default: usage();
        }
    }
    if (clients < 1 || nreq < 1 || batch < 0 || tasks < 0 || (batch && tasks))
        usage();
    lat_ns = calloc((size_t)nreq, sizeof(*lat_ns));
    if (!lat_ns)
        die("calloc");
    int is_http = !strcmp(mode, "http"), is_exec = !strcmp(mode, "exec");
    if (!strcmp(mode, "fsync")) {
        clients = 1;
        t_start = now_ns();
        run_fsync(dir);
        t_end_max = now_ns();
    } else if (is_http || is_exec) {
        if (is_http && port <= 0)
            usage();
        if (is_exec) {
            if (optind >= argc)
                usage();
            cmd_argv = argv + optind;
        }
        pthread_t *th = calloc((size_t)clients, sizeof(*th));
        struct ids *ids = calloc((size_t)clients, sizeof(*ids));
        if (!th || !ids)
            die("calloc");
        pthread_barrier_init(&go, NULL, (unsigned)clients + 1);
        for (int i = 0; i < clients; i++)
            if (pthread_create(&th[i], NULL, is_http ? http_client : exec_worker, &ids[i]) != 0)
                die("pthread_create");
        pthread_barrier_wait(&go);
        t_start = now_ns();
        for (int i = 0; i < clients; i++)
            pthread_join(th[i], NULL);
        if (ids_path) {
            FILE *f = fopen(ids_path, "w");
            if (!f)
                die(ids_path);
            for (int i = 0; i < clients; i++)
                for (size_t k = 0; k < ids[i].n; k++)
                    fprintf(f, "%ld\n", ids[i].v[k]);
            if (fclose(f) != 0)
                die(ids_path);
        }
        for (int i = 0; i < clients; i++)
            free(ids[i].v);
        free(ids);
        free(th);
    } else {
        usage();
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;

    size_t ok = 0;
    double sum = 0;
    for (long i = 0; i < nreq; i++)
        if (lat_ns[i] >= 0)
            lat_ns[ok++] = lat_ns[i], sum += (double)lat_ns[i];
    qsort(lat_ns, ok, sizeof(*lat_ns), cmp_i64);
    double secs = (double)(t_end_max - t_start) / 1e9;
    long per = is_http ? (tasks > 0 ? 1 : (batch > 0 ? batch : 1)) : 1;
    long tper = tasks > 0 ? tasks : 1;
    double jobs = (double)ok * (double)per, ntasks = jobs * (double)tper;
    printf("{\"mode\":\"%s\",\"clients\":%d,\"batch\":%d,\"array_tasks\":%ld,"
           "\"requests\":%ld,\"ok\":%zu,\"errors\":%ld,\"jobs\":%.0f,\"tasks\":%.0f,"
           "\"seconds\":%.4f,\"req_per_s\":%.1f,\"jobs_per_s\":%.1f,\"tasks_per_s\":%.1f,"
           "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f,"
           "\"client_cpu_s\":%.3f}\n",
           mode, clients, batch, tasks, nreq, ok, (long)atomic_load(&nerrors), jobs, ntasks, secs,
           secs > 0 ? (double)ok / secs : 0, secs > 0 ? jobs / secs : 0,
           secs > 0 ? ntasks / secs : 0, pct_ms(lat_ns, ok, 0.50), pct_ms(lat_ns, ok, 0.90),
           pct_ms(lat_ns, ok, 0.99), ok ? (double)lat_ns[ok - 1] / 1e6 : 0,
           ok ? sum / (double)ok / 1e6 : 0, cpu);
    free(lat_ns);
    return atomic_load(&nerrors) ? 1 : 0;
}
