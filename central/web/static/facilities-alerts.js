// The facilities page's alert list: what is wrong now (and what was, lately), with an acknowledge button.
// It starts from GET /api/alerts and follows the "alert" events of the page's live stream, which the page
// relays as "live:alert" DOM events (a reconnected stream's "live:snapshot" reads the list again).
// Device ids and messages come from the network: they are only ever set with textContent.
//
// The same list serves a device's own page: there the section says data-scope="device" and only the
// alerts of the page's device (its ?id=) are kept, without a device column.

import { TEXT } from "./facilities-alerts-text.js";

const LIST_URL = "/api/alerts";
const SHOWN_CLEARED = 5; // the list is for what needs doing; a few cleared ones say what just recovered
const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };

const state = {
  alerts: new Map(), // id -> alert view from the server
  failed: new Set(), // ids whose acknowledgement did not go through
};

const $ = (id) => document.getElementById(id);

// null on the facilities page (every alert); the device's id on its own page
const onlyDevice =
  $("alerts").dataset.scope === "device" ? new URLSearchParams(location.search).get("id") || "" : null;

function wanted(alert) {
  return onlyDevice === null || alert.device === onlyDevice;
}

function language() {
  return Object.hasOwn(TEXT, document.documentElement.lang) ? document.documentElement.lang : "en";
}

function t(key, values = {}) {
  const text = TEXT[language()][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function clock(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? "" : at.toLocaleTimeString(language(), { hour12: false });
}

function ago(iso) {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  if (Number.isNaN(s)) return "";
  if (s < 60) return t("ago.s", { n: s });
  if (s < 3600) return t("ago.min", { n: Math.floor(s / 60) });
  return t("ago.h", { n: Math.floor(s / 3600) });
}

// --- rendering -------------------------------------------------------------------------------------

function cellOf(tr, name) {
  let td = tr.querySelector(`[data-field="${name}"]`);
  if (!td) {
    td = document.createElement("td");
    td.dataset.field = name;
    tr.append(td);
  }
  return td;
}

function renderRow(alert) {
  const tr = document.createElement("tr");
  tr.dataset.alert = alert.id;
  tr.dataset.state = alert.state;
  tr.dataset.severity = alert.severity;
  tr.dataset.acked = String(Boolean(alert.acked_by));

  const severity = document.createElement("span");
  severity.className = "alert-severity";
  severity.textContent = t(`severity.${alert.severity}`);
  cellOf(tr, "severity").append(severity);

  if (onlyDevice === null) cellOf(tr, "device").textContent = alert.device || t("site");

  const what = cellOf(tr, "alert");
  const kind = document.createElement("strong");
  const kindKey = `kind.${alert.kind}`;
  kind.textContent = Object.hasOwn(TEXT.en, kindKey) ? t(kindKey) : alert.kind;
  const message = document.createElement("span");
  message.className = "alert-message";
  message.textContent = alert.message;
  what.append(kind, message);

  const since = cellOf(tr, "since");
  since.textContent = alert.state === "cleared" ? t("cleared", { time: clock(alert.cleared_at) }) : ago(alert.raised_at);
  since.title = `${clock(alert.raised_at)}`;
  since.dataset.raisedAt = alert.raised_at;

  const ack = cellOf(tr, "ack");
  if (alert.acked_by) {
    ack.textContent = `✓ ${t("ack.by", { who: alert.acked_by, time: clock(alert.acked_at) })}`;
  } else {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "alert-ack";
    button.textContent = state.failed.has(alert.id) ? t("ack.failed") : t("ack");
    button.addEventListener("click", () => acknowledge(alert.id, button));
    ack.append(button);
  }
  return tr;
}

function ordered() {
  const all = [...state.alerts.values()];
  const active = all
    .filter((alert) => alert.state === "raised")
    .sort(
      (a, b) =>
        (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) || b.raised_at.localeCompare(a.raised_at),
    );
  const cleared = all
    .filter((alert) => alert.state === "cleared")
    .sort((a, b) => String(b.cleared_at).localeCompare(String(a.cleared_at)))
    .slice(0, SHOWN_CLEARED);
  return [...active, ...cleared];
}

function render() {
  for (const el of document.querySelectorAll("[data-alerts-text]")) el.textContent = t(el.dataset.alertsText);
  if (onlyDevice !== null) $("alerts-empty").textContent = t("empty.device");
  const rows = ordered().map(renderRow);
  $("alert-rows").replaceChildren(...rows);
  const active = rows.filter((tr) => tr.dataset.state === "raised").length;
  $("alerts").dataset.active = String(active);
  $("alert-count").textContent = active ? String(active) : "";
  $("alerts-empty").hidden = rows.length > 0;
  $("alert-list").hidden = rows.length === 0;
}

function renderTimes() {
  for (const td of document.querySelectorAll('#alert-rows tr[data-state="raised"] [data-field="since"]')) {
    td.textContent = ago(td.dataset.raisedAt);
  }
}

// --- data ------------------------------------------------------------------------------------------

function isAlert(value) {
  return (
    value &&
    typeof value === "object" &&
    typeof value.id === "string" &&
    typeof value.state === "string" &&
    wanted(value)
  );
}

async function load() {
  try {
    const response = await fetch(LIST_URL, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return; // signed out: the page's stream sends the browser to sign in
    const listing = await response.json();
    state.alerts.clear();
    for (const alert of [...(listing.active || []), ...(listing.cleared || [])]) {
      if (isAlert(alert)) state.alerts.set(alert.id, alert);
    }
    render();
  } catch {
    // central unreachable: the page's connection line says so; the next snapshot reads the list again
  }
}

async function acknowledge(id, button) {
  button.disabled = true;
  try {
    const response = await fetch(`/api/alerts/${encodeURIComponent(id)}/ack`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    if (!response.ok) throw new Error(String(response.status));
    const alert = await response.json();
    state.failed.delete(id);
    if (isAlert(alert)) state.alerts.set(alert.id, alert);
  } catch {
    state.failed.add(id);
  }
  render();
}

function onAlert(event) {
  const alert = event.detail && event.detail.alert;
  if (!isAlert(alert)) return;
  state.alerts.set(alert.id, alert);
  render();
}

// --- start -----------------------------------------------------------------------------------------

const sheet = document.createElement("link");
sheet.rel = "stylesheet";
sheet.href = "/static/facilities-alerts.css";
document.head.append(sheet);

document.addEventListener("live:alert", onAlert);
document.addEventListener("live:snapshot", load);
new MutationObserver(render).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
render();
load();
setInterval(renderTimes, 5000);
