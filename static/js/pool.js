/* The application's only script (the CSP allows scripts from this site only,
   never inline ones).  Behaviour is declared in templates with data attributes,
   whose values are HTML-escaped text and never run as code:

   data-confirm="…"            on a submit button or a form: ask before submitting
   data-confirm-if="selector"  only ask when the selector matches (e.g. a ticked box)
   data-submit-on-change="get" on a select: resubmit its form with GET on change
   data-select-on-focus        on an input: select its text on focus
*/
(function () {
  "use strict";

  function needsConfirmation(el) {
    if (!el || !el.hasAttribute("data-confirm")) return false;
    var only = el.getAttribute("data-confirm-if");
    return !only || document.querySelector(only) !== null;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var el = needsConfirmation(submitter) ? submitter : (needsConfirmation(form) ? form : null);
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.form && el.hasAttribute("data-submit-on-change")) {
      el.form.method = el.getAttribute("data-submit-on-change") || "get";
      el.form.submit();
    }
  });

  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-select-on-focus")) el.select();
  });
})();
