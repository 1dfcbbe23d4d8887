#!/bin/sh
# SPDX-License-Identifier: MIT
# The public header compiles alone, warning-free, as strict C11 and as C++;
# a record declared and defined with the X-macros compiles under
# -std=c11 -pedantic -Werror; the declarations also compile as C++.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inc="-I$top_srcdir/include"
strict="-Wall -Wextra -Werror -pedantic"

echo '#include <sharedstate.h>' > "$tmp/alone.c"
$CC -std=c11 $strict $inc -fsyntax-only "$tmp/alone.c"
$CC -std=c99 -Wall -Wextra -Werror $inc -fsyntax-only "$tmp/alone.c" 2>/dev/null &&
	echo "header: note: also compiles as C99 (without -pedantic)" || true

cat > "$tmp/record.c" <<'C'
#include <math.h>
#include <sharedstate.h>
#define T_FIELDS(X) \
	X(bool, on, false) \
	X(double, level, NAN) \
	X(ss_str32, why, { "start" }) \
	X(struct timespec, at, SS_INIT({ 1, 2 }))
SS_RECORD_DECLARE(t, T_FIELDS);
SS_RECORD_DEFINE(t, T_FIELDS);
int main(void)
{
	t_handle h = t_new(NULL, SS_SEQLOCK);
	int ok = t_valid(h) && t_set_on(h, true) == 1 && t_get_on(h);
	t_unref(h);
	return !ok;
}
C
$CC -std=c11 $strict $inc -fsyntax-only "$tmp/record.c"

if ! command -v "${CXX%% *}" >/dev/null 2>&1; then
	echo "header: no C++ compiler ($CXX): install g++"
	exit 1
fi
printf '#include <sharedstate.h>\nint main() { return ss_policy_name(SS_MUTEX) == 0; }\n' > "$tmp/alone.cc"
$CXX -std=c++11 $strict $inc -fsyntax-only "$tmp/alone.cc"
cat > "$tmp/record.cc" <<'C'
#include <sharedstate.h>
#define T_FIELDS(X) X(int, a, 1) X(double, b, 2.0)
SS_RECORD_DECLARE(t, T_FIELDS);
static int twice(struct t *r, void *) { r->a *= 2; return 0; }
int main() { t_handle h = t_new(nullptr, SS_MUTEX); t_update(h, twice, nullptr); return t_get_a(h); }
C
$CXX -std=c++11 $strict $inc -fsyntax-only "$tmp/record.cc"
echo "header: alone as C11 and C++11, records as C11 -pedantic and C++ declarations: ok"
