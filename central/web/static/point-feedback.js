// The "suggestion or complaint" form on an info point's phone page: category, text, an optional phone
// number for a reply; posted to /api/feedback, which makes a case in the category's department. The answer
// links to the case's own page, where the passenger follows it. Text goes in with textContent only.
//
// For tests and tools: #feedback[data-state] = idle | sending | sent | refused | offline.

const catalogue = /* catalogue */ {
  "en": {
    "title": "Suggestion or complaint", "category": "About", "text": "What would you like to tell us?",
    "contact": "Phone number for a reply (optional)", "contact_hint": "Only the staff who answer see it.",
    "send": "Send", "sending": "Sending…", "sent": "Thank you. Your case number is {number}.",
    "follow": "Follow your case", "offline": "No connection. Try again in a moment.",
    "error.text_missing": "Please write a few words first.",
    "error.text_too_long": "Please keep it under 1000 characters.",
    "error.text_refused": "The text holds characters we cannot take. Please type it again.",
    "error.bad_phone": "Please enter a phone number of 6 to 15 digits, or leave it empty.",
    "error.unknown_category": "Please choose what it is about.",
    "error.too_many": "Too many messages from here just now. Please try again in a minute.",
    "error.other": "It could not be sent. Please try again."
  },
  "zh-CN": {
    "title": "建议或投诉", "category": "类别", "text": "请写下您的建议或投诉",
    "contact": "回复电话（可不填）", "contact_hint": "仅处理人员可见。",
    "send": "提交", "sending": "正在提交…", "sent": "谢谢！您的服务单号是 {number}。",
    "follow": "查看处理进度", "offline": "网络未连接，请稍后再试。",
    "error.text_missing": "请先写几句话。",
    "error.text_too_long": "请不要超过 1000 个字。",
    "error.text_refused": "内容含有无法接收的字符，请重新输入。",
    "error.bad_phone": "请输入 6 到 15 位数字的电话号码，或不填。",
    "error.unknown_category": "请选择类别。",
    "error.too_many": "此处刚提交过多次，请一分钟后再试。",
    "error.other": "提交失败，请再试一次。"
  }
} /* end catalogue */;

const ERRORS = ["text_missing", "text_too_long", "text_refused", "bad_phone", "unknown_category", "too_many"];
const $ = (id) => document.getElementById(id);
const point = JSON.parse($("point-data").textContent);
let categories = [];
let result = null; // {state, number?, url?, error?}

const language = () => ($("sheet").dataset.lang === "zh-CN" ? "zh-CN" : "en");
function t(key, values = {}) {
  const text = catalogue[language()][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function render() {
  const zh = language() === "zh-CN";
  $("feedback-title").textContent = t("title");
  $("feedback-category-label").textContent = t("category");
  $("feedback-text-label").textContent = t("text");
  $("feedback-contact-label").textContent = t("contact");
  $("feedback-contact-hint").textContent = t("contact_hint");
  $("feedback-send").textContent = t("send");
  const select = $("feedback-category");
  const chosen = select.value;
  select.replaceChildren(
    ...categories.map((category) => {
      const option = document.createElement("option");
      option.value = category.id;
      option.textContent = zh ? category.zh : category.en;
      return option;
    }),
  );
  if (chosen) select.value = chosen;
  const line = $("feedback-result");
  line.replaceChildren();
  const state = result ? result.state : "idle";
  $("feedback").dataset.state = state;
  if (state === "sending") line.textContent = t("sending");
  if (state === "offline") line.textContent = t("offline");
  if (state === "refused") line.textContent = t(`error.${ERRORS.includes(result.error) ? result.error : "other"}`);
  if (state === "sent") {
    line.append(document.createTextNode(t("sent", { number: result.number }) + " "));
    const link = document.createElement("a");
    link.href = `${result.url}?lang=${encodeURIComponent(language())}`;
    link.textContent = t("follow");
    line.append(link);
  }
}

async function loadCategories() {
  try {
    const response = await fetch("/api/feedback/categories");
    if (response.ok) categories = (await response.json()).categories;
  } catch {
    categories = [];
  }
  render();
}

async function send(event) {
  event.preventDefault();
  const body = {
    source: "point",
    from: point.id,
    category: $("feedback-category").value,
    text: $("feedback-text").value,
    contact: $("feedback-contact").value.trim(),
  };
  result = { state: "sending" };
  render();
  try {
    const response = await fetch("/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) {
      result = { state: "sent", number: answer.number, url: answer.passenger_url };
      $("feedback-form").reset();
    } else {
      result = { state: "refused", error: answer.error };
    }
  } catch {
    result = { state: "offline" };
  }
  render();
}

$("feedback-form").addEventListener("submit", send);
new MutationObserver(render).observe($("sheet"), { attributes: true, attributeFilter: ["data-lang"] });
loadCategories();
