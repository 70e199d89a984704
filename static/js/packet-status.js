/*
 * The episode page's report packets: while a packet is waiting to be built or being built, ask the
 * server for the builds' state (a small JSON document, scoped like the page) and reload the page
 * when it changes, so the download links appear without a tap. It never gives up while something is
 * pending: the wait grows from 2 s to at most 15 s (a build killed with its worker is taken over by
 * the minute sweep within two minutes). A failed request waits and tries again. Without JavaScript
 * the section's "Refresh the page" links do the same. A static file, no inline script (a later
 * Content-Security-Policy allows scripts from this site only). Its requests say they are background ones, so
 * waiting on a packet does not keep an idle session signed in (caseapp/sessions.py).
 */
(function () {
  "use strict";

  var FIRST_WAIT = 2000;
  var LONGEST_WAIT = 15000;

  function start() {
    var section = document.getElementById("packets");
    if (!section || !section.hasAttribute("data-pending") || !window.fetch) {
      return;
    }
    var url = section.getAttribute("data-status-url");
    var shown = section.getAttribute("data-state");
    var wait = FIRST_WAIT;

    function later() {
      window.setTimeout(poll, wait);
      wait = Math.min(Math.round(wait * 1.5), LONGEST_WAIT);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "X-Background-Request": "1" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (status) {
          if (status.state !== shown) {
            window.location.reload();
          } else if (status.pending) {
            later();
          }
        })
        .catch(later);
    }

    later();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
