// An info point on a phone: the point comes inside the page (#point-data), flights from
// /api/points/{id}/flights. Text goes in with textContent only; times in the airport's time zone.
// The suggestion or complaint form at the foot of the page is point-feedback.js's.

import "./point-feedback.js";

const catalogue = /* catalogue */ {
  "en": {
    "title": "{name} · Info point", "here": "You are here", "where": "Terminal {terminal} · {area} · Floor {floor}",
    "help": "Video help", "flights": "Find your flight", "search": "Search",
    "placeholder": "Flight number or city", "searching": "Searching…", "none": "No flight matches “{query}”.",
    "offline": "No connection. Try again in a moment.", "nearby": "Nearby", "map": "Map of {name}",
    "dep": "to {city}", "arr": "from {city}", "gate": "Gate {gate}",
    "lang.switch": "中文", "lang.code": "zh-CN",
    "status.scheduled": "Scheduled", "status.check_in": "Check-in open", "status.boarding": "Boarding",
    "status.final_call": "Final call", "status.gate_closed": "Gate closed", "status.departed": "Departed",
    "status.delayed": "Delayed", "status.cancelled": "Cancelled", "status.diverted": "Diverted",
    "status.approaching": "Approaching", "status.landed": "Landed", "status.arrived": "Arrived"
  },
  "zh-CN": {
    "title": "{name} · 信息点", "here": "您在这里", "where": "{terminal} 航站楼 · {area} · {floor} 层",
    "help": "视频咨询", "flights": "查询航班", "search": "查询",
    "placeholder": "航班号或城市", "searching": "正在查询…", "none": "没有与“{query}”相符的航班。",
    "offline": "网络未连接，请稍后再试。", "nearby": "附近设施", "map": "{name}地图",
    "dep": "前往 {city}", "arr": "来自 {city}", "gate": "{gate} 号登机口",
    "lang.switch": "English", "lang.code": "en",
    "status.scheduled": "计划", "status.check_in": "正在值机", "status.boarding": "正在登机",
    "status.final_call": "最后登机", "status.gate_closed": "登机口关闭", "status.departed": "已起飞",
    "status.delayed": "延误", "status.cancelled": "取消", "status.diverted": "备降",
    "status.approaching": "即将到达", "status.landed": "已降落", "status.arrived": "已到达"
  }
} /* end catalogue */;

const $ = (id) => document.getElementById(id);
const point = JSON.parse($("point-data").textContent);
let language = chooseLanguage();
let found = null; // { query, tz, flights } from the last search
let pending = null;

function chooseLanguage() {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (asked && catalogue[asked]) return asked;
  return (navigator.languages || [navigator.language]).some((l) => l && l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

function t(key, values = {}) {
  const text = catalogue[language][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

const zh = () => language === "zh-CN";
const named = (pair) => (zh() ? pair.zh : pair.en);

function time(value, tz) {
  const options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: tz || undefined };
  try {
    return new Intl.DateTimeFormat(language, options).format(new Date(value));
  } catch {
    return value.slice(11, 16);
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderFlights() {
  const list = $("flights");
  list.replaceChildren();
  if (!found) return;
  if (found.error) {
    $("search-hint").textContent = t("offline");
    return;
  }
  $("search-hint").textContent = found.flights.length ? "" : t("none", { query: found.query });
  for (const flight of found.flights) {
    const link = element("a");
    link.href = `/flight/${encodeURIComponent(flight.id)}?lang=${encodeURIComponent(language)}`;
    const city = (zh() ? flight.city_zh : flight.city_en) || flight.city_en || flight.airport;
    link.append(
      element("span", "number", flight.number),
      element("span", "city", t(flight.dep ? "dep" : "arr", { city })),
      element("span", "time", time(flight.time, found.tz)),
      element("span", "status", [t(`status.${flight.status}`), flight.gate ? t("gate", { gate: flight.gate }) : ""].filter(Boolean).join(" · ")),
    );
    const item = element("li");
    item.append(link);
    list.append(item);
  }
}

function render() {
  const name = named(point.name);
  document.documentElement.lang = language;
  document.title = t("title", { name });
  $("lang-switch").textContent = t("lang.switch");
  $("lang-switch").lang = t("lang.code");
  $("here-label").textContent = t("here");
  $("name").textContent = name;
  $("where").textContent = t("where", point);
  $("help").href = `/p/${encodeURIComponent(point.id)}/call?lang=${encodeURIComponent(language)}`;
  $("help-text").textContent = t("help");
  $("flights-title").textContent = t("flights");
  $("query").placeholder = t("placeholder");
  $("search-button").textContent = t("search");
  $("services-title").textContent = t("nearby");
  $("services").replaceChildren(...point.services.map((service) => element("li", "", named(service))));
  $("services-section").hidden = point.services.length === 0;
  if (point.map) {
    $("map").src = point.map;
    $("map").alt = t("map", { name });
    $("map-figure").hidden = false;
  }
  renderFlights();
  if ($("sheet").dataset.state !== "shown") performance.mark("point-shown"); // bench/phone_page.py reads it
  $("sheet").dataset.state = "shown";
  $("sheet").dataset.lang = language;
}

async function search(query) {
  query = query.trim();
  if (!query) return;
  pending?.abort();
  pending = new AbortController();
  $("search-hint").textContent = t("searching");
  try {
    const response = await fetch(`/api/points/${encodeURIComponent(point.id)}/flights?q=${encodeURIComponent(query)}`, { signal: pending.signal });
    if (!response.ok) throw new Error(String(response.status));
    const answer = await response.json();
    found = { query, tz: answer.tz, flights: answer.flights };
  } catch (error) {
    if (error.name === "AbortError") return;
    found = { query, error: true, flights: [] };
  }
  renderFlights();
}

$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  $("query").blur(); // closes the phone's keyboard so the results show
  search($("query").value);
});

$("lang-switch").addEventListener("click", () => {
  language = t("lang.code");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", language);
  window.history.replaceState(null, "", url);
  render();
});

// A reload or a shared link is a view, not a scan: the QR's mark leaves the address once counted.
const here = new URL(window.location.href);
if (here.searchParams.has("s")) {
  here.searchParams.delete("s");
  window.history.replaceState(null, "", here);
}
render();
