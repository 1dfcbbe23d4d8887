# SPDX-License-Identifier: MIT
# make check-gpio: the relay on a real kernel GPIO line, the PL061 of
# qemu-system-aarch64 -M virt under Debian's arm64 kernel, watched from
# the host through QEMU's trace (tests/gpio/run.sh).  For an arm64 build
# tree (configure --host=aarch64-linux-gnu); GPIO_KERNEL and GPIO_BUSYBOX
# name the arm64 kernel image and a static arm64 busybox, in the
# environment or on the command line.  scripts/gpio-check fetches both
# and runs the test for each build tree it is given (libgpiod 1.6, 2.x).
EXTRA_DIST += \
	scripts/gpio-check \
	tests/gpio/run.sh \
	tests/gpio/init \
	tests/gpio/initramfs.sh \
	tests/gpio/phases \
	tests/gpio/trace.awk

.PHONY: check-gpio
if BUILD_THERMOSTAT
# The architecture first, before building anything.
check-gpio:
	$(AM_V_at)case '$(host_cpu)' in \
	aarch64) ;; \
	*) echo "check-gpio: this build is for $(host_cpu); the test boots an arm64 kernel and runs an arm64 daemon: configure a build with --host=aarch64-linux-gnu"; \
	   exit 1 ;; \
	esac
	$(AM_V_at)$(MAKE) $(AM_MAKEFLAGS) thermostat/thermostat$(EXEEXT)
	$(AM_V_at)GPIO_KERNEL='$(GPIO_KERNEL)' GPIO_BUSYBOX='$(GPIO_BUSYBOX)' \
		$(top_srcdir)/tests/gpio/run.sh '$(abs_top_builddir)'
else
check-gpio:
	@echo "check-gpio: the thermostat is not built (configure --disable-thermostat)"; exit 1
endif
