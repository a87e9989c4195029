// Strings of the central pages, in English and Simplified Chinese, with the number and time formats
// that go with them. Add a language by adding a catalogue with the same keys.

const en = {
  title: "Facilities",
  subtitle: "Device fleet",
  "live.connecting": "Connecting…",
  "live.live": "Live",
  "live.reconnecting": "Connection lost, reconnecting…",
  "bus.online": "Broker connected",
  "bus.connecting": "Broker: connecting…",
  "bus.offline": "Broker unreachable: figures may be old",
  "bus.refused": "Broker refused central: figures may be old",
  "count.online": "Online",
  "count.offline": "Offline",
  "count.silent": "Silent",
  "count.total": "Total",
  "col.device": "Device",
  "col.kind": "Kind",
  "col.location": "Location",
  "col.status": "Status",
  "col.last_seen": "Last seen",
  "col.cpu": "CPU",
  "col.memory": "Memory",
  "col.rss": "App RSS",
  "col.uptime": "Uptime",
  "col.temperature": "Temp.",
  "col.rtt": "Broker RTT",
  "kind.kiosk": "Kiosk",
  "kind.signage": "Signage",
  "state.online": "Online",
  "state.silent": "Silent",
  "state.offline": "Offline",
  "state.unknown": "Unknown",
  "reason.lost": "lost",
  "reason.shutdown": "shutdown",
  "silent.hint": "no health",
  empty: "No device has reported yet.",
  "lang.switch": "中文",
  "lang.switch.code": "zh-CN",
  none: "—",
  ago: (s) => (s < 5 ? "just now" : s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago`
    : s < 86400 ? `${Math.floor(s / 3600)} h ago` : `${Math.floor(s / 86400)} d ago`),
  duration: (s) => (s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min`
    : s < 86400 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
      : `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`),
};

const zhCN = {
  title: "设施运维",
  subtitle: "设备总览",
  "live.connecting": "正在连接…",
  "live.live": "实时",
  "live.reconnecting": "连接中断，正在重连…",
  "bus.online": "消息服务器已连接",
  "bus.connecting": "消息服务器：正在连接…",
  "bus.offline": "无法连接消息服务器：数据可能已过时",
  "bus.refused": "消息服务器拒绝连接：数据可能已过时",
  "count.online": "在线",
  "count.offline": "离线",
  "count.silent": "无响应",
  "count.total": "总数",
  "col.device": "设备",
  "col.kind": "类型",
  "col.location": "位置",
  "col.status": "状态",
  "col.last_seen": "最后通信",
  "col.cpu": "CPU",
  "col.memory": "内存",
  "col.rss": "应用内存",
  "col.uptime": "运行时长",
  "col.temperature": "温度",
  "col.rtt": "消息延迟",
  "kind.kiosk": "自助终端",
  "kind.signage": "信息屏",
  "state.online": "在线",
  "state.silent": "无响应",
  "state.offline": "离线",
  "state.unknown": "未知",
  "reason.lost": "连接丢失",
  "reason.shutdown": "正常关机",
  "silent.hint": "无健康数据",
  empty: "尚无设备上报。",
  "lang.switch": "English",
  "lang.switch.code": "en",
  none: "—",
  ago: (s) => (s < 5 ? "刚刚" : s < 60 ? `${s} 秒前` : s < 3600 ? `${Math.floor(s / 60)} 分钟前`
    : s < 86400 ? `${Math.floor(s / 3600)} 小时前` : `${Math.floor(s / 86400)} 天前`),
  duration: (s) => (s < 60 ? `${s} 秒` : s < 3600 ? `${Math.floor(s / 60)} 分钟`
    : s < 86400 ? `${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`
      : `${Math.floor(s / 86400)} 天 ${Math.floor((s % 86400) / 3600)} 小时`),
};

export const CATALOGUES = { en, "zh-CN": zhCN };
export const DEFAULT_LANGUAGE = "en";

// "zh", "zh-Hans", "zh-CN" all mean the Chinese catalogue; "en-GB" the English one.
export function matchLanguage(tag) {
  if (typeof tag !== "string" || tag === "") return null;
  if (Object.hasOwn(CATALOGUES, tag)) return tag;
  const base = tag.toLowerCase().split("-")[0];
  if (base === "zh") return "zh-CN";
  if (base === "en") return "en";
  return null;
}

// The ?lang= parameter first, then the browser's preferences, then English.
export function chooseLanguage(search, preferred) {
  const asked = matchLanguage(new URLSearchParams(search).get("lang"));
  if (asked) return asked;
  for (const tag of preferred || []) {
    const found = matchLanguage(tag);
    if (found) return found;
  }
  return DEFAULT_LANGUAGE;
}

export function translator(language) {
  const catalogue = CATALOGUES[language] || CATALOGUES[DEFAULT_LANGUAGE];
  const fallback = CATALOGUES[DEFAULT_LANGUAGE];
  return (key) => (Object.hasOwn(catalogue, key) ? catalogue[key] : Object.hasOwn(fallback, key) ? fallback[key] : key);
}
