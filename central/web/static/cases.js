// The case desk (/cases): my cases and my department's, overdue first, live from /api/cases/events (each
// "changed" event makes the page fetch its listing again). Every text from the network is set with
// textContent.
//
// For tests and tools:
//   #top[data-live]                          connecting | live | reconnecting
//   #mine, #department                       the two lists; article.case[data-case][data-status][data-overdue]
//   [data-action] inside a case              take | assign | note | status (buttons)
//   #overdue-banner                          shown while any listed case is overdue

import { $, LiveStream, renderClock, renderLive } from "./common.js";
import { chooseLanguage } from "./i18n.js";

const TEXTS = {
  en: {
    title: "Follow-up cases", "new.title": "Open a case", "new.submit": "Open",
    "field.category": "Category", "field.summary": "Summary", "field.call": "Call id (optional)",
    "field.phone": "Callback number (optional, if the passenger wants one)",
    mine: "My cases", department: "My department's cases",
    "empty.mine": "You own no open case.", "empty.department": "No other open case in your department.",
    "me": "{id} · department: {department}", "me.none": "no department", "me.supervisor": "{id} · supervisor: every case",
    "overdue": "{n} overdue", "badge.overdue": "Overdue", "due": "due {time}", "owner": "owner {owner}", "opened": "opened {time}",
    "status.open": "Open", "status.in_progress": "In progress", "status.waiting_for_passenger": "Waiting for the passenger",
    "status.resolved": "Resolved", "status.closed": "Closed",
    "entry.opened": "opened the case", "entry.status": "status: {status}", "entry.owner": "handed to {text}",
    "entry.call": "linked call {text}", "entry.rated": "passenger rated {text}/5", "entry.note": "{text}",
    "entry.callback": "passenger left a number for a callback",
    "entry.internal": "(internal)",
    "action.take": "Take", "action.assign": "Hand over", "action.note": "Add note", "action.status": "Set status",
    "placeholder.owner": "agent id", "placeholder.note": "note", "public": "passenger sees it",
    "passenger.link": "Passenger page", "phone": "callback {phone}",
    "error.not_your_case": "This case belongs to someone else.", "error.reopen_needs_note": "Reopening a closed case needs a note.",
    "error.transition_not_allowed": "That status cannot follow the current one.", "error.bad_phone": "The phone number is not valid.",
    "error.unknown_owner": "No such agent.", "error.generic": "That did not work: {error}",
    "live.connecting": "Connecting…", "live.live": "Live", "live.reconnecting": "Connection lost, reconnecting…",
    "lang.switch": "中文", "lang.switch.code": "zh-CN",
  },
  "zh-CN": {
    title: "后续服务单", "new.title": "新建服务单", "new.submit": "创建",
    "field.category": "类别", "field.summary": "摘要", "field.call": "通话编号（可选）",
    "field.phone": "回拨电话（可选，旅客自愿提供）",
    mine: "我的服务单", department: "本部门服务单",
    "empty.mine": "您没有未结服务单。", "empty.department": "本部门没有其他未结服务单。",
    "me": "{id} · 部门：{department}", "me.none": "无部门", "me.supervisor": "{id} · 主管：全部服务单",
    "overdue": "{n} 单超时", "badge.overdue": "已超时", "due": "截止 {time}", "owner": "负责人 {owner}", "opened": "创建于 {time}",
    "status.open": "待处理", "status.in_progress": "处理中", "status.waiting_for_passenger": "等待旅客",
    "status.resolved": "已解决", "status.closed": "已结案",
    "entry.opened": "创建了服务单", "entry.status": "状态：{status}", "entry.owner": "转交给 {text}",
    "entry.call": "关联通话 {text}", "entry.rated": "旅客评分 {text}/5", "entry.note": "{text}",
    "entry.callback": "旅客留下了回电号码",
    "entry.internal": "（内部）",
    "action.take": "接手", "action.assign": "转交", "action.note": "添加备注", "action.status": "更改状态",
    "placeholder.owner": "坐席编号", "placeholder.note": "备注", "public": "旅客可见",
    "passenger.link": "旅客页面", "phone": "回拨 {phone}",
    "error.not_your_case": "此服务单属于他人。", "error.reopen_needs_note": "重新打开已结案的服务单需要填写备注。",
    "error.transition_not_allowed": "当前状态不能改为该状态。", "error.bad_phone": "电话号码无效。",
    "error.unknown_owner": "没有此坐席。", "error.generic": "操作失败：{error}",
    "live.connecting": "连接中…", "live.live": "实时", "live.reconnecting": "连接中断，正在重连…",
    "lang.switch": "English", "lang.switch.code": "en",
  },
};

