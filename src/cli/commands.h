/* commands.h — the subcommands of the `suanwang` binary. Each takes the
 * arguments after its name (argv[0] is the command name) and returns the
 * process exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef SW_CLI_COMMANDS_H
#define SW_CLI_COMMANDS_H

#define SW_EXIT_OK 0
#define SW_EXIT_FAIL 1
#define SW_EXIT_USAGE 2

int sw_cmd_sim(int argc, char **argv);
int sw_cmd_server(int argc, char **argv);
int sw_cmd_demo(int argc, char **argv);
int sw_cmd_agent(int argc, char **argv);
int sw_cmd_submit(int argc, char **argv);
int sw_cmd_jobs(int argc, char **argv);
int sw_cmd_job(int argc, char **argv);
int sw_cmd_cancel(int argc, char **argv);
int sw_cmd_wait(int argc, char **argv);
int sw_cmd_logs(int argc, char **argv);
int sw_cmd_sites(int argc, char **argv);
int sw_cmd_top(int argc, char **argv);

#endif
