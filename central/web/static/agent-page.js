// What the agent console knows right now, shared by its modules: the signed-in agent, the socket's and
// the switchboard's state, the ring, the call, the wrap-up, and the texts of the page's language.

import { nameOf, pageLanguage } from "./common.js";

export const page = {
  ...pageLanguage(),
  card: null, // {agent, name, skills, ice_servers} from /api/agent/session or the login
  socketState: "closed", // closed | connecting | open
  state: "signed_out",
  categories: [],
  maxNoteChars: 0, // from the switchboard's signed_in event: the limit is defined once, on the server
  maps: [],
  ring: null, // the ring event, with receivedAt (ms)
  call: null, // {id, details, connectedAt, media, pushes}
  wrap: null, // {id, untilMs, saved, reason}
  muted: false,
  notice: null, // {key, arg}
  sendPush: null, // (message) => bool: sends a push in the call (set by agent.js; the knowledge-base panel uses it)
};

export function languageName(tag) {
  if (typeof tag !== "string" || !tag) return page.t("none");
  try {
    const name = new Intl.DisplayNames([page.language], { type: "language" }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

export function skillName(skill) {
  return nameOf(page.t, "skill", skill, String(skill || ""));
}

export function categoryName(category) {
  return nameOf(page.t, "category", category, category);
}

export function seconds(value) {
  return Number.isFinite(value) ? page.t("duration")(Math.max(0, Math.round(value))) : page.t("none");
}
