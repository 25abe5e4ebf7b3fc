/* src/core/pod_config.c — how the pod's lifecycles see the configuration. */
#include "podinit/pod.h"

#include <signal.h>

#include "podinit/hot.h"

PODINIT_HOT int pod_stop_request(const struct config *cfg, int signo) {
    if (signo < 1 || signo > 64)
        return 0;
    if (cfg->stop_signals & (UINT64_C(1) << (signo - 1)))
        return signo;
    for (size_t i = 0; i < config_count(cfg); i++)
        if (cfg->processes[i].stop_signal == signo)
            return SIGTERM;
    return 0;
}

/* How the lifecycle sees a configured hook: a postStart job without its
 * own timeout gets the default one; a preStop job lasts until the grace. */
static struct lifecycle_hook lifecycle_hook_of(const struct config_hook *h, bool post_start) {
    switch (h->kind) {
    case HOOK_SLEEP: return (struct lifecycle_hook){LC_HOOK_SLEEP, h->sleep_ms};
    case HOOK_EXEC:
    case HOOK_HTTP_GET:
        return (struct lifecycle_hook){LC_HOOK_JOB, h->timeout_ms > 0 ? h->timeout_ms
                                                    : post_start      ? CONFIG_POST_START_TIMEOUT_MS
                                                                      : 0};
    default: return (struct lifecycle_hook){LC_HOOK_ABSENT, 0};
    }
}

struct lifecycle_config pod_lifecycle_config(const struct config *cfg,
                                             const struct config_process *c) {
    enum lifecycle_role role = !c->init                      ? LC_ROLE_APP
                               : c->restart == RESTART_ALWAYS ? LC_ROLE_SIDECAR
                                                              : LC_ROLE_INIT_TASK;
    return (struct lifecycle_config){
        /* The drain keeps the processes serving; an init task serves
         * nothing, and a sidecar stops once they are gone. */
        .prestop_delay_ms = role == LC_ROLE_APP ? cfg->prestop_delay_ms : 0,
        .role = role,
        .grace_ms = cfg->grace_ms,
        .stop_signal = c->stop_signal,
        .post_start = lifecycle_hook_of(&c->post_start, true),
        .pre_stop = lifecycle_hook_of(&c->pre_stop, false),
        .restart = (enum lifecycle_restart)c->restart,
        .backoff_initial_ms = c->backoff_initial_ms,
        .backoff_max_ms = c->backoff_max_ms,
        .backoff_reset_ms = c->backoff_reset_ms,
        .backoff_limit = c->backoff_limit,
        .liveness_grace_ms = c->liveness.grace_ms,
        .startup_grace_ms = c->startup.grace_ms,
        .probes = (c->startup.present ? LC_PROBE_STARTUP : 0u) |
                  (c->readiness.present ? LC_PROBE_READINESS : 0u) |
                  (c->liveness.present ? LC_PROBE_LIVENESS : 0u),
    };
}
