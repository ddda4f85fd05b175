// Switchback's own script: keyboard shortcuts for milestone status, and messages when a
// change could not be saved. Everything here is an enhancement; every page works without it.
"use strict";

// Messages. The live region (#status-announcer) speaks them and is out of sight; each is
// also shown in the flow of the page, beside what it is about (the milestone's row, the
// form), where it pushes the page down rather than floating over the buttons in use.
let messageSubjectId = "";
let messageTimer;

function aboutElement(element) {
  messageSubjectId = element instanceof Element
    ? (element.closest("[data-milestone]") || element.closest("[id]") || { id: "" }).id
    : "";
}

function showMessage(text) {
  let notice = document.getElementById("status-notice");
  if (!notice) {
    notice = document.createElement("p");
    notice.id = "status-notice";
    notice.className = "status-notice";
    // Already spoken by the live region; read twice it would only repeat itself.
    notice.setAttribute("aria-hidden", "true");
  }
  notice.textContent = text;
  const subject = messageSubjectId && document.getElementById(messageSubjectId);
  const main = document.getElementById("main");
  if (!subject || !main || !main.contains(subject) || subject === main) main?.prepend(notice);
  else if (subject.matches("li")) subject.append(notice);
  else subject.after(notice);
}

const announcer = document.getElementById("status-announcer");
if (announcer) {
  // Whoever fills the region (this script, or the server's out-of-band swap), the message is
  // shown once the swap is done, and the region empties a while later, so the same words can
  // be spoken again and an old message is never read out as new. The notice stays until the
  // next message replaces it.
  new MutationObserver(() => {
    const text = announcer.textContent.trim();
    if (!text) return;
    setTimeout(() => showMessage(text));
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => { announcer.textContent = ""; }, 8000);
  }).observe(announcer, { childList: true, characterData: true, subtree: true });
}

function announce(message) {
  if (announcer) announcer.textContent = message;
}

// A message is about what the learner acted on: the form or button that sent the request.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.requestConfig && event.detail.requestConfig.verb !== "get") {
    aboutElement(event.detail.elt);
  }
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  const key = event.key.toLowerCase();
  if (!/^[a-z]$/.test(key) || !(event.target instanceof Element)) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  const item = event.target.closest("[data-milestone]");
  // Each status button carries its key (aria-keyshortcuts), so the keys are defined once, on
  // the server, and announced to screen readers from the same place. A row whose buttons
  // are closed opens them first (see "A milestone's status buttons" below).
  const selector = `button[name="status"][aria-keyshortcuts="${key}"]`;
  const menu = document.getElementById("status-menu");
  const isStatusKey = menu && menu.content.querySelector(selector);
  const button = item && (item.querySelector(selector) || (isStatusKey && openStatusMenu(item)?.querySelector(selector)));
  if (!button || button.disabled) return;
  event.preventDefault();
  // A milestone swapped in a moment ago may not be wired up by HTMX yet; without this
  // the click would post the whole page. Processing twice is harmless.
  if (window.htmx) window.htmx.process(button.form);
  // A real click, so HTMX sends this button's value as the submitter.
  button.click();
});

// A widget that fetches itself again waits while the learner writes a reflection inside it:
// swapping it would throw the text away. The reflection's own answer says progress-changed
// again once it is saved or skipped, and the widget catches up then.
function holdsAReflection(detail) {
  return detail.requestConfig && detail.requestConfig.verb === "get" &&
    detail.target instanceof Element && detail.target.querySelector("form.reflection") !== null;
}
document.addEventListener("htmx:beforeRequest", (event) => {
  if (holdsAReflection(event.detail)) event.preventDefault();
});
document.addEventListener("htmx:beforeSwap", (event) => {
  if (holdsAReflection(event.detail)) event.detail.shouldSwap = false;
});

document.addEventListener("htmx:sendError", (event) => {
  aboutElement(event.detail.elt);
  announce("The change was not saved: the server could not be reached. Check your connection and try again.");
});

document.addEventListener("htmx:responseError", (event) => {
  // A 400 carries its own message, swapped into the announcer by the server.
  aboutElement(event.detail.elt);
  if (event.detail.xhr.status !== 400) {
    announce(`The change was not saved (error ${event.detail.xhr.status}). Reload the page and try again.`);
  }
});

