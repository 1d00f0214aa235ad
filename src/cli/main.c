/* main.c — entry point of `suanwang`: finds the subcommand in the command
 * table and runs it, in the style of git or nomad.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "util/version.h"


struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"agent", sw_cmd_agent, "run a site agent: register, take assignments, run and report them"},
    {"demo", sw_cmd_demo, "start a small Guangdong network on loopback and run a mixed workload"},
    {"server", sw_cmd_server, "run the controller: HTTP/JSON API, durable state, scheduling"},
    {"sim", sw_cmd_sim, "replay a workload trace through the scheduler and report metrics"},
    {"submit", sw_cmd_submit, "submit a job: a JSON job file, a Slurm batch script, or -- CMD"},
    {"jobs", sw_cmd_jobs, "list jobs: ID NAME STATE TASKS SITE SUBMITTED"},
    {"job", sw_cmd_job, "show one job: state, tasks, events, and why it is pending"},
    {"cancel", sw_cmd_cancel, "cancel jobs"},
    {"wait", sw_cmd_wait, "wait until jobs end: exit 0 completed, 1 failed, 3 timeout"},
    {"logs", sw_cmd_logs, "print a task's stdout or stderr; --follow until it ends"},
    {"sites", sw_cmd_sites, "list the sites: region, kind, capacity, use and queue"},
    {"top", sw_cmd_top, "live view of the network's sites and queue"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: suanwang <command> [options]\n\n"
               "suanwang (算网) schedules jobs over a network of compute centres.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-8s %s\n", "help", "show this help, or a command's: suanwang help sim");
    fprintf(f, "  %-8s %s\n", "version", "print the version");
    fprintf(f, "\nRun 'suanwang <command> --help' for a command's options.\n");
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* A command's status, or failure when its output could not be written
 * (a full disk, a closed pipe): scripts must not trust a silent loss. */
static int finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("suanwang: writing output");
        return status ? status : SW_EXIT_FAIL;
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SW_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
        if (argc > 2) {
            const struct command *c = find_command(argv[2]);
            if (c) {
                char *help_argv[] = {argv[2], "--help", NULL};
                return finish(c->run(2, help_argv));
            }
            fprintf(stderr, "suanwang: no command \"%s\"\n\n", argv[2]);
            usage(stderr);
            return SW_EXIT_USAGE;
        }
        usage(stdout);
        return finish(SW_EXIT_OK);
    }
    if (!strcmp(name, "version") || !strcmp(name, "--version")) {
        printf("suanwang %s\n", SW_VERSION_STRING);
        return finish(SW_EXIT_OK);
    }
    const struct command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "suanwang: unknown command \"%s\"\n\n", name);
        usage(stderr);
        return SW_EXIT_USAGE;
    }
    return finish(c->run(argc - 1, argv + 1));
}
