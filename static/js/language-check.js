/*
 * A gentle hint on wording under narrative fields (docs/risk-catalogue.md#language). It never blocks saving.
 *
 * The terms come from caseapp/language.py through static/js/language-terms.json (written by
 * `python -m caseapp.language`), whose URL base.html gives in this script's data-terms attribute: a
 * static file, so no page carries these words in its HTML. Fields with a data-language-check
 * attribute (set in the forms) get a hint under them, in an aria-live="polite" region. Words inside
 * double quotation marks are the youth's own words and are not checked. The same text gives the same
 * hits as find_terms() in Python (tests/caseapp/test_language.py runs both).
 */
(function () {
  "use strict";

  function compile(data) {
    return {
      quoted: new RegExp(data.quoted, "g"),
      sentenceEnd: new RegExp(data.sentenceEnd, "g"),
      terms: data.terms.map(function (term) {
        return {
          pattern: new RegExp(term.pattern, "g" + term.flags),
          context: term.context ? new RegExp(term.context, "i") : null,
          preferred: term.preferred,
          why: term.why,
        };
      }),
    };
  }

  function spans(regex, text) {
    var found = [];
    var m;
    regex.lastIndex = 0;
    while ((m = regex.exec(text)) !== null) {
      found.push([m.index, m.index + m[0].length]);
      if (m[0].length === 0) regex.lastIndex += 1;
    }
    return found;
  }

  function sentence(checker, text, start, end) {
    var from = 0;
    var to = text.length;
    spans(checker.sentenceEnd, text).forEach(function (s) {
      if (s[1] <= start) from = s[1];
      else if (s[0] >= end && to === text.length) to = s[0];
    });
    return text.slice(from, to);
  }

  // Same rules as caseapp.language.find_terms: earliest first, then longest, then the earlier term.
  function findTerms(checker, text, skipQuoted) {
    if (!text) return [];
    var quoted = skipQuoted === false ? [] : spans(checker.quoted, text);
    var found = [];
    checker.terms.forEach(function (term, order) {
      var m;
      term.pattern.lastIndex = 0;
      while ((m = term.pattern.exec(text)) !== null) {
        var start = m.index;
        var end = start + m[0].length;
        if (m[0].length === 0) term.pattern.lastIndex += 1;
        var inQuote = quoted.some(function (q) { return q[0] <= start && start < q[1]; });
        if (inQuote) continue;
        if (term.context && !term.context.test(sentence(checker, text, start, end))) continue;
        found.push({ start: start, end: end, order: order, term: m[0], preferred: term.preferred, why: term.why });
      }
    });
    found.sort(function (a, b) {
      return a.start - b.start || (b.end - b.start) - (a.end - a.start) || a.order - b.order;
    });
    var hits = [];
    var takenUntil = 0;
    found.forEach(function (hit) {
      if (hit.start < takenUntil) return;
      hits.push(hit);
      takenUntil = hit.end;
    });
    return hits;
  }

  function suggestions(hits) {
    var seen = {};
    var lines = [];
    hits.forEach(function (hit) {
      var key = hit.term.toLowerCase() + "\u0000" + hit.preferred;
      if (seen[key]) return;
      seen[key] = true;
      lines.push("Consider " + hit.preferred + " instead of '" + hit.term + "'. " + hit.why);
    });
    return lines;
  }

  function attach(checker, field, index) {
    var hint = document.createElement("div");
    hint.className = "form-text language-hint";
    hint.id = (field.id || "language-field-" + index) + "-language-hint";
    hint.setAttribute("aria-live", "polite");
    var describedBy = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", describedBy ? describedBy + " " + hint.id : hint.id);
    var wrapper = field.closest("[id^='div_']") || field.parentNode;
    wrapper.appendChild(hint);

    var shown = "";
    function update() {
      var lines = suggestions(findTerms(checker, field.value));
      var key = lines.join("\n");
      if (key === shown) return; // unchanged: do not make screen readers repeat it
      shown = key;
      hint.textContent = "";
      if (!lines.length) return;
      var intro = document.createElement("span");
      intro.className = "fw-semibold";
      intro.textContent = "A suggestion on wording (you can still save as written): ";
      hint.appendChild(intro);
      lines.forEach(function (line, i) {
        if (i) hint.appendChild(document.createTextNode(" "));
        hint.appendChild(document.createTextNode(line));
      });
    }

    var timer = null;
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 400);
    });
    field.addEventListener("blur", update);
    update();
  }

  // Read now: document.currentScript is only set while this file runs.
  var script = typeof document !== "undefined" ? document.currentScript : null;

  function init() {
    var fields = document.querySelectorAll("[data-language-check]");
    var url = script && script.getAttribute("data-terms");
    if (!fields.length || !url || !window.fetch) return;
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("language terms: " + response.status);
        return response.json();
      })
      .then(function (data) {
        var checker = compile(data);
        Array.prototype.forEach.call(fields, function (field, index) { attach(checker, field, index); });
      })
      .catch(function () {
        // No live hint then; the note after saving still gives the same suggestions.
      });
  }

  if (typeof module !== "undefined" && module.exports) {
    // For tests under Node: the same matching as in the page.
    module.exports = { compile: compile, findTerms: findTerms, suggestions: suggestions };
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
