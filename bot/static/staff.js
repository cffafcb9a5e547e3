/* Staff console: large-font toggle, live conversation on the ticket page. No dependencies. */
(function () {
  "use strict";
  var root = document.documentElement;
  var big = document.getElementById("bigfont");
  function setBig(on) {
    root.classList.toggle("big", on);
    if (big) { big.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  setBig(localStorage.getItem("staff-bigfont") === "1");
  if (big) {
    big.addEventListener("click", function () {
      var on = !root.classList.contains("big");
      localStorage.setItem("staff-bigfont", on ? "1" : "0");
      setBig(on);
    });
  }

  var list = document.getElementById("messages");
  if (!list || !list.getAttribute("data-poll")) { return; }
  var url = list.getAttribute("data-poll");
  var after = parseInt(list.getAttribute("data-after") || "0", 10);
  var WHO = { "in": "群众", "staff": "工作人员", "bot": "机器人" };

  function kindOf(m) {
    if (m.direction === "in") { return "in"; }
    return m.sender.indexOf("staff") === 0 ? "staff" : "bot";
  }
  function add(m) {
    if (list.querySelector('[data-id="' + m.id + '"]')) { return; }
    var none = list.querySelector(".none");
    if (none) { none.remove(); }
    var li = document.createElement("li");
    var kind = kindOf(m);
    li.className = "msg " + kind + " new";
    li.setAttribute("data-id", String(m.id));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = WHO[kind] + " · " + m.at;
    var p = document.createElement("p");
    p.textContent = m.text;
    li.appendChild(who);
    li.appendChild(p);
    if (m.options && m.options.length) {
      var ol = document.createElement("ol");
      ol.className = "opts";
      m.options.forEach(function (o) { var i = document.createElement("li"); i.textContent = o; ol.appendChild(i); });
      li.appendChild(ol);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }
  function poll() {
    fetch(url + "?after=" + after, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        (data.messages || []).forEach(function (m) { add(m); after = Math.max(after, m.id); });
      })
      .catch(function () { /* offline for a moment: try again on the next tick */ })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  list.scrollTop = list.scrollHeight;
  window.setTimeout(poll, 2000);
})();
