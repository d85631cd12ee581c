/*
 * After-sales support widget: a floating button and a panel with a contact form, the
 * customer's requests and a warranty check. No dependencies, no build step, no cookies.
 *
 * Embed (see docs/widget.md):
 *   <script src="https://YOUR-CDN/aftersales-widget.js" async
 *           data-key="pk_..." data-api="https://api.example.com" data-locale="lt"></script>
 * Signed-in customers (optional), once the page knows who they are:
 *   AftersalesWidget.identify(function () {            // called whenever a token is needed
 *     return fetch("/my/widget-token").then(function (r) { return r.text(); });
 *   });
 *
 * Everything is drawn inside a shadow root, so the host page's CSS does not leak in and ours
 * does not leak out. All text comes from the API's /widget/v1/config (en, lt, lv).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var preset = window.AftersalesWidgetSettings || {};
  var data = (script && script.dataset) || {};
  var settings = {
    key: data.key || preset.key,
    api: (data.api || preset.api || "").replace(/\/+$/, ""),
    locale: data.locale || preset.locale || null,
    open: data.open === "true" || preset.open === true,
  };
  var LINK_PARAM = "aftersales_ticket";

  var state = {
    config: null,
    locale: "en",
    tab: "contact",
    identity: preset.identity || null, // string token or function returning (a promise of) one
    linkToken: null,
    status: "loading",
    lastError: null,
  };

  var api = {
    status: function () { return state.status; },
    lastError: function () { return state.lastError; },
    open: function () { openPanel(true); },
    close: function () { openPanel(false); },
    identify: function (tokenOrFunction) {
      state.identity = tokenOrFunction || null;
      cachedToken = null;
      if (state.config) { loadConfig(); }
    },
    logout: function () {
      state.identity = null;
      cachedToken = null;
      if (state.config) { loadConfig(); }
    },
  };
  window.AftersalesWidget = api;

  if (!settings.key || !settings.api) {
    fail("configuration", "data-key and data-api are required");
    return;
  }

  // ---------------------------------------------------------------- HTTP

  // Identity tokens are short-lived JWTs; one is reused until shortly before its expiry, and
  // a fresh one is asked for (once) when the API says it has expired.
  var cachedToken = null;

  function tokenExpiry(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return Number(JSON.parse(atob(part)).exp || 0) * 1000;
    } catch (e) {
      return 0;
    }
  }

  function identityToken(fresh) {
    var source = state.identity;
    if (!source) { return Promise.resolve(null); }
    if (typeof source !== "function") { return Promise.resolve(String(source)); }
    if (!fresh && cachedToken && tokenExpiry(cachedToken) - 30000 > Date.now()) {
      return Promise.resolve(cachedToken);
    }
    return Promise.resolve(source()).then(function (token) {
      cachedToken = token || null;
      return cachedToken;
    });
  }

  function randomKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function request(method, path, body, options) {
    options = options || {};
    return send(method, path, body, options, false).catch(function (error) {
      var expired = error.problem && error.problem.code === "identity_token_expired";
      if (expired && typeof state.identity === "function") {
        return send(method, path, body, options, true);
      }
      throw error;
    });
  }

  function send(method, path, body, options, freshToken) {
    return identityToken(freshToken).then(function (token) {
      var headers = { "X-Widget-Key": settings.key, "Accept": "application/json" };
      if (body !== undefined) { headers["Content-Type"] = "application/json"; }
      if (token) { headers["Authorization"] = "Bearer " + token; }
      if (options.ticketToken) { headers["X-Ticket-Token"] = options.ticketToken; }
      if (options.idempotencyKey) { headers["Idempotency-Key"] = options.idempotencyKey; }
      return fetch(settings.api + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        mode: "cors",
      });
    }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
        if (response.ok) { return parsed; }
        var error = new Error((parsed && parsed.detail) || ("HTTP " + response.status));
        error.status = response.status;
        error.problem = parsed || {};
        error.retryAfter = Number(response.headers.get("Retry-After") || 0);
        throw error;
      });
    });
  }

  // ---------------------------------------------------------------- text

  function t(name, values) {
    var strings = (state.config && state.config.strings) || {};
    var text = (strings[state.locale] || {})[name] || (strings.en || {})[name] || name;
    Object.keys(values || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(values[k]));
    });
    return text;
  }

  function pickLocale(config) {
    var wanted = [settings.locale].concat(
      (navigator.languages || [navigator.language || ""]).map(function (l) {
        return String(l).slice(0, 2).toLowerCase();
      })
    );
    for (var i = 0; i < wanted.length; i++) {
      if (wanted[i] && config.locales.indexOf(wanted[i]) >= 0) { return wanted[i]; }
    }
    return config.default_locale;
  }

  function formatDate(value) {
    try {
      return new Date(value).toLocaleDateString(state.locale);
    } catch (e) {
      return String(value).slice(0, 10);
    }
  }

  // ---------------------------------------------------------------- DOM

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  var host = el("div", { id: "aftersales-widget", "data-status": "loading" });
  var root = host.attachShadow({ mode: "open" });
  var launcher, panel, content, notice;

  function css(theme) {
    var side = theme.position === "left" ? "left" : "right";
    return [
      ":host{all:initial}",
      "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
      ".launcher{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;border:0;",
      "border-radius:24px;padding:12px 20px;font-size:15px;cursor:pointer;",
      "background:" + theme.primary_color + ";color:" + theme.text_color + ";",
      "box-shadow:0 4px 14px rgba(0,0,0,.25)}",
      ".panel{position:fixed;bottom:80px;" + side + ":20px;z-index:2147483000;width:360px;",
      "max-width:calc(100vw - 40px);max-height:calc(100vh - 110px);display:flex;",
      "flex-direction:column;background:#fff;color:#1b1f24;border-radius:12px;",
      "box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;font-size:14px}",
      ".panel[hidden]{display:none}",
      "header{background:" + theme.primary_color + ";color:" + theme.text_color + ";padding:14px 16px}",
      "header h2{margin:0;font-size:16px}header p{margin:4px 0 0;opacity:.9}",
      ".x{float:right;background:none;border:0;color:inherit;font-size:20px;cursor:pointer}",
      "nav{display:flex;border-bottom:1px solid #e5e7eb}",
      "nav button{flex:1;padding:10px 4px;border:0;background:none;cursor:pointer;font-size:13px}",
      "nav button[aria-selected=true]{border-bottom:2px solid " + theme.primary_color + ";font-weight:600}",
      ".body{padding:14px 16px;overflow-y:auto}",
      "label{display:block;margin:0 0 10px;font-size:13px;color:#374151}",
      "input,textarea,select{display:block;width:100%;margin-top:4px;padding:8px;border:1px solid #d1d5db;",
      "border-radius:6px;font-size:14px}textarea{min-height:90px;resize:vertical}",
      "[aria-invalid=true]{border-color:#dc2626}",
      ".primary{width:100%;padding:10px;border:0;border-radius:6px;cursor:pointer;font-size:14px;",
      "background:" + theme.primary_color + ";color:" + theme.text_color + "}",
      ".primary[disabled]{opacity:.6;cursor:default}",
      ".notice{margin:0 0 10px;padding:8px 10px;border-radius:6px;background:#f3f4f6}",
      ".notice.error{background:#fee2e2;color:#991b1b}.notice.ok{background:#dcfce7;color:#166534}",
      ".hp{position:absolute!important;left:-10000px!important;width:1px;height:1px;overflow:hidden}",
      "h3{font-size:14px;margin:16px 0 8px}[data-view=registrations] li{padding:6px 0;border-bottom:1px solid #e5e7eb}",
      "ul{list-style:none;margin:0;padding:0}li button{width:100%;text-align:left;padding:10px;",
      "margin-bottom:6px;border:1px solid #e5e7eb;border-radius:6px;background:#fff;cursor:pointer}",
      ".status{float:right;font-size:12px;color:#6b7280}",
      ".msg{margin:8px 0;padding:8px 10px;border-radius:8px;background:#f3f4f6;white-space:pre-wrap}",
      ".msg.mine{background:#e0ecff;margin-left:24px}.msg small{display:block;color:#6b7280;margin-bottom:2px}",
      ".link{background:none;border:0;padding:0;color:" + theme.primary_color + ";cursor:pointer;margin-bottom:8px}",
    ].join("");
  }

  function setNotice(kind, text) {
    notice.className = "notice " + (kind || "");
    notice.textContent = text || "";
    notice.hidden = !text;
    notice.setAttribute("role", kind === "error" ? "alert" : "status");
  }

  function explain(error) {
    // Problems are shown by their stable code in the visitor's language, never the English detail.
    var code = error && error.problem && error.problem.code;
    var strings = (state.config && state.config.strings) || {};
    var known = code && ((strings[state.locale] || {})["problem_" + code] || (strings.en || {})["problem_" + code]);
    if (known) { return t("problem_" + code); }
    if (error && error.status === 429) {
      return t("error_rate_limited", { seconds: error.retryAfter || 60 });
    }
    if (error && (error.status === 422 || error.status === 400)) { return t("error_invalid"); }
    return t("error_generic");
  }

  function markInvalid(form, problem) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) {
      node.removeAttribute("aria-invalid");
    });
    ((problem && problem.errors) || []).forEach(function (item) {
      var input = form.querySelector("[name='" + String(item.field).split(".")[0] + "']");
      if (input) { input.setAttribute("aria-invalid", "true"); }
    });
  }

  function field(name, label, attributes) {
    var input = el(attributes && attributes.multiline ? "textarea" : "input", {
      name: name,
      type: (attributes && attributes.type) || (attributes && attributes.multiline ? null : "text"),
      required: attributes && attributes.required,
      maxlength: attributes && attributes.maxlength,
      autocomplete: attributes && attributes.autocomplete,
    });
    return el("label", {}, [label, input]);
  }

  // ---------------------------------------------------------------- views

  function identified() { return Boolean(state.config && state.config.identified); }

  function contactView() {
    var form = el("form", { novalidate: true, "data-view": "contact" });
    if (!identified()) {
      form.appendChild(field("name", t("name"), { required: true, maxlength: 200, autocomplete: "name" }));
      form.appendChild(field("email", t("email"), { type: "email", required: true, maxlength: 254, autocomplete: "email" }));
    }
    form.appendChild(field("subject", t("subject"), { required: true, maxlength: 200 }));
    form.appendChild(field("message", t("message"), { multiline: true, required: true, maxlength: 5000 }));
    form.appendChild(field("serial_number", t("serial_number"), { maxlength: 64 }));
    // Honeypot: invisible to people (and to screen readers), irresistible to form bots.
    var trap = el("div", { class: "hp", "aria-hidden": "true" }, [
      el("label", {}, ["Website", el("input", {
        name: state.config.honeypot_field, tabindex: "-1", autocomplete: "off", type: "text",
      })]),
    ]);
    form.appendChild(trap);
    var submit = el("button", { class: "primary", type: "submit", text: t("send") });
    form.appendChild(submit);
    var idempotencyKey = randomKey();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = {};
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name && input.value.trim()) { values[input.name] = input.value.trim(); }
      });
      values.locale = state.locale;
      values.page_url = pageUrlWithoutLink();
      submit.disabled = true;
      submit.textContent = t("sending");
      setNotice("", "");
      request("POST", "/widget/v1/tickets", values, { idempotencyKey: idempotencyKey })
        .then(function (result) {
          form.reset();
          idempotencyKey = randomKey();
          markInvalid(form, null);
          setNotice("ok", result.follow_up === "widget" ? t("sent_identified") : t("sent"));
          host.setAttribute("data-last-ticket", result.ticket.id);
        })
        .catch(function (error) {
          markInvalid(form, error.problem);
          setNotice("error", explain(error));
        })
        .then(function () {
          submit.disabled = false;
          submit.textContent = t("send");
        });
    });
    return form;
  }

  function ticketsView() {
    var box = el("div", { "data-view": "tickets" });
    if (state.linkToken) {
      var ticketId = ticketOfLink(state.linkToken);
      if (ticketId) { return ticketView(ticketId); }
    }
    if (!identified()) {
      box.appendChild(el("p", { text: t("sign_in_needed") }));
      return box;
    }
    request("GET", "/widget/v1/tickets?limit=25").then(function (page) {
      if (!page.items.length) {
        box.appendChild(el("p", { text: t("no_tickets") }));
        return;
      }
      var list = el("ul");
      page.items.forEach(function (ticket) {
        list.appendChild(el("li", {}, [el("button", {
          type: "button",
          "data-ticket": ticket.id,
          onclick: function () { show(ticketView(ticket.id)); },
        }, [
          el("span", { class: "status", text: t("status_" + ticket.status) }),
          ticket.subject,
        ])]));
      });
      box.appendChild(list);
    }).catch(function (error) { setNotice("error", explain(error)); });
    return box;
  }

  function pageUrlWithoutLink() {
    var url = new URL(window.location.href);
    url.searchParams.delete(LINK_PARAM);
    url.hash = "";
    return url.toString();
  }

  function ticketOfLink(token) {
    try {
      var part = token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part)).k || null;
    } catch (e) {
      return null;
    }
  }

  function ticketView(ticketId) {
    var box = el("div", { "data-view": "ticket", "data-ticket": ticketId });
    var options = { ticketToken: identified() ? null : state.linkToken };
    if (identified()) {
      box.appendChild(el("button", { class: "link", type: "button", text: "← " + t("back"),
        onclick: function () { show(ticketsView()); } }));
    }
    request("GET", "/widget/v1/tickets/" + encodeURIComponent(ticketId), undefined, options)
      .then(function (ticket) {
        box.appendChild(el("h3", { text: ticket.subject }));
        box.appendChild(el("p", { class: "status", text: t("status_" + ticket.status) }));
        box.appendChild(el("div", { class: "msg mine" }, [el("small", { text: t("you") }), ticket.description]));
        ticket.messages.forEach(function (message) {
          box.appendChild(el("div", { class: message.from_customer ? "msg mine" : "msg" }, [
            el("small", { text: message.from_customer ? t("you") : (message.author_name || t("agent")) }),
            message.body,
          ]));
        });
        var form = el("form", { novalidate: true }, [
          field("message", t("reply"), { multiline: true, required: true, maxlength: 5000 }),
          el("button", { class: "primary", type: "submit", text: t("send") }),
        ]);
        var replyKey = randomKey();
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          var text = form.elements.message.value.trim();
          if (!text) { return; }
          request("POST", "/widget/v1/tickets/" + encodeURIComponent(ticketId) + "/messages",
            { message: text }, { ticketToken: options.ticketToken, idempotencyKey: replyKey })
            .then(function () { show(ticketView(ticketId)); })
            .catch(function (error) { setNotice("error", explain(error)); });
        });
        box.appendChild(form);
      })
      .catch(function (error) { setNotice("error", explain(error)); });
    return box;
  }

  function warrantyView() {
    var box = el("div", { "data-view": "warranty" });
    var form = el("form", { novalidate: true, "data-form": "coverage" }, [
      field("serial_number", t("warranty_serial"), { required: true, maxlength: 64 }),
      identified() ? null : field("email", t("warranty_email"), { type: "email", required: true, maxlength: 254 }),
      el("button", { class: "primary", type: "submit", text: t("warranty_check") }),
    ]);
    var result = el("p", { "data-result": "warranty", role: "status" });
    form.appendChild(result);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      setNotice("", "");
      var body = { serial_number: form.elements.serial_number.value.trim() };
      if (form.elements.email) { body.email = form.elements.email.value.trim(); }
      request("POST", "/widget/v1/warranty/check", body).then(function (answer) {
        result.textContent = coverageText(answer);
      }).catch(function (error) {
        markInvalid(form, error.problem);
        setNotice("error", explain(error));
      });
    });
    box.appendChild(form);
    if (identified() && state.config.features.indexOf("registration") >= 0) {
      box.appendChild(registrationsView());
    }
    return box;
  }

  function coverageText(answer) {
    if (!answer.found) { return t("warranty_unknown"); }
    // A void unit is covered by nothing, whatever its plans' dates say: never a future "ended on".
    if (answer.status === "void") {
      return t("warranty_void", { date: formatDate(answer.void_since) });
    }
    // The effective end of cover (an extension already bought runs past the standard end).
    var end = answer.cover_ends_on || answer.covered_until;
    if (answer.covered) { return t("warranty_covered", { date: formatDate(end) }); }
    if (answer.status === "not_started") {
      return t("warranty_not_started", { date: formatDate(answer.cover_ends_on) });
    }
    return t("warranty_not_covered", {
      date: formatDate(answer.cover_ends_on || answer.extended_ends_on || answer.standard_ends_on),
    });
  }

  function registrationsView() {
    var box = el("div", { "data-view": "registrations" });
    var list = el("ul");
    box.appendChild(el("h3", { text: t("my_products") }));
    box.appendChild(list);
    function load() {
      request("GET", "/widget/v1/registrations").then(function (page) {
        list.textContent = "";
        if (!page.items.length) { list.appendChild(el("li", { text: t("no_products") })); }
        page.items.forEach(function (item) {
          list.appendChild(el("li", { "data-serial": item.serial_number }, [
            el("strong", { text: item.product_name + " · " + item.serial_number }),
            el("div", { text: coverageText(item.coverage) }),
          ]));
        });
      }).catch(function (error) { setNotice("error", explain(error)); });
    }
    var select = el("select", { name: "product_id", required: true });
    var form = el("form", { novalidate: true, "data-form": "register" }, [
      el("h3", { text: t("register_title") }),
      el("label", {}, [t("product"), select]),
      field("serial_number", t("warranty_serial"), { required: true, maxlength: 64 }),
      field("purchase_date", t("purchase_date"), { type: "date", required: true }),
      field("retailer", t("retailer"), { maxlength: 100 }),
      el("button", { class: "primary", type: "submit", text: t("register") }),
    ]);
    request("GET", "/widget/v1/products?limit=100").then(function (page) {
      page.items.forEach(function (product) {
        select.appendChild(el("option", { value: product.id, text: product.name }));
      });
    }).catch(function (error) { setNotice("error", explain(error)); });
    var registerKey = randomKey();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        product_id: select.value,
        serial_number: form.elements.serial_number.value.trim(),
        purchase_date: form.elements.purchase_date.value,
      };
      if (form.elements.retailer.value.trim()) { body.retailer = form.elements.retailer.value.trim(); }
      request("POST", "/widget/v1/registrations", body, { idempotencyKey: registerKey })
        .then(function (created) {
          registerKey = randomKey();
          form.reset();
          markInvalid(form, null);
          setNotice("ok", t("registered", {
            date: formatDate(created.coverage.cover_ends_on || created.coverage.covered_until),
          }));
          load();
        })
        .catch(function (error) {
          markInvalid(form, error.problem);
          setNotice("error", explain(error));
        });
    });
    box.appendChild(form);
    load();
    return box;
  }

  var VIEWS = {
    contact: { feature: "contact", label: "tab_contact", view: contactView },
    tickets: { feature: "tickets", label: "tab_tickets", view: ticketsView },
    warranty: { feature: "warranty", label: "tab_warranty", view: warrantyView },
  };

  function show(node) {
    content.textContent = "";
    content.appendChild(node);
  }

  function selectTab(name) {
    state.tab = name;
    Array.prototype.forEach.call(panel.querySelectorAll("nav button"), function (button) {
      button.setAttribute("aria-selected", String(button.getAttribute("data-tab") === name));
    });
    setNotice("", "");
    show(VIEWS[name].view());
  }

  function openPanel(open) {
    if (!panel) { return; }
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open && !content.firstChild) { selectTab(state.tab); }
  }

  function render() {
    var config = state.config;
    root.textContent = "";
    root.appendChild(el("style", { text: css(config.theme) }));
    launcher = el("button", {
      class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "panel",
      text: t("launcher"), onclick: function () { openPanel(panel.hidden); },
    });
    var tabs = Object.keys(VIEWS).filter(function (name) {
      return config.features.indexOf(VIEWS[name].feature) >= 0;
    });
    if (tabs.indexOf(state.tab) < 0) { state.tab = tabs[0] || "contact"; }
    notice = el("p", { class: "notice", hidden: true });
    content = el("div");
    panel = el("section", { class: "panel", id: "panel", role: "dialog", "aria-label": config.tenant_name, hidden: true }, [
      el("header", {}, [
        el("button", { class: "x", type: "button", "aria-label": t("close"), text: "×",
          onclick: function () { openPanel(false); } }),
        el("h2", { text: config.tenant_name }),
        el("p", { text: t("greeting") }),
      ]),
      el("nav", { role: "tablist" }, tabs.map(function (name) {
        return el("button", { type: "button", role: "tab", "data-tab": name, text: t(VIEWS[name].label),
          onclick: function () { selectTab(name); } });
      })),
      el("div", { class: "body" }, [notice, content]),
    ]);
    root.appendChild(launcher);
    root.appendChild(panel);
  }

  function fail(kind, error) {
    state.status = "unavailable";
    state.lastError = kind + ": " + (error && error.message ? error.message : String(error));
    host.setAttribute("data-status", "unavailable");
    if (window.console) { window.console.warn("[aftersales-widget] " + state.lastError); }
  }

  function loadConfig() {
    return request("GET", "/widget/v1/config").then(function (config) {
      var wasOpen = panel && !panel.hidden;
      state.config = config;
      state.locale = pickLocale(config);
      state.status = "ready";
      host.setAttribute("data-status", "ready");
      host.setAttribute("data-identified", String(config.identified));
      render();
      if (wasOpen || settings.open || state.linkToken) {
        if (state.linkToken && config.features.indexOf("tickets") >= 0) { state.tab = "tickets"; }
        openPanel(true);
      }
    }).catch(function (error) { fail("config", error); });
  }

  function start() {
    var params = new URLSearchParams(window.location.search);
    state.linkToken = params.get(LINK_PARAM);
    document.body.appendChild(host);
    loadConfig();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
