// The sign-in page of the facilities page and the wallboard: /signin?next=/wallboard. After a good
// password the browser goes back to `next` (a path on this site only); ?forbidden=1 says the account
// signed in before may not see that page.

import { $, applyCatalogue, onLanguageSwitch, pageLanguage } from "./common.js";

const page = { ...pageLanguage() };
const params = new URLSearchParams(location.search);

// Only a path of this site: "/wallboard", never "//evil.example" or "https://…".
function nextPath() {
  const next = params.get("next") || "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.includes("\\") ? next : "/";
}

function applyLanguage() {
  applyCatalogue(page.language, page.t);
  document.title = page.t("signin.title");
}

function showError(key) {
  const error = $("signin-error");
  error.textContent = page.t(key);
  error.hidden = false;
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("signin-error").hidden = true;
  const submit = $("signin-submit");
  submit.disabled = true;
  try {
    const response = await fetch("/api/agent/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ agent_id: $("account-id").value.trim(), password: $("password").value }),
    });
    $("password").value = "";
    if (response.ok) {
      location.assign(nextPath());
      return;
    }
    showError(response.status === 401 ? "signin.failed" : response.status === 429 ? "agent.signin.throttled" : "agent.signin.error");
  } catch {
    showError("agent.signin.error");
  } finally {
    submit.disabled = false;
  }
});

$("signin-forbidden").hidden = params.get("forbidden") !== "1";
onLanguageSwitch(page, applyLanguage);
applyLanguage();
