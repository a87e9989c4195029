// The sign-in page of the facilities page and the wallboard: /signin?next=/wallboard. After a good
// password the browser goes back to `next` (a path on this site only); ?forbidden=1 says the account
// signed in before may not see that page.

import { $, applyCatalogue, onLanguageSwitch, pageLanguage, wireSignIn } from "./common.js";

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

const ERROR_TEXTS = {
  sign_in_failed: "signin.failed",
  too_many_attempts: "agent.signin.throttled",
  error: "agent.signin.error",
};

wireSignIn("account-id", () => location.assign(nextPath()), (code) => showError(ERROR_TEXTS[code]));

$("signin-forbidden").hidden = params.get("forbidden") !== "1";
onLanguageSwitch(page, applyLanguage);
applyLanguage();
