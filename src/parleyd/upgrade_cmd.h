#ifndef PARLEYD_UPGRADE_CMD_H
#define PARLEYD_UPGRADE_CMD_H

#include <sys/types.h>

/*
 * parleyd --upgrade PID: send PID SIGUSR2 and wait (UPGRADE_CMD_WAIT_MS at most) for
 * the outcome: PID gone and the new process it started running (exit 0, "parleyd:
 * upgraded: process NEW serves now"), or PID still serving because the new process
 * failed or the time ran out (exit 1, the reason in one line; PID's log says more).
 */
#define UPGRADE_CMD_WAIT_MS	30000

int	upgrade_cmd(pid_t pid);

#endif
