/* Solutions open and close from anywhere on their title, by mouse or keyboard.
 *
 * sphinx-togglebutton 0.4.5 listens for clicks on an admonition's title and works out
 * the button from the element clicked. A click on anything it does not expect (the
 * link sphinx-exercise puts in a solution's title, a word inside it, typeset math)
 * reaches `button.dataset` with `button` never assigned: a ReferenceError, or, once
 * some other solution was opened, that other solution toggles (the variable leaked to
 * `window`). The link then scrolls the page up to the exercise.
 *
 * This script, loaded after togglebutton.js, takes the click first (capture phase on
 * the document), finds the title with closest(), toggles that admonition, and stops
 * the event so neither the buggy handler nor the link runs. The button stays the one
 * keyboard stop: Tab reaches it, Enter and Space click it, and its aria-expanded and
 * label tell a screen reader which solution it is and whether it is open.
 */
(() => {
  "use strict";
  const TITLE = ".admonition.toggle > .admonition-title";

  const setState = (item, button, open) => {
    item.classList.toggle("toggle-hidden", !open);
    if (button) {
      button.classList.toggle("toggle-button-hidden", !open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (typeof toggleHintShow !== "undefined") {
        button.dataset.toggleHint = open ? toggleHintHide : toggleHintShow;
      }
    }
  };

  // The theme gives scrollable code and outputs a tab stop (tabindex 0) so keyboard users
  // can scroll them, but only when the page loads or the DOM tree changes: inside a
  // closed solution nothing is scrollable yet. Do the same when a solution opens.
  const SCROLLABLE = "pre, .cell_output > .output, .pst-scrollable-table-container";
  const tabStops = (item) => {
    item.querySelectorAll(SCROLLABLE).forEach((el) => {
      const scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
      el.tabIndex = scrolls ? 0 : -1;
    });
  };

  const onClick = (event) => {
    if (!(event.target instanceof Element)) return;
    const title = event.target.closest(TITLE);
    if (!title) return;
    const item = title.parentElement;
    event.preventDefault();           // no jump to the exercise the title links to
    event.stopImmediatePropagation(); // and not togglebutton.js's own handler
    const button = title.querySelector("button.toggle-button");
    const open = item.classList.contains("toggle-hidden");
    setState(item, button, open);
    if (open) tabStops(item);
  };

  const label = () => {
    document.querySelectorAll(TITLE).forEach((title) => {
      const button = title.querySelector("button.toggle-button");
      if (!button) return;
      // Name the button after its title ("Solution to Exercise 3 (ReLU)"), not
      // "Toggle hidden content"; aria-expanded says open or closed.
      const text = title.textContent.replace(/\s+/g, " ").trim();
      if (text) button.setAttribute("aria-label", text);
      const item = title.parentElement;
      button.setAttribute("aria-expanded",
                          item.classList.contains("toggle-hidden") ? "false" : "true");
    });
  };

  document.addEventListener("click", onClick, true);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", label);
  } else {
    label();
  }
})();
