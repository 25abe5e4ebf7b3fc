/* src/core/lifecycle_steps.h — the steps lifecycle.c and
 * lifecycle_restart.c share: one lifecycle's machine in two files, private
 * to them (the module's header is include/podinit/lifecycle.h). */
#ifndef PODINIT_LIFECYCLE_STEPS_H
#define PODINIT_LIFECYCLE_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "podinit/lifecycle.h"

/* The actions of one step, bounded by the caller's array. */
struct out {
    struct lifecycle_action *a;
    size_t n, cap;
};

/* lifecycle.c */
void lc_emit(struct out *o, struct lifecycle_action act);
void lc_set_ready(const struct lifecycle *lc, struct out *o, bool ready);
void lc_cancel_hook(struct lifecycle *lc, struct out *o, bool timed_out);
int lc_app_stop_signal(const struct lifecycle *lc);
void lc_stop_now(struct lifecycle *lc, int64_t now, struct out *o);
bool lc_pre_stop(struct lifecycle *lc, int64_t now, struct out *o);
void lc_begin_pre_stop(struct lifecycle *lc, int64_t now, struct out *o);

/* lifecycle_restart.c */
bool lc_restarts_after(const struct lifecycle *lc, int status, bool liveness);
void lc_enter_backoff(struct lifecycle *lc, int64_t now, struct out *o);
void lc_restart_or_fail(struct lifecycle *lc, int64_t now, struct out *o);
void lc_restart(struct lifecycle *lc, int64_t now, struct out *o);
void lc_signal_to_restart(struct lifecycle *lc, struct out *o);
void lc_liveness_failed(struct lifecycle *lc, unsigned probe, int64_t now, struct out *o);
void lc_post_start_failed(struct lifecycle *lc, int64_t now, struct out *o, bool timed_out);

#endif
