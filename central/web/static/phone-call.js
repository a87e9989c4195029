// Video help on a phone: join the agents' queue over /ws/phone, talk face to face over WebRTC, see what
// the agent sends, rate the call. /p/{point}/call calls from an info point; /h/{token} takes over a call
// that was waiting at a kiosk ("continue on your phone"). Text goes in with textContent only; a link the
// agent sends is shown as a link the passenger taps, and only if it is http(s).

import { gatheringComplete, videoFramesDecoded } from "./peer.js";

const catalogue = {
  en: {
    title: "Video help", "lang.switch": "中文", "lang.code": "zh-CN",
    where: "Info point {point}", "where.kiosk": "Continued from the kiosk",
    "start.lead": "Talk face to face with an airport agent. Choose a language:",
    "start.zh": "普通话 Mandarin", "start.en": "English", "start.sign": "Sign language 手语",
    "start.privacy": "Your camera and microphone are used only during the call. Nothing about you is stored.",
    "start.unknown_point": "We don't know this info point, but you can still call.",
    "start.expired": "This link has been used or has expired. You can call from here instead.",
    "waiting.title": "Please wait, an agent will answer soon", "waiting.next": "You are next",
    "waiting.position": "Your place in the queue: {n}", "waiting.finding": "Calling an agent…",
    "waiting.eta": "Expected wait: about {min} min", "waiting.eta_short": "Expected wait: under a minute",
    "waiting.eta_unknown": "No agent is on duty right now; please stay in the queue or ask staff nearby.",
    "waiting.keep_open": "Keep this page open. The call starts here when it is your turn.",
    "waiting.cancel": "Leave the queue",
    "waiting.reconnecting": "Reconnecting… you keep your place in the queue.",
    "call.connecting": "Connecting to {name}…", "call.connected": "Talking to {name}",
    "call.no_camera": "Your camera or microphone is off: the agent cannot see or hear you.",
    "call.mute": "Mute", "call.unmute": "Unmute", "call.hangup": "Hang up",
    "push.open": "Open link", "push.map": "Open the map", "push.flight": "Flight {number}",
    "push.gate": "Gate", "push.time": "Time", "push.status": "Status", "push.airport": "Airport",
    "rating.title": "How was your call?", "rating.answered": "Was your question answered?",
    "rating.yes": "Yes", "rating.no": "No", "rating.send": "Send", "rating.skip": "Skip",
    "rating.star": "{n} of 5 stars",
    "over.thanks": "Thank you", "over.thanks_text": "Have a good journey.",
    "over.ended": "The call has ended", "over.again": "Call again",
    "over.cancelled": "You left the queue.",
    "ended.agent": "The agent ended the call.", "ended.caller": "You ended the call.",
    "ended.agent_lost": "The agent's connection was lost. Please call again.",
    "ended.failed": "The call could not be connected. Please try again.",
    "ended.unsupported": "This kind of help is not offered here right now.",
    "ended.lost": "The connection to the airport was lost. Please call again.",
    "ended.idle": "This page was idle for a while. Tap to start again.",
    "ended.busy": "Too many calls from here right now. Please try again in a minute.",
    error: "Something went wrong. Please try again.",
  },
  "zh-CN": {
    title: "视频咨询", "lang.switch": "English", "lang.code": "en",
    where: "信息点 {point}", "where.kiosk": "已从自助终端转到手机",
    "start.lead": "与机场客服人员视频通话。请选择语言：",
    "start.zh": "普通话 Mandarin", "start.en": "English 英语", "start.sign": "手语 Sign language",
    "start.privacy": "摄像头和麦克风仅在通话中使用，不保存您的任何个人信息。",
    "start.unknown_point": "未找到此信息点，您仍可发起通话。",
    "start.expired": "此链接已使用或已过期。您可以在此重新发起通话。",
    "waiting.title": "请稍候，客服人员即将接听", "waiting.next": "下一位就是您",
    "waiting.position": "您在队列中的位置：第 {n} 位", "waiting.finding": "正在呼叫客服人员…",
    "waiting.eta": "预计等待约 {min} 分钟", "waiting.eta_short": "预计等待不到 1 分钟",
    "waiting.eta_unknown": "目前没有客服人员值班，请继续排队或询问附近工作人员。",
    "waiting.keep_open": "请保持此页面打开，轮到您时通话将在此开始。",
    "waiting.cancel": "退出排队",
    "waiting.reconnecting": "正在重新连接…您的排队位置会保留。",
    "call.connecting": "正在连接 {name}…", "call.connected": "正在与 {name} 通话",
    "call.no_camera": "您的摄像头或麦克风未开启，客服人员看不到也听不到您。",
    "call.mute": "静音", "call.unmute": "取消静音", "call.hangup": "挂断",
    "push.open": "打开链接", "push.map": "打开地图", "push.flight": "航班 {number}",
    "push.gate": "登机口", "push.time": "时间", "push.status": "状态", "push.airport": "机场",
    "rating.title": "您对本次通话满意吗？", "rating.answered": "您的问题解决了吗？",
    "rating.yes": "解决了", "rating.no": "没有", "rating.send": "提交", "rating.skip": "跳过",
    "rating.star": "{n} 星（满分 5 星）",
    "over.thanks": "谢谢", "over.thanks_text": "祝您旅途愉快。",
    "over.ended": "通话已结束", "over.again": "再次呼叫",
    "over.cancelled": "您已退出排队。",
    "ended.agent": "客服人员已结束通话。", "ended.caller": "您已结束通话。",
    "ended.agent_lost": "客服人员连接中断，请重新呼叫。",
    "ended.failed": "通话未能接通，请重试。",
    "ended.unsupported": "此处暂不提供该项服务。",
    "ended.lost": "与机场的连接已中断，请重新呼叫。",
    "ended.idle": "页面闲置时间过长，请点击重新开始。",
    "ended.busy": "此处呼叫过多，请稍后再试。",
    error: "出现问题，请重试。",
  },
};

