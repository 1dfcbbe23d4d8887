#!/bin/sh
# The larger counter run: 8 threads x 100000 increments must be exactly 800000.
# (Through tests/emulate.sh: under the emulator in a cross build.)
exec "${top_srcdir:-.}/tests/emulate.sh" "${top_builddir:-.}/examples/counter" 8 100000
