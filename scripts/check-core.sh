#!/bin/sh
# scripts/check-core.sh SRC... -- OBJ...: src/core/ is pure. Its sources
# include only the C standard headers (signal.h for the signal numbers),
# cJSON and podinit's own; its objects call nothing but memory, string,
# formatting and cJSON functions. A system call, the clock or a file opened
# in the core fails the build, naming the file and what it uses.
set -eu
status=0
srcs=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do srcs="$srcs $1"; shift; done
[ $# -gt 0 ] && shift
allowed_headers='assert|ctype|errno|inttypes|limits|math|stdarg|stdbool|stddef|stdint|stdio|stdlib|string|strings|signal'
for f in $srcs; do
    bad=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' "$f" |
        grep -Ev "^(($allowed_headers)\.h|cjson/cJSON\.h)$" || true)
    for h in $bad; do
        echo "check-core: $f includes <$h>: an OS header in the pure core" >&2
        status=1
    done
done
# What the core may call: no syscall wrapper, no clock, no file, no process
# (SIGRTMIN/SIGRTMAX ask the C library which signals it keeps: no syscall).
allowed_symbols='^(mem(cpy|move|set|cmp|chr)|str[a-z]*|__str[a-z_0-9]*|[a-z]*printf|__[a-z]*printf_chk|fputs|fputc|putc|fwrite|ferror|__fwrite_chk|malloc|calloc|realloc|free|abs|labs|llabs|qsort|bsearch|__ctype_[a-z_]*|__errno_location|__stack_chk_fail|__assert_fail|__[a-z]*_chk|isfinite|floor|ceil|round|lround|llround|trunc|fabs|modf|cJSON_[A-Za-z_]*|__isoc[0-9]*_strto[a-z]*|__asan_[a-z_0-9]*|__ubsan_[a-z_0-9]*|__sanitizer_[a-z_0-9]*|__libc_current_sigrtm(in|ax)|_GLOBAL_OFFSET_TABLE_|__tls_get_addr)$'
# The core's own functions, defined in its objects, are allowed too: a core
# module may call another, never one of src/os/.
own=$(nm --defined-only "$@" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
for o in "$@"; do
    bad=$(nm -u "$o" | awk '{print $NF}' | sed 's/@.*//' | grep -Ev "$allowed_symbols" |
        { grep -Fxv -e "$own" || true; })
    for s in $bad; do
        echo "check-core: $o calls $s: not allowed in the pure core" >&2
        status=1
    done
done
[ $status -eq 0 ] && echo "check-core: src/core is pure ($(echo $srcs | wc -w) files)"
exit $status
