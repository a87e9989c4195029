// The facilities page: every device of the site, kept current by the /api/fleet/events stream.
// Device ids, locations and versions come from the network: they are only ever set with textContent.

import { $, LiveStream, applyCatalogue, onLanguageSwitch, pageLanguage, renderClock, renderLive } from "./common.js";
import { FleetView } from "./facilities-table.js";

const EVENTS_URL = "/api/fleet/events";
const STREAM_SILENT_MS = 45000; // the server sends a ping every 15 s; three missed means the stream is dead
const FEEDS_URL = "/api/flights?direction=dep";
const FEEDS_EVERY_MS = 15000; // a feed is stale after minutes, so a look every 15 s is soon enough

// Figures worth a second look, in the units the devices report.
const WARN = { cpu: 90, memory: 90, temperature: 80, rtt: 500 };

// Rows needing attention come first, then the rest by id.
const STATE_ORDER = { offline_lost: 0, silent: 1, unknown: 2, online: 3, offline: 4 };

const page = {
  ...pageLanguage(),
  devices: new Map(), // id -> device view from the server
  rows: new Map(), // id -> <tr>
  bus: "",
  risks: [],
  site: "",
  feeds: null, // [{name, stale}] from /api/flights, null until known
};

// sorting by a column, the filters and the search (facilities-table.js)
const view = new FleetView(page.language, () => placeRows());

const stream = new LiveStream(EVENTS_URL, {
  silentMs: STREAM_SILENT_MS,
  handlers: { snapshot: onSnapshot, device: onDevice, removed: onRemoved, bus: onBus },
  relay: ["alert"], // facilities-alerts.js keeps the alert list
  onLive: () => {
    renderLive(page.t, stream.live);
    renderBus();
  },
});

// --- text ------------------------------------------------------------------------------------------

function applyLanguage() {
  const t = page.t;
  applyCatalogue(page.language, t);
  view.setLanguage(page.language);
  document.title = page.site ? `${page.site} · ${t("title")}` : t("title");
  renderLive(t, stream.live);
  renderBus();
  renderRisks();
  renderFeeds();
  for (const id of page.devices.keys()) renderRow(id);
  renderTimes();
}

function figure(value, unit, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return page.t("none");
  return `${value.toFixed(digits)} ${unit}`;
}

// --- header ----------------------------------------------------------------------------------------

// Central's own link to the broker; unknown (so not shown) while this page is not connected to central.
function renderBus() {
  const known = stream.live === "live" ? page.bus : "";
  $("top").dataset.bus = known;
  $("bus-text").textContent = known ? page.t(`bus.${known}`) : "";
}

// The flight feeds: a silent one is named, so that a board that stopped moving is not taken for a quiet day.
function renderFeeds() {
  const line = $("feeds-text");
  if (page.feeds === null) {
    line.textContent = "";
    line.dataset.state = "";
    return;
  }
  const stale = page.feeds.filter((feed) => feed.stale).map((feed) => String(feed.name));
  const names = page.feeds.map((feed) => String(feed.name));
  line.dataset.state = stale.length ? "stale" : "ok";
  if (!names.length) line.textContent = page.t("feeds.none");
  else if (stale.length) line.textContent = page.t("feeds.stale").replace("{names}", stale.join(", "));
  else line.textContent = page.t("feeds.ok").replace("{names}", names.join(", "));
}

