/*
 * src/cli/main.c
 *
 * The pgpaimon binary: logging and signal setup, then dispatch to a command.
 */
#include "cli/commands.h"

int main(int argc, char **argv)
{
    return pmn_cli_main(argc, argv);
}
