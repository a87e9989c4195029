// The reports page's extra tables (follow-up cases, knowledge-base pushes): each loads its report for the
// days in the page's form from /api/reports/{name}, points its CSV link there, and redraws when the form is
// sent or the page's language changes. draw(report, state): state is loading | shown | empty | failed, and
// report the last one loaded (null before the first, or after a failure).

const $ = (id) => document.getElementById(id);

export function followPeriod(name, csvLinkId, draw) {
  let report = null;
  let state = "idle";
  async function load() {
    const params = new URLSearchParams({ from: $("from").value, to: $("to").value });
    $(csvLinkId).href = `/api/reports/${name}.csv?${params}`;
    state = "loading";
    draw(report, state);
    try {
      const response = await fetch(`/api/reports/${name}?${params}`, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      report = await response.json();
      state = report.rows.length ? "shown" : "empty";
    } catch {
      report = null;
      state = "failed";
    }
    draw(report, state);
  }
  $("ask").addEventListener("submit", () => load());
  // after reports.js's own handler (registered first), so the page's language is the new one
  $("lang-switch").addEventListener("click", () => draw(report, state));
  load();
}
