(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var big = document.getElementById("bigfont");
  var human = document.getElementById("human");
  var shown = {};        // message ids already on the page
  var offer = null;      // id of the message whose options still answer a question
  var cursor = null;     // newest message id polled (staff lines after it come next)
  var inHuman = false;

  function scrollDown() { log.scrollTop = log.scrollHeight; }
  function setBig(on) {
    document.body.classList.toggle("big", on);
    big.setAttribute("aria-pressed", on ? "true" : "false");
    big.textContent = on ? "大字：开" : "大字：关";
    big.setAttribute("aria-label", on ? "大字已开，点击恢复正常字号" : "大字已关，点击放大字体");
    scrollDown();
  }
  setBig(localStorage.getItem("bigfont") === "1");
  big.addEventListener("click", function () {
    var on = !document.body.classList.contains("big");
    localStorage.setItem("bigfont", on ? "1" : "0");
    setBig(on);
  });

  // Phone numbers become tap-to-call links; a 查询码 is repeated as a card to keep.
  var PHONE = /(?<![0-9*])(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}|12345|12356|12368|110|120|119)(?![0-9*])/g;
  var CODE = /查询码[：:]\s*([A-Za-z0-9]{4,12})/;
  function fill(p, text) {
    var last = 0;
    text.replace(PHONE, function (num, _g, at) {
      p.appendChild(document.createTextNode(text.slice(last, at)));
      var a = document.createElement("a");
      a.className = "tel";
      a.href = "tel:" + num.replace(/-/g, "");
      a.textContent = num;
      p.appendChild(a);
      last = at + num.length;
      return num;
    });
    p.appendChild(document.createTextNode(text.slice(last)));
  }
  function codeCard(text) {
    var m = CODE.exec(text);
    if (!m) { return null; }
    var card = document.createElement("div");
    card.className = "code-card";
    card.setAttribute("role", "note");
    card.appendChild(document.createTextNode("您的查询码"));
    var strong = document.createElement("strong");
    strong.textContent = m[1];
    card.appendChild(strong);
    var small = document.createElement("small");
    small.textContent = "请截图或抄下来保存，查询进度时要用，不要告诉他人。";
    card.appendChild(small);
    return card;
  }

  // msg: {id?, who: me|bot|staff|notice, from?, text, options?}
  function add(msg) {
    if (msg.id && shown[msg.id]) { return null; }
    if (msg.id) { shown[msg.id] = true; }
    var div = document.createElement("div");
    div.className = "msg " + (msg.who === "staff" ? "bot staff" : msg.who);
    if (msg.from) {
      var from = document.createElement("span");
      from.className = "from";
      from.textContent = msg.from + "：";
      div.appendChild(from);
    }
    var p = document.createElement("p");
    fill(p, msg.text);
    div.appendChild(p);
    var card = msg.who === "me" ? null : codeCard(msg.text);
    if (card) { div.appendChild(card); }
    if (msg.options && msg.options.length) {
      var ol = document.createElement("ol");
      ol.className = "options";
      if (msg.id) { ol.setAttribute("data-offer", String(msg.id)); }
      msg.options.forEach(function (label) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = label;
        b.setAttribute("data-label", label);
        li.appendChild(b);
        ol.appendChild(li);
      });
      div.appendChild(ol);
      if (msg.id) { offer = msg.id; }
    }
    log.appendChild(div);
    scrollDown();
    return div;
  }
  // Only the newest question's buttons answer; older ones are greyed out.
  function retire() {
    var lists = log.querySelectorAll("ol[data-offer]");
    Array.prototype.forEach.call(lists, function (ol) {
      if (Number(ol.getAttribute("data-offer")) === offer || ol.getAttribute("data-ended")) { return; }
      ol.setAttribute("data-ended", "1");
      Array.prototype.forEach.call(ol.querySelectorAll("button"), function (b) { b.disabled = true; });
      var note = document.createElement("p");
      note.className = "ended";
      note.textContent = "（这个问题已经结束）";
      ol.parentNode.appendChild(note);
    });
  }
  function setHuman(on) {
    if (inHuman && !on) { add({ who: "notice", from: "服务通知", text: "人工服务已结束。有问题可以直接问我。" }); }
    inHuman = on;
    human.hidden = !on;
  }

  function messageId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  // A message keeps its id when it is sent again after a network error or a busy server,
  // so the server answers it once (its inbox is keyed by the id).
  function post(payload, tries) {
    return fetch("/chat/send", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload), credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 503 && tries > 1) { throw new Error("busy"); }
        return r.json();
      })
      .catch(function (err) {
        if (tries <= 1) { throw err; }
        return new Promise(function (ok) { window.setTimeout(ok, 2000); }).then(function () { return post(payload, tries - 1); });
      });
  }
  function deliver(payload) {
    var wait = add({ who: "bot pending", text: "正在查询…" });
    post(payload, 3)
      .then(function (data) {
        wait.remove();
        if (data.error) { add({ who: "bot", text: data.error }); return; }
        (data.replies || []).forEach(function (r) { add({ id: r.id, who: "bot", text: r.text, options: r.options }); });
        retire();
      })
      .catch(function () {
        wait.remove();
        var box = add({ who: "failed", text: "网络不太好，这条消息没有发出去。" });
        var again = document.createElement("button");
        again.type = "button";
        again.textContent = "重新发送";
        again.addEventListener("click", function () { box.remove(); deliver(payload); });
        box.appendChild(again);
      });
  }
  function send(text, offered) {
    if (!text.trim()) { return; }
    add({ who: "me", text: text });
    var payload = { text: text, id: messageId() };
    if (offered) { payload.offered = offered; }
    deliver(payload);
  }
  log.addEventListener("click", function (e) {
    var t = e.target;
    if (!t || !t.getAttribute || t.disabled) { return; }
    if (t.getAttribute("data-say")) { send(t.getAttribute("data-say")); return; }
    if (t.getAttribute("data-label")) {
      var ol = t.closest("ol");
      var offered = ol && ol.getAttribute("data-offer");
      send(t.getAttribute("data-label"), offered ? Number(offered) : null);
    }
  });
  human.addEventListener("click", function (e) {
    if (e.target && e.target.getAttribute && e.target.getAttribute("data-say")) { send(e.target.getAttribute("data-say")); }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); var v = input.value; input.value = ""; send(v); input.focus(); });

  // The conversation so far on open (staff replies and notices sent while the page was
  // closed included), then staff replies, notices and the satisfaction question by polling.
  function poll() {
    fetch("/chat/poll" + (cursor === null ? "" : "?after=" + cursor), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        (data.messages || []).forEach(add);
        if (typeof data.after === "number" && (cursor === null || data.after > cursor)) { cursor = data.after; }
        if (data.offer !== undefined) { offer = data.offer; }
        retire();
        setHuman(!!data.human);
      })
      .catch(function () { /* offline for a moment */ })
      .then(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
