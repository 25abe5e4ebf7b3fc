/* src/core/pod.c — several processes as one container (docs/lifecycle.md,
 * "Several processes"). Each process has its own lifecycle; the pod feeds
 * them one event at a time, in order, so a lifecycle is never re-entered
 * while the shell carries out its actions, and adds the rules that span
 * processes. Pure: no clock, no system call. */
#include "podinit/pod.h"

#include <signal.h>

void pod_init(struct pod *pod, struct pod_process *procs, const struct lifecycle_config *cfgs,
              size_t n, struct pod_item *queue, size_t queue_cap) {
    *pod = (struct pod){
        .procs = procs, .n = n, .queue = queue, .queue_cap = queue_cap, .cause = -1};
    for (size_t i = 0; i < n; i++) {
        procs[i] = (struct pod_process){.exit_pending = false};
        lifecycle_init(&procs[i].lc, &cfgs[i]);
    }
}

static void enqueue(struct pod *pod, int proc, struct lifecycle_event ev) {
    if (pod->len == pod->queue_cap) {
        pod->dropped++;
        return;
    }
    pod->queue[(pod->head + pod->len++) % pod->queue_cap] = (struct pod_item){proc, ev};
}

void pod_post(struct pod *pod, size_t proc, struct lifecycle_event ev) {
    if (proc < pod->n)
        enqueue(pod, (int)proc, ev);
}

void pod_post_all(struct pod *pod, struct lifecycle_event ev) {
    for (size_t i = 0; i < pod->n; i++)
        enqueue(pod, (int)i, ev);
}

/* The container stops because of procs[cause] (cause >= 0) or a stop
 * signal: the others are stopped at once, with no drain. */
static void begin_shutdown(struct pod *pod, int cause) {
    pod->shutdown = true;
    pod->cause = cause;
    if (cause < 0)
        return;
    for (size_t i = 0; i < pod->n; i++)
        if ((int)i != cause)
            enqueue(pod, (int)i, (struct lifecycle_event){.kind = EV_SHUTDOWN_NOW});
}

void pod_stop_signal(struct pod *pod, int signo) {
    if (!pod->shutdown)
        begin_shutdown(pod, -1);
    pod_post_all(pod, (struct lifecycle_event){.kind = EV_STOP_SIGNAL, .signo = signo});
    /* Every process is gone and what is left was asked to stop: a stop
     * signal now is for what is left, as the first one was. */
    if (pod->left_asked)
        enqueue(pod, -1, (struct lifecycle_event){.kind = EV_STOP_SIGNAL, .signo = signo});
}

void pod_exited(struct pod *pod, size_t proc, int status) {
    if (proc >= pod->n)
        return;
    pod->procs[proc].exit_pending = true;
    pod->procs[proc].exit_status = status;
}

void pod_end_round(struct pod *pod, bool timer_due, bool none_left) {
    pod->round = POD_ROUND_EXITS;
    pod->timer_due = timer_due;
    pod->none_left = none_left;
}

/* A lifecycle's actions, as the pod passes them on: the grace period's
 * SIGKILL to everything, and the give-up after it, are said once however
 * many processes reach their deadline. */
static size_t pass_on(struct pod *pod, size_t proc, const struct lifecycle_action *acts, size_t n,
                      struct pod_action *out, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        if (acts[i].kind == ACT_KILL_ALL) {
            if (pod->killed_all)
                continue;
            pod->killed_all = true;
        }
        if (acts[i].kind == ACT_GIVE_UP && !acts[i].restart_abandoned) {
            if (pod->gave_up)
                continue;
            pod->gave_up = true;
        }
        out[k++] = (struct pod_action){.kind = POD_ACT_PROCESS, .proc = proc, .act = acts[i]};
    }
    return k;
}

static size_t feed(struct pod *pod, struct pod_item item, int64_t now, struct pod_action *out,
                   size_t cap) {
    if (item.proc < 0) {
        out[0] = (struct pod_action){.kind = POD_ACT_ASK_WHAT_IS_LEFT, .signo = item.ev.signo};
        return 1;
    }
    size_t i = (size_t)item.proc;
    struct lifecycle *lc = &pod->procs[i].lc;
    struct lifecycle_action acts[POD_MAX_ACTIONS];
    size_t n = lifecycle_step(lc, &item.ev, now, acts, POD_MAX_ACTIONS);
    n = pass_on(pod, i, acts, n, out, cap);
    /* A process that stops on its own (no restart) ends the container. */
    if (!pod->shutdown && (lc->state == LC_TERMINATING || lc->state == LC_KILLING))
        begin_shutdown(pod, item.proc);
    return n;
}

static void queue_exits(struct pod *pod) {
    for (size_t i = 0; i < pod->n; i++) {
        struct pod_process *p = &pod->procs[i];
        if (p->exit_pending) {
            p->exit_pending = false;
            enqueue(pod, (int)i,
                    (struct lifecycle_event){.kind = EV_MAIN_EXITED, .status = p->exit_status});
        }
    }
}

/* The rules over every process, once the round's events are fed: while
 * one is KILLING, SIGKILL reaches what was adopted since; once every
 * process is gone in a shutdown, what they left behind (a daemon outside
 * their groups, a preStop hook's background child) is asked to stop too,
 * once, with the main process's stop signal; and with no child left at
 * all, every lifecycle hears so. */
