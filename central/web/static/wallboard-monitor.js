// Supervisor monitoring on the wallboard: the calls in progress, each with Listen and Whisper; the
// chosen call's passenger and agent side by side, with their sound. Listen is silent: nobody sees or
// hears the supervisor. Whisper sends the supervisor's microphone to the agent only. The media comes
// from the agent's browser (agent-monitor.js), never from the kiosk; the signalling goes over
// /api/monitor/ws (central/web/monitor.py). Shown only to a signed-in supervisor (a wall display and
// other roles never see it, and central refuses them anyway).
//
// For tests and tools:
//   #monitor[hidden]                 not a supervisor, or monitoring is switched off
//   li[data-monitor-call]            one per call in progress, with buttons [data-action] listen | whisper
//   #monitor[data-state]             idle | starting | connecting | then the connection's connectionState |
//                                    ended | refused
//   #monitor[data-mode]              silent | whisper; #monitor[data-call] the call; #monitor[data-reason]
//                                    why it ended or was refused (central's reason)
//   #monitor-passenger[data-frames]  video frames decoded from the passenger's side (getStats)
//   #monitor-agent[data-frames]      the same for the agent's camera

import { $, Backoff, openJsonSocket, pageLanguage } from "./common.js";
import { gatheringComplete, inboundReports } from "./peer.js";

const SOCKET_PATH = "/api/monitor/ws";
const SETTINGS_URL = "/api/monitor/settings";
const STATS_EVERY_MS = 1000;
const CALLS_EVERY_MS = 1000;

const TEXTS = {
  en: {
    title: "Listen in",
    none: "No calls in progress",
    listen: "Listen",
    whisper: "Whisper",
    passenger: "Passenger",
    agent: "Agent",
    to_whisper: "Whisper to the agent",
    to_silent: "Stop whispering",
    stop: "Stop",
    state: {
      idle: "",
      starting: "Asking the agent's console…",
      connecting: "Connecting…",
      new: "Connecting…",
      checking: "Connecting…",
      connected: "Listening: nobody sees or hears you",
      whisper: "Whispering: only the agent hears you",
      disconnected: "Connection interrupted…",
      failed: "The connection failed.",
      closed: "Monitoring ended.",
      ended: "Monitoring ended.",
      refused: "Cannot listen in.",
    },
    reason: {
      call_ended: "The call has ended.",
      call_not_answered: "The call has not been answered yet.",
      agent_unreachable: "The agent's console cannot relay the call now.",
      agent_lost: "The agent's console went away.",
      already_monitored: "Another supervisor is monitoring this call.",
      already_monitoring: "Stop the call you are monitoring first.",
      monitoring_off: "Monitoring is switched off on this site.",
      no_call: "The agent's console has no media for this call (not yet, or no longer).",
      media_failed: "The agent's browser could not relay the call.",
      supervisor: "",
      agent: "",
      session_expired: "Sign in again.",
      microphone: "No microphone: whisper needs one.",
    },
    who: (name, call) => `${name} · ${call}`,
  },
  "zh-CN": {
    title: "监听通话",
    none: "目前没有通话",
    listen: "监听",
    whisper: "耳语",
    passenger: "旅客",
    agent: "坐席",
    to_whisper: "对坐席耳语",
    to_silent: "停止耳语",
    stop: "结束",
    state: {
      idle: "",
      starting: "正在联系坐席控制台…",
      connecting: "正在连接…",
      new: "正在连接…",
      checking: "正在连接…",
      connected: "监听中：双方都看不到也听不到您",
      whisper: "耳语中：只有坐席听得到您",
      disconnected: "连接中断…",
      failed: "连接失败。",
      closed: "监听已结束。",
      ended: "监听已结束。",
      refused: "无法监听。",
    },
    reason: {
      call_ended: "通话已结束。",
      call_not_answered: "通话尚未接通。",
      agent_unreachable: "坐席控制台目前无法转发通话。",
      agent_lost: "坐席控制台已断开。",
      already_monitored: "另一位主管正在监听此通话。",
      already_monitoring: "请先结束正在监听的通话。",
      monitoring_off: "本站点已关闭监听功能。",
      no_call: "坐席控制台上暂无此通话的音视频。",
      media_failed: "坐席的浏览器无法转发通话。",
      supervisor: "",
      agent: "",
      session_expired: "请重新登录。",
      microphone: "没有麦克风：耳语需要麦克风。",
    },
    who: (name, call) => `${name} · ${call}`,
  },
};

let language = pageLanguage().language;
const texts = () => TEXTS[language] || TEXTS.en;

// --- the panel ---------------------------------------------------------------------------------------

function element(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children);
  return el;
}

