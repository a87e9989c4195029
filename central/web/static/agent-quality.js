// The call's picture quality in the agent console: what the kiosk sends, and why it sends less than its
// best ("kiosk CPU", "network"), from the kiosk's `quality` messages on the help data channel; and the
// kiosk's `picture` requests applied to the console's own camera (RTCRtpSender.setParameters), so that a
// kiosk that cannot decode the agent's picture gets a smaller one. Strings are kept here, in English and
// Simplified Chinese, with the same keys (a test checks).

import { translator } from "./i18n.js";

const en = {
  "quality.best": "Picture: {size}, {fps} fps",
  "quality.limited": "Picture: {size}, {fps} fps, lowered: {why}",
  "quality.asked": "Your picture is smaller at the kiosk's request: {why}",
  "quality.why.cpu": "kiosk CPU",
  "quality.why.network": "network",
};

const zhCN = {
  "quality.best": "画面：{size}，每秒 {fps} 帧",
  "quality.limited": "画面：{size}，每秒 {fps} 帧，已降低：{why}",
  "quality.asked": "应自助机请求，您的画面已缩小：{why}",
  "quality.why.cpu": "自助机 CPU",
  "quality.why.network": "网络",
};

export const QUALITY_CATALOGUES = { en, "zh-CN": zhCN };

const WHY_KEYS = { "kiosk CPU": "quality.why.cpu", network: "quality.why.network" };

function qualityTranslator(language) {
  const own = QUALITY_CATALOGUES[language] || en;
  const shared = translator(language);
  return (key, params = {}) => {
    const text = Object.hasOwn(own, key) ? own[key] : Object.hasOwn(en, key) ? en[key] : shared(key);
    return String(text).replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  };
}

function whyText(t, limit) {
  return Object.hasOwn(WHY_KEYS, limit) ? t(WHY_KEYS[limit]) : "";
}

function positive(value, most) {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.min(value, most) : null;
}

// The one line under the remote video: created beside #media-state the first time a kiosk reports.
function qualityLine() {
  let line = document.getElementById("call-quality");
  if (line) return line;
  const anchor = document.getElementById("media-state");
  if (!anchor) return null;
  line = document.createElement("p");
  line.id = "call-quality";
  line.className = "call-quality";
  line.setAttribute("aria-live", "polite");
  // in the remote video's top-left corner, clear of the centred media state and the controls below
  Object.assign(line.style, {
    position: "absolute",
    left: "0.75rem",
    top: "0.75rem",
    maxWidth: "62%", // the agent's self-view takes the top-right corner
    whiteSpace: "pre-line",
    margin: "0",
    padding: "0.3rem 0.7rem",
    borderRadius: "0.4rem",
    background: "rgba(11, 18, 32, 0.75)",
    color: "#fff",
    fontSize: "0.95rem",
    lineHeight: "1.4",
  });
  anchor.after(line);
  return line;
}

let shown = null; // the last message shown, drawn again when the console's language changes
new MutationObserver(() => {
  if (shown) showQuality(shown);
}).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

// Show a kiosk's `quality` message; the language is the console's (<html lang>).
export function showQuality(message) {
  shown = message;
  const line = qualityLine();
  if (!line) return;
  const width = positive(message.width, 10000);
  const height = positive(message.height, 10000);
  const fps = positive(message.fps, 240);
  if (width === null || height === null || fps === null) return;
  const t = qualityTranslator(document.documentElement.lang || "en");
  const why = whyText(t, message.limit);
  const asked = whyText(t, message.asked_limit);
  const params = { size: `${Math.round(width)}×${Math.round(height)}`, fps: Math.round(fps), why };
  const lines = [t(why ? "quality.limited" : "quality.best", params)];
  if (asked) lines.push(t("quality.asked", { why: asked }));
  line.textContent = lines.join("\n");
  line.dataset.limit = why ? String(message.limit) : "";
  line.dataset.asked = asked ? String(message.asked_limit) : "";
  line.hidden = false;
}

export function clearQuality() {
  shown = null;
  const line = document.getElementById("call-quality");
  if (line) {
    line.textContent = "";
    line.dataset.limit = "";
    line.dataset.asked = "";
    line.hidden = true;
  }
}

// A kiosk's `picture` request applied to the video sender: at most max_width x max_height (scaled down
// from what the camera gives, keeping its shape), max_fps and max_kbps; null lifts a limit.
export async function applyPictureRequest(pc, message) {
  if (!pc) return false;
  const sender = pc.getSenders().find((s) => s.track && s.track.kind === "video");
  if (!sender) return false;
  const settings = sender.track.getSettings ? sender.track.getSettings() : {};
  const maxWidth = positive(message.max_width, 10000);
  const maxHeight = positive(message.max_height, 10000);
  let scale = 1;
  if (maxWidth && settings.width) scale = Math.max(scale, settings.width / maxWidth);
  if (maxHeight && settings.height) scale = Math.max(scale, settings.height / maxHeight);
  const parameters = sender.getParameters();
  if (!parameters.encodings || parameters.encodings.length === 0) parameters.encodings = [{}];
  for (const encoding of parameters.encodings) {
    encoding.scaleResolutionDownBy = scale;
    const fps = positive(message.max_fps, 240);
    const kbps = positive(message.max_kbps, 100000);
    if (fps) encoding.maxFramerate = fps;
    else delete encoding.maxFramerate;
    if (kbps) encoding.maxBitrate = Math.round(kbps * 1000);
    else delete encoding.maxBitrate;
  }
  try {
    await sender.setParameters(parameters);
    // on the agent's own picture, for whoever checks what is sent (a test, a curious developer)
    const self = document.getElementById("self-video");
    if (self) {
      self.dataset.scaleDownBy = String(scale);
      self.dataset.maxFps = parameters.encodings[0].maxFramerate ? String(parameters.encodings[0].maxFramerate) : "";
    }
    return true;
  } catch {
    return false; // a browser refusing a value keeps sending as before: the kiosk asks again on its next change
  }
}
