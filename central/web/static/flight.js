// One flight on a phone: what /api/flights/{id}/events says, live. Text goes in with textContent only;
// times are shown in the airport's time zone, whatever the phone's.

const catalogue = {
  en: {
    title: "Flight", connecting: "Connecting…", live: "Live", lost: "Connection lost, retrying…",
    "lang.switch": "中文", "lang.code": "zh-CN",
    scheduled: "Scheduled", expected: "Expected", actual: "Actual", delay: "{n} min late",
    gate: "Gate", check_in: "Check-in", belt: "Baggage belt", terminal: "Terminal", stand: "Stand",
    codeshares: "Also sold as", via: "Via", to: "to {city}", from: "from {city}",
    missing: "This flight is not on today's boards.", gone: "This flight has left the boards.",
    updated: "Updated {time}",
    "status.scheduled": "Scheduled", "status.check_in": "Check-in open", "status.boarding": "Boarding",
    "status.final_call": "Final call", "status.gate_closed": "Gate closed", "status.departed": "Departed",
    "status.delayed": "Delayed", "status.cancelled": "Cancelled", "status.diverted": "Diverted",
    "status.approaching": "Approaching", "status.landed": "Landed", "status.arrived": "Arrived",
  },
  "zh-CN": {
    title: "航班", connecting: "正在连接…", live: "实时", lost: "连接中断，正在重试…",
    "lang.switch": "English", "lang.code": "en",
    scheduled: "计划", expected: "预计", actual: "实际", delay: "晚点 {n} 分钟",
    gate: "登机口", check_in: "值机柜台", belt: "行李转盘", terminal: "航站楼", stand: "机位",
    codeshares: "共享航班", via: "经停", to: "前往 {city}", from: "来自 {city}",
    missing: "今日航班表中没有此航班。", gone: "此航班已从航班表中移除。",
    updated: "更新于 {time}",
    "status.scheduled": "计划", "status.check_in": "正在值机", "status.boarding": "正在登机",
    "status.final_call": "最后登机", "status.gate_closed": "登机口关闭", "status.departed": "已起飞",
    "status.delayed": "延误", "status.cancelled": "取消", "status.diverted": "备降",
    "status.approaching": "即将到达", "status.landed": "已降落", "status.arrived": "已到达",
  },
};

const $ = (id) => document.getElementById(id);
const flightId = decodeURIComponent(window.location.pathname.split("/").pop() || "");
let language = chooseLanguage();
let last = null; // { flight, tz } as the server last sent it

function chooseLanguage() {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (asked && catalogue[asked]) return asked;
  return (navigator.languages || [navigator.language]).some((l) => l && l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

function t(key, values = {}) {
  const text = catalogue[language][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function time(value, tz) {
  if (!value) return "";
  const options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: tz || undefined };
  return new Intl.DateTimeFormat(language, options).format(new Date(value));
}

function fact(list, label, value, was) {
  if (!value) return;
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  if (was) {
    const old = document.createElement("span");
    old.className = "was";
    old.textContent = was;
    dd.append(old);
  }
  dd.append(document.createTextNode(value));
  list.append(dt, dd);
}

function render() {
  document.documentElement.lang = language;
  $("lang-switch").textContent = t("lang.switch");
  $("lang-switch").lang = t("lang.code");
  const card = $("card");
  if (!last) return;
  const { flight, tz } = last;
  const zh = language.startsWith("zh");
  card.dataset.state = "shown";
  card.dataset.status = flight.status;
  document.title = `${flight.number} · ${t("title")}`;
  $("number").textContent = flight.number;
  $("airline").textContent = zh ? flight.airline_zh || flight.airline : flight.airline;
  const city = (zh ? flight.city_zh : flight.city_en) || flight.other_airport;
  $("route").textContent = t(flight.direction === "dep" ? "to" : "from", { city: `${city} (${flight.other_airport})` });
  $("status").textContent = t(`status.${flight.status}`);
  $("remarks").textContent = zh ? flight.remarks_zh || flight.remarks_en : flight.remarks_en || flight.remarks_zh;
  const facts = $("facts");
  facts.replaceChildren();
  const scheduled = time(flight.scheduled, tz);
  if (flight.actual) {
    fact(facts, t("actual"), time(flight.actual, tz), scheduled);
  } else if (flight.estimated && flight.estimated !== flight.scheduled) {
    const late = Math.round((new Date(flight.estimated) - new Date(flight.scheduled)) / 60000);
    fact(facts, t("expected"), `${time(flight.estimated, tz)}${late > 0 ? ` · ${t("delay", { n: late })}` : ""}`, scheduled);
  } else {
    fact(facts, t("scheduled"), scheduled);
  }
  fact(facts, t("terminal"), flight.terminal);
  fact(facts, t("check_in"), flight.check_in);
  fact(facts, t("gate"), flight.gate);
  fact(facts, t("stand"), flight.stand);
  fact(facts, t("belt"), flight.belt);
  fact(facts, t("via"), (flight.via || []).map((v) => (zh ? v.city_zh : v.city_en) || v.code).join(" · "));
  fact(facts, t("codeshares"), (flight.codeshares || []).join(" "));
  $("note").textContent = t("updated", { time: time(new Date().toISOString(), tz) });
}

function setLive(state) {
  $("live").dataset.live = state;
  $("live-text").textContent = t(state === "live" ? "live" : state === "lost" ? "lost" : "connecting");
}

function missing(key) {
  $("card").dataset.state = key;
  $("note").textContent = t(key);
}

function connect() {
  const events = new EventSource(`/api/flights/${encodeURIComponent(flightId)}/events`);
  events.addEventListener("open", () => setLive("live"));
  events.addEventListener("error", () => setLive("lost"));
  events.addEventListener("flight", (event) => {
    last = JSON.parse(event.data);
    setLive("live");
    render();
  });
  events.addEventListener("gone", () => missing(last ? "gone" : "missing"));
}

$("lang-switch").addEventListener("click", () => {
  language = t("lang.code");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", language);
  window.history.replaceState(null, "", url);
  render();
  setLive($("live").dataset.live);
  if ($("card").dataset.state === "gone" || $("card").dataset.state === "missing") missing($("card").dataset.state);
});

render();
setLive("connecting");
connect();
