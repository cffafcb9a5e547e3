(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var big = document.getElementById("bigfont");
  if (localStorage.getItem("bigfont") === "1") { document.body.classList.add("big"); big.setAttribute("aria-pressed", "true"); }
  big.addEventListener("click", function () {
    var on = document.body.classList.toggle("big");
    big.setAttribute("aria-pressed", on ? "true" : "false");
    localStorage.setItem("bigfont", on ? "1" : "0");
  });
  function add(text, who, options) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    var p = document.createElement("p");
    p.textContent = text;
    div.appendChild(p);
    if (options && options.length) {
      var ol = document.createElement("ol");
      ol.className = "options";
      options.forEach(function (opt, i) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = opt;
        b.setAttribute("data-say", String(i + 1));
        li.appendChild(b);
        ol.appendChild(li);
      });
      div.appendChild(ol);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function messageId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // A message keeps its id when it is sent again after a network error or a busy server,
  // so the server answers it once (its inbox is keyed by the id).
  function post(text, id, tries) {
    return fetch("/chat/send", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: text, id: id }), credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 503 && tries > 1) { throw new Error("busy"); }
        return r.json();
      })
      .catch(function (err) {
        if (tries <= 1) { throw err; }
        return new Promise(function (ok) { window.setTimeout(ok, 2000); }).then(function () { return post(text, id, tries - 1); });
      });
  }
  function send(text) {
    if (!text.trim()) { return; }
    add(text, "me");
    post(text, messageId(), 3)
      .then(function (data) {
        if (data.error) { add(data.error, "bot"); return; }
        (data.replies || []).forEach(function (r) { add(r.text, "bot", r.options); });
      })
      .catch(function () { add("网络不太好，请稍后再试。", "bot"); });
  }
  log.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.getAttribute && t.getAttribute("data-say")) { send(t.getAttribute("data-say") === t.textContent ? t.textContent : t.getAttribute("data-say")); }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); var v = input.value; input.value = ""; send(v); input.focus(); });

  // Staff replies (人工服务), notices and the satisfaction question arrive by polling.
  var cursor = null;
  function poll() {
    fetch("/chat/poll" + (cursor === null ? "" : "?after=" + cursor), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        (data.messages || []).forEach(function (m) { add("工作人员：" + m.text, "bot staff", m.options); });
        if (typeof data.after === "number") { cursor = data.after; }
      })
      .catch(function () { /* offline for a moment */ })
      .then(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
