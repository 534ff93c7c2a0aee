// Loket agent workspace: live queues and keyboard shortcuts. Every action
// also works without this script.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  if (queue && queue.dataset.live) {
    setInterval(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Loket-Background": "1" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("queue");
          if (!fresh || fresh.innerHTML === queue.innerHTML) { return; }
          var before = Number(queue.dataset.newest || 0);
          queue.innerHTML = fresh.innerHTML;
          queue.dataset.newest = fresh.dataset.newest;
          if (Number(fresh.dataset.newest || 0) > before) {
            var note = document.getElementById("new-tickets");
            if (note) { note.hidden = false; }
          }
        })
        .catch(function () {});
    }, 5000);
  }
  // Who else has this ticket open, and whether they are typing.
  var viewers = document.getElementById("viewers");
  var replyBox = document.getElementById("reply-text");
  var lastKey = 0;
  var sentTyping = false;
  if (replyBox) { replyBox.addEventListener("input", function () { lastKey = Date.now(); }); }
  if (viewers && viewers.dataset.ticket) {
    var tick = function () {
      var token = document.querySelector("#reply-form input[name=csrf]");
      if (!token) { return; }
      var typing = Date.now() - lastKey < 8000 ? "1" : "0";
      sentTyping = typing === "1";
      fetch("/agent/tickets/" + viewers.dataset.ticket + "/aanwezig", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Loket-Background": "1" },
        body: "csrf=" + encodeURIComponent(token.value) + "&typing=" + typing
      })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && viewers.innerHTML !== html) { viewers.innerHTML = html; } })
        .catch(function () {});
    };
    setInterval(tick, 3000);
    // Typing starts: tell the others at once, not at the next tick.
    if (replyBox) { replyBox.addEventListener("input", function () { if (!sentTyping) { tick(); } }); }
  }
  // A reply being written survives an expired session, another action on
  // the page and a reload: kept in this tab until the reply is sent.
  if (replyBox && viewers && viewers.dataset.ticket) {
    var key = "loket-reply-" + viewers.dataset.ticket;
    var done = /[?&]gedaan=antwoord/.test(window.location.search);
    try {
      var kept = sessionStorage.getItem(key);
      if (done) { sessionStorage.removeItem(key); }
      else if (!replyBox.value && kept) { replyBox.value = kept; }
      else if (kept && /[?&]antwoord=/.test(window.location.search) && replyBox.value.indexOf(kept) < 0) {
        // A canned reply put in the box: what was typed before stays above it.
        replyBox.value = kept + "\n\n" + replyBox.value;
        sessionStorage.setItem(key, replyBox.value);
      }
      replyBox.addEventListener("input", function () { sessionStorage.setItem(key, replyBox.value); });
    } catch (err) { /* storage unavailable: nothing kept */ }
  }
  var row = -1;
  function rows() { return document.querySelectorAll("#queue tbody tr"); }
  function mark(i) {
    var all = rows();
    if (!all.length) { return; }
    row = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r) { r.classList.remove("current"); });
    all[row].classList.add("current");
    var a = all[row].querySelector("a");
    if (a) { a.focus(); }
  }
  document.addEventListener("keydown", function (e) {
    var tag = (e.target && e.target.tagName) || "";
    if (e.ctrlKey || e.metaKey || e.altKey || /INPUT|TEXTAREA|SELECT/.test(tag)) { return; }
    if (e.key === "?") {
      var help = document.getElementById("shortcuts");
      if (help) { help.open = !help.open; help.scrollIntoView(); }
      e.preventDefault();
      return;
    }
    if (e.key === "Enter" && row >= 0) {
      var link = rows()[row] && rows()[row].querySelector("a");
      if (link) { link.click(); }
      return;
    }
    var target = document.querySelector('[data-key="' + e.key + '"]');
    if (e.key === "j") { mark(row + 1); e.preventDefault(); return; }
    if (e.key === "k") { mark(row - 1); e.preventDefault(); return; }
    if (!target) { return; }
    e.preventDefault();
    var closed = target.closest("details");
    if (closed && !closed.open) { closed.open = true; }
    if (target.tagName === "BUTTON") { target.click(); } else { target.focus(); }
  });
}());