const panel = element("section", { id: "monitor", className: "monitor", hidden: true });
panel.dataset.state = "idle";
const title = element("h2", { id: "monitor-title" });
const callList = element("ul", { id: "monitor-calls", className: "monitor-calls" });
const passengerVideo = element("video", { id: "monitor-passenger", autoplay: true, playsInline: true });
const agentVideo = element("video", { id: "monitor-agent", autoplay: true, playsInline: true });
passengerVideo.dataset.frames = "0";
agentVideo.dataset.frames = "0";
const passengerCaption = element("p", { className: "monitor-caption" });
const agentCaption = element("p", { className: "monitor-caption" });
const stage = element(
  "div",
  { id: "monitor-stage", className: "monitor-stage", hidden: true },
  element("figure", {}, passengerVideo, passengerCaption),
  element("figure", {}, agentVideo, agentCaption),
);
const who = element("p", { id: "monitor-who", className: "monitor-who" });
const stateLine = element("p", { id: "monitor-status", className: "monitor-status", role: "status" });
const modeButton = element("button", { type: "button", id: "monitor-mode", className: "btn btn-big", hidden: true });
const stopButton = element("button", { type: "button", id: "monitor-stop", className: "btn btn-big btn-stop", hidden: true });
const bar = element("div", { className: "monitor-bar" }, who, stateLine, modeButton, stopButton);
panel.append(title, callList, bar, stage);
document.querySelector("main").append(panel);

// --- state -------------------------------------------------------------------------------------------

let socket = null;
const retry = new Backoff(1000, 15000);
let session = null; // {id, call, agent, mode, pc, mic, roles, timer}
let pending = null; // {call, mode} while central has not answered a start
let shownCalls = "";

function setState(state, reason = "") {
  panel.dataset.state = state;
  panel.dataset.reason = reason;
  render();
}

function render() {
  const t = texts();
  title.textContent = t.title;
  const state = panel.dataset.state;
  const whispering = session && session.mode === "whisper" && state === "connected";
  const reason = panel.dataset.reason ? t.reason[panel.dataset.reason] ?? panel.dataset.reason : "";
  stateLine.textContent = [whispering ? t.state.whisper : t.state[state] ?? state, reason].filter(Boolean).join(" ");
  panel.dataset.mode = session ? session.mode : pending ? pending.mode : "";
  panel.dataset.call = session ? session.call : pending ? pending.call : "";
  who.textContent = session ? t.who(nameOf(session.agent), session.call) : "";
  who.hidden = !session;
  stage.hidden = !session;
  modeButton.hidden = !session;
  stopButton.hidden = !session;
  modeButton.textContent = session && session.mode === "whisper" ? t.to_silent : t.to_whisper;
  modeButton.dataset.mode = session ? session.mode : "";
  stopButton.textContent = t.stop;
  passengerCaption.textContent = t.passenger;
  agentCaption.textContent = t.agent;
  for (const button of callList.querySelectorAll("button")) {
    button.textContent = t[button.dataset.action];
    button.disabled = Boolean(session || pending);
  }
  const none = callList.querySelector("li.none");
  if (none) none.textContent = t.none;
}

// The wallboard's agents on a call (its own rendering keeps li[data-call] on them): rebuilt only when
// the set of calls changes, so a button is not replaced under the supervisor's finger every second.
function nameOf(agentId) {
  const li = document.querySelector(`li[data-agent="${CSS.escape(agentId)}"] .agent-name`);
  return li ? li.textContent : agentId;
}

function renderCalls() {
  const onCall = [...document.querySelectorAll('li[data-state="on_call"][data-call]')].map((li) => ({
    agent: li.dataset.agent,
    call: li.dataset.call,
    name: li.querySelector(".agent-name")?.textContent || li.dataset.agent,
  }));
  const key = JSON.stringify(onCall);
  if (key === shownCalls) return;
  shownCalls = key;
  const items = onCall.map(({ agent, call, name }) => {
    const li = element("li", {}, element("span", { className: "monitor-name", textContent: name, title: name }));
    li.dataset.monitorCall = call;
    li.dataset.agent = agent;
    for (const action of ["listen", "whisper"]) {
      const button = element("button", { type: "button", className: action === "listen" ? "btn btn-go" : "btn" });
      button.dataset.action = action;
      button.addEventListener("click", () => start(call, action === "whisper" ? "whisper" : "silent"));
      li.append(button);
    }
    return li;
  });
  if (items.length === 0) items.push(element("li", { className: "none" }));
  callList.replaceChildren(...items);
  render();
}

// --- the socket --------------------------------------------------------------------------------------

function connect() {
  if (socket) return;
  socket = openJsonSocket(SOCKET_PATH, {
    onOpen: () => retry.reset(),
    onMessage: (ws, message) => {
      if (ws === socket) onMessage(message);
    },
    onClose: (ws) => {
      if (ws !== socket) return;
      socket = null;
      if (session || pending) end("agent_lost");
      retry.schedule(connect);
    },
  });
}

function send(message) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(message));
  return true;
}

