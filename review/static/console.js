// civicwatch console: keyboard shortcuts, SLA countdowns, correction helpers.
// Loaded from /static (the CSP forbids inline script); it never inserts scraped text as HTML.
(function () {
  "use strict";

  function typing(ev) {
    var t = ev.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function duration(minutes) {
    if (minutes < 60) return minutes + " 分";
    var h = Math.floor(minutes / 60);
    if (h < 48) return h + " 小时 " + (minutes % 60) + " 分";
    return Math.floor(h / 24) + " 天";
  }

  function tickSla() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var minutes = Math.floor((Date.parse(el.dataset.deadline) - now) / 60000);
      var overdue = minutes < 0;
      el.textContent = overdue ? "⚠ 超时 " + duration(-minutes) : "剩余 " + duration(minutes);
      el.classList.toggle("overdue", overdue);
      el.classList.toggle("soon", !overdue && minutes < 10);
      var row = el.closest("tr");
      if (row) row.classList.toggle("is-overdue", overdue);
    });
  }

  function toggleHelp() {
    var help = document.getElementById("help");
    if (help) help.classList.toggle("hidden");
  }

  // --- queue page ------------------------------------------------------------
  function setupQueue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.lead-row"));
    var current = rows.length ? 0 : -1;
    function select(i) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, j) { r.classList.toggle("selected", j === current); });
      rows[current].scrollIntoView({block: "nearest"});
    }
    function open(hash) {
      if (current >= 0) window.location.href = rows[current].dataset.href + (hash || "");
    }
    rows.forEach(function (row, i) {
      row.addEventListener("click", function (ev) {
        if (ev.target.closest("a")) return;
        select(i); open();
      });
    });
    select(0);
    document.addEventListener("keydown", function (ev) {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      switch (ev.key) {
        case "j": select(current + 1); break;
        case "k": select(current - 1); break;
        case "Enter": open(); break;
        case "v": open("#verify"); break;
        case "r": open("#reject"); break;
        case "/": var f = document.querySelector(".filters select"); if (f) f.focus(); break;
        case "?": toggleHelp(); break;
        default: return;
      }
      ev.preventDefault();
    });
  }

  // --- lead page -------------------------------------------------------------
  function setupLead() {
    var item = document.getElementById("item");
    var dept = document.getElementById("dept-name");
    if (item && dept) {
      var showDept = function () {
        var opt = item.options[item.selectedIndex];
        dept.textContent = opt && opt.dataset.dept ? opt.dataset.dept : "未定";
      };
      item.addEventListener("change", function () {
        showDept();
        // A new item brings its catalogue SLA class; the verifier can still override it.
        var opt = item.options[item.selectedIndex];
        var urgency = document.getElementById("urgency");
        if (urgency && opt && opt.dataset.sla) urgency.value = opt.dataset.sla;
      });
      showDept();
    }
    var district = document.getElementById("district");
    var street = document.getElementById("street");
    if (district && street) {
      var filterStreets = function () {
        street.querySelectorAll("optgroup").forEach(function (g) {
          var match = !district.value || g.dataset.district === district.value;
          g.hidden = !match;
          g.disabled = !match;
        });
        var sel = street.options[street.selectedIndex];
        if (sel && sel.parentElement.disabled) street.value = "";
      };
      district.addEventListener("change", filterStreets);
      filterStreets();
    }
    function focus(id) { var el = document.getElementById(id); if (el) { el.focus(); return el; } return null; }
    if (location.hash === "#verify") focus("verify-button");
    if (location.hash === "#reject") focus("reject-reason");
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && typing(ev)) { ev.target.blur(); return; }
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      switch (ev.key) {
        case "v": var b = document.getElementById("verify-button"); if (b) b.click(); break;
        case "r": focus("reject-reason"); break;
        case "m": focus("into-id"); break;
        case "o": focus("reopen-reason"); break;
        case "u": case "Escape": window.location.href = "/"; break;
        case "?": toggleHelp(); break;
        default: return;
      }
      ev.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("queue-page")) setupQueue();
    if (document.body.classList.contains("lead-page")) setupLead();
    tickSla();
    setInterval(tickSla, 30000);
  });
})();
