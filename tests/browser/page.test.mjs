// SPDX-License-Identifier: MIT
// Drives the thermostat's page in Debian's chromium, headless, through
// playwright-core: the page against a running daemon, as a person would
// use it, plus what a person cannot see (console errors, CSP violations).
//
//   BASE_URL=http://127.0.0.1:PORT node page.test.mjs
//
// Environment:
//   BASE_URL     the daemon (required)
//   LOGIN_URL    a daemon that needs a login for everything, with short
//                nonces (optional), and LOGIN_USER, LOGIN_PASSWORD
//   SCREENSHOT   where the desktop screenshot goes (default: screenshot.png
//                beside this file); the phone ones get -phone and
//                -phone-dark before the extension
//   STEP_URL     a daemon whose setpoint_step is 0.25 and whose house is
//                warm (its furnace has not run) (optional)
//   CHROMIUM     the browser (default /usr/bin/chromium)
// tests/browser/run.sh starts a daemon and runs this against it.
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.BASE_URL || "").replace(/\/$/, "");
const SHOT = path.resolve(process.env.SCREENSHOT || path.join(here, "screenshot.png"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const shotAs = (suffix) => SHOT.replace(/(\.png)?$/i, suffix + ".png");

if (!BASE) {
  console.error("page.test: BASE_URL is not set (tests/browser/run.sh sets it)");
  process.exit(2);
}

let passed = 0;
let failed = 0;
const t0 = Date.now();
const since = () => ((Date.now() - t0) / 1000).toFixed(1) + "s";

async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok ${passed + failed} - ${name} (${since()})`);
  } catch (err) {
    failed++;
    console.log(`not ok ${passed + failed} - ${name}`);
    console.log("  " + String(err && err.stack ? err.stack : err).split("\n").join("\n  "));
    throw new StopError();
  }
}
class StopError extends Error {}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// A daemon's API, called from outside the page.
async function apiAt(base, method, p, body) {
  const opt = { method, headers: {} };
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  const res = await fetch(base + p, opt);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text);
}
const api = (method, p, body) => apiAt(BASE, method, p, body);

// Polls fn() until it returns a truthy value; the last value or error in
// the message on timeout.
async function until(what, fn, ms = 8000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const launchArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

// Everything the page reports that it should not: console errors (CSP
// violations are logged there too), uncaught exceptions, CSP violation
// events, failed requests and error responses.
// Returns a function that stops the watching (before the page is closed,
// which aborts what it has in flight).
function watch(page, problems, allowed) {
  let on = true;
  page.on("console", (m) => {
    if (!on || m.type() !== "error") return;
    const text = m.text();
    if (allowed.some((re) => re.test(text))) return;
    problems.push("console error: " + text);
  });
  page.on("pageerror", (e) => on && problems.push("page error: " + e.message));
  page.on("requestfailed", (r) => {
    // The event stream is cut when the page goes away.
    if (!on || r.url().endsWith("/api/v1/events")) return;
    problems.push(`request failed: ${r.url()}: ${r.failure() && r.failure().errorText}`);
  });
  page.on("response", (r) => {
    if (on && r.status() >= 400 && !allowed.some((re) => re.test(`status of ${r.status()}`)))
      problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return () => {
    on = false;
  };
}

const cspInit = () => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
  });
};

// The daemon's summary with its countdown ("2 more minutes") left out:
// the page counts that down between states.
const plain = (s) => String(s).replace(/\b\d+ more (second|minute)s?\b/, "N more");

const num = (s) => {
  const v = Number(String(s).trim());
  return Number.isFinite(v) ? v : NaN;
};

const launch = (extra = []) =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...launchArgs, ...extra],
    timeout: 30000,
  });

async function main() {
  const browser = await launch();
  const problems = [];
  const allowed = []; // console errors expected by the current step
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
    await ctx.addInitScript(cspInit);
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    watch(page, problems, allowed);

    let state;
    await step("the daemon has a temperature", async () => {
      state = await until("a temperature in /api/v1/state", async () => {
        const s = await api("GET", "/api/v1/state");
        return typeof s.temperature === "number" ? s : null;
      }, 15000);
    });

    await step("the page loads with its security headers", async () => {
      const res = await page.goto(BASE + "/", { waitUntil: "load" });
      check(res.status() === 200, `status ${res.status()}`);
      const csp = res.headers()["content-security-policy"] || "";
      check(/script-src 'self'/.test(csp) && /style-src 'self'/.test(csp) && !/unsafe-inline/.test(csp), "CSP: " + csp);
      check(res.headers()["x-content-type-options"] === "nosniff", "no nosniff");
      check((await page.title()) === "Thermostat", "title: " + (await page.title()));
      await page.evaluate(() => (window.__loadedOnce = true));
    });

    await step("the page is connected to the event stream", async () => {
      await until("#conn to say live", async () => (await page.getAttribute("#conn", "data-state")) === "live");
    });

    await step("the temperature shown is the API's", async () => {
      const shown = await until("a number in #temp", async () => {
        const v = num(await page.textContent("#temp"));
        return Number.isNaN(v) ? null : v;
      });
      const s = await api("GET", "/api/v1/state");
      check(typeof s.temperature === "number", "the API has no temperature now");
      // One decimal on the page; the simulated house moves a little
      // between the event and this request.
      check(Math.abs(shown - s.temperature) <= 0.25, `page ${shown}, API ${s.temperature}`);
      const unit = await page.textContent("#temp-unit");
      check(unit === "°" + s.units, `unit shown ${unit}, API ${s.units}`);
      console.log(`  # temperature: page ${shown} ${unit}, API ${s.temperature}`);
    });

    await step("heating, the daemon's summary and sensor health are shown", async () => {
      // The relay may switch between the two reads: until they agree.
      let s;
      await until("the label to be the API's", async () => {
        s = await api("GET", "/api/v1/state");
        const label = await page.textContent("#heat-label");
        if (label !== (s.heating ? "Heating" : "Idle")) throw new Error(`label ${label}, heating ${s.heating}`);
        return true;
      });
      check(typeof s.summary === "string" && s.summary.length > 0, "the API has no summary");
      await until("the summary", async () => plain(await page.textContent("#summary")) === plain((await api("GET", "/api/v1/state")).summary));
      // No configuration keys in what a person reads.
      const text = await page.textContent("main");
      check(!/min_off|min_on|max_on|reason_text/.test(text), "a configuration key on the page: " + text.match(/\S*(min_off|min_on|max_on)\S*/));
      const sensor = await page.textContent("#sensor-status");
      check(sensor.length > 0 && sensor !== "–", "sensor status " + sensor);
    });

    await step("+ raises the setpoint: on the page and through the API", async () => {
      const s = await api("GET", "/api/v1/state");
      const before = num(await page.inputValue("#sp-input"));
      check(before === s.setpoint, `page shows ${before}, API ${s.setpoint}`);
      const st = s.setpoint_step;
      check(typeof st === "number" && st > 0, "setpoint_step " + st);
      const up = s.setpoint + st <= s.max_setpoint;
      const want = up ? Math.floor(s.setpoint / st + 1e-6) * st + st : Math.ceil(s.setpoint / st - 1e-6) * st - st;
      await page.click(up ? "#sp-up" : "#sp-down");
      await until(`the page to show ${want}`, async () => num(await page.inputValue("#sp-input")) === want);
      const after = await api("GET", "/api/v1/state");
      check(after.setpoint === want, `API says ${after.setpoint}, wanted ${want}`);
      // The status line follows the PUT's answer, which comes once the
      // write is saved: after the event stream's update on a busy machine.
      await until(`the status line to say ${want}`, async () => (await page.textContent("#status")).includes(String(want)));
      console.log(`  # setpoint ${before} -> ${want}`);
    });

    await step("the keyboard changes the setpoint too", async () => {
      const s = await api("GET", "/api/v1/state");
      await page.focus("#sp-down");
      await page.keyboard.press("Enter");
      const want = Math.ceil(s.setpoint * 2 - 1e-6) / 2 - 0.5;
      await until(`the API to say ${want}`, async () => (await api("GET", "/api/v1/state")).setpoint === want);
      await until(`the page to show ${want}`, async () => num(await page.inputValue("#sp-input")) === want);
    });

    await step("direct entry sets the setpoint", async () => {
      const s = await api("GET", "/api/v1/state");
      const want = s.setpoint + 1 <= s.max_setpoint ? s.setpoint + 1 : s.setpoint - 1;
      await page.fill("#sp-input", String(want));
      await page.press("#sp-input", "Enter");
      await until(`the API to say ${want}`, async () => (await api("GET", "/api/v1/state")).setpoint === want);
      await until(`the page to show ${want}`, async () => num(await page.inputValue("#sp-input")) === want);
    });

    await step("an API error is shown and changes nothing", async () => {
      const s = await api("GET", "/api/v1/state");
      allowed.push(/status of 422/);
      try {
        await page.fill("#sp-input", String(s.max_setpoint + 50));
        await page.press("#sp-input", "Enter");
        await until("an error in the status line", async () => {
          const cls = await page.getAttribute("#status", "class");
          const text = await page.textContent("#status");
          if (!(/error/.test(cls) && /range/.test(text))) throw new Error(`class '${cls}', text '${text}', input '${await page.inputValue("#sp-input")}'`);
          return true;
        });
      } finally {
        allowed.pop();
      }
      check(num(await page.inputValue("#sp-input")) === s.setpoint, "the input was not restored to the server's value");
      check((await api("GET", "/api/v1/state")).setpoint === s.setpoint, "the setpoint changed");
      await page.locator("#sp-input").blur();
    });

    await step("a change from outside arrives live through the events stream", async () => {
      const s = await api("GET", "/api/v1/state");
      const heat = s.mode === "heat";
      check((await page.getAttribute("#mode", "aria-checked")) === String(heat), "the switch disagrees with the API");
      const t = Date.now();
      const after = await api("PUT", "/api/v1/mode", { mode: heat ? "off" : "heat" });
      await until("the switch to flip", async () => (await page.getAttribute("#mode", "aria-checked")) === String(!heat), 5000);
      const ms = Date.now() - t;
      check((await page.textContent("#mode-text")) === (heat ? "Off" : "Heat"), "switch text");
      await until("the summary to follow", async () => plain(await page.textContent("#summary")) === plain((await api("GET", "/api/v1/state")).summary), 5000);
      check(await page.evaluate(() => window.__loadedOnce === true), "the page was reloaded");
      console.log(`  # mode ${s.mode} -> ${after.mode}: on the page after ${ms} ms`);
      // And a setpoint from outside.
      const sp = after.setpoint - 0.5 >= after.min_setpoint ? after.setpoint - 0.5 : after.setpoint + 0.5;
      await api("PUT", "/api/v1/setpoint", { setpoint: sp });
      await until(`the page to show setpoint ${sp}`, async () => num(await page.inputValue("#sp-input")) === sp, 5000);
    });

    await step("the mode switch works from the page", async () => {
      const s = await api("GET", "/api/v1/state");
      await page.click("#mode");
      const want = s.mode === "heat" ? "off" : "heat";
      await until(`the API to say ${want}`, async () => (await api("GET", "/api/v1/state")).mode === want);
      await until("the switch to follow", async () => (await page.getAttribute("#mode", "aria-checked")) === String(want === "heat"));
    });

    await step("the chart has a temperature line, a setpoint line and axes", async () => {
      const info = await until("a temperature line with at least two points", async () => {
        const i = await page.evaluate(() => {
          const svg = document.querySelector("#chart svg");
          if (!svg) return null;
          const d = (sel) => (svg.querySelector(sel) || { getAttribute: () => "" }).getAttribute("d") || "";
          return {
            temp: d("path.t-line"),
            sp: d("path.sp-line"),
            ticks: svg.querySelectorAll(".axis text").length,
            title: (svg.querySelector("title") || {}).textContent || "",
            width: svg.getBoundingClientRect().width,
          };
        });
        return i && /L/.test(i.temp) ? i : null;
      }, 20000);
      check(info.sp.startsWith("M"), "no setpoint line");
      check(info.ticks >= 4, `${info.ticks} axis labels`);
      check(/Temperature from/.test(info.title), "chart title: " + info.title);
      check(info.width > 600, "chart width " + info.width);
      console.log("  # chart: " + info.title);
    });

    await runtime(page);

    await program(page, allowed);

    await step("desktop screenshot", async () => {
      await page.screenshot({ path: SHOT, fullPage: true, animations: "disabled" });
      console.log("  # " + SHOT);
    });

    await step("no console errors and no CSP violations (desktop)", async () => {
      const csp = await page.evaluate(() => window.__csp);
      check(csp.length === 0, "CSP violations: " + csp.join("; "));
      check(problems.length === 0, problems.join("\n"));
    });

    // A phone, light and dark.
    for (const scheme of ["light", "dark"]) {
      const phone = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        colorScheme: scheme,
        // The dark one elsewhere in the world than the daemon.
        ...(scheme === "dark" ? { timezoneId: "Asia/Kathmandu" } : {}),
      });
      await phone.addInitScript(cspInit);
      const p = await phone.newPage();
      p.setDefaultTimeout(10000);
      const unwatch = watch(p, problems, allowed);
      const file = shotAs(scheme === "dark" ? "-phone-dark" : "-phone");
      await step(`phone (${scheme}): usable, nothing overflows, screenshot`, async () => {
        await p.goto(BASE + "/", { waitUntil: "load" });
        await until("live", async () => (await p.getAttribute("#conn", "data-state")) === "live");
        await until("a temperature", async () => !Number.isNaN(num(await p.textContent("#temp"))));
        await until("the chart", async () => (await p.$("#chart svg path.t-line")) !== null);
        await until("the week", async () => (await p.$$(".day .point")).length > 0);
        await p.click("#hold-box summary");
        await p.click("#boost-box summary");
        await p.click("#presets-box summary");
        await until("the runtime bars", async () => (await p.$$("#runtime-chart rect.bar")).length === 7);
        const m = await p.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          plus: document.getElementById("sp-up").getBoundingClientRect().width,
          small: [...document.querySelectorAll(".preset, .pt-remove, .pt-time, .pt-target, .day .add, #week-save, #hold-go, " +
            "#boost-go, #boost-temp, #boost-minutes, .pr-name, .pr-temp, .pr-remove, #preset-add, #presets-save")]
            .map((e) => [e.className || e.id, e.getBoundingClientRect().height])
            .filter(([, h]) => h < 44),
          bg: getComputedStyle(document.body).backgroundColor,
        }));
        check(m.scroll <= m.inner, `horizontal overflow: ${m.scroll} > ${m.inner}`);
        check(m.plus >= 44, `+ is ${m.plus}px wide: too small to tap`);
        check(m.small.length === 0, "too small to tap: " + JSON.stringify(m.small));
        const dark = /rgb\((\d+)/.exec(m.bg);
        check(dark && (scheme === "dark" ? +dark[1] < 60 : +dark[1] > 200), `background ${m.bg} for ${scheme}`);
        const s = await api("GET", "/api/v1/state");
        await p.tap(s.setpoint + 0.5 <= s.max_setpoint ? "#sp-up" : "#sp-down");
        await until("the tap to reach the API", async () => (await api("GET", "/api/v1/state")).setpoint !== s.setpoint);
        await p.screenshot({ path: file, fullPage: true, animations: "disabled" });
        const csp = await p.evaluate(() => window.__csp);
        check(csp.length === 0, "CSP violations: " + csp.join("; "));
        console.log("  # " + file);
      });
      if (scheme === "dark")
        await step("phone (dark), the browser in Asia/Kathmandu: the page shows the daemon's local times", async () => {
          let s;
          await until("'since' in the daemon's local time", async () => {
            s = await api("GET", "/api/v1/state");
            const d = new Date(Date.parse(s.relay_changed_at) + s.utc_offset * 1000);
            const want = " since " + pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes());
            const got = await p.textContent("#heat-since");
            if (got !== want) throw new Error(`page '${got}', daemon '${want}'`);
            return got;
          });
          check(typeof s.time_local === "string" && typeof s.utc_offset === "number", "no time_local or utc_offset");
          const today = DAYS[(new Date(Date.parse(s.time_local + ":00Z")).getUTCDay() + 6) % 7];
          const shown = await p.getAttribute(".day.today", "data-day");
          check(shown === today, `the page's today is ${shown}, the daemon's ${today}`);
          const browserZone = await p.evaluate(() => -new Date().getTimezoneOffset() * 60);
          check(browserZone !== s.utc_offset, "the browser is in the daemon's zone: the step proves nothing");
          console.log(`  # daemon utc_offset ${s.utc_offset} s, browser ${browserZone} s; ${await p.textContent("#heat-since")}`);
        });
      unwatch();
      await phone.close();
    }

    await step("no console errors, page errors or failed requests overall", async () => {
      check(problems.length === 0, problems.join("\n"));
    });
  } finally {
    await browser.close();
  }
  await attacks();
  if (process.env.LOGIN_URL) await login();
  if (process.env.STEP_URL) await fineStep();
}