const STATS_EVERY_MS = 1000;
const MAX_PUSHES = 20;
const POINT_ID = /^[A-Za-z0-9_-]{1,40}$/;
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;
const CLOSE_IDLE = 4408;
const COME_BACK_CODES = [1000, 1001, 1006]; // the socket dropped: central keeps a waiting call a while
const COME_BACK_FOR_MS = 50000; // a little less than central keeps it
const RESUME_KEY = `phone-call:${window.location.pathname}`;

const $ = (id) => document.getElementById(id);
const parts = window.location.pathname.split("/");
const mode = parts[1] === "h" ? "handover" : "point";
const pointId = mode === "point" ? decodeURIComponent(parts[2] || "") : "";
const token = mode === "handover" ? parts[2] || "" : "";

let language = chooseLanguage();
let socket = null;
let state = "start";
let startNote = mode === "point" && !POINT_ID.test(pointId) ? "start.unknown_point" : "";
let queue = { position: null, eta: null, finding: false };
let agentName = "";
let connected = false;
let media = null; // { local, pc, channel, timer }
let muted = false;
let overKey = { title: "over.ended", text: "" };
let rating = { stars: 0, answered: null };
let pushes = [];
let tookOver = false;
let sessionToken = null; // this socket's token, for coming back to its call on a new one
let resumeWith = stored(); // set while a dropped socket's call waits for us
let comeBack = null; // { until, delay, timer } while reconnecting

function stored() {
  try {
    return sessionStorage.getItem(RESUME_KEY); // survives a reload of this tab, nothing more
  } catch {
    return null;
  }
}

function store(token) {
  try {
    if (token) sessionStorage.setItem(RESUME_KEY, token);
    else sessionStorage.removeItem(RESUME_KEY);
  } catch {
    // storage refused: a reload then starts afresh
  }
}

