// The reports dashboard while its figures are being counted: ask the status endpoint every few seconds and
// move the progress bar; when the figures are counted (or the count failed, or nobody is counting any more)
// reload the page, which then draws them (or says what happened). Without JavaScript the page's "Refresh the
// page" link does the same by hand.
(function () {
  "use strict";
  var section = document.getElementById("dashboard-status");
  if (!section || section.dataset.waiting !== "true" || !window.fetch) { return; }
  var url = section.dataset.statusUrl;
  var every = parseInt(section.dataset.pollMs, 10) || 2000;
  var progress = section.querySelector("[data-dashboard-status=progress]");
  var bar = section.querySelector("[data-dashboard-status=bar]");
  var text = section.querySelector("[data-dashboard-status=text]");
  var failures = 0;

  function show(status) {
    var percent = Math.max(0, Math.min(100, status.percent || 0));
    if (progress) { progress.setAttribute("aria-valuenow", String(percent)); }
    if (bar) {
      bar.style.width = percent + "%";
      bar.textContent = percent + "%";
    }
    if (text) { text.textContent = status.done + " of " + status.total + " parts counted."; }
  }

  function poll() {
    // A poll is not the person's activity: it must not keep an idle session alive (caseapp/sessions.py).
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json", "X-Background-Request": "1" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        show(status);
        if (status.status !== "counting") { window.location.reload(); return; }
        window.setTimeout(poll, every);
      })
      .catch(function () {
        // A network hiccup: try again, more slowly; the refresh link always works.
        failures += 1;
        if (failures < 10) { window.setTimeout(poll, every * (failures + 1)); }
      });
  }

  window.setTimeout(poll, every);
})();
