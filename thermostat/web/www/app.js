// SPDX-License-Identifier: MIT
// The thermostat's page.  Plain JavaScript, no build step; served from the
// daemon itself.  Everything shown comes from the server's answers (no
// optimistic updates), and API data only ever reaches the page through
// textContent and attributes, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const STEP = 0.5;                 // setpoint step, in the display units
  const HISTORY_MINUTES = 360;      // the chart's span
  const MIN_SPAN_MS = 10e3;         // the chart spans at least this,
                                    // and ten history intervals
  const HISTORY_EVERY_MS = 60e3;    // chart refresh, at the longest

  let state = null;                 // the last state the server sent
  let receivedAt = 0;               // Date.now() when it came
  let clockSkew = 0;                // server wall clock minus ours, ms
  let history = { interval: 60, points: [] };
  let queue = Promise.resolve();    // writes, one at a time, in order
  let committed = "";               // the setpoint text last sent or shown
  let historyTimer = 0;
  let chartWidth = 0;

  // ---- formatting ------------------------------------------------------

  const unitSym = () => "°" + (state ? state.units : "C");
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  // 21.5 -> "21.5", 22 -> "22.0", 69.75 -> "69.75"
  const fmtSp = (v) => (Math.round(v * 10) === v * 10 ? v.toFixed(1) : v.toFixed(2));
  const pad2 = (n) => String(n).padStart(2, "0");
  const hhmm = (ms) => {
    const d = new Date(ms);
    return pad2(d.getHours()) + ":" + pad2(d.getMinutes());
  };

  const hhmmss = (ms) => hhmm(ms) + ":" + pad2(new Date(ms).getSeconds());

  function ago(seconds) {
    if (!isNum(seconds) || seconds < 0) return "";
    if (seconds < 90) return Math.round(seconds) + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    return (seconds / 3600).toFixed(1) + " h ago";
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  // ---- status line -----------------------------------------------------

  let sayTimer = 0;
  function say(text, error) {
    const el = $("status");
    clearTimeout(sayTimer);
    el.classList.toggle("error", !!error);
    setText(el, text);
    if (!error && text) sayTimer = setTimeout(() => setText(el, ""), 6000);
  }

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
      throw new Error(why);
    }
    if (!data || typeof data !== "object") throw new Error("Unexpected answer from the thermostat");
    return data;
  }

  // Runs writes one after another; an error goes to the status line.
  function run(task) {
    queue = queue.then(task).catch((err) => {
      say(err.message, true);
      if (state) renderSetpoint(true);
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
    if (!Number.isNaN(at) && isNum(s.relay_changed_age))
      clockSkew = at + s.relay_changed_age * 1000 - receivedAt;
    render(fromWrite);
    // The chart's history moves when the setpoint, mode or relay do.
    if (prev && (prev.setpoint !== s.setpoint || prev.heating !== s.heating || prev.mode !== s.mode))
      scheduleHistory(1500);
    renderChart();
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
    setText($("reason"), typeof s.reason_text === "string" && s.reason_text ? s.reason_text : "\u00a0");

    renderAlarm();
    renderSetpoint(fromWrite);

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

  function renderSetpoint(force) {
    const s = state;
    const input = $("sp-input");
    const text = fmtSp(s.setpoint);
    input.min = String(s.min_setpoint);
    input.max = String(s.max_setpoint);
    // Never overwrite what someone is typing, except with the answer to it.
    if (force || document.activeElement !== input) {
      input.value = text;
      committed = text;
    }
    setText($("sp-unit"), unitSym());
    setText($("sp-range"), fmtSp(s.min_setpoint) + " to " + fmtSp(s.max_setpoint) + " " + unitSym() + ", in steps of " + STEP);
    $("sp-down").setAttribute("aria-disabled", String(s.setpoint <= s.min_setpoint));
    $("sp-up").setAttribute("aria-disabled", String(s.setpoint >= s.max_setpoint));
    $("sp-down").setAttribute("aria-label", "Lower the setpoint by " + STEP + " " + unitSym());
    $("sp-up").setAttribute("aria-label", "Raise the setpoint by " + STEP + " " + unitSym());
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

  // ---- writes ----------------------------------------------------------

  function putSetpoint(value) {
    return api("PUT", "/api/v1/setpoint", { setpoint: value, unit: state.units }).then((s) => {
      applyState(s, true);
      say("Setpoint " + fmtSp(s.setpoint) + " " + unitSym());
    });
  }

  // -1 or +1: to the next multiple of STEP below or above the setpoint
  // the server last answered, within the bounds.
  function stepSetpoint(dir) {
    run(() => {
      if (!state) return undefined;
      const sp = state.setpoint;
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
    setText($("chart-h"), x0 - full > 60e3 ? "History since " + hhmm(x0 - clockSkew) : "Last 6 hours");
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
    const tz = new Date(x1).getTimezoneOffset() * 60e3;
    const xAxis = el("g", { class: "axis axis-x" }, svg);
    // ticks on round local times of the server's clock
    const shift = tz + clockSkew;
    for (let t = Math.ceil((x0 - shift) / xStep) * xStep + shift; t <= x1; t += xStep) {
      const x = r2(X(t));
      el("line", { x1: x, x2: x, y1: m.t, y2: m.t + ih, class: "grid-x" }, grid);
      const lab = el("text", { x: x, y: H - 6, "text-anchor": "middle" }, xAxis);
      lab.textContent = label(t - clockSkew);
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
    let summary = "Temperature from " + when(x0 - clockSkew) + " to " + when(x1 - clockSkew);
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

    setInterval(() => {
      if (state) renderAge();
    }, 1000);

    if (typeof ResizeObserver === "function") {
      let pending = false;
      new ResizeObserver(() => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          if (Math.round($("chart").clientWidth) !== chartWidth) renderChart();
        });
      }).observe($("chart"));
    }

    api("GET", "/api/v1/state")
      .then((s) => applyState(s, false))
      .catch((err) => say(err.message, true));
    loadHistory();
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
