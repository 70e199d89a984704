/*
 * The warning before an idle sign-out (docs/security.md#sessions). The server signs out a session with no
 * activity for the agency's idle time (caseapp/middleware.py SessionLimitsMiddleware); this only tells the
 * person in time. A little before the end (data-warning-seconds) it asks the server how long is left (a
 * background request, which is not activity: another tab may have been used meanwhile), and when the end is
 * near it opens a modal dialog with a countdown. "Stay signed in" (or Escape) posts to the renew endpoint and
 * closes the dialog; "Sign out now" signs out. When the time is up the page reloads, and the server shows the
 * sign-in page with its message. A static file, no inline script (a Content-Security-Policy allows scripts from
 * this site only). Without JavaScript the dialog never shows and the server's limit still holds.
 */
(function () {
  "use strict";

  var BACKGROUND = { "X-Background-Request": "1", Accept: "application/json" };

  function start() {
    var dialog = document.getElementById("session-timeout");
    if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
      return;
    }
    var statusUrl = dialog.getAttribute("data-status-url");
    var warning = parseInt(dialog.getAttribute("data-warning-seconds"), 10);
    var idle = parseInt(dialog.getAttribute("data-idle-seconds"), 10);
    var renewForm = dialog.querySelector("form[data-renew]");
    var stay = renewForm.querySelector("button");
    var countdown = dialog.querySelector("[data-countdown]");
    var timer = null;
    var ticking = null;
    var deadline = 0;
    var spoken = "";

    function signedOut() {
      window.location.reload();
    }

    function wording(seconds) {
      if (seconds >= 90) {
        return Math.round(seconds / 60) + " minutes";
      }
      if (seconds >= 60) {
        return "1 minute";
      }
      var rounded = seconds > 10 ? Math.ceil(seconds / 10) * 10 : seconds;
      return rounded + (rounded === 1 ? " second" : " seconds");
    }

    function schedule(secondsLeft) {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, Math.max(secondsLeft - warning, 1) * 1000);
    }

    function answer(response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.status === 401 || response.redirected || type.indexOf("application/json") === -1) {
        throw new Error("signed out");
      }
      return response.json();
    }

    function check() {
      fetch(statusUrl, { credentials: "same-origin", headers: BACKGROUND, cache: "no-store" })
        .then(answer)
        .then(function (state) {
          if (state.seconds_left > state.warning_seconds) {
            schedule(state.seconds_left);
          } else {
            warn(state.seconds_left);
          }
        })
        .catch(signedOut);
    }

    function tick() {
      var left = Math.max(Math.round((deadline - Date.now()) / 1000), 0);
      var text = wording(left);
      if (text !== spoken) {
        countdown.textContent = text;
        spoken = text;
      }
      if (left <= 0) {
        window.clearInterval(ticking);
        signedOut();
      }
    }

    function warn(secondsLeft) {
      deadline = Date.now() + secondsLeft * 1000;
      spoken = "";
      tick();
      if (!dialog.open) {
        dialog.showModal();
        stay.focus();
      }
      window.clearInterval(ticking);
      ticking = window.setInterval(tick, 1000);
    }

    function renew() {
      window.clearInterval(ticking);
      fetch(renewForm.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": renewForm.elements.csrfmiddlewaretoken.value },
        body: new FormData(renewForm),
        cache: "no-store",
      })
        .then(answer)
        .then(function (state) {
          dialog.close();
          schedule(state.seconds_left);
        })
        .catch(signedOut);
    }

    renewForm.addEventListener("submit", function (event) {
      event.preventDefault();
      renew();
    });
    // Escape means the person is here: the same as "Stay signed in".
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      renew();
    });

    schedule(idle);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
