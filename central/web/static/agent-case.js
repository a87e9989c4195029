// "Open a follow-up case" in the agent console, during a call or in wrap-up: the category (the configured
// list, from /api/cases) and a summary filled in from the call's context, in one step (POST /api/cases
// with the call's id). During the call the case's passenger page then goes to the kiosk's screen as a QR
// push marked with the case's number ({"kind": "qr", "data": {"case": n}}), where the passenger can print
// it and leave a number for a callback; in wrap-up the call's channel is gone, so the page shows the
// case's number and address for the agent to read out. Text is only ever set as textContent.
//
// For tests and tools:
//   #case-panel[data-state]     idle | sending | opened | failed
//   #case-panel[data-number]    the case opened in this call; [data-pushed] true once its QR went to the kiosk

import { httpUrl, MAX_TEXT_CHARS } from "./agent-push.js";
import { page } from "./agent-page.js";
import { $ } from "./common.js";

const catalogue = /* catalogue */ {
  "en": {
    "title": "Follow-up case", "category": "Category", "summary": "Summary",
    "open": "Open a follow-up case", "sending": "Opening…",
    "opened": "Case {number} opened.", "pushed": "Its QR code is on the passenger's screen.",
    "not_pushed": "Read out the case number; its page is {url}",
    "failed": "The case could not be opened ({reason}).",
    "context.flight": "Flight {value}", "context.location": "At {value}", "context.screen": "Was looking at: {value}",
    "context.language": "Language: {value}", "context.device": "Kiosk {value}",
    "caption.en": "Your case {number}: scan to follow it", "caption.zh": "您的服务单 {number}：扫码查看进度"
  },
  "zh-CN": {
    "title": "跟进服务单", "category": "类别", "summary": "摘要",
    "open": "创建跟进服务单", "sending": "正在创建…",
    "opened": "服务单 {number} 已创建。", "pushed": "二维码已显示在旅客屏幕上。",
    "not_pushed": "请告知旅客服务单号；页面地址：{url}",
    "failed": "无法创建服务单（{reason}）。",
    "context.flight": "航班 {value}", "context.location": "位置：{value}", "context.screen": "当时查看：{value}",
    "context.language": "语言：{value}", "context.device": "自助机 {value}",
    "caption.en": "Your case {number}: scan to follow it", "caption.zh": "您的服务单 {number}：扫码查看进度"
  }
} /* end catalogue */;

const CONTEXT_FIELDS = ["flight", "location", "screen", "language", "device"];
let categories = [];
let callId = null; // the call (or wrap-up) the panel belongs to now
let edited = false; // once the agent types in the summary, what the kiosk sends later no longer replaces it

