# SPDX-License-Identifier: MIT
# The I/O around the core: sensors and their parsers, the relay, the
# simulated house, the state file.  Their sources in libthermo, their
# Check suites, and the fixture trees the sensor suite reads.

thermostat_libthermo_la_SOURCES += \
	thermostat/io/house.c \
	thermostat/io/house.h \
	thermostat/io/kinds.c \
	thermostat/io/relay.c \
	thermostat/io/relay.h \
	thermostat/io/relay_gpiod.c \
	thermostat/io/relay_gpiod.h \
	thermostat/io/sensor.c \
	thermostat/io/sensor.h \
	thermostat/io/sensor_parse.c \
	thermostat/io/sensor_parse.h \
	thermostat/io/statefile.c \
	thermostat/io/statefile.h

if HAVE_CHECK
check_PROGRAMS += \
	tests/thermostat/check-sensor \
	tests/thermostat/check-relay
TESTS += \
	tests/thermostat/check-sensor \
	tests/thermostat/check-relay
endif

tests_thermostat_check_sensor_SOURCES = \
	tests/thermostat/check_sensor.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h
tests_thermostat_check_sensor_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_sensor_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_sensor_LDADD = $(THERMO_TEST_LIBS)

# The relay suite links the relay's own sources, neither libthermo nor
# libgpiod: -Wl,--wrap=X sends the relay's calls of each libgpiod
# function X to __wrap_X in fake_gpiod.c.  A call the list misses is an
# undefined reference, a link error, so no test can reach a real chip.
# The list is exactly what relay_gpiod.c calls, per API.  (No -flto: with
# LTO, GCC 12 and ld 2.40 fail to link the wrapped references.)
tests_thermostat_check_relay_SOURCES = \
	tests/thermostat/check_relay.c \
	tests/thermostat/fake_gpiod.c \
	tests/thermostat/fake_gpiod.h \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h \
	thermostat/io/relay.c \
	thermostat/io/relay_gpiod.c \
	thermostat/log.c \
	thermostat/util/errmsg.c \
	thermostat/util/names.c
tests_thermostat_check_relay_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_relay_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_relay_LDFLAGS = $(AM_LDFLAGS) $(GPIOD_WRAPS)
tests_thermostat_check_relay_LDADD = $(CHECK_LIBS)
if GPIOD_V2
GPIOD_WRAPS = \
	-Wl,--wrap=gpiod_chip_open \
	-Wl,--wrap=gpiod_chip_close \
	-Wl,--wrap=gpiod_line_settings_new \
	-Wl,--wrap=gpiod_line_settings_free \
	-Wl,--wrap=gpiod_line_settings_set_direction \
	-Wl,--wrap=gpiod_line_settings_set_output_value \
	-Wl,--wrap=gpiod_line_settings_set_active_low \
	-Wl,--wrap=gpiod_line_config_new \
	-Wl,--wrap=gpiod_line_config_free \
	-Wl,--wrap=gpiod_line_config_add_line_settings \
	-Wl,--wrap=gpiod_request_config_new \
	-Wl,--wrap=gpiod_request_config_free \
	-Wl,--wrap=gpiod_request_config_set_consumer \
	-Wl,--wrap=gpiod_chip_request_lines \
	-Wl,--wrap=gpiod_line_request_set_value \
	-Wl,--wrap=gpiod_line_request_release
else
GPIOD_WRAPS = \
	-Wl,--wrap=gpiod_chip_open_lookup \
	-Wl,--wrap=gpiod_chip_close \
	-Wl,--wrap=gpiod_chip_get_line \
	-Wl,--wrap=gpiod_line_request_output_flags \
	-Wl,--wrap=gpiod_line_set_value \
	-Wl,--wrap=gpiod_line_release
endif

# The fixtures: w1 trees as sysfs lays them out, and millidegree files;
# and the script that fetches libgpiod 2.x for scripts/check's v2 build.
IO_FIXTURES = tests/thermostat/fixtures
IO_DEV = bus/w1/devices/28-0316a279f3ff
IO_DEV2 = bus/w1/devices/28-041752b1c0ff
IO_MASTER = bus/w1/devices/w1_bus_master1
EXTRA_DIST += \
	scripts/fetch-gpiod2 \
	$(IO_FIXTURES)/milli/crlf \
	$(IO_FIXTURES)/milli/empty \
	$(IO_FIXTURES)/milli/garbage \
	$(IO_FIXTURES)/milli/hwmon-temp1_input \
	$(IO_FIXTURES)/milli/no-newline \
	$(IO_FIXTURES)/milli/overflow \
	$(IO_FIXTURES)/milli/spaces \
	$(IO_FIXTURES)/milli/thermal-zone-temp \
	$(IO_FIXTURES)/w1/crc-no/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/empty/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/fault/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/garbage/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/good/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/good/$(IO_MASTER)/w1_master_slave_count \
	$(IO_FIXTURES)/w1/negative/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/no-slave/$(IO_DEV)/name \
	$(IO_FIXTURES)/w1/none/$(IO_MASTER)/w1_master_slave_count \
	$(IO_FIXTURES)/w1/out-of-range/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/power-on/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/truncated/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/two/$(IO_DEV)/w1_slave \
	$(IO_FIXTURES)/w1/two/$(IO_DEV2)/w1_slave \
	$(IO_FIXTURES)/w1/two/$(IO_MASTER)/w1_master_slave_count
