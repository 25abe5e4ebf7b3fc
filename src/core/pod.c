/* src/core/pod.c — several processes as one container (docs/lifecycle.md,
 * "Several processes"). Each process has its own lifecycle; the pod feeds
 * them one event at a time, in order, so a lifecycle is never re-entered
 * while the shell carries out its actions, and adds the rules that span
 * processes. Pure: no clock, no system call. */
#include "podinit/pod.h"

#include <signal.h>

#include "podinit/hot.h"

void pod_init(struct pod *pod, struct pod_process *procs, const struct lifecycle_config *cfgs,
              size_t n, struct pod_item *queue, size_t queue_cap) {
    *pod =
        (struct pod){.procs = procs, .n = n, .queue = queue, .queue_cap = queue_cap, .cause = -1};
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

static enum lifecycle_role role_of(const struct pod *pod, size_t i) {
    return pod->procs[i].lc.cfg.role;
}

/* Gone for the stop order: its run has ended (or it never ran), and it
 * will not run again. */
static bool gone(const struct pod *pod, size_t i) {
    const struct pod_process *p = &pod->procs[i];
    return !p->launched || p->lc.state == LC_EXITED ||
           (p->lc.main_exited && (p->lc.state == LC_TERMINATING || p->lc.state == LC_KILLING));
}

/* Whom a stop goes to at once: what has started, but a sidecar only once
 * its turn has come (after the processes, pod_settle). */
static bool stops_now(const struct pod *pod, size_t i) {
    const struct pod_process *p = &pod->procs[i];
    return p->launched && (role_of(pod, i) != LC_ROLE_SIDECAR || p->stop_asked);
}

static void sidecars_turn(struct pod *pod, bool late);

/* The container stops because of procs[cause] (cause >= 0) or a stop
 * signal: the others are stopped at once, with no drain (a stop signal's
 * own events are the caller's); a sidecar waiting for its restart has
 * nothing to wait for. */
static void begin_shutdown(struct pod *pod, int cause) {
    pod->shutdown = true;
    pod->cause = cause;
    for (size_t i = 0; i < pod->n && cause >= 0; i++)
        if ((int)i != cause && stops_now(pod, i))
            enqueue(pod, (int)i, (struct lifecycle_event){.kind = EV_SHUTDOWN_NOW});
    sidecars_turn(pod, false);
}

void pod_stop_signal(struct pod *pod, int signo) {
    for (size_t i = 0; i < pod->n; i++)
        if (stops_now(pod, i))
            enqueue(pod, (int)i, (struct lifecycle_event){.kind = EV_STOP_SIGNAL, .signo = signo});
    if (!pod->shutdown) {
        pod->stop_signo = signo; /* the sidecars' too, in their turn */
        begin_shutdown(pod, -1);
    }
    /* Every process is gone and what is left was asked to stop: a stop
     * signal now is for what is left, as the first one was. */
    if (pod->left_asked)
        enqueue(pod, -1, (struct lifecycle_event){.kind = EV_STOP_SIGNAL, .signo = signo});
}

/* A sidecar's turn to stop (the shutdown's deadline is filled in when it
 * is fed). */
static void ask_to_stop(struct pod *pod, size_t i, bool exited) {
    pod->procs[i].stop_asked = true;
    enqueue(pod, (int)i,
            (struct lifecycle_event){
                .kind = EV_STOP_IN_TURN, .signo = pod->stop_signo, .exited = exited});
}

PODINIT_HOT size_t pod_next_start(const struct pod *pod) {
    if (pod->shutdown)
        return POD_NONE;
    /* initProcesses in their order, each waiting for the one before */
    for (size_t i = 0; i < pod->n; i++) {
        const struct pod_process *p = &pod->procs[i];
        enum lifecycle_role role = role_of(pod, i);
        if (role == LC_ROLE_APP)
            continue;
        if (!p->launched)
            return i;
        if (role == LC_ROLE_INIT_TASK ? p->lc.state != LC_EXITED : !p->gate_open)
            return POD_NONE;
    }
    for (size_t i = 0; i < pod->n; i++)
        if (role_of(pod, i) == LC_ROLE_APP && !pod->procs[i].launched)
            return i;
    return POD_NONE;
}

void pod_launched(struct pod *pod, size_t proc) {
    if (proc < pod->n)
        pod->procs[proc].launched = true;
}

void pod_exited(struct pod *pod, size_t proc, int status) {
    if (proc >= pod->n)
        return;
    pod->procs[proc].exit_pending = true;
    pod->procs[proc].exit_status = status;
}

/* What settle() and queue_exits() act on: with none of it, a round's
 * steps find nothing (sidecars_turn and the ask need a shutdown, the
 * SIGKILL round a KILLING process, EV_ALL_EXITED none_left). */
PODINIT_HOT bool pod_round_idle(const struct pod *pod, bool timer_due, bool none_left) {
    if (timer_due || none_left || pod->shutdown || pod->len > 0 || pod->round != POD_ROUND_IDLE)
        return false;
    for (size_t i = 0; i < pod->n; i++)
        if (pod->procs[i].exit_pending || pod->procs[i].lc.state == LC_KILLING)
            return false;
    return true;
}

PODINIT_HOT void pod_end_round(struct pod *pod, bool timer_due, bool none_left) {
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
    struct pod_process *p = &pod->procs[i];
    struct lifecycle *lc = &p->lc;
    if (pod->shutdown && pod->stop_deadline_ms == 0)
        pod->stop_deadline_ms = now + lc->cfg.grace_ms;
    if (item.ev.kind == EV_STOP_IN_TURN)
        item.ev.deadline_ms = pod->stop_deadline_ms;
    struct lifecycle_action acts[POD_MAX_ACTIONS];
    size_t n = lifecycle_step(lc, &item.ev, now, acts, POD_MAX_ACTIONS);
    n = pass_on(pod, i, acts, n, out, cap);
    /* A sidecar lets the next start once it is running and its startup
     * probe (if any) has passed; later crashes do not close the gate. */
    if (lc->cfg.role == LC_ROLE_SIDECAR && lc->state == LC_RUNNING &&
        (!(lc->cfg.probes & LC_PROBE_STARTUP) || lc->startup_passed))
        p->gate_open = true;
    /* A process that stops on its own (no restart) ends the container;
     * DRAINING too: its preStop after a liveness failure under Never. */
    if (!pod->shutdown &&
        (lc->state == LC_TERMINATING || lc->state == LC_KILLING || lc->state == LC_DRAINING))
        begin_shutdown(pod, item.proc);
    return n;
}

static void queue_exits(struct pod *pod) {
    for (size_t i = 0; i < pod->n; i++) {
        struct pod_process *p = &pod->procs[i];
        if (p->exit_pending) {
            p->exit_pending = false;
            /* A sidecar that exits in a shutdown before its turn is not
             * restarted: its turn comes first. */
            if (pod->shutdown && role_of(pod, i) == LC_ROLE_SIDECAR && !p->stop_asked)
                ask_to_stop(pod, i, true);
            enqueue(pod, (int)i,
                    (struct lifecycle_event){.kind = EV_MAIN_EXITED, .status = p->exit_status});
        }
    }
}

/* In a shutdown, the sidecars stop once the processes (and init tasks)
 * are gone, in reverse order, each once the one after it is gone; one in
 * its back-off or a liveness restart (nothing to wait for) at once, and
 * at the shutdown's deadline (late), all of them. */
static void sidecars_turn(struct pod *pod, bool late) {
    if (!pod->shutdown)
        return;
    bool waiting = false;
    for (size_t i = 0; i < pod->n; i++)
        if ((role_of(pod, i) != LC_ROLE_SIDECAR || pod->procs[i].stop_asked) && !gone(pod, i))
            waiting = true;
    for (size_t k = pod->n; k-- > 0;) {
        const struct pod_process *p = &pod->procs[k];
        if (role_of(pod, k) != LC_ROLE_SIDECAR || !p->launched || p->stop_asked)
            continue;
        if (late || p->lc.state == LC_BACKOFF || p->lc.state == LC_RESTARTING) {
            ask_to_stop(pod, k, false);
        } else if (!waiting) {
            ask_to_stop(pod, k, false);
            waiting = true;
        }
    }
}

/* The rules over every process, once the round's events are fed: the
 * sidecars' turns; while one is KILLING, SIGKILL reaches what was adopted
 * since; once every process is gone in a shutdown, what they left behind
 * (a daemon outside their groups, a preStop hook's background child) is
 * asked to stop too, once, with the main process's stop signal; and with
 * no child left at all, every lifecycle hears so. A process that never
 * started, or an init task that completed, counts as exited. */
static size_t settle(struct pod *pod, int64_t now, struct pod_action *out) {
    sidecars_turn(pod, pod->stop_deadline_ms != 0 && now >= pod->stop_deadline_ms);
    bool killing = false, all_exited = true, all_terminating = true;
    for (size_t i = 0; i < pod->n; i++) {
        const struct pod_process *p = &pod->procs[i];
        bool over = !p->launched || p->lc.state == LC_EXITED;
        killing = killing || p->lc.state == LC_KILLING;
        all_exited = all_exited && (over || p->lc.main_exited);
        all_terminating = all_terminating && (over || p->lc.state == LC_TERMINATING);
    }
    size_t n = 0;
    if (killing && !pod->none_left) {
        out[n++] = (struct pod_action){.kind = POD_ACT_KILL_EVERYTHING, .signo = SIGKILL};
    } else if (pod->shutdown && !pod->left_asked && !pod->none_left && all_exited &&
               all_terminating && pod->n > 0) {
        pod->left_asked = true;
        out[n++] = (struct pod_action){.kind = POD_ACT_ASK_WHAT_IS_LEFT,
                                       .signo = lifecycle_stop_signal(&pod->procs[0].lc)};
    }
    if (all_exited && pod->none_left)
        pod_post_all(pod, (struct lifecycle_event){.kind = EV_ALL_EXITED});
    return n;
}

PODINIT_HOT size_t pod_next(struct pod *pod, int64_t now, struct pod_action *out, size_t cap) {
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
            size_t n = settle(pod, now, out);
            if (n > 0)
                return n;
            break;
        }
        }
    }
}