// The editor reports a refused image upload on its own element; say why in the toast.
document.addEventListener("DOMContentLoaded", () => {
  for (const editor of document.querySelectorAll(".markdownx")) {
    editor.addEventListener("markdownx.fileUploadError", (event) => {
      let message = "The image was not uploaded.";
      try {
        message = JSON.parse(event.detail[0]).error || message;
      } catch {
        if (event.detail && event.detail[0] && event.detail[0].error) message = event.detail[0].error;
      }
      aboutElement(editor);
      announce(message);
    });
  }
});

// Starting a roadmap: the suggested title and address follow the curriculum chosen, as long
// as the learner has not typed their own; an empty roadmap suggests none.
document.addEventListener("change", (event) => {
  const choice = event.target;
  if (!(choice instanceof HTMLInputElement) || choice.name !== "curriculum" || choice.dataset.title === undefined) return;
  const form = choice.form;
  for (const [name, value] of [["title", choice.dataset.title], ["slug", choice.dataset.slug]]) {
    const field = form.elements.namedItem(name);
    if (field && (field.value === "" || field.dataset.suggested === field.value || field.defaultValue === field.value)) {
      field.value = value;
      field.dataset.suggested = value;
    }
  }
});

// --- The post's milestones and topics: a search box over the chosen roadmap's ---------------
// A <select multiple data-picker> (its groups are places: "Stage › Topic") becomes a combobox
// in the WAI-ARIA pattern: type to filter, Down and Up to move through the list, Enter to
// choose, Escape to close. The choices show as chips, each with a "Remove <title>" button. The
// select stays in the form, hidden, and holds the choice, so the form sends what it always did.

function pickerItems(select) {
  return Array.from(select.options, (option) => ({
    option,
    title: option.text,
    place: option.parentElement instanceof HTMLOptGroupElement ? option.parentElement.label : "",
  }));
}

