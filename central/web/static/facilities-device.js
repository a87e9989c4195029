// The facilities console's page for one device (/facilities/device?id=…): its health now, 24 h charts,
// commands with their replies, its latest screenshot and log lines, its events; live on the fleet's
// event stream; its alerts are kept by facilities-alerts.js (the "alert" events relayed to it). Everything
// from the network is set with textContent only.

import { $, LiveStream, onLanguageSwitch, pageLanguage, renderClock, renderLive } from "./common.js";
import { drawChart } from "./facilities-chart.js";
import { deviceTranslator } from "./facilities-text.js";

const EVENTS_URL = "/api/fleet/events";
const STREAM_SILENT_MS = 45000;
const HISTORY_EVERY_MS = 60000; // the history has one point a minute
const COMMANDS_SHOWN = 20;
const EVENTS_SHOWN = 50;
const WARN = { cpu_percent: 90, memory_percent: 90, temperature_c: 80, broker_rtt_ms: 500, disk_percent: 90 };

const CHARTS = [
  { key: "cpu_percent", label: "chart.cpu", floor: 100, unit: "%" },
  { key: "temperature_c", label: "chart.temperature", floor: 50, unit: "°C" },
  { key: "memory_percent", label: "chart.memory", floor: 100, unit: "%" },
  { key: "broker_rtt_ms", label: "chart.rtt", floor: 10, unit: "ms" },
];

// name, args, label key, and for which kinds of device (none: all)
const BUTTONS = [
  { name: "print_test", label: "cmd.print_test", kinds: ["kiosk"] },
  { name: "reload_flights", label: "cmd.reload_flights" },
  { name: "screen", args: { state: "off" }, label: "cmd.screen_off", kinds: ["signage"] },
  { name: "screen", args: { state: "on" }, label: "cmd.screen_on", kinds: ["signage"] },
  { name: "screen", args: { state: "auto" }, label: "cmd.screen_auto", kinds: ["signage"] },
  { name: "screenshot", label: "cmd.screenshot" },
  { name: "collect_logs", args: { lines: 500 }, label: "cmd.collect_logs" },
  { name: "restart_app", label: "cmd.restart_app", confirm: "cmd.restart_app.confirm", danger: true },
];

const deviceId = new URLSearchParams(location.search).get("id") || "";
const base = pageLanguage();
const page = {
  language: base.language,
  t: deviceTranslator(base.language),
  device: null,
  commands: [], // newest first
  events: [], // newest first
  eventsMissing: 0,
  screenshot: null,
  logs: null,
  history: [],
  bus: "",
  site: "",
};

const stream = new LiveStream(EVENTS_URL, {
  silentMs: STREAM_SILENT_MS,
  handlers: {
    snapshot: onSnapshot,
    device: onDevice,
    removed: (data) => data.id === deviceId && setDevice(null),
    bus: (data) => {
      page.bus = String(data.bus || "");
      renderBus();
    },
    command: onCommand,
    device_event: onDeviceEvent,
    upload: onUpload,
  },
  relay: ["alert"], // facilities-alerts.js keeps this device's alerts
  onLive: () => {
    renderLive(page.t, stream.live);
    renderBus();
    if (stream.live === "live") loadDevice(); // replies that came while the stream was away
  },
});

// --- helpers ---------------------------------------------------------------------------------------

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function figure(value, unit, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return page.t("none");
  return `${value.toFixed(digits)} ${unit}`;
}

function timeOf(iso) {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? "" : new Date(at).toLocaleTimeString(page.language, { hour12: false });
}

