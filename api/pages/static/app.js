/* Estate Hub page helpers shared by the control room, owner and guard pages.
 *
 * window.Hub: session (tokens in sessionStorage, gone when the tab closes; the short access
 * token is refreshed before it expires or on a 401, logout ends the session on the hub too),
 * api() fetch wrapper that turns error answers into readable messages, mountLogin() with the first-login password
 * change, live() WebSocket with reconnect, h() DOM builder (text only, never innerHTML), labels.
 */
"use strict";

(function () {
  const KEY = "estate-hub-session";

  function session() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "null");
    } catch (_) {
      return null;
    }
  }

  function saveSession(value) {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  }

  /* Keep a token response: the access token, its expiry by this browser's clock, the refresh token. */
  function saveTokens(token, extra) {
    const current = session() || {};
    saveSession(Object.assign(current, extra || {}, {
      token: token.access_token,
      refresh: token.refresh_token,
      expiresAt: Date.now() + token.expires_in * 1000,
      role: token.role,
    }));
  }

  const REFRESH_EARLY_MS = 60 * 1000; /* renew this long before the access token expires */
  let refreshing = null; /* one refresh at a time: a refresh token works only once */

  /* A fresh access token from the refresh token; false when the session is over. */
  function refresh() {
    if (!refreshing) {
      refreshing = (async () => {
        const current = session();
        if (!current || !current.refresh) return false;
        const response = await fetch("/api/v1/auth/refresh", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: current.refresh }),
        });
        if (!response.ok) return false;
        saveTokens(await response.json());
        return true;
      })().finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  async function freshToken() {
    const current = session();
    if (current && current.expiresAt && Date.now() > current.expiresAt - REFRESH_EARLY_MS) {
      await refresh();
    }
  }

  function forget() {
    sessionStorage.removeItem(KEY);
    location.reload();
  }

  /* End the session on the hub (its tokens stop working everywhere), then here. */
  async function logout() {
    const current = session();
    if (current && current.token) {
      try {
        await fetch("/api/v1/auth/logout", {
          method: "POST",
          headers: { Authorization: "Bearer " + current.token },
        });
      } catch (_) {
        /* offline: the tokens expire on their own */
      }
    }
    forget();
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /* {"detail": "text"} from the hub, or FastAPI's [{loc, msg}] for malformed input. */
  function detailText(body, status) {
    if (!body || body.detail === undefined) return "HTTP " + status;
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) {
      return body.detail
        .map((d) => ((d.loc || []).slice(1).join(".") || "input") + ": " + d.msg)
        .join("; ");
    }
    return JSON.stringify(body.detail);
  }

  /* fetch with the bearer token; options: method, json, form (FormData/URLSearchParams), raw. */
  async function api(path, options = {}, retried = false) {
    await freshToken();
    const headers = {};
    const current = session();
    if (current && current.token) headers.Authorization = "Bearer " + current.token;
    let body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      body = options.form;
    }
    const response = await fetch(path, { method: options.method || "GET", headers, body });
    if (response.status === 401 && current && !retried) {
      if (await refresh()) return api(path, options, true); /* the access token had expired */
      return forget(); /* session over (logged out, revoked, expired): back to the login form */
    }
    if (!response.ok) {
      let payload = null;
      try {
        payload = await response.json();
      } catch (_) {
        /* not JSON: the status says enough */
      }
      if (response.status === 401 && current) forget(); /* refreshed and still refused */
      throw new ApiError(response.status, detailText(payload, response.status));
    }
    if (options.raw) return response;
    if (response.status === 204) return null;
    return response.json();
  }

  /* h("li", {class: "x", onclick: fn}, "text", child) - children are text or nodes. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else if (name in node && typeof value !== "string") node[name] = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function fmtTime(iso) {
    if (!iso) return "";
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return String(iso);
    return when.toLocaleString("zh-CN", { hour12: false });
  }

  const labels = {
    severity: {
      critical: "紧急 Critical",
      major: "重要 Major",
      minor: "次要 Minor",
      warning: "提示 Warning",
    },
    workOrder: {
      submitted: "已提交 Submitted",
      accepted: "已受理 Accepted",
      assigned: "已派单 Assigned",
      in_progress: "维修中 In progress",
      completed: "已完工 Completed",
      confirmed: "已评价 Confirmed",
      cancelled: "已取消 Cancelled",
    },
    priority: { urgent: "紧急 Urgent", high: "高 High", normal: "普通 Normal", low: "低 Low" },
    utility: { electricity: "电费 Electricity", water: "水费 Water", property_fee: "物业费 Property fee" },
    bill: { unpaid: "待缴 Unpaid", paid: "已缴 Paid" },
    payMethod: {
      sandbox: "沙箱 Sandbox",
      wechat: "微信支付 WeChat Pay",
      alipay: "支付宝 Alipay",
      cash: "现金 Cash",
      bank_transfer: "银行转账 Bank transfer",
    },
    role: {
      admin: "管理员 Admin",
      operator: "值班员 Operator",
      guard: "保安 Guard",
      technician: "维修工 Technician",
      customer_service: "客服 Customer service",
      finance: "财务 Finance",
      owner: "业主 Owner",
    },
  };

  function label(group, value) {
    return (labels[group] && labels[group][value]) || String(value ?? "");
  }

  /* A message line that shows errors in red and successes in green. */
  function notice(target, text, ok) {
    target.textContent = text || "";
    target.className = "msg" + (text ? (ok ? " ok" : " error") : "");
  }

  function field(labelText, input) {
    return h("label", { class: "field" }, h("span", {}, labelText), input);
  }

  /* A new password typed twice: the two fields, a check that they match, the value. */
  function newPassword() {
    const attrs = { type: "password", required: true, autocomplete: "new-password" };
    const fresh = h("input", { name: "new_password", ...attrs });
    const repeat = h("input", { name: "repeat_password", ...attrs });
    return {
      fields: [field("新密码 New password", fresh), field("再次输入 Repeat", repeat)],
      matches(message) {
        if (fresh.value === repeat.value) return true;
        notice(message, "两次输入不一致 The two entries differ", false);
        return false;
      },
      value: () => fresh.value,
      focus: () => fresh.focus(),
    };
  }

  /* Log in, change an initial password if asked, then onReady(me) with the account. */
  function mountLogin(root, { roles, onReady, passwordReset = false }) {
    async function resume() {
      if (!session()) return showLogin();
      try {
        const me = await api("/api/v1/auth/me");
        if (me.must_change_password) return showLogin();
        if (!roles.includes(me.role)) return showRefused(me);
        showUser(me);
        onReady(me);
      } catch (_) {
        sessionStorage.removeItem(KEY);
        showLogin();
      }
    }

    function showLogin() {
      const message = h("p", { class: "msg", role: "alert" });
      const username = h("input", { name: "username", autocomplete: "username", required: true });
      const password = h("input", {
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
      });
      const form = h(
        "form",
        { class: "card narrow", id: "login-form" },
        h("h2", {}, "登录 Log in"),
        field("用户名 Username", username),
        field("密码 Password", password),
        h("button", { type: "submit", class: "primary" }, "登录 Log in"),
        message,
      );
      if (passwordReset) {
        form.append(h("button", { type: "button", class: "link", id: "forgot",
          onclick: () => showReset(username.value) }, "忘记密码？ Forgot password?"));
      }
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        notice(message, "登录中… Logging in…", true);
        try {
          const token = await api("/api/v1/auth/token", {
            method: "POST",
            form: new URLSearchParams({ username: username.value, password: password.value }),
          });
          saveTokens(token, { username: username.value });
          if (token.must_change_password) return showChange(password.value);
          await resume();
        } catch (error) {
          notice(message, "登录失败 Login failed: " + error.message, false);
        }
      });
      root.replaceChildren(form);
      username.focus();
    }

    /* An owner's forgotten password: a code by SMS to the phone on file, then a new password. */
    function showReset(known) {
      const message = h("p", { class: "msg", role: "alert" });
      const who = h("input", { name: "account", autocomplete: "username", required: true,
        value: known || "" });
      const ask = h(
        "form",
        { class: "card narrow", id: "reset-request-form" },
        h("h2", {}, "找回密码 Reset your password"),
        h("p", { class: "hint" },
          "填写用户名或物业登记的手机号，验证码将以短信发送。 " +
          "Enter your username or the phone number the property office has; a code comes by SMS."),
        field("用户名或手机号 Username or phone", who),
        h("button", { type: "submit", class: "primary" }, "发送验证码 Send code"),
        h("button", { type: "button", class: "link", onclick: showLogin }, "返回登录 Back to log in"),
        message,
      );
      ask.addEventListener("submit", async (event) => {
        event.preventDefault();
        const account = /^[+\d][\d\s-]{6,}$/.test(who.value.trim())
          ? { phone: who.value.trim() } : { username: who.value.trim() };
        try {
          await api("/api/v1/auth/password-reset/request", { method: "POST", json: account });
          showResetConfirm(account);
        } catch (error) {
          notice(message, error.message, false);
        }
      });
      root.replaceChildren(ask);
      who.focus();
    }

    function showResetConfirm(account) {
      const message = h("p", { class: "msg", role: "alert" });
      const code = h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code",
        pattern: "\\d{6}", maxlength: 6, required: true });
      const chosen = newPassword();
      const form = h(
        "form",
        { class: "card narrow", id: "reset-confirm-form" },
        h("h2", {}, "输入验证码 Enter the code"),
        h("p", { class: "msg ok" },
          "如果该账号存在并登记了手机号，验证码已发送，10分钟内有效。 " +
          "If the account exists and has a phone on file, a code valid for 10 minutes was sent."),
        field("验证码 Code (6 digits)", code),
        ...chosen.fields,
        h("button", { type: "submit", class: "primary" }, "设置新密码 Set password"),
        h("button", { type: "button", class: "link", onclick: () => showReset("") },
          "重新发送 Send again"),
        message,
      );
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!chosen.matches(message)) return;
        try {
          const done = await api("/api/v1/auth/password-reset/confirm", {
            method: "POST",
            json: { ...account, code: code.value, new_password: chosen.value() },
          });
          showLogin();
          root.querySelector("input[name=username]").value = done.username;
          notice(root.querySelector("#login-form .msg"),
            "密码已重置，请用新密码登录 Password reset: log in with the new one.", true);
          root.querySelector("input[name=password]").focus();
        } catch (error) {
          notice(message, error.message, false);
        }
      });
      root.replaceChildren(form);
      code.focus();
    }

    function showChange(current) {
      const message = h("p", { class: "msg", role: "alert" });
      const chosen = newPassword();
      const form = h(
        "form",
        { class: "card narrow", id: "password-form" },
        h("h2", {}, "请修改初始密码 Change your initial password"),
        h("p", { class: "hint" },
          "8–128位，含大小写字母、数字和符号（空格不算），不能太容易猜到，也不能是最近用过的密码。 " +
          "8 to 128 characters with upper- and lower-case letters, a digit and a symbol (a space " +
          "is not one), hard to guess and not one of your recent passwords."),
        ...chosen.fields,
        h("button", { type: "submit", class: "primary" }, "修改密码 Change password"),
        message,
      );
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!chosen.matches(message)) return;
        try {
          await api("/api/v1/auth/password", {
            method: "POST",
            json: { current_password: current, new_password: chosen.value() },
          });
          await resume();
        } catch (error) {
          notice(message, error.message, false);
        }
      });
      root.replaceChildren(form);
      chosen.focus();
    }

    function showRefused(me) {
      showUser(me);
      root.replaceChildren(
        h("div", { class: "card narrow" },
          h("p", { class: "msg error" },
            "此账号无权使用本页面 This account (" + label("role", me.role) +
            ") may not use this page."),
          h("button", { onclick: logout }, "退出 Log out")),
      );
    }

    function showUser(me) {
      const who = document.getElementById("who");
      if (!who) return;
      who.replaceChildren(
        h("span", {}, me.full_name + " · " + label("role", me.role)),
        h("button", { class: "link", onclick: logout, id: "logout" }, "退出 Log out"),
      );
    }

    resume();
  }

  /* The live feed, each role getting what it may read; onMessage({kind, data}), onStatus("open"|"closed"|"forbidden"). */
  function live(onMessage, onStatus) {
    let delay = 1000;
    async function open() {
      await freshToken();
      const current = session();
      if (!current) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      // The token goes in the first message, never in the URL (proxies and history keep URLs).
      const socket = new WebSocket(scheme + "://" + location.host + "/api/v1/live");
      socket.onopen = () => {
        socket.send(JSON.stringify({ type: "auth", token: current.token }));
        delay = 1000;
        onStatus("open");
      };
      socket.onmessage = (event) => onMessage(JSON.parse(event.data));
      socket.onclose = (event) => {
        if (event.code === 4401) {
          /* the access token expired or the session ended: renew it, or log in again */
          return refresh().then((ok) => (ok ? open() : forget()));
        }
        if (event.code === 4403) return onStatus("forbidden");
        onStatus("closed");
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
  }

  window.Hub = { session, logout, api, ApiError, h, fmtTime, labels, label, notice, field,
    mountLogin, live };
})();