// ---- the furnace's run time ----------------------------------------------
// The sentence and a bar for each of the last 7 days, against the state's
// "runtime"; the simulated house starts cold, so the furnace has run.
const SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const weekdayOf = (date) => new Date(Date.parse(date + "T00:00:00Z")).getUTCDay();

// The bars, their labels and the hidden table, as the page has them.
const runtimeShown = (page) =>
  page.evaluate(() => ({
    text: document.getElementById("runtime-text").textContent,
    bars: [...document.querySelectorAll("#runtime-chart svg rect.bar")].map((r) => ({
      height: Number(r.getAttribute("height")),
      seconds: Number(r.getAttribute("data-seconds")),
      today: r.classList.contains("today"),
    })),
    labels: [...document.querySelectorAll("#runtime-chart svg text.label")].map((t) => t.textContent),
    titles: [...document.querySelectorAll("#runtime-chart svg g.day-bar > title")].map((t) => t.textContent),
    rows: [...document.querySelectorAll("#runtime-rows tr")].map((r) => [...r.cells].map((c) => c.textContent)),
    hidden: document.getElementById("runtime-chart").getAttribute("aria-hidden"),
  }));

function checkBars(r, days) {
  check(days.length === 7, "the API has " + days.length + " days");
  check(r.bars.length === 7, `${r.bars.length} bars`);
  check(r.labels.length === 7 && r.labels[6] === "Today", "labels " + r.labels);
  for (let i = 0; i < 6; i++) check(r.labels[i] === SHORT[weekdayOf(days[i].date)], `label ${i}: ${r.labels[i]} for ${days[i].date}`);
  check(r.bars[6].today && !r.bars[5].today, "today's bar is not marked");
  check(r.rows.length === 7 && r.rows.every((row, i) => row[0].includes(days[i].date) && row.length === 3), "the table: " + JSON.stringify(r.rows));
  check(r.titles.length === 7 && r.titles.every((t, i) => t.includes(days[i].date)), "the bars' titles: " + JSON.stringify(r.titles));
  check(r.hidden === "true", "the chart is not aria-hidden (the table says it)");
  for (let i = 0; i < 6; i++) check(r.bars[i].seconds === days[i].seconds, `bar ${i}: ${r.bars[i].seconds} s, API ${days[i].seconds}`);
}

