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
