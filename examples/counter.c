/* SPDX-License-Identifier: MIT */
/*
 * counter: threads add 1 to a shared counter through an update callback.
 * Each increment is one atomic read-modify-write of the record, so the
 * total is exact.  Build: cc counter.c $(pkg-config --cflags --libs libsharedstate)
 * Usage: counter [THREADS [INCREMENTS]]   (default 10 threads x 1)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <sharedstate.h>

#define COUNTER_FIELDS(X)                                                    \
	X(long, count, 0) /* increments so far */                            \
	X(int, threads_done, 0) /* threads that finished */

SS_RECORD_DECLARE(counter, COUNTER_FIELDS);
SS_RECORD_DEFINE(counter, COUNTER_FIELDS);

struct job {
	counter_handle h; /* this thread's own reference */
	long increments;
};

static int add_one(struct counter *c, void *ctx)
{
	(void)ctx;
	c->count++;
	return 0;
}

static int finish(struct counter *c, void *ctx)
{
	(void)ctx;
	c->threads_done++;
	return 0;
}

static void *worker(void *arg)
{
	struct job *job = arg;

	for (long i = 0; i < job->increments; i++)
		counter_update(job->h, add_one, NULL);
	counter_update(job->h, finish, NULL);
	counter_unref(job->h);
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = argc > 1 ? atoi(argv[1]) : 10;
	long increments = argc > 2 ? atol(argv[2]) : 1;
	counter_handle h = counter_new(NULL, SS_MUTEX);
	pthread_t *tids;
	struct job *jobs;
	long expected = nthreads * increments;
	long got;

	if (!counter_valid(h) || nthreads < 1 || increments < 0) {
		fprintf(stderr, "counter: cannot start\n");
		return 1;
	}
	tids = calloc((size_t)nthreads, sizeof(*tids));
	jobs = calloc((size_t)nthreads, sizeof(*jobs));
	if (!tids || !jobs)
		return 1;
	for (int i = 0; i < nthreads; i++) {
		jobs[i].h = counter_ref(h); /* a reference per thread */
		jobs[i].increments = increments;
		if (pthread_create(&tids[i], NULL, worker, &jobs[i]) != 0)
			return 1;
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(tids[i], NULL);

	got = counter_get_count(h);
	printf("%d threads x %ld increments: count=%ld (expected %ld)\n",
	       counter_get_threads_done(h), increments, got, expected);
	counter_unref(h);
	free(tids);
	free(jobs);
	return got == expected ? 0 : 1;
}
