// Text for every page: zh-CN / English dictionaries that each module fills, the chosen language.
const LANG_KEY = "qd-lang";
const dicts = { zh: {}, en: {} };

/** Each module adds its own strings: addText({key: "中文"}, {key: "English"}). */
export function addText(zh, en) {
  Object.assign(dicts.zh, zh);
  Object.assign(dicts.en, en);
}

export function lang() {
  try { return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh"; } catch { return "zh"; }
}

export function setLang(value) {
  try { localStorage.setItem(LANG_KEY, value); } catch { /* private mode: this page only */ }
  document.documentElement.lang = value === "en" ? "en" : "zh-CN";
}

export function t(key, vars = {}) {
  const text = dicts[lang()][key] ?? dicts.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Server field messages may come as "中文 / English": keep the side of the chosen language. */
export function pickLang(text) {
  const parts = String(text).split(" / ");
  return parts.length === 2 ? parts[lang() === "en" ? 1 : 0] : String(text);
}
