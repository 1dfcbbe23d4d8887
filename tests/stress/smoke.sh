#!/bin/sh
# SPDX-License-Identifier: MIT
# make check's short stress run: a few rounds per lock policy, so that the
# stress program cannot rot and its checks run in every sanitizer build.
# make stress runs it for longer.
# (Through tests/emulate.sh: under the emulator in a cross build.)
exec "${top_srcdir:-.}/tests/emulate.sh" "${top_builddir:-.}/tests/stress/stress" \
	--seconds 0.3 --round-ms 100
