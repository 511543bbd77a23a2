// Progressive enhancement only: the pages work fully without this script. Its messages come from the
// page, in the page's language: the script tag's data-copied... and the filter status's data-shown...
(function () {
  "use strict";

  var messages = (document.currentScript || {}).dataset || {};

  // A message of the page with its {name} places filled in.
  function fill(message, values) {
    return String(message || "").replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? values[name] : all;
    });
  }

  function flash(element, text) {
    var old = element.textContent;
    element.textContent = text;
    setTimeout(function () { element.textContent = old; }, 2000);
  }

  function copy(text, status) {
    if (!navigator.clipboard) return false;
    navigator.clipboard.writeText(text).then(
      function () { flash(status, fill(messages.copied, {text: text.slice(0, 60) + (text.length > 60 ? "…" : "")})); },
      function () { flash(status, fill(messages.copyFailed, {})); });
    return true;
  }

  // "Copy link" and "Copy citation" buttons (shown where this script runs: the "js" class). A list's
  // data-copy-entry copies data-entries + its article's id, an address kept out of every item.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy], button[data-copy-from], button[data-copy-entry]");
    if (!button) return;
    var source = button.dataset.copyFrom && document.getElementById(button.dataset.copyFrom);
    var status = button.parentNode.querySelector(".copy-status");
    var text = source ? source.textContent.trim() : "copyEntry" in button.dataset ?
      messages.entries + button.closest("article").id + "/" : button.dataset.copy;
    if (!copy(text, status)) {
      flash(status, fill(messages.copyUnavailable, {}));
    }
  });

  // Filter the timeline by tag and free text; the choice is kept in the URL (?q=...&tag=...).
  var filters = document.getElementById("filters");
  if (!filters) return;
  var text = document.getElementById("filter_text");
  var tag = document.getElementById("filter_tag");
  var status = document.getElementById("filter_status");
  var entries = document.querySelectorAll(".timeline .entry");
  var periods = document.querySelectorAll(".timeline .period");
  // The count shown in the page's digits (the html element's data-numbering: latn, arabext...), as the page writes its own.
  var count = window.Intl && Intl.NumberFormat ?
    new Intl.NumberFormat(document.documentElement.lang || undefined,
      {numberingSystem: document.documentElement.dataset.numbering || "latn"}).format : String;

  function apply() {
    var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i], content = entry.textContent.toLowerCase();
      var match = (!tag.value || (" " + entry.dataset.tags + " ").indexOf(" " + tag.value + " ") >= 0) &&
        words.every(function (word) { return content.indexOf(word) >= 0; });
      entry.hidden = !match;
      if (match) shown++;
    }
    for (var p = 0; p < periods.length; p++) {
      periods[p].hidden = !periods[p].querySelector(".entry:not([hidden])");
    }
    var filtered = words.length || tag.value;
    status.textContent = !filtered ? "" : shown ? fill(status.dataset.shown, {shown: count(shown)})
      : fill(status.dataset.none, {});
    var params = new URLSearchParams();
    if (text.value) params.set("q", text.value);
    if (tag.value) params.set("tag", tag.value);
    var query = params.toString();
    history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash);
  }

  var initial = new URLSearchParams(location.search);
  text.value = initial.get("q") || "";
  tag.value = initial.get("tag") || "";
  if (tag.selectedIndex < 0) tag.value = "";
  text.addEventListener("input", apply);
  tag.addEventListener("change", apply);
  // A link to a hidden entry clears the filters, so #id always lands on its entry.
  function reveal() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && target.closest(".entry[hidden]")) {
      text.value = ""; tag.value = ""; apply();
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", reveal);
  if (text.value || tag.value) { apply(); reveal(); }
})();