const LISTING_URL = "/api/cases";
const page = { language: chooseLanguage(location.search, navigator.languages), data: null, error: {} };

function t(key, values = {}) {
  const text = TEXTS[page.language]?.[key] ?? TEXTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleString(page.language, {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
  });
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function categoryName(id) {
  const category = (page.data?.categories || []).find((entry) => entry.id === id);
  if (!category) return id;
  return page.language === "zh-CN" ? category.zh : category.en;
}

// --- talking to central ----------------------------------------------------------------------------

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.ok) return null;
  try {
    return (await response.json()).error || String(response.status);
  } catch {
    return String(response.status);
  }
}

function errorText(error) {
  const key = `error.${error}`;
  const text = t(key);
  return text === key ? t("error.generic", { error }) : text;
}

async function act(number, action, body) {
  const error = await post(`/api/cases/${number}/${action}`, body);
  page.error[number] = error ? errorText(error) : "";
  await refresh();
}

let refreshing = null;
async function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const response = await fetch(LISTING_URL, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) page.data = await response.json();
    } catch {
      // the live light says when central is unreachable
    }
    refreshing = null;
    render();
  })();
  return refreshing;
}

// --- drawing ---------------------------------------------------------------------------------------

function entryText(entry) {
  const kind = `entry.${entry.kind}`;
  const status = entry.status ? t(`status.${entry.status}`) : "";
  let text = t(kind, { text: entry.text, status });
  if (entry.kind === "status" && entry.text) text += ` — ${entry.text}`;
  return text;
}

function caseCard(item) {
  const card = el("article", "case");
  card.dataset.case = String(item.number);
  card.dataset.status = item.status;
  card.dataset.overdue = String(item.overdue);
  const head = el("div", "case-head");
  head.append(el("span", "case-number", `#${item.number}`), el("span", "case-category", categoryName(item.category)),
    el("span", "case-status", t(`status.${item.status}`)));
  if (item.overdue) head.append(el("span", "case-overdue", t("badge.overdue")));
  const meta = el("p", "case-meta", [t("owner", { owner: item.owner }), t("due", { time: when(item.due_at) }),
    t("opened", { time: when(item.opened_at) })].join(" · "));
  if (item.phone) meta.textContent += ` · ${t("phone", { phone: item.phone })}`;
  const summary = el("p", "case-summary", item.summary);
  const timeline = el("ol", "case-timeline");
  for (const entry of item.timeline.slice().reverse()) {
    const li = el("li", "", `${when(entry.at)} ${entry.who}: ${entryText(entry)}`);
    li.dataset.public = String(entry.public);
    if (entry.kind === "note" && !entry.public) li.textContent += ` ${t("entry.internal")}`;
    timeline.append(li);
  }
  const link = el("a", "case-link", t("passenger.link"));
  link.href = `/c/${encodeURIComponent(item.token)}`;
  link.target = "_blank";
  link.rel = "noopener";
  card.append(head, meta, summary, timeline, link, actions(item));
  const error = el("p", "error", page.error[item.number] || "");
  error.setAttribute("role", "alert");
  card.append(error);
  return card;
}

