// The knowledge base page (/kb) for supervisors: the articles (all, or those matching the search box,
// best first), and an editor to write, change and delete one. Article text is only ever set as
// textContent or a form value, never as markup.
//
// For tests and tools:
//   body[data-loaded]            true once the first list arrived
//   #kb-articles li[data-id]     one per listed article
//   #kb-form[data-id]            the article being edited ("" for a new one)
//   #kb-error[data-field]        the field the server refused

import { $, pageLanguage } from "./common.js";
import { inLanguage, kbTranslator } from "./kb-text.js";

const base = pageLanguage();
const page = { language: base.language, t: kbTranslator(base.language), articles: [], editing: null };
const FIELDS = ["title_zh", "title_en", "body_zh", "body_en", "tags", "url", "map_text", "flight"];
const SEARCH_DELAY_MS = 120;

async function call(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 401 || response.status === 403) {
    const forbidden = response.status === 403 ? "&forbidden=1" : "";
    location.assign(`/signin?next=/kb${forbidden}`);
    throw new Error("signed out");
  }
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return { ok: response.ok, status: response.status, body };
}

function post(path, payload) {
  return call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
}

// --- the list --------------------------------------------------------------------------------------

async function load() {
  const query = $("kb-search").value.trim();
  const answer = await call(`/api/kb/articles${query ? `?q=${encodeURIComponent(query)}` : ""}`);
  if (query !== $("kb-search").value.trim()) return; // a newer search is on its way
  page.articles = answer.ok ? answer.body.articles : [];
  renderList(query);
  document.body.dataset.loaded = "true";
}

function renderList(query) {
  const list = $("kb-articles");
  list.replaceChildren();
  for (const article of page.articles) {
    const item = document.createElement("li");
    item.dataset.id = String(article.id);
    item.setAttribute("aria-current", String(page.editing === article.id));
    const button = document.createElement("button");
    button.type = "button";
    const title = document.createElement("span");
    title.className = "kb-article-title";
    title.textContent = inLanguage(article, "title", page.language);
    const meta = document.createElement("span");
    meta.className = "kb-article-meta";
    meta.textContent = [article.tags.join(", "), page.t("kb.pushes", { n: article.kb_pushes })].filter(Boolean).join(" · ");
    button.append(title, meta);
    button.addEventListener("click", () => edit(article));
    item.append(button);
    list.append(item);
  }
  const count = $("kb-count");
  if (page.articles.length) count.textContent = page.t("kb.count", { n: page.articles.length });
  else count.textContent = page.t(query ? "kb.none" : "kb.empty");
}

let searchTimer = null;
$("kb-search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(load, SEARCH_DELAY_MS);
});

// --- the editor ------------------------------------------------------------------------------------

function edit(article) {
  page.editing = article ? article.id : null;
  const form = $("kb-form");
  form.dataset.id = article ? String(article.id) : "";
  for (const name of FIELDS) {
    const value = article ? article[name] : "";
    form.elements[name].value = Array.isArray(value) ? value.join(", ") : String(value || "");
  }
  $("kb-delete").hidden = !article;
  resetDelete();
  showError(null);
  $("kb-status").textContent = "";
  renderTitle();
  for (const item of $("kb-articles").children) item.setAttribute("aria-current", String(item.dataset.id === form.dataset.id));
}

function renderTitle() {
  const id = $("kb-form").dataset.id;
  $("kb-edit-title").textContent = id ? page.t("kb.edit.change", { id }) : page.t("kb.edit.new");
}

function draft() {
  const form = $("kb-form");
  const fields = {};
  for (const name of FIELDS) fields[name] = form.elements[name].value;
  fields.tags = fields.tags.split(/[,，]/).map((tag) => tag.trim()).filter(Boolean);
  return fields;
}

function showError(body) {
  const error = $("kb-error");
  if (!body) {
    error.hidden = true;
    error.textContent = "";
    error.dataset.field = "";
    return;
  }
  const field = body.field || "";
  error.dataset.field = field;
  const label = field ? page.t(`kb.field.${field}`) : "";
  if (body.error === "invalid") {
    error.textContent = page.t("kb.error.invalid", { field: label.startsWith("kb.") ? field : label, message: body.message });
  } else {
    const key = `kb.error.${body.error}`;
    const text = page.t(key);
    error.textContent = text === key ? page.t("kb.error.failed") : text;
  }
  error.hidden = false;
  if (field && $("kb-form").elements[field]) $("kb-form").elements[field].focus();
}

async function save(event) {
  event.preventDefault();
  const id = $("kb-form").dataset.id;
  const answer = await post(id ? `/api/kb/articles/${id}` : "/api/kb/articles", draft());
  if (!answer.ok) {
    showError(answer.body.error ? answer.body : { error: "failed" });
    return;
  }
  showError(null);
  edit(answer.body);
  $("kb-status").textContent = page.t("kb.saved");
  await load();
}

function resetDelete() {
  const button = $("kb-delete");
  button.dataset.confirm = "false";
  button.textContent = page.t("kb.delete");
}

async function remove() {
  const button = $("kb-delete");
  if (button.dataset.confirm !== "true") {
    button.dataset.confirm = "true";
    button.textContent = page.t("kb.delete.confirm");
    return;
  }
  const answer = await post(`/api/kb/articles/${$("kb-form").dataset.id}/delete`, {});
  if (!answer.ok && answer.status !== 404) {
    showError(answer.body.error ? answer.body : { error: "failed" });
    return;
  }
  edit(null);
  $("kb-status").textContent = page.t("kb.deleted");
  await load();
}

$("kb-form").addEventListener("submit", save);
$("kb-delete").addEventListener("click", remove);
$("kb-delete").addEventListener("blur", resetDelete);
$("kb-new").addEventListener("click", () => {
  edit(null);
  $("kb-form").elements.title_zh.focus();
});

// --- language --------------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = page.language;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = page.t(el.dataset.t);
  $("kb-search").placeholder = page.t("kb.search.hint");
  const button = $("lang-switch");
  button.textContent = page.t("lang.switch");
  button.lang = page.t("lang.switch.code");
  document.title = page.t("kb.title");
  renderTitle();
  resetDelete();
  renderList($("kb-search").value.trim());
}

$("lang-switch").addEventListener("click", () => {
  page.language = page.t("lang.switch.code");
  page.t = kbTranslator(page.language);
  const url = new URL(window.location.href);
  url.searchParams.set("lang", page.language);
  window.history.replaceState(null, "", url);
  applyLanguage();
});

applyLanguage();
load();