PODINIT_HOT bool pod_done(const struct pod *pod) {
    for (size_t i = 0; i < pod->n; i++) {
        const struct pod_process *p = &pod->procs[i];
        if (p->lc.state != LC_EXITED && !(pod->shutdown && !p->launched))
            return false;
    }
    return true;
}

PODINIT_HOT int64_t pod_next_deadline(const struct pod *pod) {
    int64_t next = 0;
    for (size_t i = 0; i < pod->n; i++) {
        const struct pod_process *p = &pod->procs[i];
        int64_t t = lifecycle_next_deadline(&p->lc);
        /* a sidecar still waiting for its turn: at the latest, the deadline */
        if (t == 0 && pod->shutdown && p->launched && role_of(pod, i) == LC_ROLE_SIDECAR &&
            !p->stop_asked)
            t = pod->stop_deadline_ms;
        if (t != 0 && (next == 0 || t < next))
            next = t;
    }
    return next;
}

size_t pod_cause(const struct pod *pod) {
    if (pod->cause >= 0 && (size_t)pod->cause < pod->n)
        return (size_t)pod->cause;
    /* An external stop before the processes started: the init process
     * that was starting (the last started) speaks for the container. */
    size_t who = 0;
    for (size_t i = 0; i < pod->n && !pod->procs[0].launched; i++)
        if (role_of(pod, i) != LC_ROLE_APP && pod->procs[i].launched)
            who = i;
    return who;
}

