// SPDX-License-Identifier: MIT
// The thermostat's page.  Plain JavaScript, no build step; served from the
// daemon itself.  Everything shown comes from the server's answers (no
// optimistic updates), and API data only ever reaches the page through
// textContent and attributes, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  const MAX_POINTS = 8;             // switch points a day (the daemon's limit)
  const MAX_PRESETS = 8;            // presets in all (the daemon's limit)
  const BOOST_MAX_MINUTES = 720;    // a boost lasts 1 to 720 minutes
  const HISTORY_MINUTES = 360;      // the chart's span
  const MIN_SPAN_MS = 10e3;         // the chart spans at least this,
                                    // and ten history intervals
  const HISTORY_EVERY_MS = 60e3;    // chart refresh, at the longest

  let state = null;                 // the last state the server sent
  let receivedAt = 0;               // Date.now() when it came
  let clockSkew = 0;                // server wall clock minus ours, ms
  let tzOffset = -new Date().getTimezoneOffset() * 60e3;
                                    // the server's local time minus UTC, ms
                                    // (its utc_offset; ours until it says)
  let presets = [];                 // [{name, setpoint}], as the server sent
  let saved = null;                 // the week as the server last sent it
  let draft = null;                 // the week being edited
  let weekElsewhere = false;        // the week changed elsewhere during an edit
  let weekPending = false;          // ... and is to be read once the edit ends
  let presetDraft = null;           // the presets being edited: [{name, setpoint, was}]
  let runtimeKey = "";              // what the run-time chart shows
  let runtimeWidth = 0;
  let history = { interval: 60, points: [] };
  let queue = Promise.resolve();    // writes, one at a time, in order
  let committed = "";               // the setpoint text last sent or shown
  let historyTimer = 0;
  let chartWidth = 0;

  // ---- formatting ------------------------------------------------------

  const unitSym = () => "°" + (state ? state.units : "C");
  // The setpoint step, in the display units, as the server rounds.
  const step = () => (state && isNum(state.setpoint_step) && state.setpoint_step > 0 ? state.setpoint_step : 0.5);
  // "comfort" -> "Comfort"
  const capital = (name) => (name ? name.charAt(0).toUpperCase() + name.slice(1) : "");
  const tempText = (v) => (isNum(v) ? fmtSp(v) + " " + unitSym() : "");
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  // 21.5 -> "21.5", 22 -> "22.0", 69.75 -> "69.75"
  const fmtSp = (v) => (Math.round(v * 10) === v * 10 ? v.toFixed(1) : v.toFixed(2));
  const pad2 = (n) => String(n).padStart(2, "0");
  // An instant as the server's local time of day ("06:30"), whatever
  // the browser's zone.
  const hhmm = (ms) => {
    const d = new Date(ms + tzOffset);
    return pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes());
  };

  const hhmmss = (ms) => hhmm(ms) + ":" + pad2(new Date(ms).getUTCSeconds());

  // Seconds as a person says them: "25 s", "45 min", "1 h 12 min", "9 h".
  function duration(seconds) {
    const s = Math.max(0, Math.round(isNum(seconds) ? seconds : 0));
    if (s < 60) return s + " s";
    const m = Math.round(s / 60);
    if (m < 60) return m + " min";
    const h = Math.floor(m / 60);
    return m % 60 ? h + " h " + (m % 60) + " min" : h + " h";
  }
  // The same, short, for a bar's label: "25s", "45m", "1h12".
  function durationShort(seconds) {
    const s = Math.max(0, Math.round(isNum(seconds) ? seconds : 0));
    if (s < 60) return s + "s";
    const m = Math.round(s / 60);
    if (m < 60) return m + "m";
    return Math.floor(m / 60) + "h" + (m % 60 ? pad2(m % 60) : "");
  }
  const plural = (n, one) => n + " " + one + (n === 1 ? "" : "s");

  function ago(seconds) {
    if (!isNum(seconds) || seconds < 0) return "";
    if (seconds < 90) return Math.round(seconds) + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    return (seconds / 3600).toFixed(1) + " h ago";
  }

  // The server's local time now, as a Date whose UTC fields are it.
  const serverLocalNow = () => new Date(Date.now() + clockSkew + tzOffset);
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  // "YYYY-MM-DDTHH:MM" (the server's local time) -> "22:00", "tomorrow
  // 06:30", "Sunday 18:00" (within a week), "13 Dec 18:00".
  function when(local) {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d)$/.exec(local || "");
    if (!m) return "";
    const day = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    const n = serverLocalNow();
    const today = Date.UTC(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate());
    const days = Math.round((day - today) / 86400e3);
    if (days === 0) return m[4];
    if (days === 1) return "tomorrow " + m[4];
    if (days > 1 && days < 7) return WEEKDAYS[new Date(day).getUTCDay()] + " " + m[4];
    return +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[4];
  }
  // Today's name in the server's week ("monday").
  const todayName = () => DAYS[(serverLocalNow().getUTCDay() + 6) % 7];
  // "YYYY-MM-DDTHH:MM" of the server's local time @ms from now, to the
  // whole hour.
  function localIn(ms) {
    const d = new Date(Math.ceil((Date.now() + clockSkew + tzOffset + ms) / 3600e3) * 3600e3);
    return d.toISOString().slice(0, 16);
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  // ---- status line -----------------------------------------------------

  // A status line: @id's text, an error until replaced, anything else
  // for 6 s.
  const sayTimers = {};
  function sayIn(id, text, error) {
    const el = $(id);
    clearTimeout(sayTimers[id]);
    el.classList.toggle("error", !!error);
    setText(el, text);
    if (!error && text) sayTimers[id] = setTimeout(() => setText(el, ""), 6000);
  }
  const say = (text, error) => sayIn("status", text, error);

  // ---- the API ---------------------------------------------------------

  async function api(method, path, body) {
    const opt = { method, headers: { Accept: "application/json" }, cache: "no-store" };
    if (body !== undefined) {
      opt.headers["Content-Type"] = "application/json";
      opt.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, opt);
    } catch (e) {
      throw new Error("Cannot reach the thermostat");
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const why = data && typeof data.error === "string" ? data.error : "HTTP " + res.status;
      // The presets changed under us: read them again for the retry.
      if (res.status === 409) loadPresets();
      throw new Error(why);
    }
    if (!data || typeof data !== "object") throw new Error("Unexpected answer from the thermostat");
    return data;
  }

  // Runs writes one after another; an error goes to the status line
  // (@where, or the controls').
  function run(task, where) {
    queue = queue.then(task).catch((err) => {
      sayIn(where || "status", err.message, true);
      if (state) renderSetpoint("answer");
    });
    return queue;
  }

  // ---- rendering the state ---------------------------------------------

  function applyState(s, fromWrite) {
    if (!s || typeof s !== "object") return;
    const prev = state;
    state = s;
    receivedAt = Date.now();
    const at = Date.parse(s.relay_changed_at);
    if (isNum(s.time)) clockSkew = s.time - receivedAt;
    else if (!Number.isNaN(at) && isNum(s.relay_changed_age))
      clockSkew = at + s.relay_changed_age * 1000 - receivedAt;
    learnZone(s);
    render(fromWrite);
    // The chart's history moves when the setpoint, mode or relay do.
    if (prev && (prev.setpoint !== s.setpoint || prev.heating !== s.heating || prev.mode !== s.mode))
      scheduleHistory(1500);
    if (prev && isNum(s.program_changes)) {
      // The presets or the week were written (here or elsewhere).
      if (prev.program_changes !== s.program_changes) programChanged();
    } else if (prev) {
      // A daemon without "changes": the week may have changed when its
      // next point did.
      const next = (x) => (x && x.program && x.program.next_switch ? x.program.next_switch.at : null);
      if (next(prev) !== next(s)) refreshWeek();
    }
    renderChart();
  }

  // Reads the presets and the week again, a moment after a burst of
  // writes, leaving alone what someone is editing.
  let changedTimer = 0;
  function programChanged() {
    clearTimeout(changedTimer);
    changedTimer = setTimeout(() => {
      loadPresets();
      refreshWeek();
    }, 250);
  }

  function render(fromWrite) {
    const s = state;
    const u = unitSym();
    setText($("temp"), isNum(s.temperature) ? s.temperature.toFixed(1) : "–");
    setText($("temp-unit"), u);
    renderAge();

    const heat = $("heat");
    heat.dataset.heating = String(!!s.heating);
    heat.dataset.mode = s.mode === "heat" ? "heat" : "off";
    setText($("heat-label"), s.heating ? "Heating" : "Idle");
    const since = Date.parse(s.relay_changed_at);
    setText($("heat-since"), Number.isNaN(since) ? "" : " since " + hhmm(since));
    renderSummary();
    renderProgram();

    renderAlarm();
    renderRuntime();
    renderSetpoint(fromWrite ? "answer" : false);

    const sw = $("mode");
    sw.setAttribute("aria-checked", String(s.mode === "heat"));
    setText($("mode-text"), s.mode === "heat" ? "Heat" : "Off");

    renderHealth();
    setText($("version"), typeof s.version === "string" ? s.version : "");
  }

  function renderAge() {
    const s = state;
    let text;
    if (!s) text = "\u00a0";
    else if (!isNum(s.temperature)) text = "No current reading";
    else text = "Updated " + ago(s.temperature_age + (Date.now() - receivedAt) / 1000);
    setText($("temp-age"), text);
  }

  // @force: true to overwrite whatever the input holds (Escape, a bad
  // entry); "answer" (a write's answer) to overwrite it unless something
  // newer was typed since the last entry was sent.
  function renderSetpoint(force) {
    const s = state;
    const input = $("sp-input");
    const text = fmtSp(s.setpoint);
    input.min = String(s.min_setpoint);
    input.max = String(s.max_setpoint);
    // Never overwrite what someone is typing, except with the answer to it.
    const untouched = input.value.trim() === committed;
    if (force === true || (force === "answer" && untouched) || document.activeElement !== input) {
      input.value = text;
      committed = text;
    }
    setText($("sp-unit"), unitSym());
    input.step = String(step());
    setText($("sp-range"), fmtSp(s.min_setpoint) + " to " + fmtSp(s.max_setpoint) + " " + unitSym() + ", in steps of " + step());
    $("sp-down").setAttribute("aria-disabled", String(s.setpoint <= s.min_setpoint));
    $("sp-up").setAttribute("aria-disabled", String(s.setpoint >= s.max_setpoint));
    $("sp-down").setAttribute("aria-label", "Lower the setpoint by " + step() + " " + unitSym());
    $("sp-up").setAttribute("aria-label", "Raise the setpoint by " + step() + " " + unitSym());
  }

  // The runaway alarm: shown while the server says it holds the heat off.
  function renderAlarm() {
    const a = state.alarm || {};
    const box = $("alarm");
    box.hidden = a.runaway !== true;
    if (box.hidden) return;
    const since = Date.parse(a.since);
    let text = "the heat ran without the temperature rising (a furnace or sensor fault?)";
    if (!Number.isNaN(since)) text += " and was turned off at " + hhmm(since);
    if (isNum(a.temperature)) text += ", at " + a.temperature.toFixed(1) + " " + unitSym();
    text += ". It stays off until the temperature moves, or until you clear the alarm once the furnace and the sensor are checked.";
    setText($("alarm-text"), text);
  }

  function clearAlarm() {
    run(() =>
      api("PUT", "/api/v1/alarm", { runaway: false }).then((s) => {
        applyState(s, true);
        say("Runaway alarm cleared");
      })
    );
  }

  const SENSOR = {
    ok: ["OK", "ok"],
    error: ["Read error", "warn"],
    stale: ["No reading", "bad"],
    starting: ["Starting", "warn"],
  };

  function renderHealth() {
    const s = state;
    const sensor = s.sensor || {};
    const [label, level] = SENSOR[sensor.status] || ["Unknown", "warn"];
    $("h-sensor").dataset.level = level;
    setText($("sensor-status"), label);
    let detail = "";
    const n = isNum(sensor.errors) ? sensor.errors : 0;
    if (sensor.status !== "ok" && sensor.last_error) detail = sensor.last_error;
    if (n > 0) detail += (detail ? " · " : "") + n + (n === 1 ? " error" : " errors") + " since start";
    setText($("sensor-detail"), detail);

    const relay = s.relay || {};
    $("h-relay").dataset.level = relay.ok ? "ok" : "bad";
    setText($("relay-status"), relay.ok ? "OK" : "Failing");
    const sw = isNum(relay.switches) ? relay.switches : 0;
    let rd = sw + (sw === 1 ? " switch" : " switches");
    if (isNum(relay.errors) && relay.errors > 0) rd += " · " + relay.errors + " failed writes";
    setText($("relay-detail"), rd);

    $("h-saved").dataset.level = s.state_saved ? "ok" : "bad";
    setText($("saved-status"), s.state_saved ? "Saved" : "Could not be saved: will be lost on restart");
  }

  // ---- the furnace's run time ------------------------------------------

  const SHORT_DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  // "2026-12-07" -> its weekday (0 Sunday), or -1.
  function weekday(date) {
    const t = Date.parse((date || "") + "T00:00:00Z");
    return Number.isNaN(t) ? -1 : new Date(t).getUTCDay();
  }
  function dayName(date, i, n) {
    if (i === n - 1) return "Today";
    if (i === n - 2) return "Yesterday";
    const w = weekday(date);
    return w < 0 ? date : WEEKDAYS[w];
  }

  // "Furnace ran 1 h 12 min today (4 runs), 2 h 5 min yesterday, 9 h
  // this week."
  function runtimeSentence(rt) {
    const num = (v) => (isNum(v) ? v : 0);
    const today = num(rt.today);
    const yesterday = num(rt.yesterday);
    const week = num(rt.week);
    if (today > 0)
      return "Furnace ran " + duration(today) + " today (" + plural(num(rt.cycles_today), "run") + "), " +
        (yesterday > 0 ? duration(yesterday) : "not at all") + " yesterday, " + duration(week) + " this week.";
    const then = [];
    if (yesterday > 0) then.push(duration(yesterday) + " yesterday");
    if (week > 0) then.push(duration(week) + " this week");
    return "The furnace has not run today" + (then.length ? "; it ran " + then.join(" and ") : "") + ".";
  }

  function renderRuntime() {
    const rt = state.runtime;
    const card = $("runtime-text").closest(".card");
    card.hidden = !rt || typeof rt !== "object";
    if (card.hidden) return;
    setText($("runtime-text"), runtimeSentence(rt));
    setText($("runtime-total"), isNum(rt.total) && rt.total > 0
      ? "In all, since it was first counted: " + duration(rt.total) + ", " + plural(isNum(rt.cycles_total) ? rt.cycles_total : 0, "run") + "."
      : "");
    const days = (Array.isArray(rt.days) ? rt.days : []).filter((d) => d && typeof d === "object");
    const box = $("runtime-chart");
    const W = Math.max(260, Math.round(box.clientWidth || 0));
    const key = JSON.stringify(days);
    if (key === runtimeKey && W === runtimeWidth) return;
    runtimeKey = key;
    runtimeWidth = W;

    // The numbers, as text: a table for screen readers.
    $("runtime-rows").replaceChildren(
      ...days.map((d, i) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = dayName(d.date, i, days.length) + " (" + d.date + ")";
        const a = document.createElement("td");
        a.textContent = duration(d.seconds);
        const b = document.createElement("td");
        b.textContent = String(isNum(d.cycles) ? d.cycles : 0);
        tr.append(th, a, b);
        return tr;
      })
    );

    // The bars: seconds a day, the most the full height (a minute at
    // least, so that a few seconds look like a few seconds).
    const H = 140;
    const m = { t: 18, b: 22, l: 4, r: 4 };
    const ih = H - m.t - m.b;
    const slot = (W - m.l - m.r) / Math.max(days.length, 1);
    const bw = Math.min(48, slot * 0.62);
    const top = Math.max(60, ...days.map((d) => (isNum(d.seconds) ? d.seconds : 0)));
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "runtime-svg" });
    const r2 = (v) => Math.round(v * 100) / 100;
    days.forEach((d, i) => {
      const sec = isNum(d.seconds) ? Math.max(0, d.seconds) : 0;
      const today = i === days.length - 1;
      const cx = m.l + slot * (i + 0.5);
      const h = sec > 0 ? Math.max(2, (sec / top) * ih) : 0;
      const g = el("g", { class: "day-bar" }, svg);
      const title = el("title", {}, g);
      const runs = isNum(d.cycles) ? d.cycles : 0;
      title.textContent = dayName(d.date, i, days.length) + " " + d.date + ": " + duration(sec) + ", " + plural(runs, "run");
      el("rect", { class: today ? "bar today" : "bar", x: r2(cx - bw / 2), y: r2(m.t + ih - h), width: r2(bw), height: r2(h), "data-seconds": sec }, g);
      const v = el("text", { x: r2(cx), y: r2(m.t + ih - h - 4), "text-anchor": "middle", class: today ? "value today" : "value" }, g);
      v.textContent = durationShort(sec);
      const w = weekday(d.date);
      const lab = el("text", { x: r2(cx), y: H - 6, "text-anchor": "middle", class: today ? "label today" : "label" }, g);
      lab.textContent = today ? "Today" : w < 0 ? "?" : SHORT_DAYS[w];
    });
    el("line", { class: "baseline", x1: m.l, x2: W - m.r, y1: m.t + ih, y2: m.t + ih }, svg);
    box.replaceChildren(svg);
  }

  // ---- writes ----------------------------------------------------------

  function putSetpoint(value) {
    return api("PUT", "/api/v1/setpoint", { setpoint: value, unit: state.units }).then((s) => {
      applyState(s, true);
      say("Setpoint " + fmtSp(s.setpoint) + " " + unitSym());
    });
  }

  // -1 or +1: to the next multiple of the step below or above the setpoint
  // the server last answered, within the bounds.
  function stepSetpoint(dir) {
    run(() => {
      if (!state) return undefined;
      const sp = state.setpoint;
      const STEP = step();
      let v = dir > 0 ? Math.floor(sp / STEP + 1e-6) * STEP + STEP : Math.ceil(sp / STEP - 1e-6) * STEP - STEP;
      v = Math.min(state.max_setpoint, Math.max(state.min_setpoint, v));
      if (Math.abs(v - sp) < 1e-9) return undefined;
      return putSetpoint(v);
    });
  }

  function commitEntry() {
    const input = $("sp-input");
    const text = input.value.trim();
    if (!state || text === committed) return;
    committed = text;
    const v = Number(text);
    if (text === "" || !Number.isFinite(v)) {
      say("Enter the setpoint as a number", true);
      renderSetpoint(true);
      return;
    }
    run(() => putSetpoint(v));
  }

  function setMode(heat) {
    run(() =>
      api("PUT", "/api/v1/mode", { mode: heat ? "heat" : "off" }).then((s) => {
        applyState(s, true);
        say(s.mode === "heat" ? "Heating mode on" : "Heating mode off");
      })
    );
  }

  // ---- the program: summary, presets, hold ------------------------------

  // The server's time zone: its utc_offset; or its local time now
  // against its clock; or (older daemons) an instant it gave both ways.
  function learnZone(s) {
    if (isNum(s.utc_offset)) {
      tzOffset = s.utc_offset * 1000;
      return;
    }
    const local = Date.parse((s.time_local || "") + ":00Z");
    if (!Number.isNaN(local) && isNum(s.time)) {
      // To the quarter hour: the local time has no seconds.
      tzOffset = Math.round((local - s.time) / 900e3) * 900e3;
      return;
    }
    const p = s.program;
    if (!p || typeof p !== "object") return;
    for (const [utc, local] of [[p.until, p.until_local], [p.next_switch && p.next_switch.at, p.next_switch && p.next_switch.at_local]]) {
      const a = Date.parse(utc);
      const b = Date.parse(local + ":00Z");
      if (typeof utc === "string" && typeof local === "string" && !Number.isNaN(a) && !Number.isNaN(b)) {
        // Instants carry seconds, local times do not.
        tzOffset = Math.round((b - a) / 60e3) * 60e3;
        return;
      }
    }
  }

  // "2 more minutes", "40 more seconds": as the server words a wait.
  function waitWords(s) {
    if (s < 60) {
      const n = Math.ceil(Math.max(s, 1));
      return n + " more second" + (n === 1 ? "" : "s");
    }
    const m = Math.ceil(s / 60);
    return m + " more minute" + (m === 1 ? "" : "s");
  }

  // The server's sentence, its wait counted down between states.
  function renderSummary() {
    const s = state;
    let text = typeof s.summary === "string" && s.summary ? s.summary : "\u00a0";
    if (isNum(s.wait) && s.wait > 0) {
      const left = s.wait - (Date.now() - receivedAt) / 1000;
      text = text.replace(/\b\d+ more (second|minute)s?\b/, waitWords(Math.max(left, 0)));
    }
    setText($("summary"), text);
  }

  const SOURCE = {
    schedule: "Schedule",
    hold: "Hold",
    boost: "Boost",
    manual: "Manual",
  };

  // "Comfort, 21.0 °C" or "19.5 °C"
  function targetText(preset, setpoint) {
    return preset ? capital(preset) + ", " + tempText(setpoint) : tempText(setpoint);
  }

  function renderProgram() {
    const p = state.program && typeof state.program === "object" ? state.program : { source: "manual" };
    const box = $("program");
    box.dataset.source = SOURCE[p.source] ? p.source : "manual";
    setText($("prog-source"), SOURCE[p.source] || "Manual");
    let now = targetText(p.preset, state.setpoint);
    if (p.source === "hold" && p.hold && p.hold.kind === "forever") now += ", until you resume the schedule";
    else if (p.until_local) now += ", until " + when(p.until_local);
    setText($("prog-now"), now);
    const n = p.next_switch;
    let next = "";
    if (n && n.at_local) {
      const then = targetText(n.preset, n.setpoint);
      next = (p.until_local === n.at_local ? "Then " : "Next in the schedule: ") + then + " at " + when(n.at_local);
    } else if (p.source === "manual") {
      next = "No week program: the setpoint stays until you change it.";
    }
    setText($("prog-next"), next);
    $("resume").hidden = !(p.hold || p.boost);
    setText($("resume"), p.boost && !p.hold ? "End the boost" : "Resume the schedule");
    setText($("hold-next"), n && n.at_local ? "(" + when(n.at_local) + ")" : "");
    renderPresetButtons();
  }

  function resume() {
    const boost = !!(state && state.program && state.program.boost && !state.program.hold);
    run(() =>
      api("DELETE", "/api/v1/hold").then((s) => {
        applyState(s, true);
        say(boost ? "Boost ended: back to the schedule" : "Back to the schedule");
      })
    );
  }

  // ---- boost -----------------------------------------------------------

  function boostDefaults() {
    if (!state) return;
    const t = $("boost-temp");
    t.step = String(step());
    t.min = String(state.min_setpoint);
    t.max = String(state.max_setpoint);
    if (t.value === "") t.value = fmtSp(Math.min(state.max_setpoint, Math.round((state.setpoint + 2) / step()) * step()));
    for (const u of document.querySelectorAll(".boost-unit")) setText(u, unitSym());
  }

  function submitBoost(ev) {
    ev.preventDefault();
    if (!state) return;
    const t = $("boost-temp").value.trim();
    const m = $("boost-minutes").value.trim();
    const v = Number(t);
    const n = Number(m);
    if (t === "" || !Number.isFinite(v)) {
      sayIn("boost-status", "Enter the temperature as a number", true);
      return;
    }
    if (!/^\d+$/.test(m) || n < 1 || n > BOOST_MAX_MINUTES) {
      sayIn("boost-status", "The minutes: a whole number, 1 to " + BOOST_MAX_MINUTES, true);
      return;
    }
    run(
      () =>
        api("PUT", "/api/v1/boost", { setpoint: v, minutes: n, unit: state.units }).then((s) => {
          applyState(s, true);
          const b = s.program && s.program.boost;
          sayIn("boost-status", "Boost to " + tempText(b && isNum(b.setpoint) ? b.setpoint : s.setpoint) + (b && b.until_local ? " until " + when(b.until_local) : ""));
        }),
      "boost-status"
    );
  }

  // ---- presets ---------------------------------------------------------

  const samePresets = (a, b) =>
    a.length === b.length && a.every((x, i) => x.name === b[i].name && x.setpoint === b[i].setpoint);

  async function loadPresets() {
    let list;
    try {
      const r = await api("GET", "/api/v1/presets");
      if (!Array.isArray(r.presets)) throw new Error("Unexpected answer from the thermostat");
      list = r.presets.filter((x) => x && typeof x.name === "string");
    } catch (err) {
      say("Presets: " + err.message, true);
      return;
    }
    setPresets(list);
  }

  // The daemon's presets: the buttons, the hold's list, the week's
  // lists, and the editor unless someone is editing there.
  function setPresets(list) {
    const wasDirty = presetsDirty();
    const changed = !samePresets(list, presets);
    presets = list;
    renderPresetButtons();
    if (changed) {
      renderHoldTargets();
      // The week's lists, unless someone is in them (they catch up on
      // the next render).
      if (draft && !$("week").contains(document.activeElement)) renderWeek();
    }
    if (!presetDraft || (changed && !wasDirty)) {
      presetDraft = presets.map((x) => ({ name: x.name, setpoint: fmtSp(x.setpoint), was: x.name }));
      renderPresetEditor();
    } else if (changed) {
      // Someone else saved while this editor has changes: kept, and said.
      markPresetsDirty();
      sayIn("presets-status", "The presets were changed elsewhere meanwhile: saving replaces them");
    } else {
      markPresetsDirty();
    }
  }

  // The editor's rows against the daemon's list.
  function presetsDirty() {
    if (!presetDraft) return false;
    if (presetDraft.length !== presets.length) return true;
    return presetDraft.some((p, i) => p.was !== presets[i].name || p.name.trim() !== presets[i].name || Number(p.setpoint) !== presets[i].setpoint);
  }

  function markPresetsDirty() {
    setText($("presets-dirty"), presetsDirty() ? "Unsaved changes" : "");
    $("preset-add").disabled = !presetDraft || presetDraft.length >= MAX_PRESETS;
  }

  function renderPresetEditor() {
    const rows = (presetDraft || []).map((p, i) => {
      const li = document.createElement("li");
      li.className = "preset-row";
      const label = p.was ? capital(p.was) : "new preset " + (i + 1);
      const name = document.createElement("input");
      name.type = "text";
      name.className = "pr-name";
      name.maxLength = 15;
      name.autocomplete = "off";
      name.autocapitalize = "none";
      name.spellcheck = false;
      name.value = p.name;
      name.setAttribute("aria-label", "Name of " + (p.was ? "the preset " + label : "the " + label));
      name.addEventListener("input", () => {
        p.name = name.value;
        markPresetsDirty();
      });
      const temp = document.createElement("input");
      temp.type = "number";
      temp.className = "pr-temp";
      temp.inputMode = "decimal";
      if (state) {
        temp.step = String(step());
        temp.min = String(state.min_setpoint);
        temp.max = String(state.max_setpoint);
      }
      temp.value = p.setpoint;
      temp.setAttribute("aria-label", "Temperature of " + (p.was ? "the preset " + label : "the " + label) + ", " + unitSym());
      temp.addEventListener("input", () => {
        p.setpoint = temp.value;
        markPresetsDirty();
      });
      const box = document.createElement("span");
      box.className = "pr-temp-box";
      const unit = document.createElement("span");
      unit.className = "muted";
      unit.setAttribute("aria-hidden", "true");
      unit.textContent = unitSym();
      box.append(temp, unit);
      const rm = document.createElement("button");
      rm.type = "button";
      rm.className = "pr-remove";
      rm.textContent = "✕";
      rm.setAttribute("aria-label", "Remove " + (p.was ? "the preset " + label : "the " + label));
      rm.addEventListener("click", () => {
        presetDraft.splice(i, 1);
        renderPresetEditor();
        $("preset-add").focus();
      });
      li.append(name, box, rm);
      return li;
    });
    $("preset-rows").replaceChildren(...rows);
    markPresetsDirty();
  }

  function addPreset() {
    if (!presetDraft || presetDraft.length >= MAX_PRESETS) return;
    presetDraft.push({ name: "", setpoint: fmtSp(state ? state.setpoint : 20), was: null });
    renderPresetEditor();
    const names = $("preset-rows").querySelectorAll(".pr-name");
    if (names.length) names[names.length - 1].focus();
  }

  function revertPresets() {
    const dirty = presetsDirty();
    presetDraft = null;
    loadPresets().then(() => sayIn("presets-status", dirty ? "Changes undone" : "Presets read again"));
  }

  function savePresets(ev) {
    ev.preventDefault();
    if (!presetDraft || !state) return;
    const list = [];
    const renamed = {};
    for (const p of presetDraft) {
      // Names as the daemon takes them: "Guest room" -> "guest_room".
      const name = p.name.trim().toLowerCase().replace(/\s+/g, "_");
      const v = Number(p.setpoint);
      if (String(p.setpoint).trim() === "" || !Number.isFinite(v)) {
        sayIn("presets-status", (name ? capital(name) : "A new preset") + ": enter the temperature as a number", true);
        return;
      }
      const item = { name, setpoint: v };
      if (p.was && p.was !== name) {
        item.was = p.was;
        renamed[p.was] = name;
      }
      list.push(item);
    }
    run(
      () =>
        api("PUT", "/api/v1/presets", { presets: list, unit: state.units }).then((r) => {
          if (!Array.isArray(r.presets)) throw new Error("Unexpected answer from the thermostat");
          // The week in the editor follows the renames, as the daemon's did.
          for (const w of [saved, draft])
            if (w) for (const d of DAYS) for (const pt of w[d]) if (pt.preset && renamed[pt.preset]) pt.preset = renamed[pt.preset];
          presetDraft = null;
          setPresets(r.presets.filter((x) => x && typeof x.name === "string"));
          if (draft) renderWeek();
          sayIn("presets-status", "Presets saved");
        }),
      "presets-status"
    );
  }

  function renderPresetButtons() {
    const box = $("presets");
    const active = state && state.program ? state.program.preset : null;
    const names = presets.map((x) => x.name + "=" + x.setpoint).join(",");
    if (box.dataset.names !== names) {
      box.dataset.names = names;
      box.replaceChildren(
        ...presets.map((x) => {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "preset";
          b.dataset.preset = x.name;
          const n = document.createElement("span");
          n.className = "preset-name";
          n.textContent = capital(x.name);
          const t = document.createElement("span");
          t.className = "preset-temp";
          t.textContent = tempText(x.setpoint);
          b.append(n, t);
          return b;
        })
      );
    }
    for (const b of box.children) b.setAttribute("aria-pressed", String(b.dataset.preset === active));
  }

  function activatePreset(name) {
    run(() =>
      api("PUT", "/api/v1/preset", { preset: name }).then((s) => {
        applyState(s, true);
        say(capital(name) + " until the next change");
      })
    );
  }

  // The hold's target list: the presets, then a temperature of one's own.
  function renderHoldTargets() {
    const sel = $("hold-target");
    const was = sel.value;
    sel.replaceChildren(
      ...presets.map((x) => new Option(capital(x.name) + " (" + tempText(x.setpoint) + ")", "preset:" + x.name)),
      new Option("A temperature…", "temp")
    );
    if ([...sel.options].some((o) => o.value === was)) sel.value = was;
    holdTargetChanged();
  }

  function holdTargetChanged() {
    const temp = $("hold-target").value === "temp";
    $("hold-temp-box").hidden = !temp;
    const input = $("hold-temp");
    if (state) {
      input.step = String(step());
      input.min = String(state.min_setpoint);
      input.max = String(state.max_setpoint);
      if (temp && input.value === "") input.value = fmtSp(state.setpoint);
    }
    for (const u of document.querySelectorAll(".hold-unit")) setText(u, unitSym());
  }

  function submitHold(ev) {
    ev.preventDefault();
    if (!state) return;
    const body = {};
    const target = $("hold-target").value;
    if (target === "temp") {
      const v = Number($("hold-temp").value);
      if ($("hold-temp").value.trim() === "" || !Number.isFinite(v)) {
        sayIn("hold-status", "Enter the temperature as a number", true);
        return;
      }
      body.setpoint = v;
      body.unit = state.units;
    } else {
      body.preset = target.slice("preset:".length);
    }
    const how = ($("hold-form").querySelector("input[name=hold-for]:checked") || {}).value || "next";
    if (how === "hours") body.hours = Number($("hold-hours").value);
    else if (how === "until") body.until = $("hold-until").value;
    else body.kind = how;
    run(
      () =>
        api("PUT", "/api/v1/hold", body).then((s) => {
          applyState(s, true);
          sayIn("hold-status", "Held: " + $("prog-now").textContent);
        }),
      "hold-status"
    );
  }

  // ---- the week program ------------------------------------------------

  // A point as the editor keeps it: {time, preset} or {time, setpoint}.
  const copyWeek = (w) => {
    const out = {};
    for (const d of DAYS) out[d] = (Array.isArray(w[d]) ? w[d] : []).map((p) => ({ ...p }));
    return out;
  };
  const sameWeek = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  async function loadWeek(keepDraft) {
    try {
      const r = await api("GET", "/api/v1/schedule");
      if (!r.schedule || typeof r.schedule !== "object") throw new Error("Unexpected answer from the thermostat");
      saved = copyWeek(r.schedule);
    } catch (err) {
      sayIn("week-status", "Week program: " + err.message, true);
      return false;
    }
    if (!keepDraft || !draft) {
      draft = copyWeek(saved);
      weekElsewhere = false;
    }
    weekPending = false;
    renderWeek();
    return true;
  }

  const isDirty = () => !!(draft && saved && !sameWeek(draft, saved));
  function markDirty() {
    const dirty = isDirty();
    if (!dirty) weekElsewhere = false;
    setText($("week-dirty"), dirty ? (weekElsewhere ? "Unsaved changes; the week was changed elsewhere meanwhile: saving replaces it" : "Unsaved changes") : "");
  }

  // Reads the week again; while someone edits it, only learns whether it
  // changed (Undo then goes to the daemon's new week), or, when they are
  // only in it, reads it once they leave.
  async function refreshWeek() {
    if (!draft) return;
    if (isDirty()) {
      let w;
      try {
        const r = await api("GET", "/api/v1/schedule");
        w = copyWeek(r.schedule || {});
      } catch (err) {
        return;
      }
      if (!sameWeek(w, saved)) {
        saved = w;
        weekElsewhere = true;
        markDirty();
      }
      return;
    }
    if ($("week").contains(document.activeElement)) {
      weekPending = true;
      return;
    }
    loadWeek(false);
  }

  function option(text, value, selected) {
    const o = new Option(text, value);
    o.selected = !!selected;
    return o;
  }

  function renderWeek() {
    const box = $("week");
    const today = todayName();
    const days = DAYS.map((d) => {
      const sec = document.createElement("section");
      sec.className = "day";
      sec.dataset.day = d;
      const h = document.createElement("h3");
      h.id = "day-" + d;
      h.textContent = capital(d);
      if (d === today) {
        sec.classList.add("today");
        const tag = document.createElement("span");
        tag.className = "today-tag";
        tag.textContent = "today";
        h.append(" ", tag);
      }
      sec.setAttribute("aria-labelledby", h.id);
      const list = document.createElement("ol");
      list.className = "points";
      draft[d].forEach((p, i) => list.appendChild(pointRow(d, i, p)));
      sec.append(h, list);
      if (!draft[d].length) {
        const e = document.createElement("p");
        e.className = "muted small empty";
        e.textContent = "No switch points: the day before carries on.";
        sec.appendChild(e);
      }
      const add = document.createElement("button");
      add.type = "button";
      add.className = "pill add";
      add.textContent = "Add a point";
      add.setAttribute("aria-label", "Add a switch point on " + capital(d));
      add.disabled = draft[d].length >= MAX_POINTS;
      add.addEventListener("click", () => addPoint(d));
      sec.appendChild(add);
      return sec;
    });
    box.replaceChildren(...days);

    const from = $("copy-from");
    const to = $("copy-to");
    const f = from.value || today;
    const t = to.value || "all";
    from.replaceChildren(...DAYS.map((d) => option(capital(d), d, d === f)));
    to.replaceChildren(
      option("every other day", "all", t === "all"),
      option("the other weekdays", "weekdays", t === "weekdays"),
      option("the weekend", "weekend", t === "weekend"),
      ...DAYS.map((d) => option(capital(d), d, d === t))
    );
    markDirty();
  }

  function pointRow(d, i, p) {
    const where = " of point " + (i + 1) + " on " + capital(d);
    const li = document.createElement("li");
    li.className = "point";
    const time = document.createElement("input");
    time.type = "time";
    time.className = "pt-time";
    time.required = true;
    time.value = p.time || "";
    time.setAttribute("aria-label", "Time" + where);
    time.addEventListener("input", () => {
      p.time = time.value;
      markDirty();
    });
    const sel = document.createElement("select");
    sel.className = "pt-target";
    sel.setAttribute("aria-label", "Preset or temperature" + where);
    const known = presets.some((x) => x.name === p.preset);
    sel.append(
      ...presets.map((x) => option(capital(x.name), "preset:" + x.name, x.name === p.preset)),
      // A preset the list does not have (yet): kept as it is.
      ...(p.preset && !known ? [option(capital(p.preset), "preset:" + p.preset, true)] : []),
      option("Temperature", "temp", !p.preset)
    );
    const temp = document.createElement("input");
    temp.type = "number";
    temp.className = "pt-temp";
    temp.inputMode = "decimal";
    temp.setAttribute("aria-label", "Temperature" + where + ", " + unitSym());
    if (state) {
      temp.step = String(step());
      temp.min = String(state.min_setpoint);
      temp.max = String(state.max_setpoint);
    }
    temp.value = isNum(p.setpoint) ? fmtSp(p.setpoint) : "";
    const tempBox = document.createElement("span");
    tempBox.className = "pt-temp-box";
    const unit = document.createElement("span");
    unit.className = "muted";
    unit.setAttribute("aria-hidden", "true");
    unit.textContent = unitSym();
    tempBox.append(temp, unit);
    tempBox.hidden = !!p.preset;
    const setTemp = () => {
      const v = Number(temp.value);
      p.setpoint = temp.value.trim() !== "" && Number.isFinite(v) ? v : temp.value;
      markDirty();
    };
    temp.addEventListener("input", setTemp);
    sel.addEventListener("change", () => {
      if (sel.value === "temp") {
        const was = presets.find((x) => x.name === p.preset);
        delete p.preset;
        if (temp.value === "") temp.value = fmtSp(was ? was.setpoint : state ? state.setpoint : 20);
        tempBox.hidden = false;
        setTemp();
      } else {
        delete p.setpoint;
        p.preset = sel.value.slice("preset:".length);
        tempBox.hidden = true;
        markDirty();
      }
    });
    const rm = document.createElement("button");
    rm.type = "button";
    rm.className = "pt-remove";
    rm.textContent = "✕";
    rm.setAttribute("aria-label", "Remove point " + (i + 1) + " on " + capital(d));
    rm.addEventListener("click", () => {
      draft[d].splice(i, 1);
      renderWeek();
      const next = $("week").querySelector(`.day[data-day="${d}"] .add`);
      if (next) next.focus();
    });
    li.append(time, sel, tempBox, rm);
    return li;
  }

  function addPoint(d) {
    const pts = draft[d];
    if (pts.length >= MAX_POINTS) return;
    let time = "07:00";
    if (pts.length) {
      const [h, m] = (pts[pts.length - 1].time || "07:00").split(":").map(Number);
      time = pad2(Math.min(23, (h || 0) + 1)) + ":" + pad2(m || 0);
    }
    pts.push(presets.length ? { time, preset: presets[0].name } : { time, setpoint: state ? state.setpoint : 20 });
    renderWeek();
    const rows = $("week").querySelectorAll(`.day[data-day="${d}"] .pt-time`);
    if (rows.length) rows[rows.length - 1].focus();
  }

  function copyDay() {
    const from = $("copy-from").value;
    const to = $("copy-to").value;
    const targets =
      to === "all" ? DAYS : to === "weekdays" ? DAYS.slice(0, 5) : to === "weekend" ? DAYS.slice(5) : [to];
    let n = 0;
    for (const d of targets) {
      if (d === from) continue;
      draft[d] = draft[from].map((p) => ({ ...p }));
      n++;
    }
    renderWeek();
    sayIn("week-status", n ? capital(from) + " copied to " + n + (n === 1 ? " day" : " days") + ": not saved yet" : "Nothing to copy to");
  }

  function saveWeek() {
    // In order of time (the server wants them so); two at one time are
    // the server's to refuse.
    const week = {};
    for (const d of DAYS)
      week[d] = draft[d]
        .map((p) => (p.preset ? { time: p.time, preset: p.preset } : { time: p.time, setpoint: p.setpoint }))
        .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    run(
      () =>
        api("PUT", "/api/v1/schedule", { schedule: week, unit: state ? state.units : undefined }).then((r) => {
          saved = copyWeek(r.schedule || {});
          draft = copyWeek(saved);
          weekElsewhere = false;
          renderWeek();
          sayIn("week-status", "Week program saved");
          // The state route tells what the new week means now.
          return api("GET", "/api/v1/state").then((s) => applyState(s, true));
        }),
      "week-status"
    );
  }

  // Back to the week as the server has it now.
  function revertWeek() {
    const dirty = isDirty();
    loadWeek(false).then((ok) => ok && sayIn("week-status", dirty ? "Changes undone" : "Week program read again"));
  }

  // ---- the chart -------------------------------------------------------

  function scheduleHistory(ms) {
    clearTimeout(historyTimer);
    historyTimer = setTimeout(loadHistory, ms);
  }

  async function loadHistory() {
    clearTimeout(historyTimer);
    try {
      const h = await api("GET", "/api/v1/history?minutes=" + HISTORY_MINUTES);
      if (Array.isArray(h.points)) history = { interval: isNum(h.interval) ? h.interval : 60, points: h.points };
      if ($("status").textContent.startsWith("History:")) say("");
    } catch (err) {
      // While the stream is down the header already says so.
      if ($("conn").dataset.state !== "down") say("History: " + err.message, true);
    }
    renderChart();
    // A new point comes every interval: no need to ask more often (nor
    // less often than once a minute).
    historyTimer = setTimeout(loadHistory, Math.min(HISTORY_EVERY_MS, Math.max(5e3, history.interval * 1000)));
  }

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }

  function niceStep(span, maxTicks, steps) {
    for (const s of steps) if (span / s <= maxTicks) return s;
    return steps[steps.length - 1];
  }

  function renderChart() {
    const box = $("chart");
    const W = Math.max(260, Math.round(box.clientWidth || 0));
    chartWidth = W;
    const H = W < 560 ? 210 : 270;
    const m = { l: 38, r: 10, t: 18, b: 24 };
    const iw = W - m.l - m.r;
    const ih = H - m.t - m.b;

    const pts = history.points.filter((p) => p && isNum(p.t) && isNum(p.setpoint));
    // The server's clock, as far as a state tells it (to the second), and
    // never before its own last point.
    const now = Math.max(Date.now() + clockSkew, pts.length ? pts[pts.length - 1].t : 0);
    if (state && isNum(state.setpoint))
      pts.push({ t: now, temperature: state.temperature, setpoint: state.setpoint, heating: !!state.heating });
    // The last 6 hours, or all there is when the history is shorter (a
    // daemon that just started): at least ten history intervals.
    const x1 = now;
    const first = pts.length ? pts[0].t : now;
    const full = now - HISTORY_MINUTES * 60e3;
    const x0 = Math.max(full, Math.min(first, now - Math.max(MIN_SPAN_MS, 10e3 * history.interval)));
    setText($("chart-h"), x0 - full > 60e3 ? "History since " + hhmm(x0) : "Last 6 hours");
    const shown = pts.filter((p) => p.t >= x0);

    let lo = Infinity;
    let hi = -Infinity;
    for (const p of shown) {
      for (const v of [p.temperature, p.setpoint]) {
        if (isNum(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!Number.isFinite(lo)) {
      lo = 18;
      hi = 22;
    }
    lo -= 0.4;
    hi += 0.4;
    if (hi - lo < 2) {
      const mid = (hi + lo) / 2;
      lo = mid - 1;
      hi = mid + 1;
    }
    const yStep = niceStep(hi - lo, Math.max(3, Math.floor(ih / 36)), [0.5, 1, 2, 5, 10, 20, 50]);
    lo = Math.floor(lo / yStep) * yStep;
    hi = Math.ceil(hi / yStep) * yStep;

    const X = (t) => m.l + ((t - x0) / (x1 - x0)) * iw;
    const Y = (v) => m.t + (1 - (v - lo) / (hi - lo)) * ih;
    const r2 = (v) => Math.round(v * 100) / 100;

    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "chart-svg", role: "img", "aria-labelledby": "chart-title" });
    const title = el("title", { id: "chart-title" }, svg);

    // heating periods
    const heatG = el("g", { class: "heat-periods" }, svg);
    let periods = 0;
    let heated = 0;
    for (let i = 0; i < shown.length; i++) {
      if (!shown[i].heating) continue;
      let j = i;
      while (j + 1 < shown.length && shown[j + 1].heating) j++;
      const a = shown[i].t;
      const b = j + 1 < shown.length ? shown[j + 1].t : x1;
      if (b > a) {
        el("rect", { class: "heat-rect", x: r2(X(a)), y: m.t, width: r2(Math.max(1, X(b) - X(a))), height: ih }, heatG);
        periods++;
        heated += b - a;
      }
      i = j;
    }

    // grid and axes
    const grid = el("g", { class: "grid" }, svg);
    const yAxis = el("g", { class: "axis axis-y" }, svg);
    for (let v = lo; v <= hi + 1e-9; v += yStep) {
      const y = r2(Y(v));
      el("line", { x1: m.l, x2: W - m.r, y1: y, y2: y }, grid);
      const t = el("text", { x: m.l - 6, y: y, dy: "0.32em", "text-anchor": "end" }, yAxis);
      t.textContent = yStep < 1 ? v.toFixed(1) : String(Math.round(v));
    }
    const span = x1 - x0;
    const xStep = 1000 * niceStep(span / 1000, Math.max(2, Math.floor(iw / 80)),
      [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800]);
    const label = xStep < 60e3 ? hhmmss : hhmm;
    const xAxis = el("g", { class: "axis axis-x" }, svg);
    // ticks on round local times of the server's clock and zone
    const shift = -tzOffset;
    for (let t = Math.ceil((x0 - shift) / xStep) * xStep + shift; t <= x1; t += xStep) {
      const x = r2(X(t));
      el("line", { x1: x, x2: x, y1: m.t, y2: m.t + ih, class: "grid-x" }, grid);
      const lab = el("text", { x: x, y: H - 6, "text-anchor": "middle" }, xAxis);
      lab.textContent = label(t);
    }
    el("line", { class: "baseline", x1: m.l, x2: W - m.r, y1: m.t + ih, y2: m.t + ih }, svg);
    const unitLabel = el("text", { class: "axis unit-label", x: m.l - 6, y: 9, "text-anchor": "end" }, svg);
    unitLabel.textContent = unitSym();

    // a gap of more than three intervals breaks the lines
    const gap = Math.max(3 * history.interval * 1000, 90e3);

    // setpoint: a step line
    let d = "";
    let prev = null;
    for (const p of shown) {
      const x = r2(X(p.t));
      const y = r2(Y(p.setpoint));
      if (!prev || p.t - prev.t > gap) d += `M${x},${y}`;
      else d += `H${x}V${y}`;
      prev = p;
    }
    if (d) el("path", { class: "sp-line", d }, svg);

    // temperature
    d = "";
    prev = null;
    let last = null;
    for (const p of shown) {
      if (!isNum(p.temperature)) {
        prev = null;
        continue;
      }
      const x = r2(X(p.t));
      const y = r2(Y(p.temperature));
      d += !prev || p.t - prev.t > gap ? `M${x},${y}` : `L${x},${y}`;
      prev = p;
      last = [x, y];
    }
    if (d) el("path", { class: "t-line", d }, svg);
    if (last) el("circle", { class: "t-dot", cx: last[0], cy: last[1], r: 3.5 }, svg);

    const temps = shown.map((p) => p.temperature).filter(isNum);
    const when = span < 600e3 ? hhmmss : hhmm;
    let summary = "Temperature from " + when(x0) + " to " + when(x1);
    if (temps.length)
      summary += ": between " + Math.min(...temps).toFixed(1) + " and " + Math.max(...temps).toFixed(1) + " " + unitSym();
    else summary += ": no readings";
    summary += "; heating " + Math.round((100 * heated) / span) + "% of the time in " + periods + (periods === 1 ? " period." : " periods.");
    title.textContent = summary;

    box.replaceChildren(svg);
  }

  // ---- the live stream -------------------------------------------------

  let es = null;
  let retry = 0;

  function setConn(which) {
    const c = $("conn");
    if (c.dataset.state === which) return;
    c.dataset.state = which;
    document.body.classList.toggle("offline", which === "down");
    setText($("conn-text"), which === "live" ? "Live" : which === "down" ? "Disconnected" : "Connecting…");
  }

  function connect() {
    clearTimeout(retry);
    if (es) es.close();
    es = new EventSource("/api/v1/events");
    es.addEventListener("open", () => {
      const wasDown = $("conn").dataset.state === "down";
      setConn("live");
      if (wasDown) loadHistory();
    });
    es.addEventListener("state", (e) => {
      let s;
      try {
        s = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      setConn("live");
      applyState(s, false);
    });
    es.addEventListener("error", () => {
      setConn("down");
      // EventSource retries by itself unless the server refused the
      // stream (an HTTP error): then we try again ourselves.
      if (es.readyState === EventSource.CLOSED) retry = setTimeout(connect, 5000);
    });
  }

  // ---- wiring ----------------------------------------------------------

  function init() {
    const guard = (dir) => (ev) => {
      if (ev.currentTarget.getAttribute("aria-disabled") === "true") return;
      stepSetpoint(dir);
    };
    $("sp-down").addEventListener("click", guard(-1));
    $("sp-up").addEventListener("click", guard(+1));

    const input = $("sp-input");
    input.addEventListener("change", commitEntry);
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && state) {
        renderSetpoint(true);
        input.blur();
      }
    });
    $("sp-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      commitEntry();
    });

    $("mode").addEventListener("click", () => {
      if (state) setMode(state.mode !== "heat");
    });
    $("alarm-clear").addEventListener("click", clearAlarm);
    $("resume").addEventListener("click", resume);
    $("presets").addEventListener("click", (ev) => {
      const b = ev.target.closest("button.preset");
      if (b) activatePreset(b.dataset.preset);
    });
    $("hold-target").addEventListener("change", holdTargetChanged);
    $("hold-form").addEventListener("submit", submitHold);
    // Choosing a duration's field chooses its radio button.
    for (const [id, value] of [["hold-hours", "hours"], ["hold-until", "until"]])
      $(id).addEventListener("focus", () => {
        $("hold-form").querySelector(`input[name=hold-for][value=${value}]`).checked = true;
      });
    $("hold-box").addEventListener("toggle", () => {
      if ($("hold-box").open && !$("hold-until").value) $("hold-until").value = localIn(3 * 3600e3);
    });
    $("boost-form").addEventListener("submit", submitBoost);
    $("boost-box").addEventListener("toggle", () => {
      if ($("boost-box").open) boostDefaults();
    });
    $("presets-form").addEventListener("submit", savePresets);
    $("preset-add").addEventListener("click", addPreset);
    $("presets-revert").addEventListener("click", revertPresets);
    $("presets-box").addEventListener("toggle", () => {
      if ($("presets-box").open && !presetsDirty()) {
        presetDraft = presets.map((x) => ({ name: x.name, setpoint: fmtSp(x.setpoint), was: x.name }));
        renderPresetEditor();
      }
    });
    // A change elsewhere, read once the week is left.
    $("week").addEventListener("focusout", (ev) => {
      if (weekPending && !$("week").contains(ev.relatedTarget)) refreshWeek();
    });
    $("copy-go").addEventListener("click", copyDay);
    $("week-save").addEventListener("click", saveWeek);
    $("week-revert").addEventListener("click", revertWeek);

    setInterval(() => {
      if (!state) return;
      renderAge();
      renderSummary();
    }, 1000);

    if (typeof ResizeObserver === "function") {
      let pending = false;
      const ro = new ResizeObserver(() => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          if (Math.round($("chart").clientWidth) !== chartWidth) renderChart();
          if (state && Math.round($("runtime-chart").clientWidth) !== runtimeWidth) renderRuntime();
        });
      });
      ro.observe($("chart"));
      ro.observe($("runtime-chart"));
    }

    api("GET", "/api/v1/state")
      .then((s) => applyState(s, false))
      .catch((err) => say(err.message, true));
    loadPresets();
    loadWeek(false);
    loadHistory();
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
