// Photo check page: zoom and pan the photo (buttons, keys, wheel with Ctrl, pinch), "Show"
// a face from its row, and search pupils as you type (an ARIA 1.2 combobox over the select).
(function () {
  "use strict";
  const STEPS = [1, 1.5, 2, 3, 4, 6, 8];

  function setupZoom(tools) {
    const frame = document.getElementById(tools.dataset.zoomFor);
    const inner = frame.querySelector(".photo-check");
    const level = tools.querySelector("[data-zoom-level]");
    let zoom = 1;
    function apply(next, cx, cy) {
      const rect = frame.getBoundingClientRect();
      const fx = cx === undefined ? 0.5 : (cx - rect.left) / rect.width;
      const fy = cy === undefined ? 0.5 : (cy - rect.top) / rect.height;
      const px = (frame.scrollLeft + fx * frame.clientWidth) / inner.offsetWidth;
      const py = (frame.scrollTop + fy * frame.clientHeight) / inner.offsetHeight;
      zoom = Math.min(STEPS[STEPS.length - 1], Math.max(1, next));
      inner.style.width = zoom * 100 + "%";
      frame.scrollLeft = px * inner.offsetWidth - fx * frame.clientWidth;
      frame.scrollTop = py * inner.offsetHeight - fy * frame.clientHeight;
      level.textContent = Math.round(zoom * 100) + "%";
      frame.dataset.zoom = String(zoom);
    }
    function step(dir) {
      const i = STEPS.findIndex((s) => s >= zoom - 0.01);
      apply(STEPS[Math.max(0, Math.min(STEPS.length - 1, (i < 0 ? 0 : i) + dir))]);
    }
    tools.hidden = false;
    tools.addEventListener("click", (e) => {
      const b = e.target.closest("[data-zoom]");
      if (!b) return;
      if (b.dataset.zoom === "fit") apply(1); else step(b.dataset.zoom === "in" ? 1 : -1);
    });
    frame.addEventListener("keydown", (e) => {
      if (e.key === "+" || e.key === "=") { step(1); e.preventDefault(); }
      if (e.key === "-" || e.key === "_") { step(-1); e.preventDefault(); }
      if (e.key === "0") { apply(1); e.preventDefault(); }
    });
    frame.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      apply(zoom * (e.deltaY < 0 ? 1.25 : 0.8), e.clientX, e.clientY);
    }, { passive: false });
    let pinch = null;
    frame.addEventListener("touchstart", (e) => {
      if (e.touches.length === 2) pinch = { d: dist(e.touches), z: zoom };
    }, { passive: true });
    frame.addEventListener("touchmove", (e) => {
      if (!pinch || e.touches.length !== 2) return;
      e.preventDefault();
      const mid = [(e.touches[0].clientX + e.touches[1].clientX) / 2,
        (e.touches[0].clientY + e.touches[1].clientY) / 2];
      apply(pinch.z * dist(e.touches) / pinch.d, mid[0], mid[1]);
    }, { passive: false });
    frame.addEventListener("touchend", () => { pinch = null; });
    frame.zoomTo = function (box, photoWidth) {
      // Zoom so the face is about a fifth of the frame wide, and centre it.
      const [x, y, w, h] = box;
      apply(Math.max(zoom, Math.min(8, photoWidth / (w * 5))));
      const scale = inner.offsetWidth / photoWidth;
      frame.scrollLeft = (x + w / 2) * scale - frame.clientWidth / 2;
      frame.scrollTop = (y + h / 2) * scale - frame.clientHeight / 2;
    };
  }

  function dist(t) {
    return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY);
  }

  function setupShow(button) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const frame = document.getElementById(button.dataset.zoomTarget);
      const g = frame.querySelector('[data-face="' + button.dataset.showFace + '"]');
      const width = frame.querySelector("img").getAttribute("width");
      frame.querySelectorAll(".face-box.focus").forEach((el) => el.classList.remove("focus"));
      g.classList.add("focus");
      frame.zoomTo(g.dataset.box.split(",").map(Number), Number(width));
      frame.scrollIntoView({ block: "nearest" });
    });
  }

  function label(r) {
    return r.name + " (" + r.year + (r.class ? ", class " + r.class : "") + ")" +
      (r.restricted ? " (restricted list)" : "");
  }

  function setupSearch(box) {
    const select = document.getElementById(box.dataset.for);
    const input = box.querySelector("input");
    const list = box.querySelector("ul");
    let results = [], active = -1, timer = null, asked = 0;
    box.hidden = false;

    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function highlight(i) {
      active = i;
      list.querySelectorAll("li").forEach((li, j) => li.setAttribute("aria-selected", j === i));
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", list.children[i].id);
        list.children[i].scrollIntoView({ block: "nearest" });
      }
    }
    function show(found) {
      results = found; list.replaceChildren();
      found.forEach((r, i) => {
        const li = document.createElement("li");
        li.id = input.id + "-opt-" + i; li.setAttribute("role", "option");
        li.textContent = label(r);
        li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (!found.length) {
        const li = document.createElement("li");
        li.setAttribute("role", "option"); li.setAttribute("aria-disabled", "true");
        li.textContent = "No pupil on roll matches"; list.appendChild(li);
      }
      list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(-1);
    }
    function choose(i) {
      const r = results[i];
      if (!r) return;
      let option = Array.from(select.options).find((o) => o.value === r.value);
      if (!option) {
        option = new Option(label(r), r.value);
        select.add(option);
      }
      select.value = r.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = ""; close(); select.focus();
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(() => {
        const mine = ++asked;
        const url = new URL(box.dataset.searchUrl, window.location.href);
        url.searchParams.set("q", q);
        fetch(url,
          { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then((r) => r.json())
          .then((data) => { if (mine === asked) show(data.results); });
      }, 150);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown" && results.length) {
        highlight(Math.min(results.length - 1, active + 1)); e.preventDefault();
      } else if (e.key === "ArrowUp" && results.length) {
        highlight(Math.max(0, active - 1)); e.preventDefault();
      } else if (e.key === "Enter") {
        if (active >= 0) choose(active);
        e.preventDefault();  // never submit the tag form from the search box
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-zoom-for]").forEach(setupZoom);
    document.querySelectorAll("[data-show-face]").forEach(setupShow);
    document.querySelectorAll(".pupil-search").forEach(setupSearch);
  });
})();
