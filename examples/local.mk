# SPDX-License-Identifier: MIT
# The examples are built against the library like any user program and run
# by make check.
if BUILD_EXAMPLES
check_PROGRAMS += examples/counter examples/bank
examples_counter_LDADD = lib/libsharedstate.la
examples_bank_LDADD = lib/libsharedstate.la
TESTS += examples/counter examples/counter-big.sh examples/bank
endif
EXTRA_DIST += examples/counter-big.sh