async function runtime(page) {
  await step("the furnace's run time: in words, and a bar for each of the last 7 days", async () => {
    await until("the furnace to have run", async () => (await api("GET", "/api/v1/state")).runtime.today > 0, 20000);
    // The page and the API agree on the runs (the seconds move on).
    let s;
    const r = await until("the page to say what the API says", async () => {
      s = await api("GET", "/api/v1/state");
      const shown = await runtimeShown(page);
      const rt = s.runtime;
      const re = new RegExp(`^Furnace ran (\\d+ s|\\d+ min|\\d+ h( \\d+ min)?) today \\(${rt.cycles_today} runs?\\), .+ yesterday, .+ this week\\.$`);
      if (!re.test(shown.text)) throw new Error(`'${shown.text}' for ${JSON.stringify(rt)}`);
      return shown;
    });
    const days = s.runtime.days;
    checkBars(r, days);
    check(r.bars[6].height > 0, "today's bar is empty");
    check(r.bars.slice(0, 6).every((b) => b.seconds > 0 || b.height === 0), "an empty day has a bar");
    check(/^Today \(/.test(r.rows[6][0]) && /\d/.test(r.rows[6][1]), "today's row: " + r.rows[6]);
    // And /metrics counts the same furnace.
    const metrics = await (await fetch(BASE + "/metrics")).text();
    const total = /^thermostat_furnace_runtime_seconds_total ([\d.e+]+)$/m.exec(metrics);
    const cycles = /^thermostat_furnace_cycles_total (\d+)$/m.exec(metrics);
    check(total && Number(total[1]) > 0 && cycles && Number(cycles[1]) >= 1, "metrics: " + (total && total[0]) + ", " + (cycles && cycles[0]));
    console.log(`  # ${r.text} | bars ${r.labels.join(" ")} | ${total[0]}, ${cycles[0]}`);
  });
}

// ---- a setpoint step of 0.25 ---------------------------------------------
// A daemon started with --setpoint-step 0.25, in a warm house: the page's
// + and - move by 0.25 and the daemon holds what the page sent (the PUTs'
// bodies watched); and a furnace that has not run says so.
async function fineStep() {
  const URL_ = process.env.STEP_URL.replace(/\/$/, "");
  const sapi = (m, p, b) => apiAt(URL_, m, p, b);
  const browser = await launch();
  const problems = [];
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await ctx.addInitScript(cspInit);
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    watch(page, problems, []);
    const sent = [];
    page.on("request", (r) => {
      if (r.method() === "PUT" && r.url().endsWith("/api/v1/setpoint")) sent.push(JSON.parse(r.postData()).setpoint);
    });

    await step("setpoint step 0.25: + and − move by 0.25; the daemon holds what the page sent", async () => {
      const s0 = await sapi("GET", "/api/v1/state");
      check(s0.setpoint_step === 0.25, "setpoint_step " + s0.setpoint_step);
      await page.goto(URL_ + "/", { waitUntil: "load" });
      await until("live", async () => (await page.getAttribute("#conn", "data-state")) === "live");
      await until("the setpoint", async () => num(await page.inputValue("#sp-input")) === s0.setpoint);
      check((await page.getAttribute("#sp-input", "step")) === "0.25", "input step " + (await page.getAttribute("#sp-input", "step")));
      check((await page.textContent("#sp-range")).includes("steps of 0.25"), "range: " + (await page.textContent("#sp-range")));
      check((await page.getAttribute("#sp-up", "aria-label")).includes("0.25"), "+ label");
      let want = s0.setpoint;
      for (const [button, d] of [["#sp-up", 0.25], ["#sp-up", 0.25], ["#sp-down", -0.25], ["#sp-up", 0.25], ["#sp-up", 0.25]]) {
        want += d;
        await page.click(button);
        await until(`the daemon to hold ${want}`, async () => (await sapi("GET", "/api/v1/state")).setpoint === want);
        await until(`the page to show ${want}`, async () => num(await page.inputValue("#sp-input")) === want);
        check(sent[sent.length - 1] === want, `the page sent ${sent[sent.length - 1]}, wanted ${want}`);
      }
      // 20.75: a quarter that is not a half, shown with two decimals.
      check(want % 0.5 !== 0 && (await page.inputValue("#sp-input")) === want.toFixed(2), "shown " + (await page.inputValue("#sp-input")));
      // Typed: a quarter is kept as it is.
      await page.fill("#sp-input", "21.25");
      await page.press("#sp-input", "Enter");
      await until("the daemon to hold 21.25", async () => (await sapi("GET", "/api/v1/state")).setpoint === 21.25);
      check(sent[sent.length - 1] === 21.25, "the page sent " + sent[sent.length - 1]);
      await page.locator("#sp-input").blur();
      await until("the page to show 21.25", async () => num(await page.inputValue("#sp-input")) === 21.25);
      console.log(`  # the page sent ${sent.join(", ")}`);
    });

    await step("a furnace that has not run: 'has not run today' and seven empty bars", async () => {
      const s = await sapi("GET", "/api/v1/state");
      check(s.runtime.today === 0 && !s.heating, "the warm house's furnace ran: " + JSON.stringify(s.runtime));
      const r = await until("the sentence", async () => {
        const x = await runtimeShown(page);
        return /has not run today/.test(x.text) ? x : null;
      });
      checkBars(r, s.runtime.days);
      check(r.bars.every((b) => b.height === 0), "a bar: " + JSON.stringify(r.bars));
      console.log("  # " + r.text);
    });

    await step("no console errors and no CSP violations (setpoint step 0.25)", async () => {
      const csp = await page.evaluate(() => window.__csp);
      check(csp.length === 0, "CSP violations: " + csp.join("; "));
      check(problems.length === 0, problems.join("\n"));
    });
  } finally {
    await browser.close();
  }
}