function t(key, values = {}) {
  const language = page.language === "zh-CN" ? "zh-CN" : "en";
  const text = catalogue[language][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function element(tag, attributes = {}) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function build() {
  const panel = element("section", { id: "case-panel", class: "card case-panel", "data-state": "idle", hidden: "" });
  const title = element("h2", { id: "case-title" });
  const form = element("form", { id: "case-form" });
  const categoryLabel = element("label", { for: "case-category", id: "case-category-label" });
  const select = element("select", { id: "case-category", required: "" });
  const summaryLabel = element("label", { for: "case-summary", id: "case-summary-label" });
  const summary = element("textarea", { id: "case-summary", rows: "4", maxlength: "1000", required: "" });
  const button = element("button", { type: "submit", id: "case-open", class: "btn btn-go" });
  const result = element("p", { id: "case-result", class: "case-result", "aria-live": "polite" });
  form.append(categoryLabel, select, summaryLabel, summary, button);
  panel.append(title, form, result);
  form.addEventListener("submit", openCase);
  summary.addEventListener("input", () => {
    edited = true;
  });
  return panel;
}

const panel = build();

// What the console knows of the call, as the first lines of the summary the agent completes.
function contextSummary() {
  const call = page.call;
  const context = { ...(call ? call.context : {}) };
  if (call && call.details) {
    if (!context.device && call.details.device) context.device = call.details.device;
    if (!context.language && call.details.language) context.language = call.details.language;
  }
  return CONTEXT_FIELDS.filter((name) => typeof context[name] === "string" && context[name])
    .map((name) => t(`context.${name}`, { value: context[name] }))
    .join("\n");
}

function callerLanguage() {
  const call = page.call;
  const tag = (call && (call.context.language || call.details.language)) || page.language;
  return String(tag).toLowerCase().startsWith("zh") ? "zh" : "en";
}

function fillCategories() {
  const select = $("case-category");
  const chosen = select.value;
  const zh = page.language === "zh-CN";
  select.replaceChildren(
    ...categories.map((category) => {
      const option = element("option", { value: category.id });
      option.textContent = zh ? category.zh : category.en;
      return option;
    }),
  );
  if (chosen) select.value = chosen;
}

async function loadCategories() {
  try {
    const response = await fetch("/api/cases", { credentials: "same-origin" });
    if (response.ok) categories = (await response.json()).categories || [];
  } catch {
    categories = [];
  }
  fillCategories();
}

function applyLanguage() {
  $("case-title").textContent = t("title");
  $("case-category-label").textContent = t("category");
  $("case-summary-label").textContent = t("summary");
  $("case-open").textContent = t("open");
  fillCategories();
}

function setResult(state, text) {
  panel.dataset.state = state;
  $("case-result").textContent = text;
  $("case-open").disabled = state === "sending";
}

// The kiosk shows a QR push with data.case as the case's own card (print, callback number).
function casePush(call, number, url) {
  const caption = t(`caption.${callerLanguage()}`, { number }).slice(0, MAX_TEXT_CHARS);
  return { v: 1, type: "push", call, kind: "qr", text: caption, url, data: { case: number } };
}

async function openCase(event) {
  event.preventDefault();
  const call = page.call;
  const id = call ? call.id : page.wrap ? page.wrap.id : null;
  if (!id) return;
  setResult("sending", t("sending"));
  let answer;
  let status = 0;
  try {
    const response = await fetch("/api/cases", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ category: $("case-category").value, summary: $("case-summary").value, call_id: id }),
    });
    status = response.status;
    answer = await response.json().catch(() => ({}));
  } catch {
    answer = { error: "offline" };
  }
  if (status !== 201) {
    setResult("failed", t("failed", { reason: String(answer.error || status) }));
    return;
  }
  const url = httpUrl(new URL(answer.passenger_url, window.location.origin).href);
  panel.dataset.number = String(answer.number);
  const pushed = Boolean(
    url && page.call && page.call.id === id && typeof page.sendPush === "function" && page.sendPush(casePush(id, answer.number, url)),
  );
  panel.dataset.pushed = String(pushed);
  // a second case from the same call starts from an empty form, so the first is not opened twice by a double tap
  $("case-form").reset();
  edited = true;
  fillCategories();
  const opened = t("opened", { number: answer.number });
  setResult("opened", `${opened} ${pushed ? t("pushed") : t("not_pushed", { url })}`);
}

// On a call the panel sits in the side column; in wrap-up under the wrap-up form; hidden otherwise. A new
// call starts it afresh, with the summary filled in from that call.
function place() {
  const state = document.body.dataset.state;
  const id = state === "on_call" && page.call ? page.call.id : state === "wrap_up" && page.wrap ? page.wrap.id : null;
  panel.hidden = id === null;
  if (id === null) return;
  const home = state === "on_call" ? document.querySelector("#call .side") : $("wrapup");
  if (home && panel.parentElement !== home) home.append(panel);
  if (id !== callId) {
    callId = id;
    panel.dataset.number = "";
    panel.dataset.pushed = "false";
    setResult("idle", "");
    $("case-form").reset();
    edited = false;
    fillCategories();
    if (categories.length === 0) loadCategories();
  }
  if (state === "on_call" && !edited) $("case-summary").value = contextSummary();
}

document.body.append(panel);
applyLanguage();
// after agent.js's own handler (registered first), so page.language is the new one
$("lang-switch").addEventListener("click", applyLanguage);
new MutationObserver(place).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
new MutationObserver(place).observe($("call"), { attributes: true, attributeFilter: ["data-call"] });
// the kiosk tells its context over the data channel after the call starts: the summary follows it
new MutationObserver(place).observe($("context"), { subtree: true, childList: true, characterData: true });
place();
