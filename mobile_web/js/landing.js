// The other URLs a phone camera opens: /c/{token} (a member's card, meant for an organizer's
// scanner) and /r/{token} (a community's registration code: the member reports in, 双报到).
import { api } from "../shared/api.js";
import { t } from "../shared/i18n.js";
import { $ } from "../shared/dom.js";
import { ctx, show, errorText } from "./ui.js";

/** The member id a card token names, read without trust (only the server can verify it). */
export function cardMemberId(token) {
  try {
    const b64 = token.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    if (raw.charCodeAt(0) >> 4 !== 2) return null; // purpose 2: member card
    let value = 0;
    for (let i = 1, shift = 0; i < 6; i += 1, shift += 7) {
      const byte = raw.charCodeAt(i);
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  } catch { /* not base64 */ }
  return null;
}

export function showCard(token) {
  const id = cardMemberId(token);
  show("view-card", () => showCard(token));
  let text = t("card_bad");
  if (id !== null) text = ctx.me && ctx.me.id === id ? t("card_mine") : t("card_other", { id });
  $("card-text").textContent = text;
  const roles = (ctx.me && ctx.me.roles) || [];
  $("card-staff").hidden = id === null || !(roles.includes("organizer") || roles.includes("admin"));
}

export async function showRegister(token) {
  show("view-register", () => showRegister(token));
  $("reg-form").hidden = true;
  $("reg-community").textContent = "";
  $("reg-place").textContent = "";
  $("reg-error").hidden = true;
  status(t("loading"));
  let preview;
  try {
    preview = await api(`/community-registrations/preview?token=${encodeURIComponent(token)}`);
  } catch (e) {
    if (e.status === 401) { ctx.requireLogin("login_hint_register", () => showRegister(token)); return; }
    status(errorText(e));
    return;
  }
  const community = preview.community || {};
  $("reg-community").textContent = community.name || "";
  $("reg-place").textContent = community.address || "";
  const pending = preview.pending_registration;
  if (preview.already_registered) { status(t("reg_already")); return; }
  if (pending && pending.community && pending.community.id === community.id) { status(t("reg_pending")); return; }
  status(preview.current_community_id ? t("reg_moving") : "");
  const form = $("reg-form");
  form.hidden = false;
  form.onsubmit = (ev) => { ev.preventDefault(); submit(token); };
}

function status(text) {
  $("reg-status").textContent = text;
  $("reg-status").hidden = !text;
}

async function submit(token) {
  const button = $("reg-submit");
  const note = {
    address: $("reg-address").value.trim(), skills: $("reg-skills").value.trim(),
    availability: $("reg-availability").value.trim(),
  };
  button.disabled = true;
  $("reg-error").hidden = true;
  try {
    await api("/community-registrations", { method: "POST", body: { token, note } });
    $("reg-form").hidden = true;
    status(t("reg_done"));
  } catch (e) {
    if (e.status === 401) { ctx.requireLogin("login_hint_register", () => showRegister(token)); return; }
    $("reg-error").textContent = errorText(e);
    $("reg-error").hidden = false;
  } finally {
    button.disabled = false;
  }
}