function onMessage(message) {
  switch (message.type) {
    case "monitoring":
      if (!pending || pending.call !== message.call) return;
      session = { id: String(message.monitor), call: pending.call, agent: String(message.agent), mode: pending.mode };
      pending = null;
      setState("connecting");
      break;
    case "offer":
      if (session && session.id === message.monitor) answer(session, message);
      break;
    case "mode":
      if (session && session.id === message.monitor) {
        session.mode = message.mode === "whisper" ? "whisper" : "silent";
        applyMode(session);
        render();
      }
      break;
    case "ended":
      if (session && session.id === message.monitor) end(String(message.reason || ""));
      break;
    case "error":
      if (pending) {
        pending = null;
        setState("refused", String(message.reason || ""));
      }
      break;
    default:
      break;
  }
}

// --- monitoring --------------------------------------------------------------------------------------

function start(call, mode) {
  if (session || pending) return;
  pending = { call, mode };
  if (!send({ type: "start", call, mode })) {
    pending = null;
    setState("refused", "agent_unreachable");
    return;
  }
  setState("starting");
}

async function answer(s, offer) {
  const pc = new RTCPeerConnection();
  s.pc = pc;
  s.roles = offer.tracks && typeof offer.tracks === "object" ? offer.tracks : {};
  const streams = { passenger: new MediaStream(), agent: new MediaStream() };
  pc.addEventListener("track", (event) => {
    const role = String(s.roles[event.transceiver.mid] || "");
    const side = role.startsWith("passenger") ? "passenger" : role.startsWith("agent") ? "agent" : null;
    if (!side) return;
    streams[side].addTrack(event.track);
    const video = side === "passenger" ? passengerVideo : agentVideo;
    video.srcObject = streams[side];
    video.play().catch(() => {});
  });
  pc.addEventListener("connectionstatechange", () => {
    if (session === s) setState(pc.connectionState);
  });
  try {
    await pc.setRemoteDescription({ type: "offer", sdp: String(offer.sdp) });
    // the way back for whisper: sending, with no track while silent (nothing leaves this page)
    for (const transceiver of pc.getTransceivers()) {
      if (s.roles[transceiver.mid] === "whisper") {
        transceiver.direction = "sendonly";
        s.whisper = transceiver.sender;
      } else {
        transceiver.direction = "recvonly";
      }
    }
    await applyMode(s);
    await pc.setLocalDescription(await pc.createAnswer());
    await gatheringComplete(pc);
  } catch {
    if (session === s) stop();
    return;
  }
  if (session !== s) return;
  send({ type: "answer", monitor: s.id, sdp: pc.localDescription.sdp });
  s.timer = setInterval(() => readStats(s), STATS_EVERY_MS);
}

// Whisper: the microphone on the way back; silent: no track at all, so not a sound can leave.
async function applyMode(s) {
  if (!s.whisper) return;
  if (s.mode === "whisper" && !s.mic) {
    try {
      s.mic = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      panel.dataset.reason = "microphone";
      render();
      return;
    }
  }
  const track = s.mode === "whisper" && s.mic ? s.mic.getAudioTracks()[0] : null;
  await s.whisper.replaceTrack(track);
}

async function readStats(s) {
  if (session !== s || !s.pc) return;
  try {
    const frames = { passenger: 0, agent: 0 };
    for (const report of await inboundReports(s.pc, "video")) {
      const role = String(s.roles[report.mid] || "");
      if (role === "passenger_video") frames.passenger += report.framesDecoded || 0;
      if (role === "agent_video") frames.agent += report.framesDecoded || 0;
    }
    passengerVideo.dataset.frames = String(frames.passenger);
    agentVideo.dataset.frames = String(frames.agent);
  } catch {
    // closed between the check and the call
  }
}

function stop() {
  if (session) send({ type: "stop", monitor: session.id });
}

function end(reason) {
  const s = session;
  session = null;
  pending = null;
  if (s) {
    clearInterval(s.timer);
    if (s.pc) s.pc.close();
    if (s.mic) for (const track of s.mic.getTracks()) track.stop();
  }
  passengerVideo.srcObject = null;
  agentVideo.srcObject = null;
  setState("ended", reason);
}

modeButton.addEventListener("click", () => {
  if (session) send({ type: "mode", monitor: session.id, mode: session.mode === "whisper" ? "silent" : "whisper" });
});
stopButton.addEventListener("click", stop);
$("lang-switch").addEventListener("click", () => {
  language = document.documentElement.lang || "en"; // the wallboard's own handler ran first and set it
  render();
});

// --- start -------------------------------------------------------------------------------------------

async function begin() {
  let settings;
  try {
    const response = await fetch(SETTINGS_URL, { credentials: "same-origin" });
    if (!response.ok) return;
    settings = await response.json();
  } catch {
    return;
  }
  if (!settings || !settings.enabled || !settings.allowed) return;
  panel.hidden = false;
  connect();
  renderCalls();
  // at once when the wallboard redraws its agents (a call that ended leaves the list with it), and every
  // second anyway
  new MutationObserver(renderCalls).observe($("agent-columns"), { childList: true, subtree: true });
  setInterval(renderCalls, CALLS_EVERY_MS);
}

render();
begin();
