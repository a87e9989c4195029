// Passing a call on from the agent console (docs/calls.md, "Transfers and escalation tiers"): during a call
// the agent chooses a queue or one of the agents available now (by name, with their skills, from
// /api/agent/available, read again every few seconds while on a call) and taps Transfer; the switchboard tells the
// passenger "connecting you to a specialist" and answers `transferred` (this agent's part is over) or
// `error` with a reason shown here in words. A call that was passed on to this agent shows who passed it
// and their note. Texts are kept here, in English and Simplified Chinese, so the shared catalogue is not
// touched. Everything from the switchboard is set as textContent only.
//
// For tests and tools:
//   #transfer[data-state]            idle | sent | refused | done
//   #transfer[data-reason]           the switchboard's reason after a refusal
//   #transfer-skill, #transfer-submit
//   #transfer-agent                  a select: "" (to the queue) or an available agent's id;
//                                    [data-count] how many agents it offers
//   #transfer-from[hidden]           "passed on by …" with the note, on the next agent's call

import { page } from "./agent-page.js";
import { render } from "./agent-render.js";
import { $ } from "./common.js";

const TEXTS = {
  en: {
    title: "Pass the call on",
    queue: "To a queue",
    agent: "Or to an agent available now",
    "agent.none": "— nobody else is available —",
    "agent.queue": "— nobody in particular: the queue —",
    submit: "Transfer",
    sent: "Passing the call on…",
    done: "The call was passed on. The passenger is being connected.",
    from: "Passed on by {name}",
    "reason.agent_gone": "That agent is not signed in any more.",
    "reason.agent_busy": "That agent is not available right now.",
    "reason.same_agent": "That is you.",
    "reason.nobody_signed_in": "Nobody is signed in for that queue: choose another.",
    "reason.unknown_skill": "There is no such queue.",
    "reason.not_your_call": "The call has already ended.",
    "reason.phone_call": "Calls from a phone cannot be passed on yet.",
    "reason.choose_queue_or_agent": "Choose a queue or an agent, not both.",
    "reason.other": "The call could not be passed on ({reason}).",
    "skill.zh": "Mandarin",
    "skill.en": "English",
    "skill.sign": "Sign language",
    "skill.lost_property": "Lost property",
  },
  "zh-CN": {
    title: "转接通话",
    queue: "转到队列",
    agent: "或转给现在空闲的服务人员",
    "agent.none": "— 暂无其他空闲人员 —",
    "agent.queue": "— 不指定，转到上面的队列 —",
    submit: "转接",
    sent: "正在转接…",
    done: "已转接，正在为旅客接通。",
    from: "由 {name} 转来",
    "reason.agent_gone": "该服务人员已下线。",
    "reason.agent_busy": "该服务人员现在不空闲。",
    "reason.same_agent": "这是您自己。",
    "reason.nobody_signed_in": "该队列无人上线，请另选。",
    "reason.unknown_skill": "没有这个队列。",
    "reason.not_your_call": "通话已结束。",
    "reason.phone_call": "来自手机的通话暂不能转接。",
    "reason.choose_queue_or_agent": "请选择队列或服务人员，二者选一。",
    "reason.other": "无法转接（{reason}）。",
    "skill.zh": "普通话",
    "skill.en": "英语",
    "skill.sign": "手语",
    "skill.lost_property": "失物招领",
  },
};

function t(key, values = {}) {
  const texts = TEXTS[page.language] || TEXTS.en;
  const text = key in texts ? texts[key] : TEXTS.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

const AVAILABLE_URL = "/api/agent/available";
const AVAILABLE_EVERY_MS = 4000; // who is free changes by the minute; a few seconds late is fine
let siteSkills = [];
let available = []; // [{id, name, skills}] from the server: set as text only

function element(tag, props = {}, children = []) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  for (const child of children) el.append(child);
  return el;
}

// The card sits under the caller's details in the call's side column; the "passed on by" line goes with them.
function build() {
  const side = document.querySelector("#call .side");
  if (!side || $("transfer")) return;
  const card = element("section", { className: "card transfer", id: "transfer" });
  card.dataset.state = "idle";
  card.dataset.reason = "";
  const form = element("form", { id: "transfer-form" });
  form.append(
    element("h2", { id: "transfer-title" }),
    element("label", { htmlFor: "transfer-skill", id: "transfer-skill-label" }),
    element("select", { id: "transfer-skill" }),
    element("label", { htmlFor: "transfer-agent", id: "transfer-agent-label" }),
    element("select", { id: "transfer-agent" }),
    element("button", { type: "submit", className: "btn btn-go", id: "transfer-submit" }),
    element("p", { className: "push-sent", id: "transfer-note" }),
  );
  card.append(form);
  const context = $("context");
  if (context) {
    context.after(card);
    context.append(element("p", { id: "transfer-from", className: "transfer-from", hidden: true }));
  } else side.prepend(card);
  form.addEventListener("submit", onSubmit);
  $("transfer-agent").addEventListener("change", () => {
    $("transfer-skill").disabled = $("transfer-agent").value !== "";
  });
  $("transfer-agent").addEventListener("focus", refreshAvailable);
  translate();
}

