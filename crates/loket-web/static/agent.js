// Loket agent workspace: live queues and keyboard shortcuts. Every action
// also works without this script.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  if (queue && queue.dataset.live) {
    setInterval(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
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
    var target = document.querySelector('[data-key="' + e.key + '"]');
    if (e.key === "j") { mark(row + 1); e.preventDefault(); return; }
    if (e.key === "k") { mark(row - 1); e.preventDefault(); return; }
    if (!target) { return; }
    e.preventDefault();
    if (target.tagName === "BUTTON") { target.click(); } else { target.focus(); }
  });
}());
