#!/bin/sh
# scripts/check-size.sh [DIR...]: the size rules of the house, for every .c
# and .h under DIR... (default: src include). Prints one line per offender
# and exits 1 if there is any:
#   FILE: N lines (max 500)                        a file over 500 lines
#   FILE:LINE: function NAME is N lines (max 70)   a function over 70 lines
# How a function is counted (the code is clang-formatted: a function's
# braces are the only ones at column 0): it starts at its signature line,
# the line at column 0 that holds its name and "(" (the first line of a
# signature spread over several), or, if the signature ends with a lone
# "{" at column 0, at that line's signature all the same; it ends at the
# next "}" at column 0. N counts both ends: signature to closing brace.
# Column-0 lines with "(" that are not definitions (prototypes ending in
# ";", macros, struct/enum/union bodies, initialisers with "=") are not
# counted. NAME is the identifier before the first "(" of the signature.
set -eu
MAX_FILE=500
MAX_FUNC=70
[ $# -gt 0 ] || set -- src include
files=$(find "$@" -type f \( -name '*.c' -o -name '*.h' \) | sort)
[ -n "$files" ] || { echo "check-size: no .c or .h under $*" >&2; exit 1; }
status=0
for f in $files; do
    n=$(wc -l <"$f")
    if [ "$n" -gt "$MAX_FILE" ]; then
        echo "$f: $n lines (max $MAX_FILE)"
        status=1
    fi
done
# shellcheck disable=SC2086 # the file list, one word each
awk -v max="$MAX_FUNC" '
    FNR == 1 { sig = 0; body = 0 }
    # In a body: the first "}" at column 0 ends it.
    body && /^}/ {
        len = FNR - start + 1
        if (len > max) {
            printf "%s:%d: function %s is %d lines (max %d)\n", FILENAME, start, name, len, max
            bad = 1
        }
        body = 0
        next
    }
    body { next }
    # A signature starts at column 0 with a name and "(": not a comment,
    # a preprocessor line, a type body, or an initialiser.
    !sig && /^[A-Za-z_]/ && /\(/ && !/^(struct|enum|union|typedef)[ \t][^(]*\{/ && !/=/ {
        sig = 1; start = FNR
        name = $0; sub(/[ \t]*\(.*/, "", name); sub(/.*[ \t*]/, "", name)
    }
    # The signature ends with "{" (same line or a lone one): a definition;
    # or with ";" (a prototype, a declaration): nothing to count.
    sig && /\{[ \t]*$/ { sig = 0; body = 1; if (/^}/) body = 0; next }
    sig && /;[ \t]*(\/\*.*)?$/ { sig = 0 }
    sig && /\}[ \t]*$/ { sig = 0 }  # a whole function on one line
    END { exit bad }
' $files || status=1
exit $status
