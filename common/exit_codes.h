/* SPDX-License-Identifier: MIT */
/*
 * The exit statuses the tools share, as a shell reports them: a setup or
 * usage error, a command that cannot be run or is not found, and 128+N when
 * the command (or the tool) was killed by signal N.
 */
#ifndef LG_COMMON_EXIT_CODES_H
#define LG_COMMON_EXIT_CODES_H

#define EXIT_SETUP	 2 /* bad usage, or setting up failed */
#define EXIT_USAGE	 EXIT_SETUP
#define EXIT_NOEXEC	 126 /* the command exists but cannot be executed */
#define EXIT_NOTFOUND	 127 /* the command is not found */
#define EXIT_SIGNAL_BASE 128 /* + the signal number */

#endif
