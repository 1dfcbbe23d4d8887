#!/bin/sh
# SPDX-License-Identifier: MIT
# make check's short stress run: a few rounds per lock policy, so that the
# stress program cannot rot and its checks run in every sanitizer build.
# make stress runs it for longer.
exec "${top_builddir:-.}/tests/stress/stress" --seconds 0.3 --round-ms 100