// ---- the weekly program --------------------------------------------------
// The presets, the hold and the week editor, driven on the page; each
// change read back through the API.  Two bad inputs (two switch points at
// one time, a hold that ends in the past) must show the daemon's message
// and change nothing.
const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const pad2 = (n) => String(n).padStart(2, "0");
// "YYYY-MM-DDTHH:MM", local, @days from today at @hm.
const localDay = (days, hm) => {
  const d = new Date(Date.now() + days * 86400e3);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${hm}`;
};
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function program(page, allowed) {
  const state = () => api("GET", "/api/v1/state");
  const visible = (sel) => page.isVisible(sel);
  // A step whose requests the daemon refuses with 422, on purpose.
  const refused = async (fn) => {
    const re = /status of 422/;
    allowed.push(re);
    try {
      await fn();
    } finally {
      allowed.splice(allowed.indexOf(re), 1);
    }
  };

  await step("the setpoint's step is the daemon's setpoint_step", async () => {
    const s = await state();
    const st = await page.getAttribute("#sp-input", "step");
    check(num(st) === s.setpoint_step, `input step ${st}, setpoint_step ${s.setpoint_step}`);
    const range = await page.textContent("#sp-range");
    check(range.includes("steps of " + s.setpoint_step), "range text: " + range);
    const label = await page.getAttribute("#sp-up", "aria-label");
    check(label.includes(String(s.setpoint_step)), "+ label: " + label);
  });

  let presets;
  await step("the preset buttons are the daemon's presets; one activates a preset", async () => {
    presets = (await api("GET", "/api/v1/presets")).presets;
    check(presets.length > 1, "presets: " + JSON.stringify(presets));
    const shown = await until("the preset buttons", async () => {
      const b = await page.$$eval("#presets button.preset", (bs) => bs.map((x) => x.dataset.preset));
      return b.length ? b : null;
    });
    check(same(shown, presets.map((x) => x.name)), `buttons ${shown}, presets ${presets.map((x) => x.name)}`);
    const s = await state();
    const pick = presets.find((x) => x.setpoint !== s.setpoint && x.name !== s.program.preset);
    await page.click(`#presets button[data-preset="${pick.name}"]`);
    const after = await until(`the daemon to hold ${pick.name}`, async () => {
      const a = await state();
      return a.program.preset === pick.name && a.program.source === "hold" ? a : null;
    });
    check(after.setpoint === pick.setpoint, `setpoint ${after.setpoint}, preset ${pick.setpoint}`);
    check(after.program.hold && after.program.hold.kind === "next", "hold " + JSON.stringify(after.program.hold));
    await until("the button to be pressed", async () => (await page.getAttribute(`#presets button[data-preset="${pick.name}"]`, "aria-pressed")) === "true");
    await until("the source to say Hold", async () => (await page.textContent("#prog-source")) === "Hold");
    await until("Resume to show", () => visible("#resume"));
    console.log(`  # preset ${pick.name}: ${after.summary}`);
  });

  await step("Resume the schedule ends the hold", async () => {
    await page.click("#resume");
    await until("the daemon to drop the hold", async () => (await state()).program.hold === null);
    await until("Resume to go", async () => !(await visible("#resume")));
  });

  // The week: Monday built point by point, copied to the other weekdays,
  // Saturday one point, Sunday none.
  const monday = [
    { time: "06:30", preset: "comfort" },
    { time: "08:00", preset: "eco" },
    { time: "17:00", setpoint: 19.5 },
    { time: "22:30", preset: "sleep" },
  ];
  const week = {
    monday, tuesday: monday, wednesday: monday, thursday: monday, friday: monday,
    saturday: [{ time: "09:00", preset: "comfort" }],
    sunday: [],
  };
  const row = (d, i) => `.day[data-day="${d}"] .point:nth-child(${i})`;
  await step("the week editor: add, change and copy switch points, then save", async () => {
    const before = (await api("GET", "/api/v1/schedule")).schedule;
    check(DAYS.every((d) => same(before[d], [])), "the daemon starts with a week program: " + JSON.stringify(before));
    check(presets.some((x) => x.name === "comfort") && presets.some((x) => x.name === "eco") && presets.some((x) => x.name === "sleep"),
      "the default presets are not there");
    await until("seven days", async () => (await page.$$(".day")).length === 7);
    for (let i = 0; i < monday.length; i++) {
      await page.click('.day[data-day="monday"] button.add');
      const p = monday[i];
      await page.fill(row("monday", i + 1) + " .pt-time", p.time);
      if (p.preset) {
        await page.selectOption(row("monday", i + 1) + " .pt-target", "preset:" + p.preset);
      } else {
        await page.selectOption(row("monday", i + 1) + " .pt-target", "temp");
        await page.fill(row("monday", i + 1) + " .pt-temp", String(p.setpoint));
      }
    }
    // One too many, then removed again.
    await page.click('.day[data-day="monday"] button.add');
    check((await page.$$('.day[data-day="monday"] .point')).length === 5, "no fifth point");
    await page.click(row("monday", 5) + " .pt-remove");
    check((await page.$$('.day[data-day="monday"] .point')).length === 4, "the fifth point stays");
    await page.selectOption("#copy-from", "monday");
    await page.selectOption("#copy-to", "weekdays");
    await page.click("#copy-go");
    await page.click('.day[data-day="saturday"] button.add');
    await page.fill(row("saturday", 1) + " .pt-time", "09:00");
    await page.selectOption(row("saturday", 1) + " .pt-target", "preset:comfort");
    check((await page.textContent("#week-dirty")).includes("Unsaved"), "no sign of unsaved changes");
    check(same((await api("GET", "/api/v1/schedule")).schedule, before), "the daemon's week changed before Save");
    await page.click("#week-save");
    await until("the daemon to have the week", async () => same((await api("GET", "/api/v1/schedule")).schedule, week));
    await until("the page to say saved", async () => (await page.textContent("#week-status")) === "Week program saved");
    check((await page.textContent("#week-dirty")) === "", "still unsaved after Save");
    const s = await state();
    check(s.program.source === "schedule" && s.program.next_switch, "the state: " + JSON.stringify(s.program));
    await until("the source to say Schedule", async () => (await page.textContent("#prog-source")) === "Schedule");
    console.log(`  # ${s.summary}`);
  });

  await step("a bad week (two points at one time): the daemon's error, nothing changed", async () => {
    await refused(async () => {
      await page.click('.day[data-day="tuesday"] button.add');
      await page.fill(row("tuesday", 5) + " .pt-time", "06:30");
      await page.click("#week-save");
      const msg = await until("an error on the page", async () => {
        const cls = await page.getAttribute("#week-status", "class");
        return /error/.test(cls) ? page.textContent("#week-status") : null;
      });
      check(/tuesday: two points at 06:30/.test(msg), "the message: " + msg);
      check(same((await api("GET", "/api/v1/schedule")).schedule, week), "the daemon's week changed");
      check((await page.textContent("#week-dirty")).includes("Unsaved"), "the edit was lost");
      console.log("  # " + msg);
    });
    await page.click("#week-revert");
    await until("the edit undone", async () => (await page.$$('.day[data-day="tuesday"] .point')).length === 4);
    check((await page.textContent("#week-dirty")) === "", "still unsaved after Undo");
  });

  await page.click("#hold-box summary");
  const hold = async (target, how, value) => {
    if (typeof target === "number") {
      await page.selectOption("#hold-target", "temp");
      await page.fill("#hold-temp", String(target));
    } else {
      await page.selectOption("#hold-target", "preset:" + target);
    }
    await page.check(`#hold-form input[name=hold-for][value=${how}]`);
    if (how === "hours") await page.fill("#hold-hours", String(value));
    if (how === "until") await page.fill("#hold-until", value);
    await page.click("#hold-go");
  };
  const held = (what, fn) =>
    until(what, async () => {
      const s = await state();
      return s.program.source === "hold" && s.program.hold && fn(s) ? s : null;
    });

  await step("a hold for N hours", async () => {
    await hold("away", "hours", 2);
    const s = await held("away for 2 hours", (s) => s.program.hold.preset === "away" && s.program.hold.kind === "until");
    const ends = Date.parse(s.program.hold.until) - Date.now();
    check(Math.abs(ends - 2 * 3600e3) < 120e3, `the hold ends in ${ends / 60e3} minutes`);
    check(s.setpoint === presets.find((x) => x.name === "away").setpoint, "setpoint " + s.setpoint);
    await until("Resume to show", () => visible("#resume"));
    await until("the page to say until when", async () => (await page.textContent("#prog-now")).includes("until"));
  });

  await step("a hold of a temperature until a date and time", async () => {
    const at = localDay(1, "18:00");
    await hold(19.5, "until", at);
    const s = await held("19.5 until " + at, (s) => s.program.hold.kind === "until" && s.program.hold.until_local === at);
    check(s.setpoint === 19.5 && s.program.hold.setpoint === 19.5 && s.program.hold.preset === null, "hold " + JSON.stringify(s.program.hold));
    await until("the page to say tomorrow", async () => (await page.textContent("#prog-now")).includes("tomorrow 18:00"));
  });

  await step("a permanent hold", async () => {
    await hold("comfort", "forever");
    const s = await held("comfort forever", (s) => s.program.hold.kind === "forever" && s.program.hold.preset === "comfort");
    check(s.program.until === null, "until " + s.program.until);
    await until("the page to say so", async () => (await page.textContent("#prog-now")).includes("until you resume"));
  });

  await step("a hold until the next change", async () => {
    await hold("eco", "next");
    const s = await held("eco until the next change", (s) => s.program.hold.kind === "next" && s.program.hold.preset === "eco");
    check(s.program.until && s.program.until === s.program.next_switch.at, "until " + s.program.until + ", next " + JSON.stringify(s.program.next_switch));
  });

  await step("a hold that ends in the past: the daemon's error, nothing changed", async () => {
    const before = await state();
    await refused(async () => {
      await hold("away", "until", localDay(-1, "08:00"));
      const msg = await until("an error on the page", async () => {
        const cls = await page.getAttribute("#hold-status", "class");
        return /error/.test(cls) ? page.textContent("#hold-status") : null;
      });
      check(/past/.test(msg), "the message: " + msg);
      console.log("  # " + msg);
    });
    const after = await state();
    check(same(after.program.hold, before.program.hold), `the hold changed: ${JSON.stringify(after.program.hold)}`);
  });

  await step("Resume the schedule after a hold: back to the week", async () => {
    await page.click("#resume");
    const s = await until("the schedule", async () => {
      const a = await state();
      return a.program.source === "schedule" && a.program.hold === null ? a : null;
    });
    await until("Resume to go", async () => !(await visible("#resume")));
    await until("the source to say Schedule", async () => (await page.textContent("#prog-source")) === "Schedule");
    console.log(`  # ${s.summary}`);
  });

  await step("a boost from the page (to T for N minutes), then ended", async () => {
    await page.click("#boost-box summary");
    // Minutes the daemon would refuse are refused on the page, unsent.
    for (const bad of ["0", "721", "12.5"]) {
      await page.fill("#boost-minutes", bad);
      await page.click("#boost-go");
      await until(`an error for ${bad} minutes`, async () =>
        /error/.test(await page.getAttribute("#boost-status", "class")) && /1 to 720/.test(await page.textContent("#boost-status")));
    }
    check((await state()).program.source === "schedule", "a bad boost changed the program");
    await page.fill("#boost-temp", "23.5");
    await page.fill("#boost-minutes", "45");
    const t = Date.now();
    await page.click("#boost-go");
    const s = await until("the boost", async () => {
      const a = await state();
      return a.program.source === "boost" && a.program.boost ? a : null;
    });
    check(s.program.boost.setpoint === 23.5 && s.setpoint === 23.5, "boost " + JSON.stringify(s.program.boost) + ", setpoint " + s.setpoint);
    const ends = Date.parse(s.program.boost.until) - t;
    check(Math.abs(ends - 45 * 60e3) < 90e3, `the boost ends in ${ends / 60e3} minutes`);
    await until("the source to say Boost", async () => (await page.textContent("#prog-source")) === "Boost");
    await until("'End the boost'", async () => (await visible("#resume")) && (await page.textContent("#resume")) === "End the boost");
    await until("the boost's status", async () => /^Boost to 23\.5 °C until (tomorrow )?\d\d:\d\d$/.test(await page.textContent("#boost-status")));
    check((await page.textContent("#prog-now")).includes(s.program.boost.until_local.slice(11)), "the program line: " + (await page.textContent("#prog-now")));
    console.log(`  # ${s.summary}`);
    await page.click("#resume");
    await until("the boost to end", async () => {
      const a = await state();
      return a.program.source === "schedule" && a.program.boost === null;
    });
    await until("the source to say Schedule", async () => (await page.textContent("#prog-source")) === "Schedule");
    await until("the button to go", async () => !(await visible("#resume")));
  });

  // The presets' editor.
  const prow = (i) => `#preset-rows .preset-row:nth-child(${i + 1})`;
  const presetsNow = async () => (await api("GET", "/api/v1/presets")).presets;
  const weekUses = (w, name) => DAYS.some((d) => w[d].some((p) => p.preset === name));
  await page.click("#presets-box summary");

  await step("the presets editor: a preset renamed and its temperature changed; the week follows", async () => {
    const before = await presetsNow();
    await until("the editor's rows", async () => (await page.$$("#preset-rows .preset-row")).length === before.length);
    const i = before.findIndex((x) => x.name === "comfort");
    check(i >= 0, "no comfort");
    await page.fill(prow(i) + " .pr-name", "cosy");
    await page.fill(prow(i) + " .pr-temp", "21.5");
    check((await page.textContent("#presets-dirty")) === "Unsaved changes", "no sign of unsaved changes");
    check(same(await presetsNow(), before), "the presets changed before Save");
    await page.click("#presets-save");
    const want = before.map((x) => (x.name === "comfort" ? { name: "cosy", setpoint: 21.5 } : x));
    await until("the daemon's presets", async () => same(await presetsNow(), want));
    await until("the page to say saved", async () => (await page.textContent("#presets-status")) === "Presets saved");
    const w = (await api("GET", "/api/v1/schedule")).schedule;
    check(w.monday[0].preset === "cosy" && w.saturday[0].preset === "cosy" && !weekUses(w, "comfort"), "the week: " + JSON.stringify(w.monday));
    // The page: the week's lists, the buttons, the hold's list.
    await until("the week to show Cosy", async () =>
      (await page.$eval(row("monday", 1) + " .pt-target", (x) => x.selectedOptions[0].textContent)) === "Cosy");
    check((await page.$$eval(row("monday", 1) + " .pt-target option", (os) => os.map((o) => o.textContent))).every((t) => t !== "Comfort"), "Comfort is still offered");
    check((await page.textContent("#week-dirty")) === "", "the rename left the week unsaved");
    await until("the button", async () => (await page.textContent('#presets button[data-preset="cosy"]')).includes("21.5 °C"));
    check(!(await page.$('#presets button[data-preset="comfort"]')), "a comfort button stays");
    check((await page.$$eval("#hold-target option", (os) => os.map((o) => o.value))).includes("preset:cosy"), "the hold's list");
    check((await page.textContent("#presets-dirty")) === "", "still unsaved after Save");
  });

  await step("removing a preset the week uses: the daemon's message, nothing changed", async () => {
    const before = await presetsNow();
    const week0 = (await api("GET", "/api/v1/schedule")).schedule;
    const i = before.findIndex((x) => x.name === "eco");
    check(i >= 0 && weekUses(week0, "eco"), "eco is not in the week");
    await refused(async () => {
      await page.click(prow(i) + " .pr-remove");
      check((await page.$$("#preset-rows .preset-row")).length === before.length - 1, "the row stays");
      await page.click("#presets-save");
      const msg = await until("an error on the page", async () => {
        const cls = await page.getAttribute("#presets-status", "class");
        return /error/.test(cls) ? page.textContent("#presets-status") : null;
      });
      check(/preset "eco" is used by the schedule \(monday 08:00\)/.test(msg), "the message: " + msg);
      console.log("  # " + msg);
    });
    check(same(await presetsNow(), before), "the presets changed");
    check(same((await api("GET", "/api/v1/schedule")).schedule, week0), "the week changed");
    check((await page.textContent("#presets-dirty")) === "Unsaved changes", "the edit was lost");
    await page.click("#presets-revert");
    await until("the edit undone", async () => (await page.$$("#preset-rows .preset-row")).length === before.length);
    check((await page.inputValue(prow(i) + " .pr-name")) === "eco", "eco is not back");
  });

  await step("the presets editor: add one (8 at most), then remove it", async () => {
    const before = await presetsNow();
    const n = before.length;
    await page.click("#preset-add");
    await page.fill(prow(n) + " .pr-name", "Guest room");
    await page.fill(prow(n) + " .pr-temp", "19.5");
    await page.click("#presets-save");
    await until("the daemon to have guest_room", async () => same(await presetsNow(), [...before, { name: "guest_room", setpoint: 19.5 }]));
    await until("its button", async () => (await page.$('#presets button[data-preset="guest_room"]')) !== null);
    // Up to 8: then Add is disabled.
    for (let k = n + 1; k < 8; k++) await page.click("#preset-add");
    check((await page.$$("#preset-rows .preset-row")).length === 8, "not 8 rows");
    check(await page.isDisabled("#preset-add"), "Add is still enabled at 8");
    await page.click("#presets-revert");
    await until("the edit undone", async () => (await page.$$("#preset-rows .preset-row")).length === n + 1);
    check(!(await page.isDisabled("#preset-add")), "Add stays disabled");
    // An unused preset goes.
    await page.click(prow(n) + " .pr-remove");
    await page.click("#presets-save");
    await until("the daemon to drop guest_room", async () => same(await presetsNow(), before));
    await until("its button to go", async () => (await page.$('#presets button[data-preset="guest_room"]')) === null);
  });

  await step("a week and presets saved elsewhere reach the page (the state's changes)", async () => {
    const s0 = await state();
    const w = (await api("GET", "/api/v1/schedule")).schedule;
    await api("PUT", "/api/v1/schedule", { schedule: { ...w, sunday: [{ time: "10:00", preset: "eco" }] } });
    await until("Sunday's new point on the page", async () => {
      const pts = await page.$$('.day[data-day="sunday"] .point');
      return pts.length === 1 && (await page.inputValue(row("sunday", 1) + " .pt-time")) === "10:00";
    });
    const ps = await presetsNow();
    await api("PUT", "/api/v1/presets", { presets: ps.map((x) => (x.name === "away" ? { ...x, setpoint: 13 } : x)) });
    await until("away's button to say 13.0 °C", async () => (await page.textContent('#presets button[data-preset="away"]')).includes("13.0 °C"));
    await until("the editor to follow", async () => (await page.inputValue(prow(ps.findIndex((x) => x.name === "away")) + " .pr-temp")) === "13.0");
    const s1 = await state();
    check(s1.changes >= s0.changes + 2, `changes ${s0.changes} -> ${s1.changes}`);
    check(await page.evaluate(() => window.__loadedOnce === true), "the page was reloaded");
  });
}

