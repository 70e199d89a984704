// The export job page: ask for the job's status every few seconds and move the progress bar; when the
// export is finished (ready, failed or expired) reload the page, which then shows the download or the
// error. Without JavaScript the page's "Refresh the status" link does the same by hand.
(function () {
  "use strict";
  var section = document.getElementById("export-status");
  if (!section || section.dataset.finished === "true" || !window.fetch) { return; }
  var url = section.dataset.statusUrl;
  var every = parseInt(section.dataset.pollMs, 10) || 2000;
  var progress = section.querySelector("[data-export=progress]");
  var bar = section.querySelector("[data-export=bar]");
  var rows = section.querySelector("[data-export=rows]");
  var label = section.querySelector("[data-export=status-label]");
  var failures = 0;

  function show(status) {
    var percent = Math.max(0, Math.min(100, status.percent || 0));
    if (progress) { progress.setAttribute("aria-valuenow", String(percent)); }
    if (bar) {
      bar.style.width = percent + "%";
      bar.textContent = percent + "%";
      bar.classList.toggle("progress-bar-striped", status.status === "running");
      bar.classList.toggle("progress-bar-animated", status.status === "running");
    }
    if (label) { label.textContent = status.status_label; }
    if (rows && status.rows_total !== null) {
      rows.textContent = status.rows_done + " of " + status.rows_total + " rows written.";
    }
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
        if (status.finished) { window.location.reload(); return; }
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
