// The supervisors' wallboard: today's service level and the live queue, from /api/wallboard/events
// (a whole snapshot per event). Agent names come from the network: they are only set with textContent.
//
// For tests and tools:
//   #top[data-live]                 connecting | live | reconnecting
//   [data-kpi]                      waiting, longest_wait, service_level, offered, answered, abandoned,
//                                   asa, aht, fcr, rating (the shown text); each also carries data-value,
//                                   the raw number ("" when there is none)
//   [data-tile][data-level]         ok | warn | bad | none: the colour of a headline figure
//   tr[data-skill]                  one per queue, cells [data-field] waiting, longest_wait, agents, expected_wait
//   li[data-agent][data-state]      one per signed-in agent, in the column of its state; [data-call] the
//                                   call it rings for or is on (wallboard-monitor.js offers to monitor it)

import { $, LiveStream, applyCatalogue, minutesSeconds, nameOf, onLanguageSwitch, pageLanguage, renderClock, renderLive } from "./common.js";

const EVENTS_URL = "/api/wallboard/events";
const STREAM_SILENT_MS = 20000; // a snapshot comes at least every 5 s
const SERVICE_LEVEL_GOAL = 0.8; // the usual 80/15 target: at least 80 % answered within the target time
const SERVICE_LEVEL_FLOOR = 0.6;
// consulting: an agent talking to a colleague about a call (either end of it) while the passenger waits
const STATES = ["available", "ringing", "on_call", "consulting", "wrap_up", "away"];

const page = {
  ...pageLanguage(),
  snapshot: null,
  receivedAt: 0,
};

const stream = new LiveStream(EVENTS_URL, {
  silentMs: STREAM_SILENT_MS,
  handlers: { snapshot: onSnapshot },
  onLive: () => renderLive(page.t, stream.live),
});

function applyLanguage() {
  applyCatalogue(page.language, page.t);
  renderLive(page.t, stream.live);
  render();
}

// --- formats ---------------------------------------------------------------------------------------

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

