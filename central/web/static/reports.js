// The supervisors' reports: a range of local days and a grouping, read from /api/reports, shown as two
// charts (inline SVG drawn here: no library, no build step) and a table; the same query downloads as CSV
// from /api/reports.csv. Labels (queue, category and agent names) come from the server: set with
// textContent only.
//
// For tests and tools:
//   #state[data-state]            idle | loading | shown | empty | signed_out | forbidden | failed | reversed
//   #rows tr[data-label]          one per row of the report; cells [data-field] with data-value (raw number,
//                                 "" when there is none): offered, answered, abandoned, service_level, asa_s,
//                                 aht_s, transfers, fcr, average_rating
//   #total tr                     the total row, the same cells
//   #chart-volume rect[data-label], #chart-level circle[data-label]   one bar group / point per row

import { TEXT } from "./reports-text.js";
import { chooseLanguage } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const GOAL = 0.8; // the usual 80/15 target, as on the wallboard
const FIELDS = ["offered", "answered", "abandoned", "service_level", "asa_s", "aht_s", "transfers", "fcr", "average_rating"];

const $ = (id) => document.getElementById(id);
const page = { language: chooseLanguage(window.location.search, navigator.languages), report: null, state: "idle", detail: "" };

function t(key, values = {}) {
  const text = TEXT[page.language]?.[key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// --- formats ----------------------------------------------------------------------------------------

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const percent = (v) => (isNumber(v) ? `${Math.round(v * 100)} %` : "—");
const seconds = (v) => (isNumber(v) ? (v < 60 ? `${Math.round(v)} s` : `${Math.floor(v / 60)}:${String(Math.round(v % 60)).padStart(2, "0")}`) : "—");
const count = (v) => (isNumber(v) ? v.toLocaleString(page.language) : "—");

function shown(field, row) {
  const v = row[field];
  if (field === "service_level" || field === "fcr") return percent(v);
  if (field === "asa_s" || field === "aht_s") return seconds(v);
  if (field === "average_rating") return isNumber(v) ? t("rating.count", { stars: v.toFixed(1), n: row.ratings }) : "—";
  return count(v);
}

function labelOf(label) {
  return label === "" ? t("none") : label;
}

// --- the request --------------------------------------------------------------------------------------

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

function query() {
  return new URLSearchParams({ from: $("from").value, to: $("to").value, by: $("by").value });
}

async function load() {
  const params = query();
  if (params.get("from") > params.get("to")) return setState("reversed"); // ISO days compare as text
  $("csv").href = `/api/reports.csv?${params}`;
  const url = new URL(window.location.href);
  for (const [key, value] of params) url.searchParams.set(key, value);
  window.history.replaceState(null, "", url);
  setState("loading");
  let answer;
  try {
    answer = await fetch(`/api/reports?${params}`, { headers: { Accept: "application/json" } });
  } catch (error) {
    setState("failed", String(error));
    return;
  }
  if (answer.status === 401) {
    setState("signed_out");
    window.location.assign(`/signin?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    return;
  }
  if (answer.status === 403) return setState("forbidden");
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) return setState("failed", body.detail || `HTTP ${answer.status}`);
  page.report = body;
  setState(body.total.offered === 0 && body.total.ratings === 0 ? "empty" : "shown");
}

function setState(state, detail = "") {
  page.state = state;
  page.detail = detail;
  render();
}

// --- drawing ----------------------------------------------------------------------------------------

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

// The top of a scale with four steps of a round size (1, 2, 2.5 or 5 times a power of ten, at least 1).
function niceTop(max) {
  const raw = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw && Number.isInteger(s)) || 10 * power;
  return 4 * step;
}

// Every how many rows a label fits under the axis (a month of days, a day of hours: about 12 labels).
function labelEvery(n) {
  return Math.max(1, Math.ceil(n / 12));
}

function shortLabel(label, by) {
  if (by === "day") return label.slice(5); // 10-31
  if (by === "hour") return label.slice(11, 13); // 14
  const name = labelOf(label);
  return name.length > 12 ? `${name.slice(0, 11)}…` : name;
}

const W = 640;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 30 };

function frame(svg, top, format) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: y(top * f), y2: y(top * f), class: "grid" }));
    svg.append(el("text", { x: PAD.left - 6, y: y(top * f) + 4, class: "axis", "text-anchor": "end" }, format(top * f)));
  }
  return y;
}

function xLabels(svg, rows, by, slot) {
  const every = labelEvery(rows.length);
  rows.forEach((row, i) => {
    if (i % every) return;
    svg.append(el("text", { x: PAD.left + (i + 0.5) * slot, y: H - 10, class: "axis", "text-anchor": "middle" }, shortLabel(row.label, by)));
  });
}

function drawVolume(svg, rows, by) {
  const top = niceTop(Math.max(0, ...rows.map((r) => r.offered)));
  const y = frame(svg, top, (v) => String(Math.round(v)));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, rows.length);
  const width = Math.max(1, slot * 0.7);
  rows.forEach((row, i) => {
    let base = 0;
    for (const [field, cls] of [["answered", "bar-answered"], ["abandoned", "bar-abandoned"], ["failed", "bar-failed"]]) {
      const value = row[field];
      if (value > 0) {
        const bar = el("rect", { x: PAD.left + i * slot + (slot - width) / 2, y: y(base + value), width, height: y(base) - y(base + value), class: cls, "data-label": row.label, "data-field": field });
        bar.append(el("title", {}, `${labelOf(row.label)}: ${t(`col.${field}`)} ${value}`));
        svg.append(bar);
      }
      base += value;
    }
  });
  xLabels(svg, rows, by, slot);
  svg.setAttribute("aria-label", t("chart.volume"));
}

function drawLevel(svg, rows, by) {
  const y = frame(svg, 1, (v) => `${Math.round(v * 100)}`);
  const slot = (W - PAD.left - PAD.right) / Math.max(1, rows.length);
  svg.append(el("line", { x1: PAD.left, x2: W - PAD.right, y1: y(GOAL), y2: y(GOAL), class: "goal" }));
  // one line through the rows with offered calls; a row without any breaks it
  const runs = [[]];
  const points = [];
  rows.forEach((row, i) => {
    if (!isNumber(row.service_level)) {
      runs.push([]);
      return;
    }
    const x = PAD.left + (i + 0.5) * slot;
    runs[runs.length - 1].push(`${x.toFixed(1)},${y(row.service_level).toFixed(1)}`);
    const point = el("circle", { cx: x, cy: y(row.service_level), r: rows.length > 40 ? 2 : 4, class: row.service_level >= GOAL ? "point" : "point point-low", "data-label": row.label });
    point.append(el("title", {}, `${labelOf(row.label)}: ${percent(row.service_level)}`));
    points.push(point);
  });
  for (const run of runs.filter((r) => r.length > 1)) svg.append(el("polyline", { points: run.join(" "), class: "line" }));
  svg.append(...points);
  xLabels(svg, rows, by, slot);
  svg.setAttribute("aria-label", t("chart.service_level"));
}

// --- the page ----------------------------------------------------------------------------------------

function cells(tr, row) {
  for (const field of FIELDS) {
    const td = document.createElement("td");
    td.className = "num";
    td.dataset.field = field;
    td.dataset.value = isNumber(row[field]) ? String(row[field]) : "";
    td.textContent = shown(field, row);
    if (field === "service_level" && isNumber(row.service_level)) td.dataset.level = row.service_level >= GOAL ? "ok" : "low";
    tr.append(td);
  }
}

function render() {
  document.documentElement.lang = page.language;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  const button = $("lang-switch");
  button.textContent = page.language === "en" ? "中文" : "English";
  button.lang = page.language === "en" ? "zh-CN" : "en";
  const stateText = { idle: "", loading: t("state.loading"), shown: "", empty: t("state.empty"), signed_out: t("state.signed_out"), forbidden: t("state.forbidden"), failed: t("state.failed", { detail: page.detail }), reversed: t("state.reversed") };
  $("state").dataset.state = page.state;
  $("state").textContent = stateText[page.state];
  const report = page.state === "shown" || page.state === "empty" ? page.report : null;
  const by = report ? report.by : $("by").value;
  $("label-head").textContent = t(`by.${by}.head`);
  const rows = report ? report.rows : [];
  $("rows").replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.label = row.label;
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = labelOf(row.label);
    tr.append(th);
    cells(tr, row);
    return tr;
  }));
  $("total").replaceChildren();
  if (report) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = t("total");
    tr.append(th);
    cells(tr, report.total);
    $("total").append(tr);
    $("note").textContent = t("note", { zone: report.time_zone, target: report.service_level_s });
    $("level-legend").textContent = t("chart.level_legend", { target: report.service_level_s });
  }
  drawVolume($("chart-volume"), rows, by);
  drawLevel($("chart-level"), rows, by);
}

function start() {
  const asked = new URLSearchParams(window.location.search);
  const today = new Date();
  const weekAgo = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 6);
  $("from").value = asked.get("from") || isoDay(weekAgo);
  $("to").value = asked.get("to") || isoDay(today);
  if (asked.get("by")) $("by").value = asked.get("by");
  $("ask").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("lang-switch").addEventListener("click", () => {
    page.language = page.language === "en" ? "zh-CN" : "en";
    const url = new URL(window.location.href);
    url.searchParams.set("lang", page.language);
    window.history.replaceState(null, "", url);
    render();
  });
  render();
  load();
}

start();
