/* Host: command-line parsing and dispatch. Exit codes: 0 success, 1 runtime
 * failure, 2 usage or configuration error, 130 interrupted. */
#ifndef GN_HOST_CLI_H
#define GN_HOST_CLI_H

#include <ganglion/error.h>

int gn_cli_main(int argc, char **argv);
int gn_cli_exit_code(gn_status st);

#endif
