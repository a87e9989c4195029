// The passenger's page of a case (/c/{token}): its status, its public notes and, once it is closed,
// "was this resolved?" with a rating, sent once. Every text from the network is set with textContent.
//
// For tests and tools:
//   html[lang]                  en | zh-CN; #lang-switch switches (kept in ?lang=)
//   #case-status[data-status]   the case's status
//   #timeline li[data-kind]     one per public entry
//   #rate-form, #rated          the question (while it may be answered) and the thanks

const TEXTS = {
  en: {
    title: "Your case", number: "Case", due: "We aim to finish by", progress: "Progress",
    "resolved.question": "Was your problem resolved?", yes: "Yes", no: "No",
    "rating.question": "How satisfied are you with the outcome?", send: "Send", thanks: "Thank you for your answer.",
    "missing.title": "We cannot find this case",
    "missing.body": "The link may be incomplete or mistyped. Please scan the code on your slip again, or ask at an information desk.",
    offline: "The page cannot reach the airport's service right now. It will try again.",
    "status.open": "Received", "status.in_progress": "Being worked on",
    "status.waiting_for_passenger": "Waiting for you", "status.resolved": "Resolved", "status.closed": "Closed",
    "hint.open": "Your case has reached the team that can solve it.",
    "hint.in_progress": "Someone is working on it now.",
    "hint.waiting_for_passenger": "We need something from you: see the latest note below.",
    "hint.resolved": "We think this is solved. It will be closed shortly.",
    "hint.closed": "This case is closed.",
    "entry.opened": "Case opened", "entry.status": "Status: {status}",
    "error.rate": "Your answer could not be sent. Please try again.",
    "error.choose": "Please choose Yes or No and a rating.",
    "star": "{n} of 5",
    "lang.switch": "中文", "lang.code": "zh-CN",
  },
  "zh-CN": {
    title: "您的服务单", number: "服务单号", due: "预计完成时间", progress: "处理进度",
    "resolved.question": "您的问题解决了吗？", yes: "已解决", no: "未解决",
    "rating.question": "您对处理结果满意吗？", send: "提交", thanks: "感谢您的反馈。",
    "missing.title": "找不到此服务单",
    "missing.body": "链接可能不完整或有误。请重新扫描凭条上的二维码，或前往问询台。",
    offline: "暂时无法连接机场服务，页面将自动重试。",
    "status.open": "已受理", "status.in_progress": "处理中",
    "status.waiting_for_passenger": "等待您的回复", "status.resolved": "已解决", "status.closed": "已结案",
    "hint.open": "您的服务单已转至负责部门。",
    "hint.in_progress": "工作人员正在处理。",
    "hint.waiting_for_passenger": "我们需要您提供信息，请查看下方最新说明。",
    "hint.resolved": "问题已解决，服务单即将结案。",
    "hint.closed": "此服务单已结案。",
    "entry.opened": "服务单已创建", "entry.status": "状态：{status}",
    "error.rate": "提交失败，请重试。",
    "error.choose": "请选择是否解决并给出评分。",
    "star": "{n} 分（满分 5 分）",
    "lang.switch": "English", "lang.code": "en",
  },
};

const token = decodeURIComponent(location.pathname.split("/").pop() || "");
const page = { language: chooseLanguage(), data: null, missing: false, rating: 0 };
const $ = (id) => document.getElementById(id);
const REFRESH_MS = 30000;

function chooseLanguage() {
  const asked = new URLSearchParams(location.search).get("lang") || "";
  if (asked.toLowerCase().startsWith("zh")) return "zh-CN";
  if (asked.toLowerCase().startsWith("en")) return "en";
  for (const tag of navigator.languages || []) {
    if (tag.toLowerCase().startsWith("zh")) return "zh-CN";
    if (tag.toLowerCase().startsWith("en")) return "en";
  }
  return "zh-CN";
}

function t(key, values = {}) {
  const text = TEXTS[page.language][key] ?? TEXTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(page.language, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
}

function render() {
  document.documentElement.lang = page.language;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-text]")) el.textContent = t(el.dataset.text);
  $("lang-switch").textContent = t("lang.switch");
  $("lang-switch").lang = t("lang.code");
  $("missing").hidden = !page.missing;
  $("case").hidden = page.missing || !page.data;
  renderStars();
  if (!page.data) return;
  const data = page.data;
  $("case-number").textContent = String(data.number);
  $("case-category").textContent = page.language === "zh-CN" ? data.category.zh : data.category.en;
  $("case-status").dataset.status = data.status;
  $("case-status").textContent = t(`status.${data.status}`);
  $("status-hint").textContent = t(`hint.${data.status}`);
  $("case-due").textContent = when(data.due_at);
  $("case-due").parentElement.hidden = data.status === "resolved" || data.status === "closed";
  const items = data.timeline.slice().reverse().map((entry) => {
    const li = document.createElement("li");
    li.dataset.kind = entry.kind;
    const time = document.createElement("time");
    time.dateTime = entry.at;
    time.textContent = when(entry.at);
    const text = document.createElement("span");
    if (entry.kind === "note") text.textContent = entry.text;
    else if (entry.kind === "status") text.textContent = t("entry.status", { status: t(`status.${entry.status}`) });
    else text.textContent = t("entry.opened");
    li.append(time, text);
    return li;
  });
  $("timeline").replaceChildren(...items);
  $("rate-form").hidden = !data.may_rate;
  $("rated").hidden = data.rating === null || data.rating === undefined;
}

function renderStars() {
  const buttons = [1, 2, 3, 4, 5].map((n) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "★";
    button.dataset.stars = String(n);
    button.setAttribute("aria-label", t("star", { n }));
    button.setAttribute("aria-pressed", String(n <= page.rating));
    button.addEventListener("click", () => { page.rating = n; renderStars(); });
    return button;
  });
  $("stars").replaceChildren(...buttons);
}

async function load() {
  try {
    const response = await fetch(`/api/c/${encodeURIComponent(token)}`, { cache: "no-store" });
    if (response.status === 404) {
      page.missing = true;
    } else if (response.ok) {
      page.data = await response.json();
    } else {
      throw new Error(String(response.status));
    }
    $("load-error").hidden = true;
  } catch {
    $("load-error").hidden = false;
  }
  render();
}

async function send(event) {
  event.preventDefault();
  const choice = new FormData($("rate-form")).get("resolved");
  if (!choice || !page.rating) {
    $("rate-error").textContent = t("error.choose");
    return;
  }
  $("rate-send").disabled = true;
  try {
    const response = await fetch(`/api/c/${encodeURIComponent(token)}/rating`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ rating: page.rating, resolved: choice === "yes" }),
    });
    if (response.ok) {
      page.data = await response.json();
      $("rate-error").textContent = "";
    } else if (response.status === 409) {
      await load(); // answered already (another tab): show the thanks
    } else {
      $("rate-error").textContent = t("error.rate");
    }
  } catch {
    $("rate-error").textContent = t("error.rate");
  }
  $("rate-send").disabled = false;
  render();
}

$("lang-switch").addEventListener("click", () => {
  page.language = t("lang.code");
  const url = new URL(location.href);
  url.searchParams.set("lang", page.language);
  history.replaceState(null, "", url);
  render();
});
$("rate-form").addEventListener("submit", send);
load();
setInterval(load, REFRESH_MS);
