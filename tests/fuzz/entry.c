/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer's entry point for one target, chosen at compile time:
 *   clang -fsanitize=fuzzer,... -DFUZZ_TARGET=fuzz_config entry.c ...
 * (tests/fuzz/build.sh builds one binary per target this way).
 */
#include <config.h>
#include "targets.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=fuzz_NAME"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FUZZ_TARGET(data, size);
}
