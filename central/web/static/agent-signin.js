// Signing in and out of the agent console: the session a page already has, the sign-in form, sign-out,
// and the maps an agent may push (which come with the session).
//
//   #signin-error[data-error]   sign_in_failed | too_many_attempts | error

import { $, wireSignIn } from "./common.js";
import { page } from "./agent-page.js";

// The session's card, null when signed out, undefined when central cannot be reached.
export async function fetchSession() {
  try {
    const response = await fetch("/api/agent/session", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return null;
    if (!response.ok) return undefined;
    return await response.json();
  } catch {
    return undefined;
  }
}

// The maps the site lets agents push ({id, title, url}); none when central does not say.
export async function fetchMaps() {
  try {
    const response = await fetch("/api/agent/maps", { credentials: "same-origin", cache: "no-store" });
    const maps = response.ok ? await response.json() : [];
    return Array.isArray(maps) ? maps.filter((m) => m && typeof m.url === "string") : [];
  } catch {
    return [];
  }
}

function showError(code) {
  const error = $("signin-error");
  error.dataset.error = code;
  const key = { sign_in_failed: "agent.signin.failed", too_many_attempts: "agent.signin.throttled" }[code];
  error.textContent = page.t(key || "agent.signin.error");
  error.hidden = false;
}

// The sign-in form: signedIn(card) once central accepts the id and password.
export function wireSignInForm(signedIn) {
  wireSignIn("agent-id", signedIn, showError);
}

// Ends the session: "on_call" when central refuses (hang up first), else "signed_out" (also when central
// cannot be reached: the session then ends by itself, and the page forgets it).
export async function signOut() {
  try {
    const response = await fetch("/api/agent/logout", { method: "POST", credentials: "same-origin" });
    if (response.status === 409) return "on_call";
  } catch {
    // unreachable: see above
  }
  return "signed_out";
}