function folded(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function enhancePicker(select) {
  if (select.dataset.enhanced) return;
  select.dataset.enhanced = "true";
  const id = select.id;
  const noun = select.dataset.picker;
  const items = pickerItems(select);
  const label = document.querySelector(`label[for="${id}"]`);
  const name = label ? label.textContent.trim() : noun;

  const picker = document.createElement("div");
  picker.className = "picker";
  const chips = document.createElement("ul");
  chips.className = "picker-chosen";
  chips.setAttribute("aria-label", `Chosen ${name.toLowerCase()}`);
  const keys = document.createElement("p");
  keys.className = "hint";
  keys.id = `${id}-keys`;
  keys.textContent = `Type to find a ${noun}, Down and Up to move through the list, Enter to choose.`;
  const input = document.createElement("input");
  input.type = "text";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", `${id}-listbox`);
  input.setAttribute("aria-describedby", [select.getAttribute("aria-describedby"), keys.id].filter(Boolean).join(" "));
  if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
  const list = document.createElement("ul");
  list.id = `${id}-listbox`;
  list.className = "picker-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", name);
  list.hidden = true;
  const spoken = document.createElement("p");
  spoken.className = "visually-hidden";
  spoken.setAttribute("aria-live", "polite");

  // The label now names the search box: the select keeps the choice out of sight.
  select.id = `${id}-select`;
  input.id = id;
  select.hidden = true;
  picker.append(chips, keys, input, list, spoken);
  select.after(picker);

  let shown = [];
  let active = -1;

  function setActive(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((element, i) => {
      element.classList.toggle("active", i === index);
    });
    const current = list.children[index];
    if (current) {
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function open() {
    const words = folded(input.value).split(/\s+/).filter(Boolean);
    shown = items.filter((item) => !item.option.selected &&
      words.every((word) => folded(`${item.title} ${item.place}`).includes(word)));
    list.replaceChildren(...shown.map((item, index) => {
      const element = document.createElement("li");
      element.id = `${id}-option-${item.option.value}`;
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      const title = document.createElement("span");
      title.textContent = item.title;
      const place = document.createElement("span");
      place.className = "picker-place";
      place.textContent = item.place;
      const comma = document.createElement("span");
      comma.className = "visually-hidden";
      comma.textContent = ", ";
      element.append(title, comma, place);
      element.addEventListener("click", () => choose(index));
      return element;
    }));
    if (!shown.length) {
      close();
      spoken.textContent = `No ${noun} matches “${input.value}”.`;
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(words.length ? 0 : -1);
  }

  function drawChips() {
    const chosen = items.filter((item) => item.option.selected);
    chips.hidden = chosen.length === 0;
    chips.replaceChildren(...chosen.map((item) => {
      const chip = document.createElement("li");
      const title = document.createElement("span");
      title.textContent = item.title;
      const place = document.createElement("span");
      place.className = "picker-place";
      place.textContent = item.place;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "picker-remove";
      remove.setAttribute("aria-label", `Remove ${item.title}`);
      remove.textContent = "×";
      remove.addEventListener("click", () => unchoose(item, chip));
      chip.append(title, " ", place, " ", remove);
      return chip;
    }));
  }

  function choose(index) {
    const item = shown[index];
    if (!item) return;
    item.option.selected = true;
    input.value = "";
    close();
    drawChips();
    spoken.textContent = `Chose ${item.title}.`;
    input.focus();
  }

  function unchoose(item, chip) {
    item.option.selected = false;
    const next = chip.nextElementSibling || chip.previousElementSibling;
    const nextIndex = next ? Array.prototype.indexOf.call(chips.children, next) : -1;
    drawChips();
    spoken.textContent = `Removed ${item.title}.`;
    const target = nextIndex >= 0 && chips.children[Math.min(nextIndex, chips.children.length - 1)];
    (target ? target.querySelector("button") : input).focus();
  }

  input.addEventListener("input", open);
  input.addEventListener("click", () => { if (list.hidden) open(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) {
        open();
        if (!event.altKey) setActive(event.key === "ArrowDown" ? 0 : shown.length - 1);
        return;
      }
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(Math.min(Math.max(active + step, 0), shown.length - 1));
    } else if (event.key === "Enter") {
      // Never the form's first button (Publish now) from the search box.
      event.preventDefault();
      if (!list.hidden && active >= 0) choose(active);
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      } else if (input.value) {
        event.preventDefault();
        input.value = "";
      }
    } else if (event.key === "Tab") {
      close();
    }
  });
  // Choosing with the pointer keeps the focus in the box.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("blur", close);
  drawChips();
}

function enhancePickers(root) {
  if (!(root instanceof Element || root instanceof Document)) return;
  root.querySelectorAll("select[multiple][data-picker]").forEach(enhancePicker);
}
document.addEventListener("DOMContentLoaded", () => enhancePickers(document));
// Another roadmap chosen: its milestones and topics arrive by HTMX.
document.addEventListener("htmx:load", (event) => enhancePickers(event.detail.elt));

// --- A milestone's status buttons, opened from its status ------------------------------------
// On the owner's pages each row's status is a button (a link to the page with that row's
// buttons open, ?status_of=, where there is no script); here it opens them in place, cloned
// from <template id="status-menu">, one row at a time. Escape closes them. A status key
// pressed on a row opens them and presses that status at once.
function statusBadge(row) {
  return row.querySelector('a.status-badge[role="button"]');
}

function closeStatusMenus(except) {
  for (const form of document.querySelectorAll("[data-milestone] > form.status-control")) {
    const row = form.closest("[data-milestone]");
    if (row === except) continue;
    form.remove();
    row.querySelector(":scope > form.row-timer")?.remove();
    statusBadge(row)?.setAttribute("aria-expanded", "false");
  }
}

function openStatusMenu(row) {
  const open = row.querySelector(":scope > form.status-control");
  if (open) return open;
  const template = document.getElementById("status-menu");
  const badge = statusBadge(row);
  const link = row.querySelector("a.milestone-title");
  if (!template || !badge || !link) return null;
  closeStatusMenus(row);
  const form = template.content.querySelector("form").cloneNode(true);
  const url = new URL("status/", link.href).pathname;
  form.action = url;
  form.setAttribute("hx-post", url);
  form.querySelector("legend").textContent = `Status of “${link.textContent.trim()}”`;
  const status = [...row.classList].find((name) => name.startsWith("status-"))?.slice(7);
  for (const button of form.querySelectorAll('button[name="status"]')) {
    button.id = `${row.id}-${button.value}`;
    button.setAttribute("aria-pressed", String(button.value === status));
  }
  row.querySelector(".milestone-main").after(form);
  const timer = row.querySelector(":scope > form.row-timer") ? null : rowTimerFor(row);
  if (timer) form.after(timer);
  badge.setAttribute("aria-expanded", "true");
  badge.setAttribute("aria-controls", form.id = `${row.id}-status`);
  if (window.htmx) {
    window.htmx.process(form);
    if (timer) window.htmx.process(timer);
  }
  return form;
}

function toggleStatusMenu(event) {
  if (!(event.target instanceof Element)) return;
  const badge = event.target.closest('a.status-badge[role="button"]');
  const row = badge?.closest("[data-milestone]");
  if (!row) return;
  event.preventDefault();
  if (badge.getAttribute("aria-expanded") === "true") {
    closeStatusMenus();
    return;
  }
  const form = openStatusMenu(row);
  form?.querySelector('button[aria-pressed="true"]')?.focus();
}
document.addEventListener("click", toggleStatusMenu);
// It is a button to assistive technology, so Space presses it too.
document.addEventListener("keydown", (event) => {
  if (event.key === " " && event.target instanceof Element && event.target.matches('a.status-badge[role="button"]')) {
    toggleStatusMenu(event);
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const row = event.target.closest("[data-milestone]");
  if (!row || !row.querySelector(":scope > form.status-control")) return;
  closeStatusMenus();
  statusBadge(row)?.focus();
});

// The row a status button was pressed in is replaced by the answer: the focus goes to its
// status again, not back to the top of the page.
let rowWithFocus = "";
document.addEventListener("htmx:beforeSwap", (event) => {
  const row = document.activeElement?.closest?.("[data-milestone]");
  rowWithFocus = row && event.detail.target === row ? row.id : "";
});
document.addEventListener("htmx:afterSettle", () => {
  if (!rowWithFocus || (document.activeElement && document.activeElement !== document.body)) return;
  const row = document.getElementById(rowWithFocus);
  rowWithFocus = "";
  (row && (statusBadge(row) || row.querySelector("a.milestone-title")))?.focus();
});

// --- Time spent: a row's timer, and the clock of a running one -------------------------------
// The status buttons' template also holds the timer's form (includes/time_row_timer.html).
// When a row's status buttons open (openStatusMenu), a copy goes after them, addressed to
// that milestone's timer, and asks the server how it stands (Start, or Stop where it runs
// here); it leaves with them (closeStatusMenus). The start time is the server's: the clock
// below only counts up from it.
function rowTimerFor(row) {
  const form = document.getElementById("status-menu")?.content.querySelector("form.row-timer");
  const link = row.querySelector("a.milestone-title");
  if (!form || !link) return null;
  const copy = form.cloneNode(true);
  const url = new URL("timer/", link.href).pathname;
  copy.action = url;
  copy.setAttribute("hx-post", url);
  copy.setAttribute("hx-get", url);
  copy.setAttribute("hx-trigger", "load");
  return copy;
}

function tickTimers() {
  for (const out of document.querySelectorAll("[data-timer-elapsed]")) {
    const since = out.parentElement.querySelector("[data-timer-since]");
    const start = since && Date.parse(since.getAttribute("datetime"));
    if (!start) continue;
    const minutes = Math.max(0, Math.floor((Date.now() - start) / 60000));
    const hours = Math.floor(minutes / 60);
    out.textContent = `, ${hours ? `${hours} h ` : ""}${minutes % 60} min so far`;
  }
}
document.addEventListener("DOMContentLoaded", tickTimers);
document.addEventListener("htmx:afterSettle", tickTimers);
setInterval(tickTimers, 30000);

// --- The roadmap's stages -----------------------------------------------------------------
// A stage chosen in the index opens, so its topics and milestones show (and load, on a large
// roadmap) where the link lands.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest('#stage-index a[href^="#"]');
  const stage = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  const details = stage?.querySelector("details.stage-body");
  if (details && !details.open) details.open = true;
});

