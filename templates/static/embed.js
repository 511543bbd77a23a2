// The embedded side of the frame (README "Embedding"). The embed works without it; with it, the page
// around the frame learns how tall the embed is and where the entry a link asked for is:
//   {"type": "timeline:height", "height": N}  N, the embed's height in CSS pixels, whenever it changes
//   {"type": "timeline:scroll", "top": N}     the entry asked for is N pixels below the frame's top
// and WordPress's embed protocol is answered when WordPress added its secret ("#?secret=...") to the
// frame's address: the height as {message: "height", value, secret}, and links as {message: "link", ...}
// (its frames are sandboxed, so a link cannot open in the top window by itself).
(function () {
  "use strict";
  var framed = window.parent !== window;
  var secret = (/[?&]secret=([A-Za-z0-9]{1,64})/.exec(location.hash) || [])[1];
  var reported = 0;

  function post(message) { if (framed) window.parent.postMessage(message, "*"); }

  function report(again) {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === reported && !again) return;
    reported = height;
    post({type: "timeline:height", height: height});
    if (secret) post({message: "height", value: height, secret: secret});
  }

  // The id a link asked for: embed/#<id>, before any "#?secret=..." WordPress added.
  function asked() {
    var id = location.hash.slice(1).split("#")[0];
    if (id.charAt(0) === "?") return "";
    try { return decodeURIComponent(id); } catch (err) { return ""; }
  }

  function show(target) {
    var marked = document.querySelector(".is-target");
    if (marked) marked.classList.remove("is-target");
    target.classList.add("is-target");
    var padding = parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0;
    var top = target.getBoundingClientRect().top + window.scrollY;
    window.scrollTo(0, top - padding);
    post({type: "timeline:scroll", top: Math.max(0, Math.round(top - padding))});
  }

  // On the index of a split timeline, an entry lives on its period's page: periods/map.js says which.
  function follow() {
    var id = asked(), target = id && document.getElementById(id), map = document.body.dataset.periodsMap;
    var home = document.body.dataset.periodsHome || "";  // the map's paths start with the timeline's folder
    if (target) return show(target);
    if (!id || !map) return;
    var script = document.createElement("script");
    script.src = map;
    script.onload = function () {
      var periods = window.timelinePeriods || {};
      for (var path in periods) {
        if (periods[path].indexOf(id) >= 0) return location.replace(path.slice(home.length) + location.hash);
      }
    };
    document.head.appendChild(script);
  }

  report();
  follow();
  window.addEventListener("hashchange", follow);
  window.addEventListener("load", function () { report(); });
  if (window.ResizeObserver) new ResizeObserver(function () { report(); }).observe(document.documentElement);
  if (!framed || !secret) return;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === window.parent && data && data.message === "ready" && data.secret === secret) report(true);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || link.target !== "_top" || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    post({message: "link", value: link.href, secret: secret});
    event.preventDefault();
  });
})();
