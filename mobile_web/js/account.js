// Getting in and one's own account: /a/{code} (an activation slip, a branch's join QR, a reset code: confirm
// name and phone as on the roster, set a password), "forgot my password" and a typed code on the sign-in
// screen, and #account (who I am, password and phone changes, sign out everywhere).
import { api, forgetMe, rememberMe } from "../shared/api.js";
import { t } from "../shared/i18n.js";
import { $ } from "../shared/dom.js";
import { ctx, errorText, setFacts, show } from "./ui.js";

const PURPOSE_TITLE = { activation: "code_title_activation", join: "code_title_join", reset: "code_title_reset" };

function say(node, text, bad = false) {
  node.textContent = text;
  node.className = bad ? "error" : "notice-text";
  node.hidden = !text;
}

/** The code's screen: what it is for, then name, phone and a new password. */
export async function showCode(code) {
  show("view-code", () => showCode(code));
  const form = $("code-form");
  form.hidden = true;
  $("code-title").textContent = t("code_title_activation");
  $("code-branch").textContent = "";
  $("code-intro").textContent = t("loading");
  $("code-error").hidden = true;
  let info;
  try {
    info = await api(`/codes/${encodeURIComponent(code)}`);
  } catch (e) {
    $("code-intro").textContent = "";
    say($("code-error"), errorText(e), true);
    return;
  }
  $("code-title").textContent = t(PURPOSE_TITLE[info.purpose] || "code_title_activation");
  $("code-branch").textContent = info.branch_name || "";
  $("code-intro").textContent = t(info.purpose === "reset" ? "code_intro_reset" : "code_intro",
    { phone: info.masked_phone ? `（${info.masked_phone}）` : "", until: (info.expires_at || "").slice(0, 16).replace("T", " ") });
  form.hidden = false;
  form.onsubmit = (ev) => { ev.preventDefault(); redeem(code); };
}

async function redeem(code) {
  const name = $("code-name").value.trim();
  const phone = $("code-phone").value.replace(/\s+/g, "");
  const password = $("code-password").value;
  if (!name || !phone) { say($("code-error"), t("code_fill"), true); return; }
  if (password.length < 8) { say($("code-error"), t("pw_short"), true); return; }
  const button = $("code-submit");
  button.disabled = true;
  $("code-error").hidden = true;
  try {
    const me = await api(`/codes/${encodeURIComponent(code)}/redeem`, { method: "POST", body: { name, phone, password } });
    rememberMe(me);
    ctx.me = me;
    $("code-password").value = "";
    history.replaceState(null, "", "/");
    ctx.welcome = t("code_done", { name: me.name });
    ctx.route();
  } catch (e) {
    say($("code-error"), errorText(e), true);
  } finally {
    button.disabled = false;
  }
}

/** The sign-in screen's other ways in: a typed code, and asking staff for a reset. */
export function wireLoginExtras() {
  $("code-type-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const typed = $("code-typed").value.replace(/[\s-]/g, "").toUpperCase();
    if (!typed) return;
    history.pushState(null, "", `/a/${encodeURIComponent(typed)}`);
    ctx.route();
  });
  $("help-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const phone = $("help-phone").value.replace(/\s+/g, "");
    if (!phone) { say($("help-answer"), t("help_phone_needed"), true); return; }
    const button = $("help-submit");
    button.disabled = true;
    try {
      const answer = await api("/auth/help", { method: "POST", body: { phone } });
      say($("help-answer"), answer.message);
    } catch (e) {
      say($("help-answer"), errorText(e), true);
    } finally {
      button.disabled = false;
    }
  });
}

// ---------- #account ----------

export async function showAccount() {
  show("view-account", showAccount);
  for (const id of ["pw-answer", "ph-answer"]) $(id).hidden = true;
  let me;
  try {
    me = await api("/account");
  } catch (e) {
    if (e.status === 401) { ctx.requireLogin("login_hint_home", showAccount); return; }
    setFacts($("account-facts"), [[t("network"), errorText(e)]]);
    return;
  }
  setFacts($("account-facts"), [[t("acc_name"), me.name], [t("phone"), me.phone],
    [t("acc_branch"), me.branch ? me.branch.name : t("acc_none")],
    [t("acc_community"), me.community ? me.community.name : t("acc_none")]]);
}

export function wireAccount(onSignedOut) {
  $("password-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const current = $("pw-current").value;
    const next = $("pw-new").value;
    if (next.length < 8) { say($("pw-answer"), t("pw_short"), true); return; }
    const button = $("pw-submit");
    button.disabled = true;
    try {
      rememberMe(await api("/account/password", { method: "POST",
        body: { current_password: current, new_password: next } }));
      $("pw-current").value = "";
      $("pw-new").value = "";
      say($("pw-answer"), t("pw_done"));
    } catch (e) {
      say($("pw-answer"), errorText(e), true);
    } finally {
      button.disabled = false;
    }
  });
  $("phone-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = $("ph-submit");
    button.disabled = true;
    try {
      const me = await api("/account/phone", { method: "POST",
        body: { phone: $("ph-new").value.replace(/\s+/g, ""), password: $("ph-password").value } });
      $("ph-password").value = "";
      say($("ph-answer"), t("ph_done", { phone: me.phone }));
      showAccountFacts(me);
    } catch (e) {
      say($("ph-answer"), errorText(e), true);
    } finally {
      button.disabled = false;
    }
  });
  $("logout-all").addEventListener("click", async () => {
    if (!window.confirm(t("logout_all_confirm"))) return;
    try { await api("/auth/logout-all", { method: "POST" }); } catch { /* signed out here anyway */ }
    forgetMe();
    onSignedOut();
  });
}

function showAccountFacts(me) {
  const facts = $("account-facts");
  const phoneRow = [...facts.querySelectorAll("dt")].find((dt) => dt.textContent === t("phone"));
  if (phoneRow) phoneRow.nextElementSibling.textContent = me.phone;
}
