// Follow-up cases on the reports page: the cases opened over the same local days as the calls above, per
// category and department, from /api/reports/cases; the same range downloads as CSV. Category and
// department ids come from the server: set with textContent only.
//
// For tests and tools:
//   #cases-report[data-state]        idle | loading | shown | empty | failed
//   #case-rows tr[data-category][data-department]   one per row; cells [data-field] with data-value
//   #case-total tr                   the total row

import { followPeriod } from "/static/reports-period.js";

const catalogue = /* catalogue */ {
  "en": {
    "title": "Follow-up cases", "csv": "Download cases CSV", "category": "Category", "department": "Department",
    "opened": "Opened", "finished": "Closed", "on_time_rate": "Closed on time", "overdue_open": "Open past time",
    "mean_close_s": "Avg. time to close", "mean_rating": "Outcome rating", "resolved_yes": "Passenger says resolved",
    "total": "All cases", "empty": "No case was opened on these days.", "loading": "Loading…",
    "failed": "The cases could not be read.", "hours": "{h} h", "minutes": "{m} min", "rating": "{stars} ★ ({n})"
  },
  "zh-CN": {
    "title": "跟进服务单", "csv": "下载服务单 CSV", "category": "类别", "department": "部门",
    "opened": "新建", "finished": "已关闭", "on_time_rate": "按时关闭率", "overdue_open": "超时未关闭",
    "mean_close_s": "平均关闭用时", "mean_rating": "结果评分", "resolved_yes": "旅客认为已解决",
    "total": "全部服务单", "empty": "所选日期内没有新建服务单。", "loading": "正在读取…",
    "failed": "无法读取服务单。", "hours": "{h} 小时", "minutes": "{m} 分钟", "rating": "{stars} ★（{n}）"
  }
} /* end catalogue */;

const FIELDS = ["opened", "finished", "on_time_rate", "overdue_open", "mean_close_s", "mean_rating", "resolved_yes"];
const $ = (id) => document.getElementById(id);

const language = () => (document.documentElement.lang === "zh-CN" ? "zh-CN" : "en");
function t(key, values = {}) {
  const text = catalogue[language()][key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

function shown(field, row) {
  const v = row[field];
  if (!isNumber(v)) return "—";
  if (field === "on_time_rate") return `${Math.round(v * 100)} %`;
  if (field === "mean_close_s") return v >= 3600 ? t("hours", { h: (v / 3600).toFixed(1) }) : t("minutes", { m: Math.round(v / 60) });
  if (field === "mean_rating") return t("rating", { stars: v.toFixed(1), n: row.ratings });
  return v.toLocaleString(language());
}

function rowOf(row, head) {
  const tr = document.createElement("tr");
  const first = document.createElement("th");
  first.scope = "row";
  const second = document.createElement("td");
  if (head) {
    first.textContent = head;
  } else {
    tr.dataset.category = row.category;
    tr.dataset.department = row.department;
    const names = (report && report.categories && report.categories[row.category]) || null;
    first.textContent = names ? (language() === "zh-CN" ? names.zh : names.en) : row.category;
    second.textContent = row.department;
  }
  tr.append(first, second);
  for (const field of FIELDS) {
    const td = document.createElement("td");
    td.className = "num";
    td.dataset.field = field;
    td.dataset.value = isNumber(row[field]) ? String(row[field]) : "";
    td.textContent = shown(field, row);
    tr.append(td);
  }
  return tr;
}

let report = null; // the last report drawn: its category names label the rows

function render(loaded, state) {
  report = loaded;
  $("cases-title").textContent = t("title");
  $("cases-csv").textContent = t("csv");
  for (const th of document.querySelectorAll("#cases-report [data-case-t]")) th.textContent = t(th.dataset.caseT);
  $("cases-report").dataset.state = state;
  $("cases-state").textContent = ["loading", "empty", "failed"].includes(state) ? t(state) : "";
  $("case-rows").replaceChildren(...(report ? report.rows.map((row) => rowOf(row, null)) : []));
  $("case-total").replaceChildren(...(report && report.rows.length ? [rowOf(report.total, t("total"))] : []));
}

followPeriod("cases", "cases-csv", render);
