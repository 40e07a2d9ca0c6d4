// The cjwt demo's front end (docs/demo.md). No framework, no build step.
//
// Where the tokens live:
// - the access token only in `session` below, a variable of this closure:
//   never in localStorage, sessionStorage, a cookie or a global;
// - the refresh token only in the HttpOnly cookie the auth service sets for
//   Path=/auth: this script never sees it; the browser sends it to
//   /auth/refresh and /auth/logout by itself.
// A 401 `error="invalid_token"` for an expired access token triggers one
// silent refresh and one retry; a reload restores the session through the
// cookie (POST /auth/refresh); sign-out revokes the session's family.
"use strict";

(() => {
  const session = { token: null, claims: null, refreshes: 0 };
  let refreshing = null;         // the one refresh in flight: never two at once
                                 // (strict rotation takes a second use as theft)

  const $ = (id) => document.getElementById(id);

  class SessionEnded extends Error {}

  // ---- small helpers -------------------------------------------------------

  function show(id) {
    for (const s of ["loading", "login", "dashboard"]) $(s).hidden = s !== id;
    const signedIn = id === "dashboard";
    $("who").hidden = !signedIn;
    $("logout").hidden = !signedIn;
  }

  function log(text) {
    const li = document.createElement("li");
    const t = document.createElement("time");
    t.textContent = new Date().toLocaleTimeString();
    li.append(t, " ", text);
    $("activity").prepend(li);
    while ($("activity").children.length > 30) $("activity").lastChild.remove();
  }

  // The claims, for display only (the gateway verifies the token, not us).
  function claimsOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
    } catch (e) {
      return {};
    }
  }

  function setToken(token) {
    session.token = token;
    session.claims = token ? claimsOf(token) : null;
    renderSession();
  }

  // error and error_description of a WWW-Authenticate: Bearer challenge
  function challenge(resp) {
    const h = resp.headers.get("WWW-Authenticate") || "";
    const get = (name) => {
      const m = h.match(new RegExp(name + '="([^"]*)"'));
      return m ? m[1] : null;
    };
    return { error: get("error"), description: get("error_description"), scope: get("scope") };
  }

  async function jsonOf(resp) {
    try {
      return await resp.json();
    } catch (e) {
      return {};
    }
  }

  // ---- the auth endpoints (same origin: the browser adds Origin and the cookie)

  function postAuth(path, options = {}) {
    return fetch(path, { method: "POST", credentials: "same-origin", cache: "no-store", ...options });
  }

  // One refresh at a time; callers that arrive meanwhile share its result.
  // Across tabs too: the Web Locks API (same origin, HTTPS) queues the other
  // tabs' refreshes, which then send the cookie this one brought back.
  function exclusive(run) {
    return navigator.locks ? navigator.locks.request("cjwt-demo-refresh", run) : run();
  }

  function refresh(reason) {
    if (!refreshing) {
      refreshing = exclusive(async () => {
        const resp = await postAuth("/auth/refresh");
        if (!resp.ok) {
          setToken(null);
          return false;
        }
        setToken((await resp.json()).access_token);
        if (reason !== "page load") {
          session.refreshes += 1;
          log(`silent refresh (${reason}): new access token, expires ${expiryText()}`);
        }
        renderSession();
        return true;
      }).finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  // A call to a service through the gateway. On 401 "token expired": one
  // silent refresh, one retry. Any other 401: the session is over.
  async function api(path) {
    for (let attempt = 0; ; attempt++) {
      const token = session.token;
      if (!token) throw new SessionEnded("not signed in");
      const resp = await fetch(path, { headers: { Authorization: "Bearer " + token }, cache: "no-store" });
      if (resp.status !== 401) return resp;
      const c = challenge(resp);
      if (attempt === 0 && c.error === "invalid_token" && c.description === "token expired") {
        log(`${path}: access token expired`);
        // Another call may have refreshed already: then just retry.
        if (session.token !== token || (await refresh("token expired"))) continue;
      }
      throw new SessionEnded(c.description || "not signed in");
    }
  }

  // ---- views -----------------------------------------------------------------

  function expiryText() {
    if (!session.claims || !session.claims.exp) return "";
    const left = Math.round(session.claims.exp - Date.now() / 1000);
    const at = new Date(session.claims.exp * 1000).toLocaleTimeString();
    return left > 0 ? `at ${at} (in ${left} s)` : `at ${at} (expired)`;
  }

  function renderSession() {
    const c = session.claims || {};
    $("who").textContent = c.sub ? `Signed in as ${c.sub}` : "";
    $("s-user").textContent = c.sub || "";
    $("s-role").textContent = c.role || "";
    $("s-scopes").textContent = c.scope || "";
    $("s-expiry").textContent = expiryText();
    $("s-refreshes").textContent = String(session.refreshes);
  }

  function fill(id, items, empty) {
    const box = $(id);
    box.replaceChildren();
    if (!items.length) {
      box.textContent = empty;
      return;
    }
    const ul = document.createElement("ul");
    ul.className = "items";
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item;
      ul.append(li);
    }
    box.append(ul);
  }

  function problem(id, text) {
    const p = document.createElement("p");
    p.className = "error";
    p.textContent = text;
    $(id).replaceChildren(p);
  }

  async function loadCard(id, path, field) {
    $(id).textContent = "Loading\u2026";
    const resp = await api(path);
    const body = await jsonOf(resp);
    if (resp.ok) {
      fill(id, body[field] || [], `No ${field}.`);
      const who = body.identity || {};
      log(`GET ${path}: ${resp.status}, the service saw user ${who.user} (role ${who.role})`);
    } else if (resp.status === 403) {
      const c = challenge(resp);
      problem(id, `Not allowed: your token lacks the scope ${c.scope || "needed"}.`);
      log(`GET ${path}: 403 ${c.error || ""}`);
    } else {
      problem(id, `The service answered ${resp.status}.`);
      log(`GET ${path}: ${resp.status}`);
    }
  }

  async function loadDashboard() {
    show("dashboard");
    renderSession();
    try {
      await Promise.all([loadCard("orders", "/orders/list", "orders"),
                         loadCard("payments", "/payments/recent", "payments")]);
    } catch (e) {
      if (e instanceof SessionEnded) return signedOut(`Your session has ended (${e.message}). Please sign in again.`);
      for (const id of ["orders", "payments"]) problem(id, "The gateway cannot be reached.");
      log(`error: ${e.message}`);
    }
  }

  function signedOut(notice) {
    setToken(null);
    session.refreshes = 0;
    $("activity").replaceChildren();
    $("login-notice").textContent = notice || "";
    $("login-notice").hidden = !notice;
    $("login-error").hidden = true;
    $("password").value = "";
    show("login");
    $("username").focus();
  }

  // ---- events ----------------------------------------------------------------

  async function onLogin(event) {
    event.preventDefault();
    const button = $("login-submit");
    button.disabled = true;
    $("login-error").hidden = true;
    try {
      const resp = await postAuth("/auth/login", {
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("username").value, password: $("password").value }),
      });
      const body = await jsonOf(resp);
      if (!resp.ok) {
        $("login-error").textContent = resp.status === 401
          ? "Wrong username or password." : `Sign-in failed: ${body.detail || resp.status}`;
        $("login-error").hidden = false;
        return;
      }
      $("password").value = "";
      $("login-notice").hidden = true;
      setToken(body.access_token);
      log(`signed in as ${session.claims.sub}; access token expires ${expiryText()}`);
      await loadDashboard();
    } catch (e) {
      $("login-error").textContent = "The server cannot be reached.";
      $("login-error").hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  async function onLogout() {
    const headers = session.token ? { Authorization: "Bearer " + session.token } : {};
    setToken(null);               // forget the token whatever the server says
    let notice = "You have signed out.";
    try {
      const resp = await postAuth("/auth/logout", { headers });
      if (!resp.ok) notice = "You have signed out (the session had already ended).";
    } catch (e) {
      notice = "Signed out here, but the server could not be reached to revoke the session.";
    }
    signedOut(notice);
  }

  async function start() {
    $("login-form").addEventListener("submit", onLogin);
    $("logout").addEventListener("click", onLogout);
    $("reload-data").addEventListener("click", () => loadDashboard());
    setInterval(() => {
      if (session.token) $("s-expiry").textContent = expiryText();
    }, 1000);
    // A reload keeps the session: the HttpOnly cookie gets a new access token.
    let restored = false;
    try {
      restored = await refresh("page load");
    } catch (e) {
      restored = false;
    }
    if (restored) {
      log(`session restored from the refresh cookie; access token expires ${expiryText()}`);
      await loadDashboard();
    } else {
      signedOut();
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();