// --- Editing the plan: focus after a change, and drag reordering -----------------------------
// Every control of the edit outline is a form that works without this script; HTMX swaps the
// outline in place, and the server names (data-focus) the control to carry on from: the same
// "Move up" after a move, the "Undo" after a removal, the item after it is added or restored.
document.addEventListener("htmx:afterSettle", () => {
  const outline = document.getElementById("outline");
  // Once for each outline the server sends: a later swap elsewhere leaves focus alone.
  if (!outline || !outline.dataset.focus || outline.dataset.focused) return;
  outline.dataset.focused = "true";
  const control = document.getElementById(outline.dataset.focus);
  if (control) control.focus();
});

// Dragging an item by its handle, within its list or into another list of the same kind
// (a milestone into another topic). The drop sends the same move form the buttons send,
// with the place and the parent; the answer is the outline and a sentence for the live
// region. The handle is for the mouse: the keyboard has Move up and Move down.
let dragged = null;

function editItems(list) {
  return Array.from(list.children).filter((child) => child.matches(".edit-item"));
}

function addDragHandles(root) {
  for (const item of root.querySelectorAll(".edit-item")) {
    const row = item.querySelector(":scope > .edit-row");
    if (!row || row.querySelector(":scope > .drag-handle")) continue;
    const handle = document.createElement("span");
    handle.className = "drag-handle";
    handle.textContent = "⠿";
    handle.title = `Drag to move “${item.dataset.title}”`;
    // Mouse only: the buttons beside it are the way by keyboard and screen reader.
    handle.setAttribute("aria-hidden", "true");
    handle.addEventListener("pointerdown", () => { item.draggable = true; });
    row.prepend(handle);
  }
}

