/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"

SS_RECORD_DEFINE(kinds, KINDS_FIELDS);
SS_RECORD_DEFINE(pair, PAIR_FIELDS);
SS_RECORD_DEFINE(small, SMALL_FIELDS);
SS_RECORD_DEFINE(wide, WIDE_FIELDS);

int owner_destroyed;

static void owner_free(struct owner *o)
{
	free(o->data);
	__atomic_fetch_add(&owner_destroyed, 1, __ATOMIC_SEQ_CST);
}
SS_RECORD_DEFINE_DESTROY(owner, OWNER_FIELDS, owner_free);

int doc_destroyed, doc_copied, doc_copy_fails;

static void doc_free(struct doc *d)
{
	free(d->text);
	__atomic_fetch_add(&doc_destroyed, 1, __ATOMIC_SEQ_CST);
}

static int doc_copy(struct doc *dst, const struct doc *src)
{
	if (__atomic_load_n(&doc_copy_fails, __ATOMIC_SEQ_CST))
		return -ENOMEM;
	if (src->text && !(dst->text = strdup(src->text)))
		return -ENOMEM;
	__atomic_fetch_add(&doc_copied, 1, __ATOMIC_SEQ_CST);
	return 0;
}
SS_RECORD_DEFINE_COPY(doc, DOC_FIELDS, doc_free, doc_copy);

uint64_t pair_checksum(const struct pair *p)
{
	uint64_t h = 1469598103934665603ULL;
	uint64_t parts[] = { (uint64_t)p->a, (uint64_t)p->b, p->p0, p->p1,
			     p->p2, p->p3, p->p4 };

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		h = (h ^ parts[i]) * 1099511628211ULL;
	return h;
}

bool pair_consistent(const struct pair *p)
{
	return p->a == -p->b && p->sum == pair_checksum(p);
}
