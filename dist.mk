# SPDX-License-Identifier: MIT
# Packaging: what make install lays out besides the programs, the library,
# the header, libsharedstate.pc and the man pages (which their own
# fragments install); what the release tarball carries beyond the sources;
# and the tests of both (installation, ABI, systemd unit).

# make distcheck installs into a scratch prefix as an ordinary user: the
# unit goes under that prefix instead of the system's unit directory that
# configure finds through systemd.pc.
AM_DISTCHECK_CONFIGURE_FLAGS += \
	--with-systemdsystemunitdir='$${libdir}/systemd/system'

# ---- the thermostat's files --------------------------------------------
# $(sysconfdir)/thermostat/thermostat.conf: every key commented out, at its
# default.  Installed only where none exists: make install never
# overwrites a configuration someone edited.  make uninstall removes it
# only while it is still the example.
# $(localstatedir)/lib/thermostat: the state directory (state_file), writable by the
# service through ReadWritePaths= in the unit; make uninstall removes it
# only when empty.
thermostatconfdir = $(sysconfdir)/thermostat
thermostatstatedir = $(localstatedir)/lib/thermostat
ss_conf_src = thermostat/thermostat.conf
ss_conf_dst = $(DESTDIR)$(thermostatconfdir)/thermostat.conf

install-data-local: install-thermostat-data
uninstall-local: uninstall-thermostat-data
.PHONY: install-thermostat-data uninstall-thermostat-data

if BUILD_THERMOSTAT
install-thermostat-data: thermostat/thermostat.conf
	$(MKDIR_P) '$(DESTDIR)$(thermostatconfdir)' '$(DESTDIR)$(thermostatstatedir)'
	@if test -f '$(ss_conf_dst)'; then \
	  if cmp -s '$(ss_conf_src)' '$(ss_conf_dst)'; then :; else \
	    echo " KEEP     $(ss_conf_dst) (exists; the new example is not installed)"; \
	  fi; \
	else \
	  echo " $(INSTALL_DATA) $(ss_conf_src) '$(ss_conf_dst)'"; \
	  $(INSTALL_DATA) '$(ss_conf_src)' '$(ss_conf_dst)'; \
	fi

uninstall-thermostat-data:
	@if test -f '$(ss_conf_dst)' && ! cmp -s '$(ss_conf_src)' '$(ss_conf_dst)'; then \
	  echo " KEEP     $(ss_conf_dst) (edited)"; \
	else \
	  echo " rm -f '$(ss_conf_dst)'"; rm -f '$(ss_conf_dst)'; \
	fi
	@rmdir '$(DESTDIR)$(thermostatconfdir)' 2>/dev/null || :
	@rmdir '$(DESTDIR)$(thermostatstatedir)' 2>/dev/null || :
else
install-thermostat-data:
uninstall-thermostat-data:
endif

# The systemd unit, with the install paths filled in.  Built with the
# daemon (tests/systemd.sh verifies it), installed when configure found a
# unit directory (--with-systemdsystemunitdir, or systemd.pc).
ss_paths_edit = $(SED) \
	-e 's|@sbindir[@]|$(sbindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g'
thermostat/thermostat.service: $(srcdir)/thermostat/thermostat.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(ss_paths_edit) $(srcdir)/thermostat/thermostat.service.in >$@.tmp && \
	mv -f $@.tmp $@
CLEANFILES += thermostat/thermostat.service thermostat/thermostat.service.tmp
# The example configuration, with the same paths (the state file's
# default); install-thermostat-data installs it.
thermostat/thermostat.conf: $(srcdir)/thermostat/thermostat.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	$(ss_paths_edit) $(srcdir)/thermostat/thermostat.conf.in >$@.tmp && \
	mv -f $@.tmp $@
CLEANFILES += thermostat/thermostat.conf thermostat/thermostat.conf.tmp
if BUILD_THERMOSTAT
noinst_DATA = thermostat/thermostat.service thermostat/thermostat.conf
if INSTALL_UNIT
systemdsystemunit_DATA = thermostat/thermostat.service
endif
endif

# ---- tests -------------------------------------------------------------
# The install paths, fully expanded, as shell assignments: the tests eval
# "make -s print-install-dirs" instead of parsing the Makefile.
if INSTALL_UNIT
ss_install_unit = yes
else
ss_install_unit = no
endif
if BUILD_THERMOSTAT
ss_build_thermostat = yes
else
ss_build_thermostat = no
endif
.PHONY: print-install-dirs
print-install-dirs:
	@for v in prefix='$(prefix)' exec_prefix='$(exec_prefix)' \
		bindir='$(bindir)' sbindir='$(sbindir)' libdir='$(libdir)' \
		includedir='$(includedir)' mandir='$(mandir)' \
		sysconfdir='$(sysconfdir)' localstatedir='$(localstatedir)' \
		pkgconfigdir='$(pkgconfigdir)' \
		systemdsystemunitdir='$(systemdsystemunitdir)' \
		install_unit='$(ss_install_unit)' \
		build_thermostat='$(ss_build_thermostat)'; do \
	  echo "$$v" | sed "s/=\(.*\)/='\1'/"; \
	done

TESTS += \
	tests/install.sh \
	tests/abi/check.sh \
	tests/systemd.sh
EXTRA_DIST += \
	tests/install.sh \
	tests/abi/check.sh \
	tests/abi/libsharedstate.x86_64.abi \
	tests/abi/libsharedstate.aarch64.abi \
	tests/abi/libsharedstate.arm.abi \
	tests/abi/libsharedstate.version \
	tests/systemd.sh

# make abi-baseline: rewrite tests/abi/ from the library as built, after a
# release (with the libtool version configure.ac has now).
.PHONY: abi-baseline
abi-baseline: lib/libsharedstate.la
	$(AM_V_GEN)top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(srcdir)/tests/abi/check.sh --update

# ---- the release tarball -------------------------------------------------
# What the tarball needs beyond the sources the other fragments list:
# the unit and the browser test.  debian/ (and scripts/debs, which builds
# from it) is not shipped: the Debian source package is this tarball as
# its .orig.tar.gz plus debian/ from the repository (3.0 (quilt)).
EXTRA_DIST += \
	thermostat/thermostat.service.in \
	tests/browser/README.md \
	tests/browser/package.json \
	tests/browser/package-lock.json \
	tests/browser/page.test.mjs \
	tests/browser/run.sh
