/* SPDX-License-Identifier: MIT */
/*
 * Plain char fields follow the signedness of char where the record is
 * compiled.  make check builds this file twice, with -fsigned-char (x86's
 * default) and with -funsigned-char (ARM's default), so that every build
 * machine tests both: a char holding 200 on ARM is 200, not -56, and
 * "200" parses into it instead of wrapping.  The expectations follow
 * CHAR_MIN, what the compiler made of char here.  SS_TEST_CHAR_SIGNED says
 * which signedness the build asked for: the user's CFLAGS come after it
 * on the command line, so CFLAGS=-funsigned-char makes both builds
 * unsigned (the program says so; both still check what they got).
 */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sharedstate.h>

#ifndef SS_TEST_CHAR_SIGNED
#error "build with -DSS_TEST_CHAR_SIGNED=1 (-fsigned-char) or 0 (-funsigned-char)"
#endif
#define CHAR_SIGNED (CHAR_MIN < 0)

#define LETTER_FIELDS(X)                                                     \
	X(char, c, 'a')          /* plain: either signedness */            \
	X(signed char, sc, 0)    /* always SS_KIND_INT */                  \
	X(unsigned char, uc, 0)  /* always SS_KIND_UINT */
SS_RECORD_DECLARE(letter, LETTER_FIELDS);
SS_RECORD_DEFINE(letter, LETTER_FIELDS);

static const struct ss_field *field(size_t i)
{
	return &letter_type.fields[i];
}

static const char *fmt(const struct letter *r, size_t i, char *b, size_t n)
{
	ck_assert_int_ge(ss_format_field(b, n, field(i), r), 0);
	return b;
}

START_TEST(kind_follows_char)
{
	ck_assert_int_eq(field(letter_FIELD_c)->kind,
			 CHAR_SIGNED ? SS_KIND_INT : SS_KIND_UINT);
	ck_assert_int_eq(field(letter_FIELD_sc)->kind, SS_KIND_INT);
	ck_assert_int_eq(field(letter_FIELD_uc)->kind, SS_KIND_UINT);
	ck_assert_uint_eq(field(letter_FIELD_c)->size, 1);
}
END_TEST

START_TEST(the_byte_200)
{
	struct letter r = letter_defaults;
	char b[16];

	r.c = (char)(unsigned char)200;
	ck_assert_str_eq(fmt(&r, letter_FIELD_c, b, sizeof(b)),
			 CHAR_SIGNED ? "-56" : "200");
	r.sc = (signed char)-56;
	r.uc = 200;
	ck_assert_str_eq(fmt(&r, letter_FIELD_sc, b, sizeof(b)), "-56");
	ck_assert_str_eq(fmt(&r, letter_FIELD_uc, b, sizeof(b)), "200");
}
END_TEST

START_TEST(parse_in_the_range_of_char)
{
	const struct ss_field *f = field(letter_FIELD_c);
	struct letter r = letter_defaults;
	char b[16];

	if (CHAR_SIGNED) {
		ck_assert_int_eq(ss_parse_field(f, &r, "-56"), 0);
		ck_assert_int_eq(r.c, -56);
		ck_assert_int_eq(ss_parse_field(f, &r, "-128"), 0);
		ck_assert_int_eq(ss_parse_field(f, &r, "200"), -ERANGE);
		ck_assert_int_eq(r.c, -128);	/* unchanged */
	} else {
		ck_assert_int_eq(ss_parse_field(f, &r, "200"), 0);
		ck_assert_int_eq((unsigned char)r.c, 200);
		ck_assert_str_eq(fmt(&r, letter_FIELD_c, b, sizeof(b)), "200");
		ck_assert_int_eq(ss_parse_field(f, &r, "255"), 0);
		ck_assert_int_eq(ss_parse_field(f, &r, "-56"), -ERANGE);
		ck_assert_int_eq((unsigned char)r.c, 255);	/* unchanged */
	}
}
END_TEST

/* Through a handle and ss_dump, as generic code sees a record. */
START_TEST(dump_of_a_shared_record)
{
	letter_handle h = letter_new(NULL, SS_SEQLOCK);
	struct letter snap;
	char text[128];
	FILE *out;

	ck_assert(letter_valid(h));
	ck_assert_int_eq(letter_set_c(h, (char)(unsigned char)200), 1);
	ck_assert_int_eq(letter_read(h, &snap, NULL), 0);
	out = fmemopen(text, sizeof(text), "w");
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(ss_dump(out, &letter_type, &snap), 0);
	fclose(out);
	ck_assert_str_eq(text, CHAR_SIGNED ? "c=-56\nsc=0\nuc=0\n"
					   : "c=200\nsc=0\nuc=0\n");
	letter_unref(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create(CHAR_SIGNED ? "char-signed" : "char-unsigned");
	TCase *t = tcase_create("kind");
	SRunner *sr;
	int failed;

	if (CHAR_SIGNED != SS_TEST_CHAR_SIGNED)
		printf("check-char: built with -f%s-char, but CFLAGS made char "
		       "%s: this run checks %s char\n",
		       SS_TEST_CHAR_SIGNED ? "signed" : "unsigned",
		       CHAR_SIGNED ? "signed" : "unsigned",
		       CHAR_SIGNED ? "signed" : "unsigned");
	tcase_add_test(t, kind_follows_char);
	tcase_add_test(t, the_byte_200);
	tcase_add_test(t, parse_in_the_range_of_char);
	tcase_add_test(t, dump_of_a_shared_record);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