function apiUrl(suffix = "") {
  return `/api/fleet/devices/${encodeURIComponent(deviceId)}${suffix}`;
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (response.status === 401 || response.status === 403) {
    stream.checkAccess();
    throw new Error(String(response.status));
  }
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

// --- text ------------------------------------------------------------------------------------------

function applyLanguage() {
  const t = page.t;
  document.documentElement.lang = page.language;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  const button = $("lang-switch");
  button.textContent = t("lang.switch");
  button.lang = t("lang.switch.code");
  const back = $("back");
  back.href = `/facilities?lang=${encodeURIComponent(page.language)}`;
  document.title = `${deviceId} · ${t("device.title")}`;
  renderLive(t, stream.live);
  renderBus();
  renderAll();
}

function renderAll() {
  renderFigures();
  renderButtons();
  renderCommands();
  renderEvents();
  renderFiles();
  renderHistory();
}

function renderBus() {
  const known = stream.live === "live" ? page.bus : "";
  $("top").dataset.bus = known;
  $("bus-text").textContent = known ? page.t(`bus.${known}`) : "";
}

// --- health now ------------------------------------------------------------------------------------

function renderFigures() {
  const t = page.t;
  const device = page.device;
  $("unknown").hidden = device !== null;
  const list = $("figures");
  list.replaceChildren();
  if (!device) return;
  const h = device.health;
  const rows = [
    ["field.state", t(`state.${device.state}`), { state: device.state }],
    ["field.kind", device.kind ? t(`kind.${device.kind}`) : t("none")],
    ["field.location", device.location || t("none")],
    ["field.version", device.version || t("none")],
    ["field.last_seen", device.last_seen ? timeOf(device.last_seen) : t("none")],
    ["col.cpu", figure(h && h.cpu_percent, "%"), { warn: h && h.cpu_percent >= WARN.cpu_percent }],
    ["col.memory", figure(h && h.memory_percent, "%"), { warn: h && h.memory_percent >= WARN.memory_percent }],
    ["col.temperature", figure(h && h.temperature_c, "°C"), { warn: h && h.temperature_c >= WARN.temperature_c }],
    ["col.rtt", figure(h && h.broker_rtt_ms, "ms", h && h.broker_rtt_ms < 10 ? 1 : 0), { warn: h && h.broker_rtt_ms >= WARN.broker_rtt_ms }],
    ["field.disk", figure(h && h.disk_percent, "%"), { warn: h && h.disk_percent >= WARN.disk_percent }],
    ["col.rss", figure(h && h.app_rss_mb, "MB")],
    ["field.uptime", h ? t("duration")(Math.max(0, Math.floor(h.uptime_s))) : t("none")],
  ];
  for (const [label, value, extra = {}] of rows) {
    const box = node("div");
    const dd = node("dd", extra.warn ? "warn" : "", value);
    if (extra.state) dd.dataset.state = extra.state;
    box.append(node("dt", "", t(label)), dd);
    list.append(box);
  }
}

function setDevice(device) {
  const kindBefore = page.device ? page.device.kind : null;
  page.device = device;
  renderFigures();
  // rebuilt only when they change: a button replaced under the pointer would lose its click
  if ((device ? device.kind : null) !== kindBefore) renderButtons();
}

// --- history ---------------------------------------------------------------------------------------

function renderHistory() {
  const box = $("charts");
  if (!box.childElementCount) {
    for (const chart of CHARTS) {
      const figureBox = node("figure", "chart");
      figureBox.dataset.chart = chart.key;
      const title = node("h3");
      title.append(node("span", "label"), node("span", "latest"));
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("role", "img");
      figureBox.append(title, svg);
      box.append(figureBox);
    }
  }
  const nowS = stream.serverNowMs() / 1000;
  $("history-none").hidden = page.history.length > 0;
  for (const chart of CHARTS) {
    const figureBox = box.querySelector(`[data-chart="${chart.key}"]`);
    const points = page.history.map((p) => ({ minute: p.minute, value: p[chart.key] }));
    const latest = [...points].reverse().find((p) => Number.isFinite(p.value));
    figureBox.querySelector(".label").textContent = page.t(chart.label);
    figureBox.querySelector(".latest").textContent = latest ? page.t("chart.latest", { value: figure(latest.value, chart.unit, chart.unit === "ms" && latest.value < 10 ? 1 : 0) }) : "";
    const svg = figureBox.querySelector("svg");
    svg.setAttribute("aria-label", page.t(chart.label));
    drawChart(svg, points, { nowS, floor: chart.floor, language: page.language });
  }
}

async function loadHistory() {
  try {
    const data = await getJson(apiUrl("/history"));
    page.history = Array.isArray(data.points) ? data.points : [];
  } catch {
    return;
  }
  renderHistory();
}

// --- commands --------------------------------------------------------------------------------------

function renderButtons() {
  const box = $("command-buttons");
  box.replaceChildren();
  const kind = page.device ? page.device.kind : null;
  for (const button of BUTTONS) {
    if (button.kinds && kind && !button.kinds.includes(kind)) continue;
    const el = node("button", button.danger ? "command danger" : "command", page.t(button.label));
    el.type = "button";
    el.dataset.command = button.name;
    if (button.args && button.args.state) el.dataset.state = button.args.state;
    el.addEventListener("click", () => {
      if (button.confirm && !window.confirm(page.t(button.confirm, { id: deviceId }))) return;
      send(button.name, button.args || {});
    });
    box.append(el);
  }
  $("notice-form").hidden = false;
}

async function send(name, args) {
  const error = $("send-error");
  error.hidden = true;
  try {
    const response = await fetch(apiUrl("/commands"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name, args }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(String(body.detail || body.error || response.status));
    upsertCommand(body);
  } catch (exc) {
    error.textContent = page.t("send.failed", { why: exc.message });
    error.hidden = false;
  }
}

function upsertCommand(view) {
  if (!view || view.device !== deviceId || typeof view.id !== "string") return;
  const at = page.commands.findIndex((c) => c.id === view.id);
  if (at >= 0) page.commands[at] = view;
  else page.commands.unshift(view);
  page.commands = page.commands.slice(0, COMMANDS_SHOWN);
  renderCommands();
}

function describeArgs(args) {
  const shown = Object.entries(args || {}).filter(([key]) => key !== "upload_url");
  return shown.map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`).join(" ");
}

function renderCommands() {
  const list = $("command-list");
  list.replaceChildren();
  for (const command of page.commands) {
    const li = node("li");
    li.dataset.command = command.id;
    li.dataset.name = command.name;
    li.dataset.state = command.state;
    const what = node("span", "what", `${command.name} ${describeArgs(command.args)}`.trim());
    what.append(node("span", "state", page.t(`state.${command.state}`)));
    li.append(node("span", "when", timeOf(command.sent_at)), what, node("span", "detail", command.detail || ""));
    list.append(li);
  }
  $("commands-none").hidden = page.commands.length > 0;
}

function onCommand(view) {
  upsertCommand(view);
}

// --- events ----------------------------------------------------------------------------------------

function renderEvents() {
  const list = $("event-list");
  list.replaceChildren();
  for (const event of page.events) {
    const li = node("li");
    li.dataset.seq = String(event.seq);
    const data = event.data && typeof event.data === "object" ? event.data : {};
    li.append(
      node("span", "when", timeOf(event.ts)),
      node("span", "what", String(event.name)),
      node("span", "detail", describeArgs(data)),
    );
    list.append(li);
  }
  $("events-none").hidden = page.events.length > 0;
  const missing = $("events-missing");
  missing.hidden = !page.eventsMissing;
  missing.textContent = page.eventsMissing ? page.t("device.events.missing", { n: page.eventsMissing }) : "";
}

function onDeviceEvent(data) {
  if (data.device !== deviceId || !data.event) return;
  page.events.unshift(data.event);
  page.events = page.events.slice(0, EVENTS_SHOWN);
  renderEvents();
}

// --- files -----------------------------------------------------------------------------------------

function renderFiles() {
  const img = $("screenshot");
  const at = $("screenshot-at");
  if (page.screenshot) {
    const src = `${apiUrl("/screenshot")}?v=${encodeURIComponent(page.screenshot.name)}`;
    if (img.getAttribute("src") !== src) img.src = src;
    img.alt = page.t("device.screenshot");
    img.hidden = false;
    at.textContent = timeOf(page.screenshot.at);
  } else {
    img.hidden = true;
    at.textContent = page.t("device.screenshot.none");
  }
  const link = $("logs-link");
  link.hidden = !page.logs;
  if (page.logs) {
    link.href = `${apiUrl("/logs")}?v=${encodeURIComponent(page.logs.name)}`;
    link.textContent = `${page.t("device.logs.open")} (${timeOf(page.logs.at)})`;
  }
}

function onUpload(data) {
  if (data.device !== deviceId || !data.file) return;
  if (data.kind === "screenshot") page.screenshot = data.file;
  if (data.kind === "logs") page.logs = data.file;
  renderFiles();
}

// --- the stream and the first load -----------------------------------------------------------------

function onSnapshot(snapshot) {
  page.site = String(snapshot.site || "");
  $("site").textContent = page.site || "—";
  page.bus = String(snapshot.bus || "");
  renderBus();
  const device = (snapshot.devices || []).find((d) => d.id === deviceId) || null;
  setDevice(device);
}

function onDevice(data) {
  if (data.device && data.device.id === deviceId) setDevice(data.device);
}

async function loadDevice() {
  let data;
  try {
    data = await getJson(apiUrl());
  } catch {
    return;
  }
  if (data.device) setDevice(data.device);
  page.commands = Array.isArray(data.commands) ? data.commands : [];
  page.events = Array.isArray(data.events) ? data.events : [];
  page.eventsMissing = Number(data.events_missing) || 0;
  page.screenshot = data.screenshot || null;
  page.logs = data.logs || null;
  renderCommands();
  renderEvents();
  renderFiles();
}

$("device-id").textContent = deviceId || "—";
$("notice-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  send("show_notice", { zh: form.zh.value, en: form.en.value, minutes: Number(form.minutes.value) });
});
$("clear-notice").addEventListener("click", () => send("show_notice", { minutes: 0 }));
onLanguageSwitch(page, () => {
  page.t = deviceTranslator(page.language);
  applyLanguage();
});
applyLanguage();
stream.connect();
loadDevice();
loadHistory();
setInterval(loadHistory, HISTORY_EVERY_MS);
renderClock(page.language, stream.clockOffsetMs);
setInterval(() => {
  renderClock(page.language, stream.clockOffsetMs);
  stream.check();
}, 1000);