// ---- a login -------------------------------------------------------------
// The page of a daemon that needs a login for everything (auth_reads) and
// whose nonces live 2 s: Chromium logs in by digest once (the one prompt,
// answered here through the DevTools protocol and counted), loads the
// page, its event stream and its writes in parallel on that login, and
// once the nonce has expired writes again: told stale=true, it logs in
// again by itself, without a second prompt.  run.sh then checks that the
// daemon logged no failed login.
async function login() {
  const URL_ = process.env.LOGIN_URL.replace(/\/$/, "");
  const browser = await launch();
  const problems = [];
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    watch(page, problems, []);
    const cdp = await ctx.newCDPSession(page);
    let prompts = 0;
    cdp.on("Fetch.requestPaused", (e) => cdp.send("Fetch.continueRequest", { requestId: e.requestId }).catch(() => {}));
    cdp.on("Fetch.authRequired", (e) => {
      prompts++;
      cdp.send("Fetch.continueWithAuth", {
        requestId: e.requestId,
        authChallengeResponse: { response: "ProvideCredentials", username: process.env.LOGIN_USER, password: process.env.LOGIN_PASSWORD },
      }).catch(() => {});
    });
    await cdp.send("Fetch.enable", { handleAuthRequests: true, patterns: [{ urlPattern: "*" }] });
    // The state, read by the page on its login.
    const state = () => page.evaluate(async () => (await fetch("/api/v1/state")).json());
    const bump = async (what) => {
      const s = await state();
      const want = s.setpoint + 0.5 <= s.max_setpoint ? s.setpoint + 0.5 : s.setpoint - 0.5;
      await page.click(want > s.setpoint ? "#sp-up" : "#sp-down");
      await until(`${what}: the daemon to say ${want}`, async () => (await state()).setpoint === want);
      await until(`${what}: the page to show ${want}`, async () => num(await page.inputValue("#sp-input")) === want);
    };

    await step("with a login: one prompt, then the page, its stream and a write", async () => {
      const res = await page.goto(URL_ + "/", { waitUntil: "load" });
      check(res.status() === 200, `status ${res.status()}`);
      await until("#conn to say live", async () => (await page.getAttribute("#conn", "data-state")) === "live");
      await until("a temperature", async () => !Number.isNaN(num(await page.textContent("#temp"))));
      await bump("the first write");
      check(prompts === 1, `${prompts} login prompts`);
    });

    await step("with a login: after the nonce expired, writes go on without a prompt", async () => {
      for (let i = 0; i < 2; i++) {
        await new Promise((r) => setTimeout(r, 2200));
        await bump(`write ${i + 2}, after the nonce expired`);
        await page.click("#mode");
        await until("the switch to answer", async () => (await page.getAttribute("#mode", "aria-checked")) === String((await state()).mode === "heat"));
      }
      check(prompts === 1, `${prompts} login prompts: the page asked again`);
      check(problems.length === 0, problems.join("\n"));
    });
  } finally {
    await browser.close();
  }
}