// 0:42, 3:07, 1:02:15: a wall screen reads minutes and seconds faster than words
function clockTime(value) {
  if (!isNumber(value)) return page.t("wall.no_data");
  const s = Math.max(0, Math.round(value));
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${minutesSeconds(s % 3600).padStart(5, "0")}` : minutesSeconds(s);
}

function percent(value) {
  return isNumber(value) ? `${Math.round(value * 100)} %` : page.t("wall.no_data");
}

function skillName(skill) {
  return nameOf(page.t, "skill", skill, skill);
}

function setKpi(name, text, value) {
  for (const el of document.querySelectorAll(`[data-kpi="${name}"]`)) {
    el.textContent = text;
    el.dataset.value = isNumber(value) ? String(value) : "";
  }
}

function setLevel(tile, level) {
  document.querySelector(`[data-tile="${tile}"]`).dataset.level = level;
}

// --- rendering -------------------------------------------------------------------------------------

// Waits move on between snapshots: add the time since the snapshot arrived.
function sinceSnapshotS() {
  return page.snapshot ? (Date.now() - page.receivedAt) / 1000 : 0;
}

function render() {
  const snap = page.snapshot;
  if (!snap) return;
  const t = page.t;
  $("site").textContent = String(snap.site || "—");
  $("site").dataset.site = String(snap.site || "");
  $("service-hours").textContent = snap.service_hours ? t("wall.service_hours")(String(snap.service_hours)) : "";
  document.title = snap.site ? `${snap.site} · ${t("wall.title")}` : t("wall.title");

  const target = Number(snap.service_level_s) || 15;
  const skills = snap.skills && typeof snap.skills === "object" ? snap.skills : {};
  let waiting = 0;
  let longest = 0;
  for (const entry of Object.values(skills)) {
    waiting += Number(entry.waiting) || 0;
    if (entry.waiting > 0) longest = Math.max(longest, Number(entry.longest_wait_s) || 0);
  }
  const longestNow = waiting > 0 ? longest + sinceSnapshotS() : 0;
  setKpi("waiting", String(waiting), waiting);
  setKpi("longest_wait", clockTime(longestNow), longestNow);
  setLevel("waiting", waiting === 0 ? "ok" : "warn");
  setLevel("longest_wait", longestNow > target ? "bad" : waiting > 0 ? "warn" : "ok");

  const today = snap.today || {};
  setKpi("service_level", percent(today.service_level), today.service_level);
  setLevel(
    "service_level",
    !isNumber(today.service_level) ? "none"
      : today.service_level >= SERVICE_LEVEL_GOAL ? "ok" : today.service_level >= SERVICE_LEVEL_FLOOR ? "warn" : "bad",
  );
  $("service-level-hint").textContent = t("wall.kpi.service_level.hint")(target);
  for (const name of ["offered", "answered", "abandoned"]) setKpi(name, String(today[name] ?? 0), today[name]);
  setKpi("asa", clockTime(today.asa_s), today.asa_s);
  setKpi("aht", clockTime(today.aht_s), today.aht_s);
  setKpi("fcr", percent(today.fcr), today.fcr);
  setKpi("rating", isNumber(today.average_rating) ? `${today.average_rating.toFixed(1)} ★` : t("wall.no_data"), today.average_rating);
  $("ratings-count").textContent = today.ratings ? t("wall.ratings")(today.ratings) : "";

  renderSkills(skills);
  renderAgents(snap.agents || {});
}

function renderSkills(skills) {
  const body = $("skills");
  const rows = [];
  for (const [skill, entry] of Object.entries(skills)) {
    const tr = document.createElement("tr");
    tr.dataset.skill = skill;
    tr.dataset.waiting = String(entry.waiting || 0);
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = skillName(skill);
    const cells = {
      waiting: String(entry.waiting || 0),
      longest_wait: entry.waiting > 0 ? clockTime((Number(entry.longest_wait_s) || 0) + sinceSnapshotS()) : page.t("wall.no_data"),
      agents: `${entry.agents_available ?? 0} / ${entry.agents_staffed ?? 0}`,
      expected_wait: isNumber(entry.expected_wait_s) ? clockTime(entry.expected_wait_s) : page.t("wall.no_data"),
    };
    tr.append(name);
    for (const [field, text] of Object.entries(cells)) {
      const td = document.createElement("td");
      td.className = "num";
      td.dataset.field = field;
      td.textContent = text;
      tr.append(td);
    }
    tr.classList.toggle("busy", entry.waiting > 0);
    tr.classList.toggle("unstaffed", !(entry.agents_staffed > 0));
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

function renderAgents(byState) {
  for (const state of STATES) {
    const column = document.querySelector(`[data-column="${state}"]`);
    const agents = Array.isArray(byState[state]) ? byState[state] : [];
    column.querySelector("[data-count]").textContent = String(agents.length);
    const items = agents.map((agent) => {
      const li = document.createElement("li");
      li.dataset.agent = String(agent.id);
      li.dataset.state = state;
      if (agent.call && (state === "ringing" || state === "on_call")) li.dataset.call = String(agent.call);
      const name = document.createElement("span");
      name.className = "agent-name";
      name.textContent = String(agent.name || agent.id);
      name.title = name.textContent; // a long name is cut short with an ellipsis; the whole of it on hover
      const time = document.createElement("span");
      time.className = "agent-time";
      const inState = Math.floor((Number(agent.in_state_s) || 0) + sinceSnapshotS());
      time.textContent = page.t("wall.in_state")(inState);
      li.append(name, time);
      if (agent.caller_kind === "phone" && (state === "ringing" || state === "on_call")) {
        li.dataset.callerKind = "phone";
        const caller = document.createElement("span");
        caller.className = "agent-caller";
        caller.textContent = page.t("wall.caller.phone")(String(agent.location || ""));
        caller.title = caller.textContent;
        // a second line under the name and time (set here, not in style.css, to keep to this page's script)
        li.style.flexWrap = "wrap";
        // wrapped, not cut short: where the passenger is matters more than one line
        Object.assign(caller.style, { flexBasis: "100%", fontWeight: "500", fontSize: "0.95rem", color: "var(--muted)",
          overflowWrap: "anywhere" });
        li.append(caller);
      }
      return li;
    });
    if (items.length === 0) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = page.t("wall.agents.none");
      items.push(li);
    }
    column.querySelector("ul").replaceChildren(...items);
  }
}

// --- the stream ------------------------------------------------------------------------------------

function onSnapshot(snap) {
  page.snapshot = snap;
  page.receivedAt = Date.now();
  render();
}

// --- start -----------------------------------------------------------------------------------------

onLanguageSwitch(page, applyLanguage);
applyLanguage();
renderClock(page.language, stream.clockOffsetMs);
stream.connect();
setInterval(() => {
  renderClock(page.language, stream.clockOffsetMs);
  render();
  stream.check();
}, 1000);

// --- demand alerts ---------------------------------------------------------------------------------
// What many passengers ask about right now (/api/demand: flights, info points, call categories), as a
// band above the figures while there is any. A few a minute at most: polled, not streamed.
//   #demand[hidden]                 no topic in demand
//   li[data-demand-topic]           one per topic in demand, e.g. flight:HU7181

const DEMAND_URL = "/api/demand";
const DEMAND_POLL_MS = 15000;
const demandTexts = {
  en: {
    title: "Many passengers are asking about",
    flight: "Flight {value}", point: "Info point {value}", category: "Calls: {value}",
    count: "{recent} in {minutes} min (usually {usual})",
  },
  "zh-CN": {
    title: "大量旅客正在咨询",
    flight: "航班 {value}", point: "信息点 {value}", category: "来电类别：{value}",
    count: "{minutes} 分钟内 {recent} 次（平常 {usual} 次）",
  },
};
let demand = { window_s: null, alerts: [] };

function demandText(key, values) {
  const texts = demandTexts[page.language] || demandTexts.en;
  return texts[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function renderDemand() {
  $("demand-title").textContent = demandText("title", {});
  const minutes = Math.round((Number(demand.window_s) || 0) / 60);
  const items = demand.alerts.map((alert) => {
    const [kind, ...rest] = String(alert.topic).split(":");
    const named = alert.name && (page.language === "zh-CN" ? alert.name.zh : alert.name.en);
    const value = named || rest.join(":");
    const li = document.createElement("li");
    li.dataset.demandTopic = String(alert.topic);
    const what = document.createElement("span");
    const known = ["flight", "point", "category"].includes(kind);
    what.textContent = known ? demandText(kind, { value: value.replaceAll("_", " ") }) : String(alert.topic);
    const count = document.createElement("span");
    count.className = "demand-count";
    count.textContent = demandText("count", { recent: alert.recent, minutes, usual: Math.round(Number(alert.usual) || 0) });
    li.append(what, count);
    return li;
  });
  $("demand-list").replaceChildren(...items);
  $("demand").hidden = items.length === 0;
}

async function pollDemand() {
  try {
    const response = await fetch(DEMAND_URL, { credentials: "same-origin" });
    if (response.ok) {
      const answer = await response.json();
      demand = { window_s: answer.window_s, alerts: Array.isArray(answer.alerts) ? answer.alerts : [] };
    }
  } catch {
    // the live stream's light already says when central is unreachable; the band keeps what it showed
  }
  renderDemand();
}

$("lang-switch").addEventListener("click", renderDemand);
pollDemand();
setInterval(pollDemand, DEMAND_POLL_MS);

// --- overdue follow-up cases -----------------------------------------------------------------------
// How many follow-up cases have run past their time limit (/api/cases/overdue: a count, no details), as
// a band like the demand one, only while there is any. Polled: it changes over hours, not seconds.
//   #cases-overdue[hidden]          no case overdue; [data-count] the number

const OVERDUE_URL = "/api/cases/overdue";
const OVERDUE_POLL_MS = 30000;
const overdueTexts = {
  en: { title: "Follow-up cases", count: (n) => `${n} past their time limit` },
  "zh-CN": { title: "后续服务单", count: (n) => `${n} 单已超时` },
};
const overdueBand = document.createElement("section");
overdueBand.className = "demand";
overdueBand.id = "cases-overdue";
overdueBand.hidden = true;
overdueBand.append(document.createElement("h2"), document.createElement("ul"));
overdueBand.lastChild.append(document.createElement("li"));
$("demand").after(overdueBand);
let overdueCount = 0;

function renderOverdue() {
  const texts = overdueTexts[page.language] || overdueTexts.en;
  overdueBand.dataset.count = String(overdueCount);
  overdueBand.firstChild.textContent = texts.title;
  overdueBand.querySelector("li").textContent = texts.count(overdueCount);
  overdueBand.hidden = overdueCount === 0;
}

async function pollOverdue() {
  try {
    const response = await fetch(OVERDUE_URL, { credentials: "same-origin" });
    if (response.ok) overdueCount = Number((await response.json()).overdue) || 0;
  } catch {
    // as with the demand band: the live light tells of an unreachable central
  }
  renderOverdue();
}

$("lang-switch").addEventListener("click", renderOverdue);
pollOverdue();
setInterval(pollOverdue, OVERDUE_POLL_MS);
