/* SPDX-License-Identifier: MIT */
/*
 * bank: two feeder threads append transactions to an account record that
 * owns a growable array.  The type's destroy callback frees the array when
 * the last reference goes, so nothing leaks.  The record owns memory, so it
 * uses SS_RWLOCK and readers look at the array through a view callback.
 * Build: cc bank.c $(pkg-config --cflags --libs libsharedstate)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sharedstate.h>

struct tx {
	long amount;		/* cents; negative for a withdrawal */
	struct timespec at;	/* CLOCK_REALTIME */
	unsigned id;
};

#define ACCOUNT_FIELDS(X)                                                    \
	X(long, balance, 0) /* sum of the amounts */                         \
	X(struct tx *, txs, NULL) /* owned: ntx transactions */              \
	X(size_t, ntx, 0)                                                    \
	X(size_t, cap, 0) /* allocated room in txs */

SS_RECORD_DECLARE(account, ACCOUNT_FIELDS);

static void account_free(struct account *a)
{
	free(a->txs);
}

SS_RECORD_DEFINE_DESTROY(account, ACCOUNT_FIELDS, account_free);

struct feeder {
	account_handle h;
	unsigned first_id;
	long amount;
	int count;
};

/* Appends one transaction; returns 0 or -1 when out of memory. */
static int append(struct account *a, void *ctx)
{
	const struct tx *t = ctx;

	if (a->ntx == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		struct tx *grown = realloc(a->txs, cap * sizeof(*grown));

		if (!grown)
			return -1;
		a->txs = grown;
		a->cap = cap;
	}
	a->txs[a->ntx++] = *t;
	a->balance += t->amount;
	return 0;
}

static void *feed(void *arg)
{
	struct feeder *f = arg;

	for (int i = 0; i < f->count; i++) {
		struct tx t = { f->amount, { 0, 0 }, f->first_id + (unsigned)i };

		clock_gettime(CLOCK_REALTIME, &t.at);
		if (account_update(f->h, append, &t) < 0)
			fprintf(stderr, "bank: out of memory\n");
	}
	account_unref(f->h);
	return NULL;
}

static int print_all(const struct account *a, void *ctx)
{
	long sum = 0;

	(void)ctx;
	for (size_t i = 0; i < a->ntx; i++) {
		printf("tx %4u %+6ld at %lld.%09ld\n", a->txs[i].id,
		       a->txs[i].amount, (long long)a->txs[i].at.tv_sec,
		       a->txs[i].at.tv_nsec);
		sum += a->txs[i].amount;
	}
	printf("%zu transactions, balance %ld (sum of amounts %ld)\n", a->ntx,
	       a->balance, sum);
	return sum == a->balance ? 0 : -1;
}

int main(void)
{
	account_handle h = account_new(NULL, SS_RWLOCK);
	struct feeder deposits = { { NULL }, 1000, +250, 50 };
	struct feeder withdrawals = { { NULL }, 2000, -100, 50 };
	pthread_t a, b;
	int ok;

	if (!account_valid(h))
		return 1;
	deposits.h = account_ref(h); /* each thread gets its own reference */
	withdrawals.h = account_ref(h);
	if (pthread_create(&a, NULL, feed, &deposits) != 0 ||
	    pthread_create(&b, NULL, feed, &withdrawals) != 0)
		return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);

	ok = account_view(h, print_all, NULL) == 0 &&
	     account_get_ntx(h) == 100 &&
	     account_get_balance(h) == 50 * 250 - 50 * 100;
	account_unref(h); /* the last reference: frees txs */
	return ok ? 0 : 1;
}
