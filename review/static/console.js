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
    var live = document.getElementById("queue-live");
    var rows = [];
    var current = -1;
    function select(i) {
      if (!rows.length) { current = -1; return; }
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach(function (r, j) { r.classList.toggle("selected", j === current); });
      rows[current].scrollIntoView({block: "nearest"});
    }
    function bindRows() {
      var selectedId = current >= 0 && rows[current] ? rows[current].dataset.leadId : null;
      rows = Array.prototype.slice.call(document.querySelectorAll("tr.lead-row"));
      rows.forEach(function (row, i) {
        row.addEventListener("click", function (ev) {
          if (ev.target.closest("a")) return;
          select(i); open();
        });
      });
      var keep = rows.findIndex(function (r) { return r.dataset.leadId === selectedId; });
      select(keep >= 0 ? keep : 0);
    }
    function open(hash) {
      if (current >= 0) window.location.href = rows[current].dataset.href + (hash || "");
    }
    function follow(id) {
      var a = document.getElementById(id);
      if (a) window.location.href = a.href;
    }
    bindRows();
    document.addEventListener("keydown", function (ev) {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      switch (ev.key) {
        case "j": select(current + 1); break;
        case "k": select(current - 1); break;
        case "Enter": open(); break;
        case "v": open("&focus=verify#verify"); break;
        case "r": open("&focus=reject#reject"); break;
        case "n": follow("next-page"); break;
        case "p": follow("prev-page"); break;
        case "/": var f = document.querySelector(".filters select"); if (f) f.focus(); break;
        case "?": toggleHelp(); break;
        default: return;
      }
      ev.preventDefault();
    });
    if (live) setupLive(live, bindRows);
  }

  // The live queue: poll with the last ETag; a 304 costs the server one small read. A change
  // replaces the queue part with HTML the server rendered through its autoescaping templates.
  function setupLive(live, rebind) {
    var etag = live.dataset.etag;
    var every = parseInt(live.dataset.pollMs, 10) || 5000;
    var status = document.getElementById("live-status");
    var sound = document.getElementById("sound-toggle");
    var seenUrgent = {};
    document.querySelectorAll("tr.lead-row[data-urgent='1']").forEach(function (r) { seenUrgent[r.dataset.leadId] = 1; });
    if (sound) {
      sound.checked = window.localStorage.getItem("civicwatch.sound") === "on";  // off unless chosen
      sound.addEventListener("change", function () {
        window.localStorage.setItem("civicwatch.sound", sound.checked ? "on" : "off");
      });
    }
    function beep() {
      try {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880; gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(); osc.stop(ctx.currentTime + 0.35);
      } catch (e) { /* no audio device: the title still shows the count */ }
    }
    function poll() {
      fetch(live.dataset.liveUrl, {headers: {"If-None-Match": etag, "Accept": "application/json"},
                                   cache: "no-store", credentials: "same-origin"})
        .then(function (res) {
          if (res.redirected) { window.location.reload(); return null; }  // signed out meanwhile
          if (res.status === 304) return null;
          if (!res.ok) throw new Error(res.status);
          etag = res.headers.get("ETag") || etag;
          return res.json();
        })
        .then(function (data) {
          if (status) { status.textContent = "自动刷新中 · " + new Date().toLocaleTimeString("zh-CN", {hour12: false}); status.classList.remove("stale"); }
          if (!data) return;
          var doc = new DOMParser().parseFromString(data.html, "text/html");
          live.replaceChildren.apply(live, Array.prototype.slice.call(doc.body.childNodes));
          document.title = data.title + " · civicwatch 未诉先办";
          var fresh = data.urgent_ids.filter(function (id) { return !seenUrgent[id]; });
          data.urgent_ids.forEach(function (id) { seenUrgent[id] = 1; });
          if (fresh.length && sound && sound.checked) beep();
          rebind();
          tickSla();
        })
        .catch(function () {
          if (status) { status.textContent = "连接中断，稍后重试"; status.classList.add("stale"); }
        })
        .finally(function () { window.setTimeout(poll, every); });
    }
    window.setTimeout(poll, every);
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
    var confirm = document.getElementById("verify-confirm");
    function armVerify() {
      // `v` only selects the button and asks; Enter (the focused button's own action) dispatches.
      var b = focus("verify-button");
      if (b && confirm) confirm.hidden = false;
    }
    var verifyButton = document.getElementById("verify-button");
    if (verifyButton && confirm) verifyButton.addEventListener("blur", function () { confirm.hidden = true; });
    function focusFromUrl() {
      if (location.hash === "#verify") armVerify();
      if (location.hash === "#reject") focus("reject-reason");
    }
    focusFromUrl();
    // Chromium drops a focus set while it still scrolls to the #fragment of a page opened from a
    // key press; ask again once the page has loaded, unless the reviewer moved on.
    window.addEventListener("load", function () {
      if (document.activeElement === document.body) focusFromUrl();
    });
    setupMergeSearch();
    var backLink = document.getElementById("back-link");
    var back = backLink ? backLink.getAttribute("href") : "/";
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && confirm && !confirm.hidden) { confirm.hidden = true; ev.target.blur(); return; }
      if (ev.key === "Escape" && typing(ev)) { ev.target.blur(); return; }
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      switch (ev.key) {
        case "v": armVerify(); break;
        case "r": focus("reject-reason"); break;
        case "m": focus("merge-q") || focus("into-id"); break;
        case "o": focus("reopen-reason"); break;
        case "w": focus("withdraw-button"); break;
        case "u": case "Escape": window.location.href = back; break;
        case "?": toggleHelp(); break;
        default: return;
      }
      ev.preventDefault();
    });
  }

  // The merge box: typing asks the console for similar open leads; each becomes a button that
  // submits the merge into it. Suggestions are built with textContent, never as HTML.
  function setupMergeSearch() {
    var input = document.getElementById("merge-q");
    var list = document.getElementById("suggestions");
    var form = document.getElementById("merge-form");
    if (!input || !list || !form) return;
    var timer = null, asked = 0;
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {  // Enter in the search box picks the first suggestion, if any
        var first = list.querySelector("button.suggestion");
        ev.preventDefault();
        if (first) first.click();
      }
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++asked;
        fetch(form.dataset.similarUrl + "?q=" + encodeURIComponent(input.value), {credentials: "same-origin"})
          .then(function (res) { return res.ok ? res.json() : {leads: []}; })
          .then(function (data) {
            if (mine !== asked) return;  // a newer answer is on its way
            list.replaceChildren();
            data.leads.forEach(function (x) {
              var li = document.createElement("li");
              var b = document.createElement("button");
              b.type = "submit"; b.name = "pick"; b.value = x.id; b.className = "suggestion";
              b.dataset.leadId = x.id; b.textContent = "合并到此";
              var what = document.createElement("span");
              what.textContent = [x.item, x.place, x.state].filter(Boolean).join(" · ");
              var text = document.createElement("small");
              text.textContent = x.text;
              li.append(b, " ", what, " ", text);
              list.append(li);
            });
            if (!data.leads.length) {
              var none = document.createElement("li");
              none.className = "none"; none.textContent = "没有找到相似的待处理线索。";
              list.append(none);
            }
          });
      }, 200);
    });
  }

  function setupSearch() {
    var all = document.getElementById("pick-all");
    if (all) all.addEventListener("change", function () {
      document.querySelectorAll("input.pick:not([disabled])").forEach(function (c) { c.checked = all.checked; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("search-page")) setupSearch();
    if (document.body.classList.contains("queue-page")) setupQueue();
    if (document.body.classList.contains("lead-page")) setupLead();
    tickSla();
    setInterval(tickSla, 30000);
  });
})();