async function refreshFeeds() {
  try {
    const response = await fetch(FEEDS_URL, { cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const board = await response.json();
    page.feeds = Array.isArray(board.feeds) ? board.feeds : [];
  } catch {
    page.feeds = null; // central unreachable: the connection line already says so
  }
  renderFeeds();
}

function renderCounts() {
  const counts = { online: 0, offline: 0, silent: 0, total: 0 };
  for (const device of page.devices.values()) {
    counts.total += 1;
    if (device.online) counts.online += 1;
    if (device.state === "offline") counts.offline += 1;
    if (device.silent) counts.silent += 1;
  }
  for (const [name, value] of Object.entries(counts)) {
    document.querySelector(`[data-count="${name}"]`).textContent = String(value);
  }
  $("top").dataset.silent = String(counts.silent);
  $("empty").hidden = counts.total > 0;
}

// --- rows ------------------------------------------------------------------------------------------

const CELLS = ["id", "kind", "location", "status", "last_seen", "cpu", "memory", "rss", "uptime", "temperature", "rtt"];
const NUMERIC = new Set(["cpu", "memory", "rss", "uptime", "temperature", "rtt"]);

function newRow(id) {
  const tr = document.createElement("tr");
  tr.dataset.device = id;
  for (const name of CELLS) {
    const td = document.createElement(name === "id" ? "th" : "td");
    if (name === "id") {
      td.scope = "row";
      const link = document.createElement("a"); // the device's own page
      link.href = `/facilities/device?id=${encodeURIComponent(id)}`;
      td.append(link);
    }
    td.dataset.field = name;
    if (NUMERIC.has(name)) td.className = "num";
    if (name === "status") {
      const chip = document.createElement("span");
      chip.className = "chip";
      const label = document.createElement("span");
      label.className = "chip-state";
      const reason = document.createElement("span");
      reason.className = "chip-reason";
      chip.append(label, reason);
      const risk = document.createElement("span");
      risk.className = "risk";
      td.append(chip, risk);
    }
    tr.append(td);
  }
  return tr;
}

function cell(tr, name) {
  return tr.querySelector(`[data-field="${name}"]`);
}

function setFigure(tr, name, value, unit, digits, warnAbove) {
  const td = cell(tr, name);
  td.textContent = figure(value, unit, digits);
  td.classList.toggle("warn", warnAbove !== undefined && Number.isFinite(value) && value >= warnAbove);
}

function renderRow(id) {
  const device = page.devices.get(id);
  const t = page.t;
  let tr = page.rows.get(id);
  if (!tr) {
    tr = newRow(id);
    page.rows.set(id, tr);
  }
  tr.dataset.online = String(device.online);
  tr.dataset.state = device.state;
  tr.dataset.reason = device.reason || "";
  tr.dataset.kind = device.kind || "";
  tr.dataset.lastSeen = device.last_seen || "";

  const link = cell(tr, "id").firstElementChild;
  link.textContent = device.id;
  link.href = `/facilities/device?id=${encodeURIComponent(device.id)}&lang=${encodeURIComponent(page.language)}`;
  cell(tr, "kind").textContent = device.kind ? t(`kind.${device.kind}`) : t("none");
  cell(tr, "location").textContent = device.location || t("none");
  const status = cell(tr, "status");
  status.querySelector(".chip-state").textContent = t(`state.${device.state}`);
  const why = device.state === "offline" && device.reason ? t(`reason.${device.reason}`)
    : device.silent ? t("silent.hint") : "";
  status.querySelector(".chip-reason").textContent = why;
  const risks = device.health && Array.isArray(device.health.bus_risks) ? device.health.bus_risks : [];
  const risk = status.querySelector(".risk");
  risk.textContent = risks.length ? t("risk.device") : "";
  risk.title = risks.map((name) => t(`risk.${name}`)).join(" · ");

  const h = device.health;
  setFigure(tr, "cpu", h ? h.cpu_percent : null, "%", 0, WARN.cpu);
  setFigure(tr, "memory", h ? h.memory_percent : null, "%", 0, WARN.memory);
  setFigure(tr, "rss", h ? h.app_rss_mb : null, "MB", 0);
  cell(tr, "uptime").textContent = h ? t("duration")(Math.max(0, Math.floor(h.uptime_s))) : t("none");
  setFigure(tr, "temperature", h ? h.temperature_c : null, "°C", 0, WARN.temperature);
  setFigure(tr, "rtt", h ? h.broker_rtt_ms : null, "ms", h && h.broker_rtt_ms < 10 ? 1 : 0, WARN.rtt);
  renderLastSeen(tr);
}

function renderLastSeen(tr) {
  const td = cell(tr, "last_seen");
  const seen = Date.parse(tr.dataset.lastSeen);
  td.textContent = Number.isNaN(seen) ? page.t("none") : page.t("ago")(Math.max(0, Math.floor((stream.serverNowMs() - seen) / 1000)));
}

function renderTimes() {
  for (const tr of page.rows.values()) renderLastSeen(tr);
  renderClock(page.language, stream.clockOffsetMs);
}

function sortKey(device) {
  const group = device.state === "offline" && device.reason === "lost" ? "offline_lost" : device.state;
  return [STATE_ORDER[group] ?? 9, device.id];
}

function attentionFirst(a, b) {
  const [ga, ia] = sortKey(a);
  const [gb, ib] = sortKey(b);
  return ga - gb || (ia < ib ? -1 : ia > ib ? 1 : 0);
}

function placeRows() {
  const ordered = [...page.devices.values()].sort(view.compare(attentionFirst));
  view.noteDevices(ordered);
  const body = $("devices");
  let at = body.firstElementChild;
  let shown = 0;
  for (const device of ordered) {
    const tr = page.rows.get(device.id);
    tr.hidden = !view.shows(device);
    if (!tr.hidden) shown += 1;
    if (tr === at) at = at.nextElementSibling;
    else body.insertBefore(tr, at);
  }
  view.renderShown(shown, ordered.length);
  renderCounts();
}

function upsert(device) {
  page.devices.set(device.id, device);
  renderRow(device.id);
}

function remove(id) {
  page.devices.delete(id);
  const tr = page.rows.get(id);
  if (tr) tr.remove();
  page.rows.delete(id);
}

// --- the live stream --------------------------------------------------------------------------------

function renderRisks() {
  const banner = $("risk-banner");
  banner.textContent = page.risks.length
    ? `${page.t("risk.central")} ${page.risks.map((name) => page.t(`risk.${name}`)).join(" · ")}`
    : "";
  banner.hidden = page.risks.length === 0;
}

function onSnapshot(snapshot) {
  page.risks = Array.isArray(snapshot.bus_risks) ? snapshot.bus_risks.map(String) : [];
  renderRisks();
  page.site = String(snapshot.site || "");
  $("site").textContent = page.site || "—";
  $("site").dataset.site = page.site;
  document.title = page.site ? `${page.site} · ${page.t("title")}` : page.t("title");
  page.bus = String(snapshot.bus || "");
  renderBus();
  const seen = new Set();
  for (const device of snapshot.devices || []) {
    seen.add(device.id);
    upsert(device);
  }
  for (const id of [...page.devices.keys()]) if (!seen.has(id)) remove(id);
  placeRows();
}

function onDevice(data) {
  if (!data.device) return;
  upsert(data.device);
  placeRows();
}

function onRemoved(data) {
  if (typeof data.id !== "string") return;
  remove(data.id);
  placeRows();
}

function onBus(data) {
  page.bus = String(data.bus || "");
  renderBus();
}

// --- start -----------------------------------------------------------------------------------------

onLanguageSwitch(page, applyLanguage);
applyLanguage();
renderCounts();
stream.connect();
refreshFeeds();
setInterval(refreshFeeds, FEEDS_EVERY_MS);
setInterval(() => {
  renderTimes();
  stream.check();
}, 1000);
