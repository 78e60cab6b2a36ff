// The page's accessibility problems, found from the DOM and the computed styles.
// tests/e2e/accessibility.py evaluates this file in the page, which defines window.__a11y:
//   startAtTheTop() puts the start of the next Tab at the top of the page
//   audit()         the problems found without a keyboard, a list of {rule, element, detail}
//   markTabbables() the controls of <main> in Tab order, kept for `position()`; their count
//   position()      where the focused element is in that list (-1: elsewhere), and its name
//   focusStyles()   the controls of <main> whose focus cannot be seen (after a real Tab)
// Rules of audit() (WCAG 2.2 success criteria in brackets):
//   lang      the <html> element names the page's language                      [3.1.1]
//   h1        exactly one h1                                                     [1.3.1, 2.4.6]
//   label     every form control has a name: label[for] or a wrapping label,
//             aria-label, aria-labelledby; a button has text or aria-label       [1.3.1, 4.1.2]
//   alt       every image has an alt attribute (alt="" marks decoration)         [1.1.1]
//   contrast  text against its background at least 4.5:1, large text too (stricter
//             than the 3:1 AA allows it); backgrounds composed up the ancestors  [1.4.3]
//   tabindex  no positive tabindex, which breaks the reading order of Tab        [2.4.3]
window.__a11y = (() => {
  const MIN_CONTRAST = 4.5;
  let problems = [];
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    if (el.getAttribute("name")) text += `[name=${el.getAttribute("name")}]`;
    const cls = typeof el.className === "string" ? el.className.trim() : "";
    if (cls) text += "." + cls.split(/\s+/).join(".");
    const words = (el.innerText || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return words ? `${text} "${words}"` : text;
  };
  const report = (rule, el, detail) => problems.push({ rule, element: describe(el), detail });

  const rendered = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;   // .sr-only text is 1px and never painted
  };

  const parse = (color) => {
    const m = color.match(/rgba?\(([\d.]+)[, ]+([\d.]+)[, ]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\)/);
    if (!m) return null;
    let alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith("%")) alpha /= 100;
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), alpha];
  };
  const over = (top, below) => {   // `top` painted with its alpha over an opaque `below`
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const audit = () => {
    problems = [];
    // lang and h1
    if (!document.documentElement.getAttribute("lang")) report("lang", document.documentElement, "no lang");
    const h1s = document.querySelectorAll("h1");
    if (h1s.length !== 1) report("h1", document.body, `${h1s.length} h1 elements`);

    // names of form controls and buttons
    const textOf = (id) => {
      const el = document.getElementById(id);
      return el ? el.textContent.trim() : "";
    };
    const named = (el) => {
      if ((el.getAttribute("aria-label") || "").trim()) return true;
      const by = (el.getAttribute("aria-labelledby") || "").trim();
      if (by && by.split(/\s+/).map(textOf).join("")) return true;
      return Array.from(el.labels || []).some((label) => label.textContent.trim());
    };
    for (const el of document.querySelectorAll("input, select, textarea")) {
      const type = (el.getAttribute("type") || "").toLowerCase();
      if (type === "hidden") continue;
      if (["submit", "reset", "button"].includes(type)) {
        if (!(el.value || "").trim() && !named(el)) report("label", el, "button without text");
      } else if (type === "image") {
        if (!(el.getAttribute("alt") || "").trim()) report("alt", el, "image button without alt");
      } else if (!named(el)) {
        report("label", el, "form control without a label");
      }
    }
    for (const el of document.querySelectorAll("button")) {
      if (!el.textContent.trim() && !named(el) && !el.querySelector("img[alt]:not([alt=''])"))
        report("label", el, "button without text");
    }

    // images
    for (const el of document.querySelectorAll("img")) {
      if (!el.hasAttribute("alt")) report("alt", el, `no alt on ${el.getAttribute("src")}`);
    }
    for (const el of document.querySelectorAll("svg[role='img']")) {
      if (!named(el) && !el.querySelector("title")) report("alt", el, "svg image without a name");
    }

    // tab order
    for (const el of document.querySelectorAll("[tabindex]")) {
      if (el.tabIndex > 0) report("tabindex", el, `tabindex=${el.tabIndex}`);
    }

    // contrast
    // The colour behind `el`: its own and its ancestors' backgrounds, composed over white.
    // null when an image or gradient is behind the text: the ratio cannot be known then.
    const background = (el) => {
      const layers = [];
      for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.backgroundImage !== "none") return null;
        const color = parse(style.backgroundColor);
        if (color && color[3] > 0) {
          layers.push(color);
          if (color[3] >= 1) break;
        }
      }
      let result = [255, 255, 255, 1];
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const opacity = (el) => {
      let value = 1;
      for (let node = el; node && node.nodeType === 1; node = node.parentElement)
        value *= parseFloat(getComputedStyle(node).opacity);
      return value;
    };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const el = text.parentElement;
      if (!el || seen.has(el) || !text.textContent.trim()) continue;
      seen.add(el);
      if (["SCRIPT", "STYLE", "NOSCRIPT", "OPTION"].includes(el.tagName) || !rendered(el)) continue;
      if (el.closest("[disabled], [aria-disabled='true'], [hidden]")) continue;   // exempt, or not shown
      const style = getComputedStyle(el);
      const behind = background(el);
      const fg = parse(style.color);
      if (!behind || !fg) continue;
      const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], behind);
      const found = ratio(shown, behind);
      if (found < MIN_CONTRAST)
        report("contrast", el, `${found.toFixed(2)}:1 < ${MIN_CONTRAST}:1 (${style.color} on rgb(${behind.slice(0, 3).map(Math.round).join(",")}))`);
    }
    return problems;
  };

  // Keyboard: the controls of <main> that Tab stops at, in order. A radio group is one stop
  // (its checked radio, or its first); tabindex="-1", disabled and unshown controls are none.
  const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  let tabbables = [];
  const stops = () => {
    const main = document.querySelector("main");
    if (!main) return [];
    const groups = new Set();
    return Array.from(main.querySelectorAll(FOCUSABLE)).filter((el) => {
      if (el.tabIndex < 0 || el.disabled || el.closest("[inert]")) return false;
      if (!el.checkVisibility({ visibilityProperty: true })) return false;
      if (el.type === "radio" && el.name) {
        const scope = el.form || document;
        const group = Array.from(scope.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`));
        const stop = group.find((r) => r.checked) || group.find((r) => !r.disabled);
        if (stop !== el || groups.has(scope + el.name)) return false;
        groups.add(scope + el.name);
      }
      return true;
    });
  };
  // The next Tab starts from the top of the page, wherever the focus was left.
  let url = "";
  const startAtTheTop = () => {
    url = location.href;
    document.body.tabIndex = -1;
    document.body.focus({ preventScroll: true });
    document.body.removeAttribute("tabindex");
  };
  // After Enter on the skip link: the URL loses the skip link's #main again (a form of the
  // page would carry it on), and the Tab stops of <main> are listed.
  const markTabbables = () => {
    if (location.href !== url) history.replaceState(history.state, "", url);
    tabbables = stops();
    return tabbables.length;
  };
  const position = () => {
    const el = document.activeElement;
    return { index: tabbables.indexOf(el), element: el ? describe(el) : "nothing",
             skipLink: !!(el && el.matches("a.skip-link")), visible: el ? focusShows(el) : false };
  };
  const rings = (el) => {
    const s = getComputedStyle(el);
    return { outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
                      && (parse(s.outlineColor) || [0, 0, 0, 0])[3] > 0,
             shadow: s.boxShadow, border: s.borderColor, background: s.backgroundColor };
  };
  // Focus shows when the focused element has an outline, or a box-shadow, border or
  // background that it does not have unfocused.
  const focusShows = (el, before) => {
    const now = rings(el);
    if (now.outline) return true;
    if (!before) return now.shadow !== "none";
    return (now.shadow !== "none" && now.shadow !== before.shadow) || now.border !== before.border
      || now.background !== before.background;
  };
  // Called after a real Tab, so that focus() is shown as keyboard focus (:focus-visible).
  const focusStyles = () => {
    const found = [];
    for (const el of stops()) {
      const before = rings(el);
      el.focus({ preventScroll: true });
      if (document.activeElement !== el) {
        found.push({ rule: "focus", element: describe(el), detail: "cannot take focus" });
      } else if (!el.matches(":focus-visible") || !focusShows(el, before)) {
        found.push({ rule: "focus", element: describe(el), detail: "focus is not visible" });
      }
    }
    return found;
  };
  return { audit, startAtTheTop, markTabbables, position, focusStyles };
})();
