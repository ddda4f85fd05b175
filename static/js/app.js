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
  // the server, and announced to screen readers from the same place.
  const button = item && item.querySelector(`button[name="status"][aria-keyshortcuts="${key}"]`);
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
// as the learner has not typed their own.
document.addEventListener("change", (event) => {
  const choice = event.target;
  if (!(choice instanceof HTMLInputElement) || choice.name !== "curriculum" || !choice.dataset.title) return;
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