int pod_exit_code(const struct pod *pod, const struct exit_code_remap *success,
                  int exit_post_start) {
    if (pod->n == 0)
        return 0;
    const struct lifecycle *lc = &pod->procs[pod_cause(pod)].lc;
    if (lc->end == LC_END_POST_START)
        return exit_post_start;
    /* successExitCodes say how the app's own end reads; an init process
     * that ended the container failed (a task, a sidecar past its limit). */
    static const struct exit_code_remap none = {{0}};
    return exit_code_container(lc->main_status, lc->cfg.role == LC_ROLE_APP ? success : &none);
}

bool pod_process_ready(const struct pod *pod, size_t proc) {
    /* The lifecycle says ready on entering RUNNING and not ready on every
     * way out of it. */
    return proc < pod->n && pod->procs[proc].lc.state == LC_RUNNING;
}

PODINIT_HOT bool pod_process_exited(const struct pod *pod, size_t proc) {
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
    const struct pod_process *p = &pod->procs[proc];
    const struct lifecycle *lc = &p->lc;
    /* Waiting for its turn to start: alive, not ready; an init task that
     * completed has nothing more to say. */
    if (!p->launched)
        return (struct pod_health){.live = true, .ready = false, .started = false};
    if (pod_process_completed(pod, proc))
        return (struct pod_health){.live = true, .ready = true, .started = true};
    struct pod_health h;
    h.started = lc->state != LC_STARTING && probe_passes(probes, LC_PROBE_STARTUP);
    h.ready = pod_process_ready(pod, proc) && running && h.started &&
              probe_passes(probes, LC_PROBE_READINESS);
    h.live = (running || (lc->cfg.role == LC_ROLE_INIT_TASK && lc->state == LC_BACKOFF)) &&
             lc->state != LC_KILLING &&
             !((probes.configured & LC_PROBE_LIVENESS) && (probes.failing & LC_PROBE_LIVENESS));
    return h;
}

const char *pod_process_kind(const struct pod *pod, size_t proc) {
    enum lifecycle_role role = proc < pod->n ? role_of(pod, proc) : LC_ROLE_APP;
    return role == LC_ROLE_INIT_TASK ? "init" : role == LC_ROLE_SIDECAR ? "sidecar" : "process";
}

PODINIT_HOT bool pod_process_completed(const struct pod *pod, size_t proc) {
    const struct lifecycle *lc = proc < pod->n ? &pod->procs[proc].lc : NULL;
    return lc && lc->cfg.role == LC_ROLE_INIT_TASK && lc->state == LC_EXITED &&
           lc->main_status == 0;
}

const char *pod_process_state(const struct pod *pod, size_t proc) {
    if (proc >= pod->n)
        return "?";
    if (!pod->procs[proc].launched)
        return "WAITING";
    if (pod_process_completed(pod, proc))
        return "COMPLETED";
    return lifecycle_state_name(pod->procs[proc].lc.state);
}
