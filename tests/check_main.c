/* SPDX-License-Identifier: MIT */
/* The runner: every suite of the library.  CK_RUN_SUITE / CK_RUN_CASE
 * select a part; CK_FORK=no runs in one process (valgrind). */
#include <config.h>
#include <stdlib.h>

#include "testutil.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_lifecycle());
	int failed;

	srunner_add_suite(sr, suite_access());
	srunner_add_suite(sr, suite_update());
	srunner_add_suite(sr, suite_versions());
	srunner_add_suite(sr, suite_records());
	srunner_add_suite(sr, suite_concurrency());
	srunner_add_suite(sr, suite_readers());
	srunner_add_suite(sr, suite_errors());
	srunner_add_suite(sr, suite_cancel());
	srunner_add_suite(sr, suite_watch());
	srunner_add_suite(sr, suite_wmask());
	srunner_add_suite(sr, suite_fork());
	srunner_add_suite(sr, suite_snapshot());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