function actions(item) {
  const box = el("div", "case-actions");
  const me = page.data?.me?.id;
  if (item.owner !== me) {
    const take = el("button", "", t("action.take"));
    take.type = "button";
    take.dataset.action = "take";
    take.addEventListener("click", () => act(item.number, "take", {}));
    box.append(take);
  }
  const select = el("select");
  select.setAttribute("aria-label", t("action.status"));
  select.dataset.field = "status";
  for (const status of page.data?.statuses || []) {
    const option = el("option", "", t(`status.${status}`));
    option.value = status;
    option.selected = status === item.status;
    select.append(option);
  }
  const statusNote = el("input");
  statusNote.type = "text";
  statusNote.maxLength = 2000;
  statusNote.placeholder = t("placeholder.note");
  statusNote.dataset.field = "status-note";
  const setStatus = el("button", "", t("action.status"));
  setStatus.type = "button";
  setStatus.dataset.action = "status";
  setStatus.addEventListener("click", () => act(item.number, "status", { status: select.value, note: statusNote.value }));

  const note = el("input");
  note.type = "text";
  note.maxLength = 2000;
  note.placeholder = t("placeholder.note");
  note.dataset.field = "note";
  const publicBox = el("input");
  publicBox.type = "checkbox";
  publicBox.dataset.field = "public";
  const publicLabel = el("label");
  publicLabel.append(publicBox, el("span", "", t("public")));
  const addNote = el("button", "", t("action.note"));
  addNote.type = "button";
  addNote.dataset.action = "note";
  addNote.addEventListener("click", () => act(item.number, "notes", { text: note.value, public: publicBox.checked }));

  const owner = el("input");
  owner.type = "text";
  owner.maxLength = 64;
  owner.placeholder = t("placeholder.owner");
  owner.dataset.field = "owner";
  const assign = el("button", "", t("action.assign"));
  assign.type = "button";
  assign.dataset.action = "assign";
  assign.addEventListener("click", () => act(item.number, "assign", { owner: owner.value.trim() }));
  const statusRow = el("div", "case-actions");
  statusRow.append(select, statusNote, setStatus);
  const noteRow = el("div", "case-actions");
  noteRow.append(note, publicLabel, addNote);
  const ownerRow = el("div", "case-actions");
  ownerRow.append(owner, assign);
  box.append(statusRow, noteRow, ownerRow);
  return box;
}

function renderList(name, items) {
  // keep what someone is typing: redraw only when the list's content changed
  const key = JSON.stringify([items, page.language, page.error]);
  const list = $(name);
  if (list.dataset.drawn !== key) {
    list.replaceChildren(...items.map(caseCard));
    list.dataset.drawn = key;
  }
  $(`${name}-count`).textContent = String(items.length);
  $(`${name}-empty`).hidden = items.length > 0;
}

function render() {
  document.documentElement.lang = page.language;
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  $("lang-switch").textContent = t("lang.switch");
  $("lang-switch").lang = t("lang.switch.code");
  renderLive(t, stream.live);
  const data = page.data;
  if (!data) return;
  const me = data.me;
  $("me").textContent = me.supervisor ? t("me.supervisor", { id: me.id })
    : t("me", { id: me.id, department: me.department || t("me.none") });
  const select = $("new-category");
  const chosen = select.value;
  select.replaceChildren(...data.categories.map((category) => {
    const option = el("option", "", categoryName(category.id));
    option.value = category.id;
    return option;
  }));
  if (chosen) select.value = chosen;
  renderList("mine", data.mine);
  renderList("department", data.department);
  const overdue = [...data.mine, ...data.department].filter((item) => item.overdue).length;
  $("overdue-banner").hidden = overdue === 0;
  $("overdue-banner").textContent = t("overdue", { n: overdue });
}

async function openCase(event) {
  event.preventDefault();
  const form = new FormData($("new-form"));
  const body = { category: form.get("category"), summary: form.get("summary") };
  if (form.get("call_id")) body.call_id = form.get("call_id");
  if (form.get("phone")) body.phone = form.get("phone");
  const error = await post(LISTING_URL, body);
  $("new-error").textContent = error ? errorText(error) : "";
  if (!error) $("new-form").reset();
  await refresh();
}

const stream = new LiveStream(`${LISTING_URL}/events`, {
  silentMs: 30000,
  handlers: { snapshot: refresh, changed: refresh },
  onLive: () => renderLive(t, stream.live),
});

$("lang-switch").addEventListener("click", () => {
  page.language = t("lang.switch.code");
  const url = new URL(location.href);
  url.searchParams.set("lang", page.language);
  history.replaceState(null, "", url);
  render();
});
$("new-form").addEventListener("submit", openCase);
render();
renderClock(page.language);
stream.connect();
setInterval(() => {
  stream.check();
  renderClock(page.language);
}, 1000);