function chooseLanguage() {
  const asked = new URLSearchParams(window.location.search).get("lang");
  if (asked && catalogue[asked]) return asked;
  return (navigator.languages || [navigator.language]).some((l) => l && l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

function t(key, values = {}) {
  const text = catalogue[language][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function show(next) {
  state = next;
  document.body.dataset.state = next;
  render();
}

// --- drawing ---------------------------------------------------------------------------------------------

function render() {
  document.documentElement.lang = language;
  document.title = t("title");
  $("lang-switch").textContent = t("lang.switch");
  $("lang-switch").lang = t("lang.code");
  for (const element of document.querySelectorAll("[data-t]")) element.textContent = t(element.dataset.t);
  $("where").textContent = tookOver ? t("where.kiosk") : POINT_ID.test(pointId) ? t("where", { point: pointId }) : "";
  $("start-note").textContent = startNote ? t(startNote) : "";
  renderQueue();
  $("waiting-note").textContent = comeBack ? t("waiting.reconnecting") : "";
  renderCall();
  renderRating();
  $("over-title").textContent = t(overKey.title);
  $("over-text").textContent = overKey.text ? t(overKey.text) : "";
  renderPushes();
}

function renderQueue() {
  const { position, eta, finding } = queue;
  $("position").textContent = finding || position === null ? t("waiting.finding") : position === 1 ? t("waiting.next") : t("waiting.position", { n: position });
  if (eta === null || eta === undefined) $("eta").textContent = position === null ? "" : t("waiting.eta_unknown");
  else $("eta").textContent = eta < 60 ? t("waiting.eta_short") : t("waiting.eta", { min: Math.round(eta / 60) });
}

function renderCall() {
  $("agent").textContent = agentName;
  const lines = [t(connected ? "call.connected" : "call.connecting", { name: agentName })];
  if (media && !media.local) lines.push(t("call.no_camera"));
  $("call-status").textContent = lines.join(" ");
  $("mute").textContent = t(muted ? "call.unmute" : "call.mute");
  $("mute").setAttribute("aria-pressed", String(muted));
}

function renderRating() {
  const stars = $("stars");
  if (!stars.children.length) {
    for (let n = 1; n <= 5; n += 1) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "star";
      button.dataset.stars = String(n);
      button.setAttribute("role", "radio");
      button.textContent = "★";
      button.addEventListener("click", () => {
        rating.stars = n;
        renderRating();
      });
      stars.append(button);
    }
  }
  for (const button of stars.children) {
    const n = Number(button.dataset.stars);
    button.setAttribute("aria-label", t("rating.star", { n }));
    button.setAttribute("aria-checked", String(n === rating.stars));
    button.classList.toggle("on", n <= rating.stars);
  }
  for (const button of document.querySelectorAll("[data-answered]")) {
    button.setAttribute("aria-pressed", String((button.dataset.answered === "yes") === rating.answered && rating.answered !== null));
  }
  $("rate").disabled = rating.stars === 0;
}

// --- what the agent sends --------------------------------------------------------------------------------

function httpUrl(text) {
  if (typeof text !== "string" || !text || text.length > 2000) return null;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

function validPush(data) {
  if (!data || typeof data !== "object" || Array.isArray(data) || data.type !== "push") return null;
  if (!["text", "qr", "flight", "map", "print"].includes(data.kind)) return null;
  const text = typeof data.text === "string" ? data.text.slice(0, 4000) : "";
  const fields = data.data && typeof data.data === "object" && !Array.isArray(data.data) ? data.data : {};
  return { kind: data.kind, text, url: httpUrl(data.url), data: fields };
}

function link(url, label) {
  const a = document.createElement("a");
  a.href = url.href;
  a.rel = "noopener noreferrer nofollow";
  a.target = "_blank";
  a.className = "push-link";
  const title = document.createElement("span");
  title.textContent = label;
  const host = document.createElement("small");
  host.textContent = url.host; // so the passenger sees where it goes before tapping
  a.append(title, host);
  return a;
}

function renderPushes() {
  const list = $("pushes");
  list.replaceChildren();
  for (const push of pushes) {
    const item = document.createElement("li");
    item.className = `push push-${push.kind}`;
    if (push.kind === "flight") {
      const heading = document.createElement("strong");
      heading.textContent = t("push.flight", { number: String(push.data.number || "").slice(0, 20) });
      const facts = document.createElement("dl");
      for (const name of ["airport", "time", "gate", "status"]) {
        const value = push.data[name];
        if (typeof value !== "string" || !value) continue;
        const dt = document.createElement("dt");
        dt.textContent = t(`push.${name}`);
        const dd = document.createElement("dd");
        dd.textContent = value.slice(0, 200);
        facts.append(dt, dd);
      }
      item.append(heading, facts);
    } else {
      if (push.text) {
        const body = document.createElement("p");
        body.textContent = push.text;
        item.append(body);
      }
      if (push.url) item.append(link(push.url, t(push.kind === "map" ? "push.map" : "push.open")));
    }
    list.prepend(item);
  }
}

// --- the socket ------------------------------------------------------------------------------------------

function openSocket() {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const query = POINT_ID.test(pointId) ? `?point=${encodeURIComponent(pointId)}` : "";
  const ws = new WebSocket(`${scheme}://${window.location.host}/ws/phone${query}`);
  socket = ws;
  document.body.dataset.socket = "connecting";
  ws.addEventListener("open", () => {
    document.body.dataset.socket = "open";
    if (resumeWith) send({ type: "resume", token: resumeWith });
    else if (mode === "handover" && !tookOver && TOKEN.test(token)) send({ type: "take_over", token });
  });
  ws.addEventListener("message", (event) => {
    if (ws !== socket || typeof event.data !== "string") return;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data && typeof data === "object" && typeof data.type === "string") onMessage(data);
  });
  ws.addEventListener("close", (event) => {
    if (ws !== socket) return;
    socket = null;
    document.body.dataset.socket = "closed";
    if (state === "start" || state === "over") return;
    if (state === "waiting" && COME_BACK_CODES.includes(event.code) && stored()) {
      comeBackLater();
      return;
    }
    endCall(event.code === CLOSE_IDLE ? "ended.idle" : event.code === 1013 ? "ended.busy" : "ended.lost", false);
  });
}

// The socket dropped while waiting (a locked phone, a change of network): open a new one and carry on
// with the same call, at growing intervals, while central still keeps it.
function comeBackLater() {
  resumeWith = stored();
  if (!comeBack) comeBack = { until: Date.now() + COME_BACK_FOR_MS, delay: 1000, timer: null };
  render();
  if (Date.now() > comeBack.until) {
    comeBack = null;
    store(null);
    endCall("ended.lost", false);
    return;
  }
  clearTimeout(comeBack.timer);
  comeBack.timer = setTimeout(openSocket, comeBack.delay);
  comeBack.delay = Math.min(comeBack.delay * 2, 8000);
}

function cameBack() {
  if (comeBack) clearTimeout(comeBack.timer);
  comeBack = null;
  resumeWith = null;
  render();
}

document.addEventListener("visibilitychange", () => {
  // back from the lock screen or another app: try again now rather than at the next interval
  if (document.visibilityState === "visible" && comeBack && !socket) {
    clearTimeout(comeBack.timer);
    openSocket();
  }
});

function send(message) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return false;
  socket.send(JSON.stringify(message));
  return true;
}

function onMessage(data) {
  if (data.type === "session") {
    sessionToken = typeof data.resume === "string" ? data.resume : null;
  } else if (data.type === "resumed") {
    store(sessionToken); // the new socket owns the call now
    cameBack();
  } else if (data.type === "queued" && (state === "waiting" || state === "start")) {
    if (!resumeWith) store(sessionToken);
    queue = { position: Number(data.position) || null, eta: typeof data.eta_s === "number" ? data.eta_s : null, finding: false };
    if (state !== "waiting") show("waiting");
    else renderQueue();
  } else if (data.type === "taken_over") {
    tookOver = true;
    store(sessionToken);
    if (state !== "waiting") queue = { position: null, eta: null, finding: true };
    show("waiting");
  } else if (data.type === "connect") {
    agentName = String((data.agent && (data.agent.name || data.agent.id)) || "").slice(0, 200);
    show("call");
    startMedia(Array.isArray(data.ice_servers) ? data.ice_servers : []);
  } else if (data.type === "answer" && media && media.pc) {
    media.pc.setRemoteDescription({ type: "answer", sdp: String(data.sdp) }).catch(() => hangUp("failed"));
  } else if (data.type === "ended") {
    store(null);
    const answered = state === "call";
    const reason = String(data.reason || "");
    if (reason === "caller" && !answered) endCall("over.cancelled", false);
    else endCall(catalogue.en[`ended.${reason}`] ? `ended.${reason}` : "ended.failed", answered && connected && (reason === "agent" || reason === "caller"));
  } else if (data.type === "error") {
    if (data.request === "resume") {
      cameBack();
      endCall("ended.lost", false);
    } else if (data.request === "take_over") {
      startNote = "start.expired";
      show("start");
    } else if (data.request === "call" && state === "waiting") {
      endCall("error", false); // an unsupported language was already told with its own "ended"
    }
  } else if (data.type === "rated") {
    overKey = { title: "over.thanks", text: "over.thanks_text" };
    show("over");
  }
}

// --- media -----------------------------------------------------------------------------------------------

async function getMedia() {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: true });
  } catch {
    return null; // the call goes on: the passenger sees and hears the agent
  }
}

