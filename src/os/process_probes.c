/* src/os/process_probes.c — a process's probes: started and stopped as its
 * lifecycle asks, their changes logged and posted to the pod, their
 * results read back by the pod's rules. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "podinit/exit_code.h"
#include "podinit/log.h"
#include "podinit/process.h"

/* The lifecycle's bit for each of the prober's kinds. */
static const unsigned probe_bits[PROBER_KINDS] = {LC_PROBE_STARTUP, LC_PROBE_READINESS,
                                                  LC_PROBE_LIVENESS};

/* A probe's result changed: logged; the lifecycle decides what it means
 * (the startup probe's opens the others; a failed liveness or startup
 * probe stops the process). Readiness only feeds the health endpoint. */
static void on_probe_change(void *ctx, enum prober_kind kind, enum probe_result r,
                            const char *why) {
    struct proc *p = ctx;
    const char *name = prober_kind_name(kind);
    char pre[80];
    process_prefix(p, pre, sizeof pre);
    struct log_fields lf = *PROCESS_LOG_FIELDS(p, .event = r == PROBE_PASSING ? "probe_passing" : "probe_failing",
                            .child = p->pid);
    bool ok = r == PROBE_PASSING;
    if (!ok)
        p->probe_failures[kind]++;
    if (ok)
        log_event(LOG_INFO, &lf, "%s%s probe passing (%s)", pre, name, why);
    else if (kind == PROBER_READINESS)
        log_event(LOG_WARN, &lf, "%sreadiness probe failing (%s): not ready", pre, why);
    else
        log_event(LOG_WARN, &lf, "%s%s probe failed (%s): stopping the process", pre, name, why);
    pod_post(p->sh->pod, p->index,
             (struct lifecycle_event){.kind = EV_PROBE_RESULT, .probe = probe_bits[kind], .ok = ok});
}

/* Now, not once the loop runs: a start that fails before then still stops
 * the probes (prober_stop_all), and finds no socket open. */
int process_probes_init(struct proc *p) {
    p->prober = calloc(1, sizeof *p->prober);
    if (p->prober == NULL) {
        log_msg(LOG_ERROR, "probes: %s", strerror(ENOMEM));
        return CLI_EXIT_INTERNAL;
    }
    prober_init(p->prober, p->cfg, p->sh->loop, &p->ctx, on_probe_change, p);
    return 0;
}

/* ACT_PROBES: run the probes the lifecycle asks for, stop the others. */
void process_set_probes(struct proc *p, unsigned want) {
    if (p->prober == NULL)
        return;
    int64_t now = loop_now_ms();
    for (int k = 0; k < PROBER_KINDS; k++) {
        if (want & probe_bits[k])
            prober_start(p->prober, (enum prober_kind)k, now);
        else
            prober_stop(p->prober, (enum prober_kind)k);
    }
}

struct pod_probes process_probes(const struct proc *p) {
    struct pod_probes pr = {0, 0, 0};
    if (p->prober == NULL)
        return pr;
    for (int k = 0; k < PROBER_KINDS; k++) {
        if (!prober_configured(p->prober, (enum prober_kind)k))
            continue;
        enum probe_result r = prober_result(p->prober, (enum prober_kind)k);
        pr.configured |= probe_bits[k];
        pr.passing |= r == PROBE_PASSING ? probe_bits[k] : 0u;
        pr.failing |= r == PROBE_FAILING ? probe_bits[k] : 0u;
    }
    return pr;
}
