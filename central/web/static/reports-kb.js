// Knowledge-base pushes on the reports page: each article agents pushed to kiosks over the same local days
// as the calls above, the most pushed first, from /api/reports/kb; the same range downloads as CSV.
// Titles and agent ids come from people's typing: set with textContent only.
//
// For tests and tools:
//   #kb-report[data-state]          idle | loading | shown | empty | failed
//   #kb-rows tr[data-article]       one per article; cells [data-field] with data-value
//   #kb-total tr                    the total row

import { followPeriod } from "/static/reports-period.js";

const catalogue = /* catalogue */ {
  "en": {
    "title": "Knowledge base: articles pushed", "csv": "Download pushes CSV", "article": "Article",
    "pushes": "Pushes", "share": "Share of pushes", "top_agent": "Pushed most by", "total": "All articles",
    "deleted": "(deleted article {id})", "top": "{agent} ({n})", "empty": "No article was pushed on these days.",
    "loading": "Loading…", "failed": "The pushes could not be read."
  },
  "zh-CN": {
    "title": "知识库：推送的文章", "csv": "下载推送 CSV", "article": "文章",
    "pushes": "推送次数", "share": "占全部推送", "top_agent": "推送最多的坐席", "total": "全部文章",
    "deleted": "（已删除的文章 {id}）", "top": "{agent}（{n}）", "empty": "所选日期内没有推送文章。",
    "loading": "正在读取…", "failed": "无法读取推送记录。"
  }
} /* end catalogue */;

const $ = (id) => document.getElementById(id);

const language = () => (document.documentElement.lang === "zh-CN" ? "zh-CN" : "en");
function t(key, values = {}) {
  const text = catalogue[language()][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

function titleOf(row) {
  const title = language() === "zh-CN" ? row.title_zh || row.title_en : row.title_en || row.title_zh;
  return title || t("deleted", { id: row.article_id });
}

function cell(field, value, text) {
  const td = document.createElement("td");
  td.dataset.field = field;
  td.dataset.value = String(value ?? "");
  td.textContent = text;
  return td;
}

function rowOf(row) {
  const tr = document.createElement("tr");
  tr.dataset.article = String(row.article_id);
  const head = document.createElement("th");
  head.scope = "row";
  head.textContent = titleOf(row);
  const pushes = cell("pushes", row.pushes, row.pushes.toLocaleString(language()));
  const share = cell("share", row.share, `${Math.round(row.share * 100)} %`);
  pushes.className = share.className = "num";
  tr.append(head, pushes, share, cell("top_agent", row.top_agent, t("top", { agent: row.top_agent, n: row.top_agent_pushes })));
  return tr;
}

function totalRow(total) {
  const tr = document.createElement("tr");
  const head = document.createElement("th");
  head.scope = "row";
  head.textContent = t("total");
  const pushes = cell("pushes", total.pushes, total.pushes.toLocaleString(language()));
  const share = cell("share", 1, "100 %");
  pushes.className = share.className = "num";
  tr.append(head, pushes, share, cell("top_agent", "", ""));
  return tr;
}

function render(report, state) {
  $("kb-title").textContent = t("title");
  $("kb-csv").textContent = t("csv");
  for (const th of document.querySelectorAll("#kb-report [data-kb-t]")) th.textContent = t(th.dataset.kbT);
  $("kb-report").dataset.state = state;
  $("kb-state").textContent = ["loading", "empty", "failed"].includes(state) ? t(state) : "";
  $("kb-rows").replaceChildren(...(report ? report.rows.map(rowOf) : []));
  $("kb-total").replaceChildren(...(report && report.rows.length ? [totalRow(report.total)] : []));
}

followPeriod("kb", "kb-csv", render);
