// Switchback's own script: keyboard shortcuts for milestone status, and messages when a
// change could not be saved. Everything here is an enhancement; every page works without it.
"use strict";

// The toast clears itself a while after each message, so an old one never misleads.
let toastTimer;
function clearLater(region) {
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { region.textContent = ""; }, 8000);
}

function announce(message) {
  const region = document.getElementById("status-announcer");
  if (!region) return;
  region.textContent = message;
  clearLater(region);
}

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

document.addEventListener("htmx:sendError", () => {
  announce("The change was not saved: the server could not be reached. Check your connection and try again.");
});

document.addEventListener("htmx:responseError", (event) => {
  // A 400 carries its own message, swapped into the announcer by the server.
  if (event.detail.xhr.status !== 400) {
    announce(`The change was not saved (error ${event.detail.xhr.status}). Reload the page and try again.`);
  }
});

document.addEventListener("htmx:afterSettle", () => {
  const region = document.getElementById("status-announcer");
  if (region && region.textContent.trim()) clearLater(region);
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