// ---- an attacker's pages -------------------------------------------------
// A page the owner opens elsewhere: served by this test on another
// loopback port (another origin of the same site, the closest an attacker
// gets), it auto-submits a form to the compat route and fires no-cors and
// CORS fetches at the API.  And a DNS rebinding: the browser resolves
// rebind.test to 127.0.0.1 (--host-resolver-rules), so a page of
// rebind.test is same-origin with the daemon's port under that name.
// Both must leave setpoint and mode as they were.
async function attacks() {
  const { createServer } = await import("node:http");
  const evil = `<!doctype html><meta charset=utf-8><title>cats</title>
<iframe name=sink></iframe>
<form id=f method=POST action="${BASE}/set_thermostat" target=sink>
<input name=thermostat_setting value=86></form>
<script>
window.results = {};
const done = (k) => (v) => { window.results[k] = v; };
fetch("${BASE}/set_thermostat", { method: "POST", mode: "no-cors",
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: "thermostat_setting=86" }).then(done("nocors"), (e) => done("nocors")(String(e)));
fetch("${BASE}/api/v1/mode", { method: "PUT",
  headers: { "Content-Type": "application/json" }, body: '{"mode":"off"}' })
  .then((r) => done("put")(r.status), (e) => done("put")("blocked: " + e));
fetch("${BASE}/api/v1/state").then((r) => r.text()).then(done("read"), (e) => done("read")("blocked: " + e));
document.getElementById("f").submit();
</script>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(evil);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const evilUrl = `http://127.0.0.1:${server.address().port}/`;
  const daemonPort = new URL(BASE).port;
  const browser = await launch(["--host-resolver-rules=MAP rebind.test 127.0.0.1"]);
  try {
    const before = await api("GET", "/api/v1/state");
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.setDefaultTimeout(10000);
    await step("an attacker's page: form post, no-cors and CORS fetches change nothing", async () => {
      const seen = [];
      page.on("response", (r) => {
        if (r.url().startsWith(BASE)) seen.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
      });
      const form = page.waitForResponse((r) => r.url() === BASE + "/set_thermostat" && r.request().resourceType() === "document");
      await page.goto(evilUrl, { waitUntil: "load" });
      const res = await form;
      check(res.status() === 403, `the attacker's form post was answered ${res.status()}`);
      const r = await until("the attacker's fetches to settle", () =>
        page.evaluate(() => ("nocors" in window.results && "put" in window.results && "read" in window.results) ? window.results : null));
      check(String(r.put).startsWith("blocked"), `the cross-origin PUT was not blocked: ${r.put}`);
      check(String(r.read).startsWith("blocked"), `the attacker read the state: ${String(r.read).slice(0, 80)}`);
      check(seen.some((x) => x === "POST /set_thermostat 403"), `no 403 seen for the posts: ${seen.join(", ")}`);
      check(!seen.some((x) => / 200$/.test(x) && !x.startsWith("GET")), `a write was answered 200: ${seen.join(", ")}`);
      const after = await api("GET", "/api/v1/state");
      check(after.setpoint === before.setpoint && after.mode === before.mode,
        `changed: setpoint ${before.setpoint} -> ${after.setpoint}, mode ${before.mode} -> ${after.mode}`);
      console.log("  # " + seen.join(", "));
    });
    await step("DNS rebinding: the daemon's port under the attacker's name is 421, reads and writes", async () => {
      const res = await page.goto(`http://rebind.test:${daemonPort}/`, { waitUntil: "load" });
      check(res.status() === 421, `the page under rebind.test was answered ${res.status()}`);
      const r = await page.evaluate(async () => {
        const read = await fetch("/api/v1/state");
        const put = await fetch("/api/v1/mode", { method: "PUT",
          headers: { "Content-Type": "application/json" }, body: '{"mode":"off"}' });
        return { read: read.status, body: await read.text(), put: put.status };
      });
      check(r.read === 421 && !r.body.includes("setpoint"), `same-origin read under rebind.test: ${r.read} ${r.body.slice(0, 80)}`);
      check(r.put === 421, `same-origin write under rebind.test: ${r.put}`);
      const after = await api("GET", "/api/v1/state");
      check(after.mode === before.mode && after.setpoint === before.setpoint, "the rebinding page changed the state");
    });
  } finally {
    await browser.close();
    server.close();
  }
}

try {
  await main();
} catch (err) {
  if (!(err instanceof StopError)) {
    failed++;
    console.log("not ok - " + (err && err.stack ? err.stack : err));
  }
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
