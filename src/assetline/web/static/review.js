/* Assetline review UI: keyboard shortcuts, selection, toasts, help overlay, note drafts. No framework.
 *
 * Board:  j / k focus next / previous card · Enter opens · x selects · shift-click selects a range
 * Asset:  j / k next / previous asset · a approve · r reject · c comment · n note · v compare · b board
 * Both:   ? toggles the help overlay · Esc closes it or leaves a text field
 * Shortcuts are ignored while typing in a text field or with Ctrl / Cmd / Alt held.
 */
(function () {
  "use strict";

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const page = () => document.body.dataset.page;
  const TEXT_TYPES = new Set(["text", "email", "password", "search", "number", "url", "tel", "date", "time"]);

  function isTyping(el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    const tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && TEXT_TYPES.has((el.getAttribute("type") || "text").toLowerCase());
  }

  /* ------------------------------------------------------------ toasts */
  function toast(message, kind) {
    const box = $("#toasts");
    if (!box || !message) return;
    const el = document.createElement("div");
    el.className = "toast toast-" + (kind || "info");
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = message;
    box.appendChild(el);
    setTimeout(() => el.remove(), kind === "error" ? 7000 : 4000);
  }
  document.addEventListener("al-toast", (e) => toast(e.detail && e.detail.message, e.detail && e.detail.kind));
  document.addEventListener("htmx:sendError", () => toast("The server did not answer. Check your connection.", "error"));
  document.addEventListener("htmx:responseError", (e) => {
    const xhr = e.detail && e.detail.xhr;
    if (xhr && !xhr.getResponseHeader("HX-Trigger")) toast("Something went wrong (" + xhr.status + ").", "error");
  });

  /* ------------------------------------------------------------ help overlay */
  function toggleHelp(show) {
    const help = $("#help");
    if (!help) return;
    const open = show === undefined ? help.hidden : show;
    help.hidden = !open;
    if (open) {
      help.dataset.returnFocus = "";
      const close = $("[data-help-toggle]", help);
      if (close) close.focus();
    }
  }
  document.addEventListener("click", (e) => {
    const t = e.target;
    if (t.closest("[data-help-toggle]")) { e.preventDefault(); toggleHelp(); return; }
    if (t.id === "help") { toggleHelp(false); return; }
    if (t.closest("[data-back]")) { e.preventDefault(); history.length > 1 ? history.back() : (location.href = "/"); }
  });

  /* ------------------------------------------------------------ board: focus and selection */
  const cards = () => $$("[data-card]");
  let lastChecked = null;

  function focusedCard() {
    const el = document.activeElement;
    return el ? el.closest("[data-card]") : null;
  }

  function moveFocus(step) {
    const list = cards();
    if (!list.length) return;
    const current = focusedCard();
    let index = current ? list.indexOf(current) + step : (step > 0 ? 0 : list.length - 1);
    index = Math.max(0, Math.min(list.length - 1, index));
    const link = $(".card-link", list[index]);
    if (link) { link.focus(); list[index].scrollIntoView({ block: "nearest" }); }
  }

  function syncSelection() {
    const boxes = $$('[data-card] input[type=checkbox][name=ids]');
    let count = 0;
    boxes.forEach((box) => {
      const card = box.closest("[data-card]");
      if (card) card.classList.toggle("is-selected", box.checked);
      if (box.checked) count++;
    });
    const grid = $("#grid");
    if (grid) grid.classList.toggle("has-selection", count > 0);
    const bar = $("#bulk-form");
    if (bar) {
      bar.hidden = count === 0;
      const label = $("[data-selected-count]", bar);
      if (label) label.textContent = String(count);
    }
  }

  function toggleCard(card) {
    const box = card && $("input[type=checkbox][name=ids]", card);
    if (!box) return;
    box.checked = !box.checked;
    lastChecked = box;
    syncSelection();
  }

  document.addEventListener("click", (e) => {
    const box = e.target.closest && e.target.closest('[data-card] input[type=checkbox][name=ids]');
    if (box) {
      if (e.shiftKey && lastChecked && lastChecked !== box && document.contains(lastChecked)) {
        const boxes = $$('[data-card] input[type=checkbox][name=ids]');
        const [from, to] = [boxes.indexOf(lastChecked), boxes.indexOf(box)].sort((a, b) => a - b);
        boxes.slice(from, to + 1).forEach((b) => { b.checked = box.checked; });
      }
      lastChecked = box;
      syncSelection();
      return;
    }
    if (e.target.closest("[data-select-page]")) {
      $$('[data-card] input[type=checkbox][name=ids]').forEach((b) => { b.checked = true; });
      syncSelection();
    } else if (e.target.closest("[data-clear-selection]")) {
      $$('[data-card] input[type=checkbox][name=ids]').forEach((b) => { b.checked = false; });
      syncSelection();
    }
    const chip = e.target.closest("[data-status-chip]");
    const select = $('#filters select[name=status]');
    if (chip && select && window.htmx && !e.metaKey && !e.ctrlKey) {
      e.preventDefault();
      const wanted = chip.dataset.statusChip;
      if (wanted && !Array.from(select.options).some((o) => o.value === wanted)) {
        select.add(new Option(chip.firstChild.textContent.trim(), wanted));  // a status that appeared since load
      }
      select.value = wanted;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  /* filter requests leave out empty values, so the URL pushed into history is clean (?format=x, not ?status=&…) */
  document.addEventListener("htmx:configRequest", (e) => {
    const d = e.detail;
    if (!d || d.verb !== "get" || !d.formData) return;
    const empty = [];
    d.formData.forEach((value, key) => { if (value === "") empty.push(key); });
    empty.forEach((key) => d.formData.delete(key));
  });

  /* keep the filter menus in step with the results (history navigation, chip clicks) */
  document.addEventListener("change", (e) => {
    if (e.target.matches && e.target.matches("#filters select")) e.target.classList.toggle("is-set", !!e.target.value);
  });
  document.addEventListener("htmx:afterSwap", (e) => {
    if (e.detail && e.detail.target && e.detail.target.id === "board-results") { lastChecked = null; syncSelection(); }
  });

  /* ------------------------------------------------------------ asset page: decisions and drafts */
  function click(selector) {
    const el = $(selector);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }

  function go(selector) {
    const link = $(selector);
    if (link && link.getAttribute("href")) { window.location.href = link.href; return true; }
    return false;
  }

  function restoreDrafts() {
    $$("textarea[data-draft]").forEach((area) => {
      const key = "assetline:" + area.dataset.draft;
      try {
        if (!area.value && sessionStorage.getItem(key)) area.value = sessionStorage.getItem(key);
      } catch (err) { /* storage disabled */ }
    });
  }
  document.addEventListener("input", (e) => {
    const area = e.target;
    if (area.matches && area.matches("textarea[data-draft]")) {
      try { sessionStorage.setItem("assetline:" + area.dataset.draft, area.value); } catch (err) { /* ignore */ }
    }
  });
  document.addEventListener("htmx:afterRequest", (e) => {
    const elt = e.detail && e.detail.elt;
    const xhr = e.detail && e.detail.xhr;
    if (!elt || !xhr || xhr.status >= 300) return;
    $$("textarea[data-draft]", elt).forEach((area) => {
      try { sessionStorage.removeItem("assetline:" + area.dataset.draft); } catch (err) { /* ignore */ }
    });
    if (elt.classList && elt.classList.contains("comment-form")) elt.reset();
  });
  document.addEventListener("htmx:afterSettle", restoreDrafts);

  /* ------------------------------------------------------------ video: jump to a shot */
  document.addEventListener("click", (e) => {
    const shot = e.target.closest && e.target.closest("[data-seek]");
    const video = $("#preview-video");
    if (!shot || !video) return;
    video.currentTime = parseFloat(shot.dataset.seek) || 0;
    video.pause();
    e.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", () => { restoreDrafts(); syncSelection(); });

  /* ------------------------------------------------------------ keyboard */
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const help = $("#help");
    if (e.key === "Escape") {
      if (help && !help.hidden) { toggleHelp(false); e.preventDefault(); return; }
      if (isTyping(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (isTyping(e.target)) return;
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (help && !help.hidden) return;

    let handled = false;
    if (page() === "board") {
      if (e.key === "j") { moveFocus(1); handled = true; }
      else if (e.key === "k") { moveFocus(-1); handled = true; }
      else if (e.key === "x") { toggleCard(focusedCard()); handled = true; }
    } else if (page() === "asset") {
      if (e.key === "j") handled = go('[data-nav="next"]');
      else if (e.key === "k") handled = go('[data-nav="prev"]');
      else if (e.key === "a") handled = click('#decision-form [data-decision="approve"]');
      else if (e.key === "r") handled = click('#decision-form [data-decision="reject"]');
      else if (e.key === "v") handled = go('[data-nav="compare"]');
      else if (e.key === "b") handled = go(".breadcrumb a:nth-of-type(2)");
      else if (e.key === "c" || e.key === "n") {
        const box = $(e.key === "c" ? "#comment-box" : "#decision-note");
        if (box) { box.focus(); box.scrollIntoView({ block: "center" }); handled = true; }
      }
    }
    if (handled) e.preventDefault();
  });
})();