async function startMedia(iceServers) {
  media = { local: null, pc: null, channel: null, timer: null };
  const current = media;
  const local = await getMedia();
  if (media !== current) {
    if (local) for (const track of local.getTracks()) track.stop();
    return;
  }
  current.local = local;
  if (local) $("self").srcObject = local;
  const pc = new RTCPeerConnection({ iceServers });
  current.pc = pc;
  if (local) for (const track of local.getTracks()) pc.addTrack(track, local);
  else {
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
  }
  pc.addEventListener("track", (event) => {
    const stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
    if (event.track.kind === "video" || !$("remote").srcObject) $("remote").srcObject = stream;
  });
  pc.addEventListener("connectionstatechange", () => {
    if (pc.connectionState === "connected") {
      connected = true;
      renderCall();
    } else if (pc.connectionState === "failed") hangUp("failed");
  });
  const channel = pc.createDataChannel("help");
  current.channel = channel;
  channel.addEventListener("open", () => {
    // the location is central's to say (the info point, or the kiosk a call came from): left empty here
    channel.send(JSON.stringify({ screen: "phone", location: "", language, flight: null }));
  });
  channel.addEventListener("message", (event) => {
    if (typeof event.data !== "string" || event.data.length > 16384) return;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    const push = validPush(data);
    if (!push) return;
    pushes = [...pushes, push].slice(-MAX_PUSHES);
    renderPushes();
    const newest = $("pushes").firstElementChild; // newest first: bring it into view below the video
    if (newest) newest.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
  await pc.setLocalDescription(await pc.createOffer());
  await gatheringComplete(pc);
  if (media !== current) return;
  send({ type: "offer", sdp: pc.localDescription.sdp });
  current.timer = setInterval(() => readStats(current), STATS_EVERY_MS);
  renderCall();
}

async function readStats(current) {
  if (!current.pc) return;
  try {
    document.body.dataset.frames = String(await videoFramesDecoded(current.pc));
  } catch {
    // closed between the check and the call
  }
}

function stopMedia() {
  if (!media) return;
  clearInterval(media.timer);
  if (media.channel) media.channel.close();
  if (media.pc) media.pc.close();
  if (media.local) for (const track of media.local.getTracks()) track.stop();
  media = null;
  $("remote").srcObject = null;
  $("self").srcObject = null;
}

// --- the passenger's taps --------------------------------------------------------------------------------

function startCall(choice) {
  pushes = [];
  connected = false;
  rating = { stars: 0, answered: null };
  const message = choice === "sign" ? { type: "call", language, sign: true } : { type: "call", language: choice };
  queue = { position: null, eta: null, finding: true };
  show("waiting");
  if (!send(message)) {
    openSocket();
    socket.addEventListener("open", () => send(message), { once: true });
  }
}

function hangUp(reason = "caller") {
  send({ type: "hangup", reason });
}

function endCall(textKey, rate) {
  store(null);
  stopMedia();
  if (rate) {
    show("rating");
    return;
  }
  overKey = { title: "over.ended", text: textKey };
  show("over");
}

for (const button of document.querySelectorAll("[data-call]")) {
  button.addEventListener("click", () => startCall(button.dataset.call));
}
$("cancel").addEventListener("click", () => {
  if (!send({ type: "cancel" })) endCall("over.cancelled", false);
});
$("hangup").addEventListener("click", () => hangUp("caller"));
$("mute").addEventListener("click", () => {
  muted = !muted;
  if (media && media.local) for (const track of media.local.getAudioTracks()) track.enabled = !muted;
  renderCall();
});
for (const button of document.querySelectorAll("[data-answered]")) {
  button.addEventListener("click", () => {
    rating.answered = button.dataset.answered === "yes";
    renderRating();
  });
}
$("rate").addEventListener("click", () => {
  if (rating.stars < 1) return;
  const body = { type: "rating", stars: rating.stars };
  if (rating.answered !== null) body.answered = rating.answered;
  if (!send(body)) {
    overKey = { title: "over.thanks", text: "over.thanks_text" };
    show("over");
  }
});
$("skip").addEventListener("click", () => {
  overKey = { title: "over.thanks", text: "over.thanks_text" };
  show("over");
});
$("again").addEventListener("click", () => {
  startNote = "";
  show("start");
});
$("lang-switch").addEventListener("click", () => {
  language = t("lang.code");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", language);
  window.history.replaceState(null, "", url);
  render();
});

if (resumeWith) {
  queue = { position: null, eta: null, finding: true }; // reloaded while waiting: back to the same call
  show("waiting");
} else if (mode === "handover") {
  if (TOKEN.test(token)) {
    queue = { position: null, eta: null, finding: true };
    show("waiting");
  } else {
    startNote = "start.expired";
    show("start");
  }
} else {
  show("start");
}
openSocket();
