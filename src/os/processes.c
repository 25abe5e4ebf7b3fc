/* src/os/processes.c — the configured processes taken together: whose run
 * a reaped child was, the signal to every group left, and the view the
 * health endpoint reports (the pod's rules over each process). */
#include <signal.h>
#include <string.h>

#include "podinit/children.h"
#include "podinit/exit_code.h"
#include "podinit/log.h"
#include "podinit/process.h"
#include "podinit/termination.h"

int processes_claim_reaped(struct proc *procs, size_t n, pid_t pid, int status, int64_t now) {
    for (size_t i = 0; i < n; i++)
        if (process_reaped_job(&procs[i], pid, status, now))
            return PROCESSES_JOB;
    for (size_t i = 0; i < n; i++)
        if (procs[i].pid != 0 && pid == procs[i].pid && !process_exited(&procs[i]))
            return (int)i;
    return PROCESSES_NOT_OURS;
}

void processes_signal_everything(const struct proc *procs, size_t n, int signo) {
    for (size_t i = 0; i < n; i++)
        if (procs[i].pid > 0 && !process_exited(&procs[i]))
            (void)kill(-procs[i].pid, signo);
    children_signal_all(signo);
}

void processes_say_what_is_left(const struct proc *procs, size_t n) {
    struct children_list l = {.len = 0};
    if (children_for_each(children_list_add, &l) < 0)
        for (size_t i = 0; i < n; i++)
            if (procs[i].pid > 0 && !process_exited(&procs[i]))
                children_list_add(procs[i].pid, &l);
    log_event(LOG_WARN, &(struct log_fields){.event = "abandoned", .signo = SIGKILL},
              "still running %d.%03ds after SIGKILL (not ours to kill?): pid%s %s%s; exiting",
              LIFECYCLE_KILL_WAIT_MS / 1000, LIFECYCLE_KILL_WAIT_MS % 1000,
              l.len > 0 && (strchr(l.text, ' ') || l.more) ? "s" : "",
              l.len > 0 ? l.text : "unknown", l.more > 0 ? " and more" : "");
}

struct health_status processes_health(const struct proc *procs, size_t n,
                                      struct health_process *out) {
    const struct pod *pod = procs[0].sh->pod;
    struct health_status st = {.state = pod_process_state(pod, 0),
                               .live = true,
                               .ready = true,
                               .started = true,
                               .procs = out,
                               .n_procs = n};
    for (size_t i = 0; i < n; i++) {
        const struct proc *p = &procs[i];
        bool running = p->pid > 0 && !process_exited(p);
        struct pod_health h = pod_process_health(pod, i, running, process_probes(p));
        bool has_exited = pod_process_has_exited(pod, i);
        st.live = st.live && h.live;
        st.ready = st.ready && h.ready;
        st.started = st.started && h.started;
        out[i] = (struct health_process){
            .name = process_name(p),
            .kind = pod_process_kind(pod, i),
            .state = pod_process_state(pod, i),
            .pid = running ? p->pid : 0,
            .ready = h.ready,
            .restarts = p->lc->restarts,
            .exited = has_exited,
            .last_exit = has_exited ? exit_code_of(pod_process_last_status(pod, i)) : 0,
            .probes = p->lc->cfg.probes,
            .probe_failures = {p->probe_failures[PROBER_STARTUP], p->probe_failures[PROBER_READINESS],
                               p->probe_failures[PROBER_LIVENESS]},
        };
    }
    return st;
}

void processes_ask_what_is_left(const struct proc *procs, size_t n, int signo) {
    int sig = signals_rewrite_apply(&procs[0].cfg->rewrite, signo);
    if (sig == 0)
        return;
    char name[32];
    log_event(LOG_INFO, &(struct log_fields){.event = "stop", .signo = sig},
              "stopping: %s to everything left", signals_name(sig, name, sizeof name));
    processes_signal_everything(procs, n, sig);
}

int processes_exit_code(const struct proc *procs, const struct config *cfg) {
    const struct pod *pod = procs[0].sh->pod;
    int code = pod_exit_code(pod, &cfg->success_exit_codes, CLI_EXIT_POST_START);
    const struct proc *p = &procs[pod_cause(pod)];
    char pre[80];
    process_prefix(p, pre, sizeof pre);
    struct log_fields lf = {.event = "exit", .has_status = true, .status = code};
    if (p->lc->end == LC_END_POST_START) {
        lf.hook = "postStart";
        log_event(LOG_ERROR, &lf,
                  "%spostStart hook failed: the container was stopped; exiting with %d", pre,
                  code);
    } else if (pod->gave_up && !p->lc->main_exited) {
        log_event(LOG_ERROR, &lf, "%smain process not reaped; exiting with %d", pre, code);
    } else {
        log_main_exited(pre, p->lc->main_status, code);
    }
    char msg[TERMINATION_MESSAGE_MAX];
    size_t len = termination_message(pod, process_name(p), code, msg, sizeof msg);
    termination_log_write(cfg->termination_message_path ? cfg->termination_message_path
                                                        : TERMINATION_DEFAULT_PATH,
                          msg, len);
    return code;
}
