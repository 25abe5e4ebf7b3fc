/* include/podinit/hot.h — PODINIT_HOT marks the code that every forwarded
 * signal runs: the wait, the forward itself and the pod's round after it.
 * The compiler places these functions together (.text.hot), so that a
 * forward, which usually finds the CPU's caches cold (other work ran since
 * the last signal), fetches its code from a few pages rather than from a
 * dozen spread over the binary. Layout and optimisation only: behaviour is
 * the same. docs/performance.md has the measurements. */
#ifndef PODINIT_HOT_H
#define PODINIT_HOT_H

#define PODINIT_HOT __attribute__((hot))

#endif
