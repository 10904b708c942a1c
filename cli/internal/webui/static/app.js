// Skein web UI: the page's behaviour. Every page works without it (forms
// post and redirect); with it, actions change the page in place, the feed
// updates live, long lists load as you scroll, and shortcuts work.
// Everything it inserts is HTML the server rendered and escaped.
"use strict";
(function () {
  var body = document.body;
  var page = body.dataset.page;
  var alertBox = document.getElementById("alert");
  var connBox = document.getElementById("conn");

  // ---- helpers -----------------------------------------------------------
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }
  function showError(msg) {
    alertBox.textContent = msg;
    alertBox.hidden = false;
    clearTimeout(showError.t);
    showError.t = setTimeout(function () { alertBox.hidden = true; }, 8000);
  }
  function say(msg) { connBox.textContent = msg; }
  function newRequestID() {
    var b = new Uint8Array(12);
    crypto.getRandomValues(b);
    return "ui-" + Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function send(url, data) {
    return fetch(url, {
      method: data ? "POST" : "GET",
      body: data || undefined,
      headers: { "X-Skein": "1" },
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (res) {
      return res.text().then(function (text) {
        if (!res.ok) {
          if (!text || text.length > 500) text = "The daemon answered " + res.status + ".";
          throw new Error(text);
        }
        return text;
      });
    }, function () {
      throw new Error("The daemon did not answer: is it running? Nothing was lost; try again.");
    });
  }

  // ---- theme ---------------------------------------------------------------
  var theme = $("#theme");
  if (theme) {
    try { theme.value = localStorage.getItem("skein-theme") || ""; } catch (e) { }
    theme.addEventListener("change", function () {
      var v = theme.value;
      if (v) document.documentElement.setAttribute("data-theme", v);
      else document.documentElement.removeAttribute("data-theme");
      try { if (v) localStorage.setItem("skein-theme", v); else localStorage.removeItem("skein-theme"); } catch (e) { }
    });
  }

  // ---- help ----------------------------------------------------------------
  var help = $("#help");
  function openHelp() { if (help && !help.open) help.showModal(); }
  var helpOpen = $("#help-open");
  if (helpOpen) helpOpen.addEventListener("click", openHelp);

  // ---- the key exchange page --------------------------------------------
  if (page === "auth") {
    var key = location.hash.slice(1);
    if (/^[0-9a-f]{32}$/.test(key)) { // a key from skein ui, not some other fragment
      history.replaceState(null, "", location.pathname); // the key leaves the address bar
      $("#auth-key").value = key;
      $("#auth-form").submit();
    }
    return;
  }

  // ---- the sticky header's height, for what sticks below it ---------------
  var header = $("header.top");
  function headerHeight() {
    document.documentElement.style.setProperty("--header-h", header.offsetHeight + "px");
  }
  if (header) {
    headerHeight();
    if (window.ResizeObserver) new ResizeObserver(headerHeight).observe(header);
  }

  // ---- the feed: positions, new posts, live updates ----------------------
  var feed = $("#feed");
  var pending = []; // live posts held back while the reader is scrolled down
  var pill = $("#new-posts");
  var newStatus = $("#new-status");

  function has(entry) { return !!document.getElementById("p-" + entry); }
  function isPending(entry) { return pending.some(function (p) { return p.dataset.entry === entry; }); }
  function renumber() {
    if (!feed) return;
    $$(":scope > article.post", feed).forEach(function (a, i) { a.setAttribute("aria-posinset", String(i + 1)); a.setAttribute("aria-setsize", "-1"); });
  }
  function atTop() { return window.scrollY < 80; }
  function showPending() {
    if (!pill) return;
    var n = pending.length;
    pill.hidden = n === 0;
    $("#new-count").textContent = String(n);
    newStatus.textContent = n ? n + (n === 1 ? " new post" : " new posts") : "";
  }
  function insertTop(articles, fresh) {
    var empty = $("#feed-empty");
    if (empty) empty.remove();
    var entries = articles.map(function (a) { return a.dataset.entry; });
    var before = pending.length;
    pending = pending.filter(function (p) { return entries.indexOf(p.dataset.entry) < 0; });
    if (pending.length !== before) showPending(); // one's own post, back from the stream first
    // An empty list is not marked a feed (a feed must hold articles).
    feed.setAttribute("role", "feed");
    for (var i = articles.length - 1; i >= 0; i--) {
      var a = articles[i];
      if (has(a.dataset.entry)) continue;
      if (fresh) a.classList.add("fresh");
      feed.insertBefore(a, feed.firstChild);
    }
    renumber();
  }
  function livePost(html) {
    if (!feed) return;
    var a = fragment(html).querySelector("article.post");
    if (!a || has(a.dataset.entry) || isPending(a.dataset.entry)) return;
    if (atTop() && pending.length === 0) insertTop([a], true);
    else { pending.push(a); showPending(); }
  }
  if (pill) pill.addEventListener("click", function () {
    var list = pending.slice().reverse(); // newest first
    pending = [];
    showPending();
    insertTop(list, true);
    window.scrollTo(0, 0);
    var first = feed.querySelector("article.post");
    if (first) first.focus();
  });

  function setBadge(n) {
    var b = $("#badge");
    if (!b) return;
    $("#badge-n").textContent = String(n);
    b.hidden = !(n > 0);
  }

  // catchUp reloads what a tab shows after it missed events (the daemon
  // restarted, or the tab slept): the newest page of the feed, the badge.
  function catchUp() {
    if (feed) send("/").then(function (html) {
      var got = $$("article.post", fragment(html));
      var fresh = got.filter(function (a) { return !has(a.dataset.entry) && !isPending(a.dataset.entry); });
      if (!fresh.length) return;
      if (atTop() && pending.length === 0) insertTop(fresh, true);
      else { pending = fresh.reverse().concat(pending); showPending(); }
    }).catch(function () { });
    send("/badge").then(function (n) { setBadge(parseInt(n, 10) || 0); }).catch(function () { });
    chatCatchUp();
  }

  // The stream starts where the page was rendered from, so that an event
  // between the two (a post, a notification) is not missed.
  var lastID = body.dataset.events || "";
  var es = null;
  var broken = false;
  function listen() {
    if (!window.EventSource || !body.dataset.me) return;
    es = new EventSource("/events" + (lastID ? "?last=" + encodeURIComponent(lastID) : ""));
    function track(ev) { if (ev.lastEventId) lastID = ev.lastEventId; }
    es.addEventListener("open", function () {
      if (broken) { say("Reconnected."); setTimeout(function () { if (!broken) say(""); }, 3000); }
      broken = false;
    });
    es.addEventListener("post", function (ev) { track(ev); livePost(ev.data); });
    es.addEventListener("delete", function (ev) {
      track(ev);
      $$("article.post").forEach(function (a) { if (a.dataset.entry === ev.data || a.dataset.id === ev.data) a.remove(); });
      pending = pending.filter(function (a) { return a.dataset.entry !== ev.data; });
      showPending(); renumber();
    });
    es.addEventListener("notification", function (ev) { track(ev); setBadge(parseInt(ev.data, 10) || 0); });
    es.addEventListener("peers", track);
    ["chat", "members", "invite"].forEach(function (kind) {
      es.addEventListener(kind, function (ev) { track(ev); chatEvent(kind, ev.data); });
    });
    es.addEventListener("ignore", track);
    es.addEventListener("reset", function (ev) { track(ev); catchUp(); });
    es.addEventListener("account", function () { location.reload(); });
    es.addEventListener("error", function () {
      var src = this;
      broken = true;
      if (src.readyState !== EventSource.CLOSED) {
        say("Connection to the daemon lost; reconnecting…");
        return;
      }
      // The browser gave up (the daemon is down, or refused the stream):
      // find out which, and keep trying, less and less often.
      src.close();
      if (es !== src) return; // already replaced
      es = null;
      retry = Math.min(retry * 2, 60000);
      send("/badge").then(function () {
        say("Connection to the daemon lost; reconnecting…");
      }, function (err) {
        if (/signed in/.test(err.message)) say(err.message);
        else say("The daemon does not answer; trying again…");
      });
      clearTimeout(retryTimer);
      retryTimer = setTimeout(listen, retry);
    });
    es.addEventListener("open", function () { retry = 1500; });
  }
  var retry = 1500, retryTimer = 0, hiddenTimer = 0;
  listen();
  // A hidden tab lets its stream go after a minute, so that many open
  // tabs do not take all six connections a browser keeps to one host; it
  // resumes from the last event it saw when shown again.
  document.addEventListener("visibilitychange", function () {
    clearTimeout(hiddenTimer);
    if (document.hidden) {
      hiddenTimer = setTimeout(function () { if (es) { es.close(); es = null; } }, 60000);
    } else if (!es && body.dataset.me) {
      clearTimeout(retryTimer);
      listen();
    }
  });
  window.addEventListener("pagehide", function () { if (es) { es.close(); es = null; } });
  window.addEventListener("pageshow", function (e) { if (e.persisted && !es && body.dataset.me) listen(); });

  // ---- infinite scroll with a "Load more" link as fallback ---------------
  var loading = false;
  function loadMore(link) {
    if (loading) return;
    loading = true;
    // The list is the element before the "Load more" paragraph: the link
    // stays out of the feed, which holds only articles.
    var more = link.closest("#more");
    var list = more.previousElementSibling;
    list.setAttribute("aria-busy", "true");
    send(link.getAttribute("href")).then(function (html) {
      var f = fragment(html);
      var next = f.querySelector("#more");
      if (next) next.remove();
      $$("article.post", f).forEach(function (a) { if (has(a.dataset.entry)) a.remove(); });
      list.appendChild(f);
      if (next) more.replaceWith(next);
      else more.remove();
      renumber();
      observeMore();
    }).catch(function (e) { showError(e.message); }).then(function () {
      loading = false;
      list.setAttribute("aria-busy", "false");
    });
  }
  var observer = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) { if (e.isIntersecting) loadMore(e.target); });
  }, { rootMargin: "400px" }) : null;
  function observeMore() {
    var link = $("#more a[data-more]");
    if (link && observer) observer.observe(link);
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-more]");
    if (link) { e.preventDefault(); loadMore(link); }
  });
  observeMore();

  // ---- compose: counter, drafts, no lost post -----------------------------
  // hasFiles reports whether a form has a file chosen to upload.
  function hasFiles(form) {
    return $$("input[type=file]", form).some(function (f) { return f.files && f.files.length > 0; });
  }
  function counter(area) {
    var max = parseInt(area.dataset.max, 10);
    var form = area.form;
    var count = document.getElementById(area.getAttribute("aria-describedby"));
    // Not form.id: the reply form has a field named "id", which shadows it.
    var formID = form.getAttribute("id");
    var live = document.getElementById(formID + "-live");
    var button = $("button[type=submit]", form);
    var draftKey = "skein-draft:" + location.pathname + ":" + formID;
    var bucket = "";
    function update(announce) {
      var n = Array.from(area.value).length;
      var left = max - n;
      var chars = function (k) { return k + (k === 1 ? " character" : " characters"); };
      count.textContent = left >= 0 ? chars(left) + " left" : chars(-left) + " over the limit";
      count.classList.toggle("over", left < 0);
      // A post may be images alone.
      button.disabled = left < 0 || (area.value.trim() === "" && !hasFiles(form));
      // Screen readers hear the count when it crosses a step, not on
      // every key.
      var b = left < 0 ? "over" : left === 0 ? "0" : left <= 20 ? "20" : left <= 100 ? "100" : "";
      if (announce && b !== bucket && b !== "") live.textContent = count.textContent;
      bucket = b;
    }
    try { var d = localStorage.getItem(draftKey); if (d && !area.value) area.value = d; } catch (e) { }
    area.addEventListener("input", function () {
      update(true);
      try { if (area.value) localStorage.setItem(draftKey, area.value); else localStorage.removeItem(draftKey); } catch (e) { }
    });
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !button.disabled) { e.preventDefault(); form.requestSubmit(); }
    });
    $$("input[type=file]", form).forEach(function (f) { f.addEventListener("change", function () { update(false); }); });
    form.addEventListener("skein:sent", function () {
      $$("details.attach input", form).forEach(function (f) { f.value = ""; });
      var attach = $("details.attach", form);
      if (attach) attach.open = false;
      area.value = "";
      try { localStorage.removeItem(draftKey); } catch (e) { }
      update(false);
      live.textContent = "Posted.";
    });
    update(false);
  }
  $$("textarea[data-max]").forEach(counter);

  // ---- forms: in place --------------------------------------------------
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var mode = form.dataset.swap;
    if (!mode) return;
    e.preventDefault();
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) return;
    var button = $("button[type=submit]", form);
    if (button) button.disabled = true;
    // A form that uploads files goes as multipart (FormData), the others
    // as a plain form.
    var data = form.enctype === "multipart/form-data" ? new FormData(form) : new URLSearchParams(new FormData(form));
    send(form.getAttribute("action"), data).then(function (html) {
      var rid = $("input[name=rid]", form);
      if (rid) rid.value = newRequestID(); // the next post is a new request
      switch (mode) {
        case "self":
          var f = fragment(html);
          var next = f.firstElementChild;
          form.replaceWith(f);
          if (next) { var b = $("button", next); if (b) b.focus(); }
          break;
        case "relation":
          var rel = form.closest(".relation");
          var at = $$("form", rel).indexOf(form);
          var nf = fragment(html), nr = nf.firstElementChild;
          rel.replaceWith(nf);
          var again = nr && $$("form button", nr)[at];
          if (again) again.focus();
          break;
        case "remove":
          var a = form.closest("article");
          if (a) a.remove();
          renumber();
          say("Deleted.");
          break;
        case "prepend":
          form.dispatchEvent(new CustomEvent("skein:sent"));
          if (feed) {
            var art = fragment(html).querySelector("article.post");
            if (art) insertTop([art], false);
          }
          break;
        case "message":
          form.dispatchEvent(new CustomEvent("skein:sent"));
          chatSent(html);
          break;
        case "reply":
          form.dispatchEvent(new CustomEvent("skein:sent"));
          var list = $("#replies");
          if (list) {
            var li = document.createElement("li");
            li.appendChild(fragment(html));
            list.appendChild(li);
          }
          break;
      }
    }).catch(function (err) {
      showError(err.message); // the text stays in the form: nothing is lost
    }).then(function () {
      if (button && document.contains(button) && mode !== "self") {
        var area = $("textarea", form);
        if (area) area.dispatchEvent(new Event("input"));
        else button.disabled = false;
      }
    });
  });

  // ---- notifications: seen when shown -------------------------------------
  if (page === "notifications" && $("#notifications[data-unread]")) {
    var shown = $("#notifications").dataset.newest;
    send("/notifications/read", new URLSearchParams({ newest: shown })).then(function () {
      return send("/badge");
    }).then(function (n) { setBadge(parseInt(n, 10) || 0); }).catch(function () { });
  }

  // ---- messaging: the conversations list and a conversation --------------
  var chat = $("#chat");
  var chatConv = chat ? chat.dataset.conv : "";
  var messages = $("#messages");
  var chatLive = $("#chat-live");
  var readPending = false, reading = false;

  function setMsgBadge(n) {
    var b = $("#msg-badge");
    if (!b) return;
    $("#msg-badge-n").textContent = String(n);
    b.hidden = !(n > 0);
  }
  function refreshMsgBadge() {
    send("/messages/badge").then(function (n) { setMsgBadge(parseInt(n, 10) || 0); }).catch(function () { });
  }
  // markRead tells the daemon the conversation shown was read, once the
  // tab is visible; one request at a time.
  function markRead() {
    if (!chatConv) return;
    if (document.hidden) { readPending = true; return; }
    readPending = false;
    if (reading) { readPending = true; return; }
    reading = true;
    var form = $("#read-form");
    if (form) form.remove(); // the button of a page without its script
    send("/messages/read", new URLSearchParams({ conv: chatConv })).then(refreshMsgBadge, function () { }).then(function () {
      reading = false;
      if (readPending && !document.hidden) markRead();
    });
  }
  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
  }
  function toBottom() {
    var last = messages && messages.lastElementChild;
    if (last) last.scrollIntoView({ block: "end" });
    window.scrollTo(0, document.documentElement.scrollHeight);
  }
  // insertMsg puts a message's row in the history where its time places
  // it (a message that filled a gap is older than the newest), once.
  function insertMsg(li) {
    if (!messages || !li) return false;
    if (li.dataset.id && document.getElementById("m-" + li.dataset.id)) return false;
    var empty = $("#messages-empty");
    if (empty) empty.remove();
    var t = parseInt(li.dataset.t, 10) || 0;
    var at = messages.lastElementChild;
    while (at && (parseInt(at.dataset.t, 10) || 0) > t) at = at.previousElementSibling;
    messages.insertBefore(li, at ? at.nextSibling : messages.firstChild);
    return true;
  }
  function chatSent(html) {
    var li = fragment(html).querySelector("li.msg");
    var live = $("#send-live");
    if (live) live.textContent = "Sent.";
    if (insertMsg(li)) toBottom();
  }
  // putRow shows a conversation's row at the top of its list (the list
  // of invitations, or of conversations), in place of the old one.
  function putRow(li, top) {
    var list = li.classList.contains("invite") ? $("#invites") : $("#convs");
    if (!list) return;
    var old = document.getElementById(li.id);
    if (old && !top) { old.replaceWith(li); return; }
    if (old) old.remove();
    list.hidden = false;
    list.insertBefore(li, list.firstChild);
    var empty = $("#convs-empty");
    if (empty && list.id === "convs") empty.remove();
  }
  function chatEvent(kind, data) {
    var box = fragment(data).querySelector(".chat-event");
    if (!box) return;
    setMsgBadge(parseInt(box.dataset.total, 10) || 0);
    var conv = box.dataset.conv;
    var row = $(".ev-row li.conv", box);
    if (row && page === "messages") putRow(row, kind !== "members");
    if (!chat || conv !== chatConv) {
      return;
    }
    if (kind === "members") {
      var kindNow = row && $(".ckind", row), kindShown = $(".chat-head .ckind");
      if (kindNow && kindShown) kindShown.replaceWith(kindNow);
      var panel = $("#members");
      if (panel) send("/messages/" + encodeURIComponent(conv) + "/members").then(function (html) {
        var next = fragment(html).querySelector("#members");
        var cur = $("#members");
        if (next && cur) {
          next.open = cur.open;
          var open = $("details.leave", cur);
          if (open && open.open) { var d = $("details.leave", next); if (d) d.open = true; }
          cur.replaceWith(next);
        }
      }).catch(function () { });
      return;
    }
    if (kind !== "chat" || !("live" in chat.dataset)) return;
    var li = $(".ev-msg li.msg", box);
    var bottom = nearBottom();
    if ($("li.msg.gap", messages)) {
      // Messages were missing: this one may fill the gap, whose row the
      // newest page, read again, no longer has.
      refreshNewest(bottom);
      if (li && !li.classList.contains("mine")) {
        var said = $(".ev-say", box);
        if (said && chatLive) chatLive.textContent = said.textContent;
        markRead();
      }
      return;
    }
    if (!insertMsg(li)) return;
    if (!li.classList.contains("mine")) {
      li.classList.add("fresh");
      var say = $(".ev-say", box);
      if (say && chatLive) chatLive.textContent = say.textContent;
      markRead();
    }
    if (bottom || li.classList.contains("mine")) toBottom();
  }
  // refreshNewest reads the newest page of the history again and puts it
  // in place of the rows it covers (older pages loaded stay).
  var refreshing = false, refreshAgain = false;
  function refreshNewest(bottom) {
    if (refreshing) { refreshAgain = true; return; }
    refreshing = true;
    send(location.pathname).then(function (html) {
      var rows = $$("ol > li.msg", fragment(html));
      if (!rows.length) return;
      var from = parseInt(rows[0].dataset.t, 10) || 0;
      $$("li.msg", messages).forEach(function (li) {
        var t = parseInt(li.dataset.t, 10) || 0;
        if (t > from || (t === from && li.classList.contains("gap"))) li.remove();
      });
      rows.forEach(function (li) {
        if (li.dataset.id && document.getElementById("m-" + li.dataset.id)) return;
        messages.appendChild(li);
      });
      var empty = $("#messages-empty");
      if (empty) empty.remove();
      if (bottom) toBottom();
    }).catch(function () { }).then(function () {
      refreshing = false;
      if (refreshAgain) { refreshAgain = false; refreshNewest(nearBottom()); }
    });
  }
  function chatCatchUp() {
    refreshMsgBadge();
    // A tab that missed events shows the conversation (or the list) as it
    // is now; the draft in the compose box is kept (counter's drafts).
    if (page === "messages" || (chat && "live" in chat.dataset)) location.reload();
  }
  if (chat) {
    // The newest messages in view, unless the address names a place (the
    // members panel, after one of its forms).
    if ("live" in chat.dataset && !location.hash) toBottom();
    if ("unread" in chat.dataset) markRead();
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && readPending) markRead();
    });
  }
  // Enter sends, Shift+Enter is a new line (and Enter while an input
  // method composes a character does what the input method says).
  $$("textarea[data-enter]").forEach(function (area) {
    area.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      e.preventDefault();
      var button = $("button[type=submit]", area.form);
      if (button && !button.disabled) area.form.requestSubmit();
    });
  });
  // "Load older messages": the previous page goes above, and what the
  // reader looked at stays where it was.
  var loadingOlder = false;
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-older]");
    if (!link || !messages) return;
    e.preventDefault();
    if (loadingOlder) return;
    loadingOlder = true;
    messages.setAttribute("aria-busy", "true");
    send(link.getAttribute("href")).then(function (html) {
      var f = fragment(html);
      var before = document.documentElement.scrollHeight;
      var rows = $$("ol > li.msg", f);
      for (var i = rows.length - 1; i >= 0; i--) {
        var li = rows[i];
        if (li.dataset.id && document.getElementById("m-" + li.dataset.id)) continue;
        messages.insertBefore(li, messages.firstChild);
      }
      window.scrollBy(0, document.documentElement.scrollHeight - before);
      var next = $("#older", f), cur = link.closest("#older");
      if (next) { cur.replaceWith(next); var a = $("a", next); if (a) a.focus(); }
      else { cur.remove(); if (messages.firstElementChild) { messages.firstElementChild.tabIndex = -1; messages.firstElementChild.focus(); } }
    }).catch(function (err) { showError(err.message); }).then(function () {
      loadingOlder = false;
      messages.setAttribute("aria-busy", "false");
    });
  });

  // ---- keyboard shortcuts ---------------------------------------------------
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function posts() { return $$("main article.post"); }
  function selected() {
    var a = document.activeElement;
    return a && a.matches && a.matches("article.post") ? a : $("main article.post.selected");
  }
  function select(a) {
    if (!a) return;
    $$("article.post.selected").forEach(function (x) { x.classList.remove("selected"); });
    a.classList.add("selected");
    a.focus({ preventScroll: true });
    a.scrollIntoView({ block: "nearest" });
  }
  function focusField(el) { if (el) { el.focus(); el.scrollIntoView({ block: "nearest" }); return true; } return false; }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (help && help.open) return;
    var list = posts(), cur = selected(), i = cur ? list.indexOf(cur) : -1;
    switch (e.key) {
      case "j": select(list[Math.min(i + 1, list.length - 1)]); break;
      case "k": select(list[Math.max(i - 1, 0)]); break;
      case "Enter":
        if (!cur || e.target !== cur) return;
        location.href = "/post/" + cur.dataset.id;
        break;
      case "n":
        // In a conversation, its message box.
        if (!focusField($("#compose-text")) && !focusField($("#send-text"))) location.href = "/#compose-text";
        break;
      case "r":
        if (!cur) return;
        var focused = $(".focus article.post");
        if (focused && focused === cur && focusField($("#compose-reply-text"))) break;
        location.href = "/post/" + cur.dataset.id + "#compose-reply-text";
        break;
      case "l":
        if (!cur) return;
        var like = $("button[data-act=like]", cur);
        if (like) like.click();
        break;
      case "/":
        if (!focusField($("#q"))) location.href = "/search#q";
        break;
      case "?": openHelp(); break;
      default: return;
    }
    e.preventDefault();
  });
  // Links to a text box name it in the fragment (#compose-text,
  // #compose-reply-text, #q): the browser focuses a focusable fragment
  // target by itself, while a fragment naming a wrapper (the old #reply)
  // made it move focus away from any box focused here.
})();
