/* include/podinit/termination.h — the termination message: what Kubernetes
 * reads from a container's terminationMessagePath when it ends, so that
 * `kubectl describe pod` says why. One line, at most
 * TERMINATION_MESSAGE_MAX bytes: which process, what happened to it, how
 * its main process ended, whether the grace period ran out, and the exit
 * code. Pure (termination.c); writing the file is termination_log.c. */
#ifndef PODINIT_TERMINATION_H
#define PODINIT_TERMINATION_H

#include <stddef.h>

#include "podinit/pod.h"

/* The kubelet's own limit for the file. */
#define TERMINATION_MESSAGE_MAX 4096

/* Kubernetes' default terminationMessagePath. */
#define TERMINATION_DEFAULT_PATH "/dev/termination-log"

/* The message for pod, once done, exiting with exit_code; name: what the
 * process that speaks for the container (pod_cause) is called. Writes at
 * most cap bytes (a line ending in '\n', cut short if it must be) and
 * returns its length. */
size_t termination_message(const struct pod *pod, const char *name, int exit_code, char *buf,
                           size_t cap);

/* Writes the message to path when that file exists (as the kubelet mounts
 * it; nothing is created), without ever blocking; path NULL or "": none.
 * A failure is logged, never fatal. */
void termination_log_write(const char *path, const char *msg, size_t len);

#endif
