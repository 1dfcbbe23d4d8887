#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs into a DESTDIR and builds programs the way a user would, with
# nothing but pkg-config (dynamic, and --static), then runs them: the
# shipped examples, and a program of the user's own that declares its own
# record with the X-macros (every kind of field, its own update callback,
# a waiting thread).  The installed header also compiles alone, through
# pkg-config --cflags only, as C11 -pedantic -Werror and as C++.
#
# The programs run through tests/emulate.sh (under the emulator in a cross
# build), and pkg-config is configure's, for the host (PKG_CONFIG).
set -eu
run="$top_srcdir/tests/emulate.sh"
pkg_config=${PKG_CONFIG:-pkg-config}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"

${MAKE:-make} -C "$top_builddir" install DESTDIR="$dest" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "consumer: make install failed"; exit 1; }
pcdir=$(find "$dest" -name libsharedstate.pc -printf '%h\n')
[ -n "$pcdir" ] || { echo "consumer: libsharedstate.pc not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$dest"
libdir=$(dirname "$pcdir") # $dest/usr/local/lib
cflags=$($pkg_config --cflags libsharedstate)
libs=$($pkg_config --libs libsharedstate)
echo "consumer: cflags: $cflags"
echo "consumer: libs:   $libs"
case "$libs" in *-pthread*) ;; *) echo "consumer: Libs lacks -pthread"; exit 1 ;; esac
ls "$libdir"/libsharedstate.so.0 >/dev/null

for ex in counter bank; do
	# SAN_CFLAGS: a sanitized library needs sanitized programs.
	$CC -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} $cflags \
		"$top_srcdir/examples/$ex.c" -o "$tmp/$ex" $libs
	LD_LIBRARY_PATH="$libdir" "$run" "$tmp/$ex" >"$tmp/$ex.out" ||
		{ cat "$tmp/$ex.out"; echo "consumer: $ex failed"; exit 1; }
	# The binary must really use the installed library.
	LD_LIBRARY_PATH="$libdir" "$run" --ldd "$tmp/$ex" | grep -q "$libdir/libsharedstate.so.0" ||
		{ echo "consumer: $ex is not linked to the installed library"; exit 1; }
done
tail -n 1 "$tmp/counter.out"

# A program of the user's own, outside the source tree: nothing of it
# comes from examples/ or tests/.
cat >"$tmp/own.c" <<'C'
/* A greenhouse: one thread waters, main waits for the soil to be wet. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sharedstate.h>

#define GREENHOUSE_FIELDS(X) \
	X(bool, door_open, false) /* a bool */ \
	X(int, plants, 12) /* an int */ \
	X(unsigned long, waterings, 0) /* an unsigned integer */ \
	X(double, moisture, 0.25) /* a double: 0 dry .. 1 wet */ \
	X(ss_str32, gardener, { "nobody" }) /* a fixed-size string */ \
	X(struct timespec, watered_at, SS_INIT({ 0, 0 })) /* a timespec */
SS_RECORD_DECLARE(greenhouse, GREENHOUSE_FIELDS);
SS_RECORD_DEFINE(greenhouse, GREENHOUSE_FIELDS);

static int water(struct greenhouse *g, void *ctx)
{
	g->moisture += *(const double *)ctx;
	g->waterings++;
	SS_STR_SET(g->gardener, "own.c");
	clock_gettime(CLOCK_MONOTONIC, &g->watered_at);
	return 0;
}

static void *waterer(void *arg)
{
	greenhouse_handle h = *(greenhouse_handle *)arg; /* its own reference */
	double dose = 0.125;

	for (int i = 0; i < 4; i++)
		greenhouse_update(h, water, &dose);
	greenhouse_unref(h);
	return NULL;
}

int main(void)
{
	greenhouse_handle h = greenhouse_new(NULL, SS_SEQLOCK);
	greenhouse_handle mine;
	struct greenhouse snap;
	uint64_t seen = 0, version = 0;
	pthread_t t;
	char text[64];
	int ret;

	if (!greenhouse_valid(h))
		return 1;
	mine = greenhouse_ref(h);
	if (pthread_create(&t, NULL, waterer, &mine) != 0)
		return 1;
	/* No polling: sleep until a watering changes the moisture. */
	while (greenhouse_get_moisture(h) < 0.75) {
		ret = greenhouse_wait(h, &seen, SS_MASK(greenhouse, moisture), 5000);
		if (ret < 0 && ret != -ETIMEDOUT) {
			fprintf(stderr, "own: wait: %s\n", strerror(-ret));
			return 1;
		}
		if (ret == -ETIMEDOUT)
			return 1;
	}
	pthread_join(t, NULL);
	if (greenhouse_set_plants(h, 13) != 1 || greenhouse_set_plants(h, 13) != 0)
		return 1;
	if (greenhouse_read(h, &snap, &version) != 0 || version == 0 ||
	    snap.waterings != 4 || strcmp(snap.gardener.s, "own.c") != 0 ||
	    snap.plants != 13 || snap.door_open)
		return 1;
	if (ss_format_field(text, sizeof(text),
			    &greenhouse_type.fields[SS_FIELD(greenhouse, moisture)],
			    &snap) < 0)
		return 1;
	printf("own: %lu waterings, moisture %s, version %llu, library %s\n",
	       snap.waterings, text, (unsigned long long)version,
	       ss_library_version());
	greenhouse_unref(h);
	return 0;
}
C
$CC -std=c11 -Wall -Wextra -Werror -pedantic ${SAN_CFLAGS:-} $cflags \
	"$tmp/own.c" -o "$tmp/own" $libs
LD_LIBRARY_PATH="$libdir" "$run" "$tmp/own" || { echo "consumer: own failed"; exit 1; }
LD_LIBRARY_PATH="$libdir" "$run" --ldd "$tmp/own" | grep -q "$libdir/libsharedstate.so.0" ||
	{ echo "consumer: own is not linked to the installed library"; exit 1; }

# The installed header alone, found through pkg-config only.
echo '#include <sharedstate.h>' >"$tmp/alone.c"
$CC -std=c11 -Wall -Wextra -Werror -pedantic $cflags -fsyntax-only "$tmp/alone.c"
printf '#include <sharedstate.h>\nint main() { return ss_policy_name(SS_MUTEX) == 0; }\n' >"$tmp/alone.cc"
$CXX -std=c++11 -Wall -Wextra -Werror -pedantic ${SAN_CFLAGS:-} $cflags \
	"$tmp/alone.cc" -o "$tmp/alone-cxx" $libs
LD_LIBRARY_PATH="$libdir" "$run" "$tmp/alone-cxx" ||
	{ echo "consumer: a C++ program linked to the library failed"; exit 1; }

if [ -z "${SAN_CFLAGS:-}" ]; then
	$CC -std=c11 -static $($pkg_config --static --cflags libsharedstate) \
		"$top_srcdir/examples/counter.c" -o "$tmp/counter-static" \
		$($pkg_config --static --libs libsharedstate)
	# No program interpreter: static (readelf reads any target's ELF).
	if LC_ALL=C readelf -lW "$tmp/counter-static" | grep -q 'program interpreter'; then
		echo "consumer: counter-static is dynamically linked"; exit 1
	fi
	"$run" "$tmp/counter-static" 8 1000 | tail -n 1
	$CC -std=c11 -static $($pkg_config --static --cflags libsharedstate) \
		"$tmp/own.c" -o "$tmp/own-static" \
		$($pkg_config --static --libs libsharedstate)
	"$run" "$tmp/own-static"
fi
echo "consumer: installed library, header and pkg-config file work"
