/* include/podinit/prober.h — running a process's probes without ever
 * blocking the event loop: exec checks are child processes in their own
 * group (their result comes with their exit, and they are killed at their
 * timeout); httpGet and tcpSocket checks are the HTTP client's
 * (http_client.h), on the loop while they are in flight. Scheduling and
 * thresholds are probe.c's. */
#ifndef PODINIT_PROBER_H
#define PODINIT_PROBER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "podinit/config.h"
#include "podinit/hooks.h"
#include "podinit/http_client.h"
#include "podinit/loop.h"
#include "podinit/probe.h"

enum prober_kind { PROBER_STARTUP, PROBER_READINESS, PROBER_LIVENESS, PROBER_KINDS };

struct prober;

struct prober_slot {
    struct prober *owner; /* for the client's callback */
    enum prober_kind kind;
    const struct config_probe *cfg; /* NULL: not configured */
    struct probe_state st;
    pid_t pid;               /* an exec check in flight */
    pid_t abandoned_pid;     /* one killed (timed out, stopped), not yet reaped */
    struct http_client http; /* an httpGet or tcpSocket check in flight, when busy */
};

/* A result that changed: reported to the caller. */
typedef void prober_fn(void *ctx, enum prober_kind kind, enum probe_result result, const char *why);

struct prober {
    struct prober_slot slot[PROBER_KINDS];
    struct loop *loop;
    const struct hooks_context *exec_ctx; /* env, dir, signals for exec checks */
    prober_fn *on_change;
    void *ctx;
};

void prober_init(struct prober *pr, const struct config_process *p, struct loop *loop,
                 const struct hooks_context *exec_ctx, prober_fn *on_change, void *ctx);

bool prober_configured(const struct prober *pr, enum prober_kind kind);
enum probe_result prober_result(const struct prober *pr, enum prober_kind kind);

/* Begin probing kind at now (after its initial delay). */
void prober_start(struct prober *pr, enum prober_kind kind, int64_t now_ms);

/* Stop one probe, or every probe; checks in flight are killed or closed. */
void prober_stop(struct prober *pr, enum prober_kind kind);
void prober_stop_all(struct prober *pr);

/* "startup", "readiness", "liveness" */
const char *prober_kind_name(enum prober_kind kind);

/* Start the checks that are due; fail those past their timeout. */
void prober_tick(struct prober *pr, int64_t now_ms);

/* A reaped child: true when it was an exec check (its result recorded). */
bool prober_on_reaped(struct prober *pr, pid_t pid, int wait_status, int64_t now_ms);

/* The earliest time a probe needs the loop awake, or 0. */
int64_t prober_next_wakeup(const struct prober *pr);

#endif
