#!/bin/sh
# The larger counter run: 8 threads x 100000 increments must be exactly 800000.
exec "${top_builddir:-.}/examples/counter" 8 100000
