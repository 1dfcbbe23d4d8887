# SPDX-License-Identifier: MIT
# Small helpers for configure.ac.

# SS_CHECK_CFLAG(FLAGS, [ACTION-IF-OK], [ACTION-IF-NOT])
# Whether the C compiler accepts FLAGS (warnings made errors, so a flag the
# compiler only warns about counts as unsupported), compiling and linking.
AC_DEFUN([SS_CHECK_CFLAG], [
	AS_VAR_PUSHDEF([ss_var], [ss_cv_cflag_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [ss_var], [
		ss_save_CFLAGS=$CFLAGS
		CFLAGS="$CFLAGS $1 -Werror"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
			[AS_VAR_SET([ss_var], [yes])], [AS_VAR_SET([ss_var], [no])])
		CFLAGS=$ss_save_CFLAGS])
	AS_VAR_IF([ss_var], [yes], [$2], [$3])
	AS_VAR_POPDEF([ss_var])
])

# SS_WARN_CFLAGS(FLAGS...)
# Appends to WARN_CFLAGS each flag the compiler accepts.
AC_DEFUN([SS_WARN_CFLAGS], [
	for ss_flag in m4_normalize([$1]); do
		SS_CHECK_CFLAG([$ss_flag], [WARN_CFLAGS="$WARN_CFLAGS $ss_flag"])
	done
])

# SS_PROG_CC_FOR_BUILD
# The C compiler for build tools, programs that run during the build:
# $CC natively; in a cross build (host differs from build) CC_FOR_BUILD
# from the environment, else the first of gcc, cc, clang, checked to
# build a program that runs here.  Substitutes CC_FOR_BUILD,
# CFLAGS_FOR_BUILD (default: $CFLAGS natively, -g -O2 in a cross build)
# and LDFLAGS_FOR_BUILD, and sets ss_cross to yes or no.
AC_DEFUN([SS_PROG_CC_FOR_BUILD], [
	AC_REQUIRE([AC_PROG_CC])
	AC_REQUIRE([AC_CANONICAL_HOST])
	AC_ARG_VAR([CC_FOR_BUILD],
		[C compiler for the build tools (cross builds; default: gcc)])
	AC_ARG_VAR([CFLAGS_FOR_BUILD], [flags for CC_FOR_BUILD])
	AC_ARG_VAR([LDFLAGS_FOR_BUILD], [link flags for CC_FOR_BUILD])
	ss_cross=no
	AS_IF([test "x$cross_compiling" = xyes || test "x$build" != "x$host"],
	      [ss_cross=yes])
	AS_IF([test $ss_cross = no], [
		: ${CC_FOR_BUILD=$CC}
		: ${CFLAGS_FOR_BUILD=$CFLAGS}
		: ${LDFLAGS_FOR_BUILD=$LDFLAGS}
	], [
		AC_CHECK_PROGS([CC_FOR_BUILD], [gcc cc clang])
		: ${CFLAGS_FOR_BUILD=-g -O2}
		AC_MSG_CHECKING([whether $CC_FOR_BUILD builds programs that run on $build])
		cat >conftest_build.c <<_SS_EOF
int main(void) { return 0; }
_SS_EOF
		AS_IF([test -n "$CC_FOR_BUILD" &&
		       $CC_FOR_BUILD $CFLAGS_FOR_BUILD $LDFLAGS_FOR_BUILD \
				conftest_build.c -o conftest_build >&AS_MESSAGE_LOG_FD 2>&1 &&
		       ./conftest_build], [
			AC_MSG_RESULT([yes])
		], [
			AC_MSG_RESULT([no])
			AC_MSG_ERROR([a cross build needs a C compiler for $build: set CC_FOR_BUILD (Debian package: gcc)])
		])
		rm -f conftest_build.c conftest_build
	])
	AC_SUBST([CC_FOR_BUILD])
	AC_SUBST([CFLAGS_FOR_BUILD])
	AC_SUBST([LDFLAGS_FOR_BUILD])
])

# SS_CHECK_ATOMIC64
# Whether 8-byte atomic loads, stores and read-modify-writes on a uint64_t
# link as they are, or need libatomic: they are inline instructions on
# x86-64, arm64 and ARMv7 (armhf), calls into libatomic on ARMv6 and
# older (-march=armv6, the Pi Zero and Pi 1; Debian's armel).  Sets
# ATOMIC_LIBS to -latomic when it is needed, and fails when even that
# does not link.
AC_DEFUN([SS_CHECK_ATOMIC64], [
	AC_CACHE_CHECK([for the library 8-byte atomics need], [ss_cv_atomic64_libs], [
		ss_cv_atomic64_libs=unknown
		ss_save_LIBS=$LIBS
		for ss_lib in "" -latomic; do
			LIBS="$ss_save_LIBS $ss_lib"
			AC_LINK_IFELSE([AC_LANG_PROGRAM([[
#include <stdatomic.h>
#include <stdint.h>
static _Atomic uint64_t ss_a;
static uint64_t ss_b;
]], [[
	uint64_t v = atomic_load_explicit(&ss_a, memory_order_acquire);

	atomic_store_explicit(&ss_a, v + 1, memory_order_release);
	atomic_fetch_add_explicit(&ss_a, 1, memory_order_relaxed);
	__atomic_store_n(&ss_b, __atomic_load_n(&ss_b, __ATOMIC_ACQUIRE) + 1,
			 __ATOMIC_RELEASE);
	return (int)atomic_load(&ss_a);
]])], [ss_cv_atomic64_libs=${ss_lib:-none needed}])
			test "x$ss_cv_atomic64_libs" = xunknown || break
		done
		LIBS=$ss_save_LIBS])
	AS_CASE([$ss_cv_atomic64_libs],
		[unknown], [AC_MSG_ERROR([8-byte atomics do not link, not even with -latomic (Debian: libatomic1, or the cross toolchain's libgcc-12-dev-ARCH-cross)])],
		["none needed"], [ATOMIC_LIBS=],
		[ATOMIC_LIBS=$ss_cv_atomic64_libs])
	AC_SUBST([ATOMIC_LIBS])
])
