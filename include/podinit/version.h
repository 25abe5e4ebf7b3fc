/* include/podinit/version.h — podinit's version and the upstream versions
 * whose behaviour each persona reproduces. */
#ifndef PODINIT_VERSION_H
#define PODINIT_VERSION_H

#ifndef PODINIT_VERSION
#define PODINIT_VERSION "0.1.0"
#endif
#ifndef PODINIT_GIT
#define PODINIT_GIT "unknown"
#endif

/* The releases whose interface the personas follow (Debian 12 ships these). */
#define COMPAT_TINI_VERSION "0.19.0"
#define COMPAT_DUMB_INIT_VERSION "1.2.5"
#define COMPAT_CATATONIT_VERSION "0.1.7"

#endif
