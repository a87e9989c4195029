// Strings of the knowledge base (the supervisors' page /kb and the console's panel), in English and
// Simplified Chinese, kept apart from i18n.js so that they grow without touching the other pages'
// catalogue. Keys must match between the two catalogues (a test checks).

import { translator } from "./i18n.js";

const en = {
  "kb.title": "Knowledge base",
  "kb.subtitle": "Answers agents send to the passenger's screen",
  "kb.search": "Search",
  "kb.search.hint": "Words, 中文 or pinyin (beijing, bj)",
  "kb.new": "New article",
  "kb.count": "{n} article(s)",
  "kb.none": "No article matches.",
  "kb.empty": "No article yet: write the first one.",
  "kb.pushes": "sent {n}×",
  "kb.edit.new": "New article",
  "kb.edit.change": "Article {id}",
  "kb.field.title_zh": "Title (中文)",
  "kb.field.title_en": "Title (English)",
  "kb.field.body_zh": "Text (中文)",
  "kb.field.body_en": "Text (English)",
  "kb.field.tags": "Tags, separated by commas",
  "kb.field.url": "Web address (http or https), sent as a QR code",
  "kb.field.map_text": "Where it is (map text)",
  "kb.field.flight": "Flight number",
  "kb.save": "Save",
  "kb.saved": "Saved.",
  "kb.delete": "Delete",
  "kb.delete.confirm": "Really delete?",
  "kb.deleted": "Deleted.",
  "kb.error.invalid": "{field}: {message}",
  "kb.error.too_large": "The article is too large.",
  "kb.error.unknown_article": "This article no longer exists.",
  "kb.error.failed": "Could not save: try again.",
  "kb.panel.title": "Knowledge base",
  "kb.panel.search": "Search answers",
  "kb.panel.none": "Nothing found.",
  "kb.panel.note": "Send as note",
  "kb.panel.qr": "Send as QR",
  "kb.panel.flight": "Send flight",
  "kb.panel.sent": "Sent: {title}",
  "kb.panel.failed": "Search failed.",
};

const zhCN = {
  "kb.title": "知识库",
  "kb.subtitle": "坐席发送到旅客屏幕的答案",
  "kb.search": "搜索",
  "kb.search.hint": "词语、中文或拼音（beijing、bj）",
  "kb.new": "新建文章",
  "kb.count": "共 {n} 篇",
  "kb.none": "没有匹配的文章。",
  "kb.empty": "还没有文章：写第一篇吧。",
  "kb.pushes": "已发送 {n} 次",
  "kb.edit.new": "新建文章",
  "kb.edit.change": "文章 {id}",
  "kb.field.title_zh": "标题（中文）",
  "kb.field.title_en": "标题（英文）",
  "kb.field.body_zh": "正文（中文）",
  "kb.field.body_en": "正文（英文）",
  "kb.field.tags": "标签，用逗号分隔",
  "kb.field.url": "网址（http 或 https），以二维码发送",
  "kb.field.map_text": "位置（地图说明）",
  "kb.field.flight": "航班号",
  "kb.save": "保存",
  "kb.saved": "已保存。",
  "kb.delete": "删除",
  "kb.delete.confirm": "确定删除？",
  "kb.deleted": "已删除。",
  "kb.error.invalid": "{field}：{message}",
  "kb.error.too_large": "文章太大。",
  "kb.error.unknown_article": "这篇文章已不存在。",
  "kb.error.failed": "保存失败，请重试。",
  "kb.panel.title": "知识库",
  "kb.panel.search": "搜索答案",
  "kb.panel.none": "没有找到。",
  "kb.panel.note": "作为消息发送",
  "kb.panel.qr": "作为二维码发送",
  "kb.panel.flight": "发送航班",
  "kb.panel.sent": "已发送：{title}",
  "kb.panel.failed": "搜索失败。",
};

export const KB_CATALOGUES = { en, "zh-CN": zhCN };

// The knowledge base's strings first, then the shared catalogue's; "{name}" is replaced from params.
export function kbTranslator(language) {
  const own = KB_CATALOGUES[language] || en;
  const shared = translator(language);
  return (key, params = {}) => {
    const text = Object.hasOwn(own, key) ? own[key] : Object.hasOwn(en, key) ? en[key] : shared(key);
    if (typeof text !== "string") return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  };
}

// An article's text in the language asked for, else in the other one.
export function inLanguage(article, field, language) {
  const zh = String(article[`${field}_zh`] || "");
  const en = String(article[`${field}_en`] || "");
  return language.startsWith("zh") ? zh || en : en || zh;
}
