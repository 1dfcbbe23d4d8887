/* SPDX-License-Identifier: MIT */
/*
 * The state file's parser (state_parse), with and without bounds.
 * Properties: a refused file leaves the result alone and says why; an
 * accepted one has a finite setpoint within the bounds and a known mode,
 * and state_format writes it as text that fits state_save's buffer and
 * parses to exactly the same values.
 */
#include <config.h>
#include <math.h>
#include <string.h>

#include "conf/conf.h"
#include "io/statefile.h"
#include "targets.h"

int fuzz_statefile(const uint8_t *data, size_t size)
{
	static struct thermo_settings cfg;
	static int ready;
	const char *text = (const char *)data;

	if (!ready) {
		config_defaults(&cfg);
		ready = 1;
	}
	for (int bounded = 0; bounded < 2; bounded++) {
		const struct setpoint_limits *c = bounded ? &cfg.limits : NULL;
		struct saved_state st = { .has_setpoint = true, .setpoint = -1234.5,
					  .mode = (enum thermo_mode)42 };
		struct saved_state back = st;
		char err[256] = "", buf[4096];
		int r, n;

		r = state_parse(text, size, c, &st, err, sizeof(err));
		if (r != 0) {
			if (r != -1 || !err[0])
				fuzz_fail(data, size, "refused (%d) without a "
					  "message", r);
			if (st.setpoint != -1234.5 ||
			    st.mode != (enum thermo_mode)42)
				fuzz_fail(data, size, "refused but wrote the "
					  "result");
			continue;
		}
		if (st.has_setpoint && !isfinite(st.setpoint))
			fuzz_fail(data, size, "accepted setpoint %g",
				  st.setpoint);
		if (c && st.has_setpoint &&
		    (st.setpoint < c->min || st.setpoint > c->max))
			fuzz_fail(data, size, "accepted %.17g outside %g..%g",
				  st.setpoint, c->min, c->max);
		if (st.mode != MODE_OFF && st.mode != MODE_HEAT)
			fuzz_fail(data, size, "accepted mode %d", (int)st.mode);
		/* state_save formats into 4096 bytes (STATE_MAX_BYTES). */
		n = state_format(&st, buf, sizeof(buf));
		if (n < 0 || (size_t)n >= sizeof(buf))
			fuzz_fail(data, size, "formats to %d bytes", n);
		if (state_parse(buf, (size_t)n, c, &back, err,
				sizeof(err)) != 0)
			fuzz_fail(data, size, "state_format's \"%s\" is "
				  "refused: %s", buf, err);
		/* The whole state, program included (both parses clear
		 * the struct before filling it). */
		if (memcmp(&back, &st, sizeof(st)) != 0)
			fuzz_fail(data, size, "\"%s\" reads back otherwise "
				  "(%.17g %d)", buf, back.setpoint,
				  (int)back.mode);
	}
	return 0;
}
