/* SPDX-License-Identifier: MIT */
/*
 * Furnace runtime: on-time today, yesterday, this week and in total, and
 * runs (cycles) per day, kept across restarts as one line of the state
 * file.  Pure: no I/O, no clock of its own; the caller passes the times
 * (CLOCK_REALTIME seconds).
 *
 * Local days.  A day is a local calendar date, read through the process's
 * time zone (TZ, else /etc/localtime) with localtime_r and mktime, so a
 * day on which the clocks change is 23 or 25 hours long and on-time is
 * split where the local date changes, not at UTC midnight.  The week
 * begins on Monday 00:00 local.
 *
 * What is kept.  The RUNTIME_DAYS most recent dates that saw on-time or a
 * run, most recent first, and the totals.  A date that is not among them
 * falls off; its seconds and runs stay in the totals.
 *
 * The clock going back.  Time given for a date older than the newest one
 * kept (the clock was set back, or the daemon started with a stale clock
 * before NTP) goes to that date's slot: an existing one, a new one put in
 * date order, or, when all slots hold newer dates, the totals only.
 * Nothing is reordered or lost, and the summary at an earlier @now looks
 * only at dates up to its own: dates "in the future" are kept, ignored,
 * and come back into view when the clock reaches them again (a day that
 * had a wrong clock may so hold some time that was not really spent on
 * it).  Spans that run backwards (from >= to) count nothing.
 *
 * Limits.  A day holds at most RUNTIME_DAY_MAX seconds (25 hours: the
 * longest local day); more, which only spans that overlap can give,
 * saturate there.  Runs of a day saturate at UINT32_MAX, the totals at
 * RUNTIME_TOTAL_MAX.  So every struct these functions build formats to a
 * text that runtime_parse reads back to the same bytes.
 */
#ifndef THERMO_CORE_RUNTIME_H
#define THERMO_CORE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Days kept: one more than the summary looks at (the week since Monday
 * and the seven days up to today are at most 7 dates), so that one stray
 * date from a wrong clock pushes out none of those. */
#define RUNTIME_DAYS 8
/* Seconds in the longest local day (a fall-back day). */
#define RUNTIME_DAY_MAX (86400 + 3600)
/* The largest total (seconds or runs): the state file's numbers stop at
 * 18 digits (util/strconv.h). */
#define RUNTIME_TOTAL_MAX 999999999999999999ULL
/* A buffer of this size holds any runtime_format text and its NUL. */
#define RUNTIME_TEXT_MAX 272

struct runtime_day {
	int32_t date;		/* local date as yyyymmdd; 0: unused slot */
	uint32_t seconds;	/* furnace on-time that local day */
	uint32_t cycles;	/* runs that began that local day */
};

/* All zero is empty.  Used slots come first, newest date first, no date
 * twice; unused slots are all zero.  No padding: two records with the
 * same contents compare equal with memcmp. */
struct runtime {
	struct runtime_day day[RUNTIME_DAYS];	/* most recent date first */
	uint64_t total_seconds;
	uint64_t total_cycles;
};

/* What a page shows, as of one instant.  No padding either. */
struct runtime_summary {
	uint64_t total;			/* seconds */
	uint64_t total_cycles;
	uint32_t today, yesterday;	/* seconds */
	uint32_t week;			/* seconds since Monday 00:00 local */
	uint32_t cycles_today, cycles_yesterday;
	/* The seven days up to today: last7[6] is today, last7[0] six days
	 * ago.  Each has its date; seconds and cycles are 0 for a day
	 * without a record. */
	struct runtime_day last7[7];
};

/*
 * Accrues furnace on-time over [@from, @to) (wall seconds): each local
 * date the span touches gets its part.  @from >= @to does nothing.  The
 * totals get the whole span; the days only the part of it that can be
 * among the kept ones (a span of a month costs no more than one of a
 * week).  Instants whose local date is before year 1900 or after 9999
 * count in the totals only.
 */
void runtime_add(struct runtime *rt, time_t from, time_t to);

/* A run (cycle) began at @at: one more for its local date and the total. */
void runtime_cycle(struct runtime *rt, time_t at);

/*
 * The figures as of @now into @out (all of it written, padding included,
 * so that summaries compare with memcmp).  Dates after @now's local date
 * are ignored (see "The clock going back" above).  When @now has no local
 * date, everything but the totals is 0.
 */
void runtime_summary(const struct runtime *rt, time_t now,
		     struct runtime_summary *out);

/*
 * @rt as one line of text, without a newline:
 *
 *	total SECONDS CYCLES days N DATE:SECONDS:CYCLES ...
 *
 * e.g. "total 12345 10 days 2 20261207:3600:4 20261206:7200:6": N
 * (0 to RUNTIME_DAYS) days follow, newest first.  Numbers are decimal
 * without sign or leading zeros, dates yyyymmdd, single spaces.  Returns
 * the text's length; writes at most @len bytes with the NUL
 * (snprintf-style: a return of @len or more means it was cut).
 */
int runtime_format(const struct runtime *rt, char *buf, size_t len);

/*
 * Reads the text runtime_format writes, all of @text and nothing else: a
 * word, space or number out of place, a date that is not a real date
 * (1900 to 9999), dates given twice or not newest first, more than
 * RUNTIME_DAYS days or not as many as announced, a day over
 * RUNTIME_DAY_MAX seconds or UINT32_MAX runs, totals over
 * RUNTIME_TOTAL_MAX or smaller than the days they include, or text after
 * the last day.  0 with *@out filled (all of it), or -1 with a sentence in
 * @err and *@out untouched.
 */
int runtime_parse(const char *text, struct runtime *out, char *err,
		  size_t errlen) __attribute__((warn_unused_result));

#endif