function translate() {
  if (!$("transfer")) return;
  $("transfer-title").textContent = t("title");
  $("transfer-skill-label").textContent = t("queue");
  $("transfer-agent-label").textContent = t("agent");
  $("transfer-submit").textContent = t("submit");
  const select = $("transfer-skill");
  const chosen = select.value;
  select.replaceChildren(...siteSkills.map((skill) => element("option", { value: skill, textContent: skillName(skill) })));
  if (siteSkills.includes(chosen)) select.value = chosen;
  renderAvailable();
  showState($("transfer").dataset.state, $("transfer").dataset.reason);
}

function skillName(skill) {
  const key = `skill.${skill}`;
  return key in TEXTS.en ? t(key) : skill;
}

// The chosen agent stays chosen while they are still offered; one who went away drops out of the list.
function renderAvailable() {
  const select = $("transfer-agent");
  if (!select) return;
  const chosen = select.value;
  const first = element("option", { value: "", textContent: t(available.length ? "agent.queue" : "agent.none") });
  const options = available.map((agent) => {
    const skills = agent.skills.map(skillName).join(", ");
    return element("option", { value: agent.id, textContent: skills ? `${agent.name} (${skills})` : agent.name });
  });
  select.replaceChildren(first, ...options);
  select.value = available.some((agent) => agent.id === chosen) ? chosen : "";
  select.dataset.count = String(available.length);
  $("transfer-skill").disabled = select.value !== "";
}

function cleanAgents(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((agent) => agent && typeof agent.id === "string")
    .slice(0, 200)
    .map((agent) => ({
      id: agent.id.slice(0, 64),
      name: typeof agent.name === "string" && agent.name ? agent.name.slice(0, 80) : agent.id.slice(0, 64),
      skills: Array.isArray(agent.skills) ? agent.skills.map(String).slice(0, 12) : [],
    }));
}

async function refreshAvailable() {
  if (!page.call || !$("transfer")) return;
  try {
    const response = await fetch(AVAILABLE_URL, { credentials: "same-origin" });
    if (!response.ok) return; // signed out: the console's own socket shows that
    available = cleanAgents(await response.json());
  } catch {
    return; // the next round tries again
  }
  renderAvailable();
}

function showState(state, reason = "") {
  const card = $("transfer");
  if (!card) return;
  card.dataset.state = state;
  card.dataset.reason = reason;
  const note = $("transfer-note");
  if (state === "sent") note.textContent = t("sent");
  else if (state === "done") note.textContent = t("done");
  else if (state === "refused") {
    note.textContent = `reason.${reason}` in TEXTS.en ? t(`reason.${reason}`) : t("reason.other", { reason });
  } else note.textContent = "";
  $("transfer-submit").disabled = state === "sent";
}

function onSubmit(event) {
  event.preventDefault();
  const call = page.call;
  if (!call || !page.sendConsole) return;
  const agent = $("transfer-agent").value;
  const message = agent ? { type: "transfer", call: call.id, agent } : { type: "transfer", call: call.id, skill: $("transfer-skill").value };
  if (page.sendConsole(message) !== false) showState("sent");
}

function showPassedOnBy(event) {
  const line = $("transfer-from");
  if (!line) return;
  const from = typeof event.transferred_from === "string" ? event.transferred_from.slice(0, 200) : "";
  line.hidden = !from;
  const note = typeof event.handed_note === "string" ? event.handed_note.slice(0, 2000) : "";
  line.textContent = from ? (note ? `${t("from", { name: from })}: ${note}` : t("from", { name: from })) : "";
}

// This agent's part of the call is over: the media closes and the wrap-up card (nothing to record) shows,
// so "Ready" makes them available again.
function onTransferred(event) {
  const call = page.call;
  if (!call || call.id !== event.call) return;
  if (call.media) call.media.close();
  page.call = null;
  page.wrap = { id: String(event.call), untilMs: null, saved: true, reason: "" };
  showState("done");
  render();
}

function onConsoleEvent(event) {
  switch (event.type) {
    case "signed_in":
      siteSkills = Array.isArray(event.site_skills) ? event.site_skills.map(String) : [];
      translate();
      break;
    case "connected":
      available = [];
      renderAvailable();
      showState("idle");
      refreshAvailable();
      showPassedOnBy(event);
      break;
    case "transferred":
      onTransferred(event);
      break;
    case "error":
      if (event.request === "transfer") showState("refused", String(event.reason || ""));
      break;
    default:
      break;
  }
}

build();
setInterval(refreshAvailable, AVAILABLE_EVERY_MS);
document.addEventListener("console-event", (event) => onConsoleEvent(event.detail));
new MutationObserver(translate).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