function clearDropMarks() {
  for (const marked of document.querySelectorAll(".drop-before, .drop-after")) {
    marked.classList.remove("drop-before", "drop-after");
  }
}

function dropSpot(event) {
  if (!dragged || !(event.target instanceof Element)) return null;
  const kind = dragged.parentElement.dataset.kind;
  const over = event.target.closest(".edit-item");
  if (over && over !== dragged && over.parentElement.dataset.kind === kind && !dragged.contains(over)) {
    const box = over.getBoundingClientRect();
    return { list: over.parentElement, over, after: event.clientY > box.top + box.height / 2 };
  }
  const list = event.target.closest(`.edit-list[data-kind="${kind}"]`);
  if (list && !dragged.contains(list) && editItems(list).length === 0) return { list, over: null, after: false };
  return null;
}

document.addEventListener("dragstart", (event) => {
  const item = event.target instanceof Element && event.target.closest(".edit-item[draggable='true']");
  if (!item) return;
  dragged = item;
  item.classList.add("is-dragged");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", item.dataset.title || "");
});

document.addEventListener("dragover", (event) => {
  const spot = dropSpot(event);
  clearDropMarks();
  if (!spot) return;
  event.preventDefault();
  if (spot.over) spot.over.classList.add(spot.after ? "drop-after" : "drop-before");
});

document.addEventListener("drop", (event) => {
  const spot = dropSpot(event);
  clearDropMarks();
  if (!spot || !window.htmx) return;
  event.preventDefault();
  const form = dragged.querySelector(":scope > .edit-row .move-form");
  const others = editItems(spot.list).filter((item) => item !== dragged);
  const place = spot.over ? others.indexOf(spot.over) + (spot.after ? 1 : 0) : 0;
  const values = { place: String(place + 1) };
  if (spot.list !== dragged.parentElement) values.parent = spot.list.dataset.parent;
  else if (editItems(spot.list).indexOf(dragged) === place) return;
  window.htmx.ajax("POST", form.getAttribute("action"), {
    source: form, target: "#outline", select: "#outline", swap: "outerHTML", values,
  });
});

document.addEventListener("dragend", () => {
  clearDropMarks();
  if (dragged) {
    dragged.classList.remove("is-dragged");
    dragged.draggable = false;
  }
  dragged = null;
});

function dragHandlesForOutline() {
  const outline = document.getElementById("outline");
  if (outline && outline.dataset.editBase) addDragHandles(outline);
}
document.addEventListener("DOMContentLoaded", dragHandlesForOutline);
document.addEventListener("htmx:afterSettle", dragHandlesForOutline);
