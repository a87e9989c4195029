// The knowledge-base panel of the agent console: during a call the agent types (words, 中文, or pinyin
// such as "beijing" or "bj"), the best articles show at once, and one tap sends one to the passenger's
// screen as a note, a QR code (when it has a web address) or a flight card, in the caller's language.
// Each push is counted at central (POST /api/kb/articles/{id}/pushed) for the reports and demand alerts.
// Article text is only ever set as textContent.
//
// For tests and tools:
//   #kb-results li[data-id]               one per article found
//   #kb-panel[data-state]                 idle | searching | found | none | failed
//   #kb-panel[data-sent]                  articles sent in this call; [data-last-id] the last one's id

import { textPush, qrPush, flightPush } from "./agent-push.js";
import { page } from "./agent-page.js";
import { $ } from "./common.js";
import { inLanguage, kbTranslator } from "./kb-text.js";

let t = kbTranslator(page.language);
let latest = null; // the AbortController of the search in flight
let callId = null;

// The language of the caller's screen: the article is sent in it when it has that text.
function callerLanguage() {
  const call = page.call;
  const tag = (call && (call.context.language || call.details.language)) || page.language;
  return String(tag).toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

function setState(state, text = "") {
  $("kb-panel").dataset.state = state;
  $("kb-panel-state").textContent = text;
}

async function search() {
  const query = $("kb-panel-search").value.trim();
  if (latest) latest.abort();
  if (!query) {
    $("kb-results").replaceChildren();
    setState("idle");
    return;
  }
  latest = new AbortController();
  setState("searching");
  let found;
  try {
    const response = await fetch(`/api/kb/search?q=${encodeURIComponent(query)}`, {
      credentials: "same-origin",
      signal: latest.signal,
    });
    if (!response.ok) throw new Error(String(response.status));
    found = await response.json();
  } catch (error) {
    if (error.name !== "AbortError") setState("failed", t("kb.panel.failed"));
    return;
  }
  render(found.articles);
}

function render(articles) {
  const list = $("kb-results");
  list.replaceChildren();
  const language = callerLanguage();
  for (const article of articles) {
    const item = document.createElement("li");
    item.dataset.id = String(article.id);
    const title = document.createElement("span");
    title.className = "kb-result-title";
    title.textContent = inLanguage(article, "title", language);
    const body = document.createElement("span");
    body.className = "kb-result-body";
    body.textContent = inLanguage(article, "body", language);
    const actions = document.createElement("div");
    actions.className = "kb-result-actions";
    actions.append(action("note", "kb.panel.note", article));
    if (article.url) actions.append(action("qr", "kb.panel.qr", article));
    if (article.flight) actions.append(action("flight", "kb.panel.flight", article));
    item.append(title, body, actions);
    list.append(item);
  }
  setState(articles.length ? "found" : "none", articles.length ? "" : t("kb.panel.none"));
  // the panel sits low in the side column: bring the answers into sight as they come
  $("kb-panel").scrollIntoView({ block: "nearest" });
}

function action(kind, key, article) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = kind === "note" ? "btn btn-go" : "btn";
  button.dataset.send = kind;
  button.textContent = t(key);
  button.addEventListener("click", () => send(kind, article));
  return button;
}

function message(kind, article) {
  const call = page.call;
  const language = callerLanguage();
  const title = inLanguage(article, "title", language);
  if (kind === "qr") return qrPush(call.id, article.url, title);
  if (kind === "flight") return flightPush(call.id, { number: article.flight });
  const parts = [title, inLanguage(article, "body", language), article.map_text];
  return textPush(call.id, parts.filter(Boolean).join("\n\n"));
}

function send(kind, article) {
  if (!page.call || typeof page.sendPush !== "function") return;
  if (!page.sendPush(message(kind, article))) return;
  const panel = $("kb-panel");
  panel.dataset.sent = String(Number(panel.dataset.sent || 0) + 1);
  panel.dataset.lastId = String(article.id);
  $("kb-panel-state").textContent = t("kb.panel.sent", { title: inLanguage(article, "title", callerLanguage()) });
  // counted after the push went: a failed count never holds the passenger's answer back
  fetch(`/api/kb/articles/${encodeURIComponent(article.id)}/pushed`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ kind }),
  }).catch(() => {});
}

// A new call starts with an empty panel.
function onCallChange() {
  const id = $("call").dataset.call || null;
  if (id === callId) return;
  callId = id;
  $("kb-panel-search").value = "";
  $("kb-panel").dataset.sent = "0";
  $("kb-panel").dataset.lastId = "";
  $("kb-results").replaceChildren();
  setState("idle");
}

function applyLanguage() {
  t = kbTranslator(page.language);
  for (const el of document.querySelectorAll("[data-kb-t]")) el.textContent = t(el.dataset.kbT);
  $("kb-panel-search").placeholder = t("kb.search.hint");
  $("kb-panel-search").setAttribute("aria-label", t("kb.panel.search"));
  if ($("kb-panel-search").value.trim()) search();
}

$("kb-panel-search").addEventListener("input", search);
// after agent.js's own handler (registered first), so page.language is the new one
$("lang-switch").addEventListener("click", applyLanguage);
new MutationObserver(onCallChange).observe($("call"), { attributes: true, attributeFilter: ["data-call"] });
applyLanguage();
onCallChange();
