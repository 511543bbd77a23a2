// Progressive enhancement only: the pages work fully without this script.
(function () {
  "use strict";

  function flash(element, text) {
    var old = element.textContent;
    element.textContent = text;
    setTimeout(function () { element.textContent = old; }, 2000);
  }

  function copy(text, status) {
    if (!navigator.clipboard) return false;
    navigator.clipboard.writeText(text).then(
      function () { flash(status, "Copied: " + text.slice(0, 60) + (text.length > 60 ? "…" : "")); },
      function () { flash(status, "Copy failed: select the text instead"); });
    return true;
  }

  // "Copy link" and "Copy citation" buttons (shown only where this script runs: see the "js" class).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy], button[data-copy-from]");
    if (!button) return;
    var source = button.dataset.copyFrom && document.getElementById(button.dataset.copyFrom);
    var status = button.parentNode.querySelector(".copy-status");
    if (!copy(source ? source.textContent.trim() : button.dataset.copy, status)) {
      flash(status, "Copying is not available here: select the text instead");
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
    status.textContent = !filtered ? "" : shown ? shown + " of " + entries.length + " entries shown"
      : "No entry matches; clear the search or choose another tag.";
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