static size_t settle(struct pod *pod, struct pod_action *out) {
    bool killing = false, all_exited = true, all_terminating = true;
    for (size_t i = 0; i < pod->n; i++) {
        const struct lifecycle *lc = &pod->procs[i].lc;
        killing = killing || lc->state == LC_KILLING;
        all_exited = all_exited && lc->main_exited;
        all_terminating = all_terminating && lc->state == LC_TERMINATING;
    }
    size_t n = 0;
    if (killing && !pod->none_left) {
        out[n++] = (struct pod_action){.kind = POD_ACT_KILL_EVERYTHING, .signo = SIGKILL};
    } else if (!pod->left_asked && !pod->none_left && all_exited && all_terminating &&
               pod->n > 0) {
        pod->left_asked = true;
        out[n++] = (struct pod_action){.kind = POD_ACT_ASK_WHAT_IS_LEFT,
                                       .signo = lifecycle_stop_signal(&pod->procs[0].lc)};
    }
    if (all_exited && pod->none_left)
        pod_post_all(pod, (struct lifecycle_event){.kind = EV_ALL_EXITED});
    return n;
}

size_t pod_next(struct pod *pod, int64_t now, struct pod_action *out, size_t cap) {
    if (cap < POD_MAX_ACTIONS)
        return 0;
    for (;;) {
        if (pod->len > 0) {
            struct pod_item item = pod->queue[pod->head];
            pod->head = (pod->head + 1) % pod->queue_cap;
            pod->len--;
            size_t n = feed(pod, item, now, out, cap);
            if (n > 0)
                return n;
            continue;
        }
        switch (pod->round) {
        case POD_ROUND_IDLE: return 0;
        case POD_ROUND_EXITS:
            queue_exits(pod);
            pod->round = POD_ROUND_TIMER;
            break;
        case POD_ROUND_TIMER:
            if (pod->timer_due)
                pod_post_all(pod, (struct lifecycle_event){.kind = EV_TIMER});
            pod->round = POD_ROUND_SETTLE;
            break;
        case POD_ROUND_SETTLE: {
            pod->round = POD_ROUND_IDLE;
            size_t n = settle(pod, out);
            if (n > 0)
                return n;
            break;
        }
        }
    }
}

bool pod_done(const struct pod *pod) {
    for (size_t i = 0; i < pod->n; i++)
        if (pod->procs[i].lc.state != LC_EXITED)
            return false;
    return true;
}

int64_t pod_next_deadline(const struct pod *pod) {
    int64_t next = 0;
    for (size_t i = 0; i < pod->n; i++) {
        int64_t t = lifecycle_next_deadline(&pod->procs[i].lc);
        if (t != 0 && (next == 0 || t < next))
            next = t;
    }
    return next;
}

size_t pod_cause(const struct pod *pod) {
    return pod->cause >= 0 && (size_t)pod->cause < pod->n ? (size_t)pod->cause : 0;
}

int pod_exit_code(const struct pod *pod, const struct exit_code_remap *success,
                  int exit_post_start) {
    if (pod->n == 0)
        return 0;
    const struct lifecycle *lc = &pod->procs[pod_cause(pod)].lc;
    if (lc->failed_hook == LC_HOOK_POST_START)
        return exit_post_start;
    return exit_code_container(lc->main_status, success);
}

bool pod_process_ready(const struct pod *pod, size_t proc) {
    /* The lifecycle says ready on entering RUNNING and not ready on every
     * way out of it. */
    return proc < pod->n && pod->procs[proc].lc.state == LC_RUNNING;
}

bool pod_process_exited(const struct pod *pod, size_t proc) {
    return proc < pod->n && (pod->procs[proc].exit_pending || pod->procs[proc].lc.main_exited);
}

int pod_process_last_status(const struct pod *pod, size_t proc) {
    if (proc >= pod->n)
        return 0;
    const struct pod_process *p = &pod->procs[proc];
    return p->exit_pending ? p->exit_status : p->lc.main_status;
}

bool pod_process_has_exited(const struct pod *pod, size_t proc) {
    /* a restart follows an exit */
    return pod_process_exited(pod, proc) || (proc < pod->n && pod->procs[proc].lc.restarts > 0);
}

/* A probe not configured counts as passing. */
static bool probe_passes(struct pod_probes p, unsigned probe) {
    return !(p.configured & probe) || (p.passing & probe);
}

struct pod_health pod_process_health(const struct pod *pod, size_t proc, bool running,
                                     struct pod_probes probes) {
    if (proc >= pod->n)
        return (struct pod_health){false, false, false};
    const struct lifecycle *lc = &pod->procs[proc].lc;
    struct pod_health h;
    h.started = lc->state != LC_STARTING && probe_passes(probes, LC_PROBE_STARTUP);
    h.ready = pod_process_ready(pod, proc) && running && h.started &&
              probe_passes(probes, LC_PROBE_READINESS);
    h.live = running && lc->state != LC_KILLING &&
             !((probes.configured & LC_PROBE_LIVENESS) && (probes.failing & LC_PROBE_LIVENESS));
    return h;
}
