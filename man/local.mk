# SPDX-License-Identifier: MIT
# Man pages, in mdoc(7).  Each page is written as man/manN/NAME.N.in; the
# build fills in @PACKAGE_VERSION@ and writes man/manN/NAME.N into the build
# tree, which make install installs and tests/man-lint.sh lints.  A name
# documented on another page has a one-line page, ".so man3/PAGE.3", so that
# "man NAME" finds it.  Adding a page: add it to the right list below.

# Pages with content.
ss_man3_pages = \
	man/man3/SS_RECORD_DECLARE.3 \
	man/man3/ss_acquire.3 \
	man/man3/ss_field_index.3 \
	man/man3/ss_new.3 \
	man/man3/ss_read.3 \
	man/man3/ss_ref.3 \
	man/man3/ss_set.3 \
	man/man3/ss_update.3 \
	man/man3/ss_version.3 \
	man/man3/ss_view.3 \
	man/man3/ss_wait.3 \
	man/man3/ss_watch_fd.3

# .so links: every other exported function and documented macro.
ss_man3_links = \
	man/man3/SS_FIELD.3 \
	man/man3/SS_INIT.3 \
	man/man3/SS_MASK.3 \
	man/man3/SS_MASK_ALL.3 \
	man/man3/SS_MAX_FIELDS.3 \
	man/man3/SS_RECORD_DEFINE.3 \
	man/man3/SS_RECORD_DEFINE_COPY.3 \
	man/man3/SS_RECORD_DEFINE_DESTROY.3 \
	man/man3/SS_STR_SET.3 \
	man/man3/SS_VERSION_HEX.3 \
	man/man3/SS_VERSION_MAJOR.3 \
	man/man3/SS_VERSION_MINOR.3 \
	man/man3/SS_VERSION_PATCH.3 \
	man/man3/SS_VERSION_STRING.3 \
	man/man3/ss_acquire_version.3 \
	man/man3/ss_close.3 \
	man/man3/ss_dump.3 \
	man/man3/ss_field_version.3 \
	man/man3/ss_format_field.3 \
	man/man3/ss_get.3 \
	man/man3/ss_get_or_abort.3 \
	man/man3/ss_is_closed.3 \
	man/man3/ss_last_error.3 \
	man/man3/ss_library_version.3 \
	man/man3/ss_new_with_copy.3 \
	man/man3/ss_parse_field.3 \
	man/man3/ss_policy_name.3 \
	man/man3/ss_policy_of.3 \
	man/man3/ss_release.3 \
	man/man3/ss_str_copy.3 \
	man/man3/ss_type_of.3 \
	man/man3/ss_unref.3 \
	man/man3/ss_unwatch_fd.3 \
	man/man3/ss_update_many.3 \
	man/man3/ss_update_timed.3

# Generated, so neither distributed nor kept by make clean; their sources
# are distributed instead.
man3_MANS = $(ss_man3_pages) $(ss_man3_links)
man7_MANS = man/man7/libsharedstate.7
man5_MANS = man/man5/thermostat.conf.5
man8_MANS = man/man8/thermostat.8
ss_man_all = $(man3_MANS) $(man5_MANS) $(man7_MANS) $(man8_MANS)
EXTRA_DIST += $(ss_man_all:=.in)
CLEANFILES += $(ss_man_all) $(ss_man_all:=.tmp)

# Every page depends on every source: regenerating all of them is
# cheaper than keeping a rule per page, and cannot miss one.  Makefile:
# a new version from configure rewrites them all.
ss_man_edit = $(SED) -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g'

$(ss_man_all): $(ss_man_all:=.in) Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	rm -f $@ $@.tmp && \
	$(ss_man_edit) $(srcdir)/$@.in >$@.tmp && \
	mv -f $@.tmp $@
