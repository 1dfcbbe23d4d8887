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

// The daemon's API, called from outside the page.
async function api(method, p, body) {
  const opt = { method, headers: {} };
  if (body !== undefined) {
    opt.headers["Content-Type"] = "application/json";
    opt.body = JSON.stringify(body);
  }
  const res = await fetch(BASE + p, opt);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return JSON.parse(text);
}

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

    await step("heating, reason and sensor health are shown", async () => {
      const s = await api("GET", "/api/v1/state");
      const label = await page.textContent("#heat-label");
      check(label === (s.heating ? "Heating" : "Idle"), `label ${label}, heating ${s.heating}`);
      await until("the reason text", async () => (await page.textContent("#reason")) === (await api("GET", "/api/v1/state")).reason_text);
      const sensor = await page.textContent("#sensor-status");
      check(sensor.length > 0 && sensor !== "–", "sensor status " + sensor);
    });

    await step("+ raises the setpoint: on the page and through the API", async () => {
      const s = await api("GET", "/api/v1/state");
      const before = num(await page.inputValue("#sp-input"));
      check(before === s.setpoint, `page shows ${before}, API ${s.setpoint}`);
      const up = s.setpoint + 0.5 <= s.max_setpoint;
      const want = up ? Math.floor(s.setpoint * 2 + 1e-6) / 2 + 0.5 : Math.ceil(s.setpoint * 2 - 1e-6) / 2 - 0.5;
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
          return /error/.test(cls) && /range/.test(await page.textContent("#status"));
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
      await until("the reason to follow", async () => (await page.textContent("#reason")) === (await api("GET", "/api/v1/state")).reason_text, 5000);
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
        const m = await p.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          plus: document.getElementById("sp-up").getBoundingClientRect().width,
          bg: getComputedStyle(document.body).backgroundColor,
        }));
        check(m.scroll <= m.inner, `horizontal overflow: ${m.scroll} > ${m.inner}`);
        check(m.plus >= 44, `+ is ${m.plus}px wide: too small to tap`);
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
