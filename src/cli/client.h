/* client.h — the user commands' client of the controller's HTTP/JSON API
 * (docs/cli.md#connecting): finds the server and the token, makes requests
 * over libcurl, and turns failures into one clear line.
 *
 * Where the settings come from, first found wins, each setting on its own:
 *   server: --server URL, env SUANWANG_SERVER, the config file's "server",
 *           else http://127.0.0.1:8080;
 *   token:  --token TOKEN, env SUANWANG_TOKEN, the config file's "token" or
 *           "token_file", else none (the server then answers 401).
 * The config file is $SUANWANG_CONFIG, else $XDG_CONFIG_HOME/suanwang/config,
 * else ~/.config/suanwang/config: lines "key = value", '#' comments.
 *
 * Every command takes the same connection options; SW_CLIENT_LONG_OPTIONS
 * goes into its getopt_long table and sw_client_take_option() handles them.
 */
#ifndef SW_CLI_CLIENT_H
#define SW_CLI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "util/error.h"

#define SW_CLIENT_DEFAULT_SERVER "http://127.0.0.1:8080"
#define SW_CLIENT_BODY_MAX ((size_t)64 << 20) /* a response above this is refused */

/* The getopt_long codes of the options every user command takes. */
enum sw_client_opt {
    SW_OPT_SERVER = 1000,
    SW_OPT_TOKEN,
    SW_OPT_JSON,
};

#define SW_CLIENT_LONG_OPTIONS                                                                   \
    {"server", required_argument, NULL, SW_OPT_SERVER},                                          \
        {"token", required_argument, NULL, SW_OPT_TOKEN},                                        \
        {"json", no_argument, NULL, SW_OPT_JSON}, {"help", no_argument, NULL, 'h'}

/* The help lines of those options, for the commands' --help. */
#define SW_CLIENT_OPTIONS_HELP                                                                   \
    "  --server URL     the controller (env SUANWANG_SERVER; default " SW_CLIENT_DEFAULT_SERVER   \
    ")\n"                                                                                        \
    "  --token TOKEN    API token (env SUANWANG_TOKEN; or token/token_file in\n"                 \
    "                   ~/.config/suanwang/config)\n"                                            \
    "  --json           print the server's JSON instead of a table\n"                            \
    "  -h, --help       this help\n"

/* What the command line said; NULL/false where it said nothing. The
 * strings point into argv and must outlive the client. */
struct sw_client_opts {
    const char *server;
    const char *token;
    bool json;
};

/* Print "suanwang CMD: MESSAGE" and the --help hint to stderr; returns
 * SW_EXIT_USAGE (2). */
int sw_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse the options of a command that takes only the connection options
 * and -h/--help. Returns -1 to go on (its operands start at optind), else
 * the exit status to return: 0 after printing `usage` to stdout, 2 after
 * a usage error naming the option. */
int sw_client_parse_simple(int argc, char **argv, const char *cmd, void (*usage)(FILE *),
                           struct sw_client_opts *co);

/* Handle one of the options above: returns 1 when `c` was one (and stored
 * it in `o`), 0 when it is not a connection option. */
int sw_client_take_option(int c, const char *arg, struct sw_client_opts *o);

struct sw_client {
    char *server;      /* base URL, without a trailing '/'; owned */
    char *token;       /* NULL when none was found; owned */
    char origin[1024]; /* where the token came from, for 401 hints: "--token",
                          "SUANWANG_TOKEN", "CONFIG" or "" (none) */
    void *curl;        /* CURL *, reused across requests (keep-alive) */
    char curl_err[256];
};

/* A response: any HTTP status. */
struct sw_client_resp {
    long status;
    char *body;        /* the bytes of the body, NUL-terminated; owned */
    size_t len;
    json_t *json;      /* the body parsed when it is JSON, else NULL; owned */
    int64_t log_size;  /* the X-Log-Size header, -1 when absent */
    bool log_complete; /* X-Log-Complete: true */
    int64_t log_attempt; /* X-Log-Attempt: the attempt the log is of; -1 absent */
};

/* Resolve the server and token (flags, env, config file: above) and set
 * up libcurl. Returns 0, or -1 with a message (a bad config file names
 * its file and line; a bad URL says what is wrong). The caller releases
 * the client with sw_client_close() in both cases. */
int sw_client_open(struct sw_client *c, const struct sw_client_opts *o, sw_error_t *err);

/* Release everything; accepts a zeroed or half-opened client. */
void sw_client_close(struct sw_client *c);

/* One request: METHOD server+path (path starts with '/' and may carry a
 * query), with a JSON body when `body` is not NULL and an Idempotency-Key
 * header when `idem_key` is not NULL. Returns 0 when an HTTP response came
 * back, whatever its status (then `r` owns a body to free with
 * sw_client_resp_free()); -1 with a message when none did: "cannot reach
 * the controller at URL: Connection refused — is `suanwang server`
 * running? ...". `r` is zeroed first. */
int sw_client_call(struct sw_client *c, const char *method, const char *path, const char *body,
                   const char *idem_key, struct sw_client_resp *r, sw_error_t *err);

/* sw_client_call() that also fails for a status other than 2xx, with the
 * server's error formatted by sw_client_resp_error(). */
int sw_client_call_ok(struct sw_client *c, const char *method, const char *path,
                      const char *body, const char *idem_key, struct sw_client_resp *r,
                      sw_error_t *err);

/* Describe an error response: "MESSAGE (field: F)" from the server's error
 * JSON, with a hint for 401 ("set --token or SUANWANG_TOKEN, …") and the
 * status for a body that is not the API's error object. Returns -1. */
int sw_client_resp_error(const struct sw_client *c, const struct sw_client_resp *r,
                         sw_error_t *err);

/* `s` escaped for a URL query (malloc'd; NULL on ENOMEM). */
char *sw_client_escape(struct sw_client *c, const char *s);

/* Free the body and JSON of a response; zeroes it. Accepts NULL. */
void sw_client_resp_free(struct sw_client_resp *r);

/* Print a response body exactly as the server sent it (for --json), with a
 * final newline if it had none. Returns 0, or -1 when stdout fails. */
int sw_client_print_body(const struct sw_client_resp *r, FILE *out);

/* Read the config file into `server` and `token` (each may be NULL to
 * skip). `path` NULL means the default place; a missing default file is
 * not an error (the outputs stay unset: empty strings). Exposed for tests. */
int sw_client_read_config(const char *path, char *server, size_t server_n, char *token,
                          size_t token_n, char *used_path, size_t used_n, sw_error_t *err);

#endif
