import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueEmailToken } from "../../src/domain/email-verification";
import { startTestApp, type TestApp } from "../helpers/app";
import { type SmtpStandIn, startSmtpStandIn, startStandIn, type StandIn } from "../helpers/stand-in";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("application keys", () => {
  let app: TestApp;
  let owner: User;
  let other: User;
  const base = "/api/v2/system/authentication/applications/";

  beforeAll(async () => {
    app = await startTestApp();
    owner = await app.user("MAPPER");
    other = await app.user("MAPPER");
  });
  afterAll(() => app.close());

  it("creates keys that list, check as valid and authenticate as their owner", async () => {
    expect((await app.request("GET", base, { token: owner.token })).body).toEqual({ applications: [] });
    const created = await app.request("POST", base, { token: owner.token });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ keyId: expect.any(Number), userId: owner.id, applicationkey: expect.stringMatching(/^tmapp_/), createdDate: expect.any(String) });
    const key = created.body.applicationkey as string;

    const list = await app.request("GET", base, { token: owner.token });
    expect(list.body).toEqual({ applications: [created.body] });
    expect((await app.request("GET", base, { token: other.token })).body).toEqual({ applications: [] });

    const valid = await app.request("PATCH", `${base}${key}/`);
    expect(valid.status).toBe(200);
    // The key is a credential: it signs in as its owner.
    const asOwner = await app.request("GET", base, { token: key });
    expect(asOwner.status).toBe(200);
    expect(asOwner.body.applications[0].userId).toBe(owner.id);
  });

  it("lets only the owner delete a key, after which it no longer authenticates", async () => {
    const key = (await app.request("POST", base, { token: owner.token })).body.applicationkey as string;
    expect((await app.request("DELETE", `${base}${key}/`)).status).toBe(401);
    const notOwner = await app.request("DELETE", `${base}${key}/`, { token: other.token });
    expect(notOwner.status).toBe(302);
    expect(notOwner.body.SubCode).toBe("InvalidToken");
    expect((await app.request("DELETE", `${base}tmapp_nosuchkey/`, { token: owner.token })).status).toBe(404);
    const deleted = await app.request("DELETE", `${base}${key}/`, { token: owner.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ Success: "Application key deleted" });
    expect((await app.request("PATCH", `${base}${key}/`)).status).toBe(302);
    const refused = await app.request("GET", base, { token: key });
    expect(refused.status).toBe(401);
    expect(refused.body.SubCode).toBe("InvalidToken");
  });

  it("requires a signed-in user to list and create keys", async () => {
    expect((await app.request("GET", base)).status).toBe(401);
    expect((await app.request("POST", base)).status).toBe(401);
  });
});

describe("OpenStreetMap login and email verification", () => {
  let app: TestApp;
  let osm: StandIn;
  let smtp: SmtpStandIn;
  const osmId = 800_000_000 + Math.floor(Math.random() * 100_000_000);
  const osmName = `osm_mapper_${osmId}`;
  let displayName = osmName;

  beforeAll(async () => {
    osm = await startStandIn((req) => {
      if (req.method === "POST" && req.url.pathname === "/oauth2/token") {
        const form = new URLSearchParams(req.body);
        if (form.get("code") !== "good-code" || form.get("client_secret") !== "s3cret") return { status: 400, body: { error: "invalid_grant" } };
        return { status: 200, body: { access_token: "osm-access-token", token_type: "Bearer", scope: "read_prefs" } };
      }
      if (req.url.pathname === "/api/0.6/user/details.json") {
        if (req.headers.authorization !== "Bearer osm-access-token") return { status: 401, body: {} };
        return { status: 200, body: { version: "0.6", user: { id: osmId, display_name: displayName, img: { href: "https://osm.example/pic.png" }, changesets: { count: 300 } } } };
      }
      return { status: 404, body: {} };
    });
    smtp = await startSmtpStandIn();
    app = await startTestApp({
      OSM_SERVER_URL: osm.url,
      TM_CLIENT_ID: "tm-client",
      TM_CLIENT_SECRET: "s3cret",
      TM_REDIRECT_URI: "http://tm.example/authorized",
      TM_APP_BASE_URL: "http://tm.example",
      TM_SMTP_HOST: "127.0.0.1",
      TM_SMTP_PORT: String(smtp.port),
    });
  });
  afterAll(async () => {
    await app.close();
    await osm.close();
    await smtp.close();
  });

  it("answers OSM's authorize URL with a fresh state", async () => {
    const res = await app.request("GET", "/api/v2/system/authentication/login/?redirect_uri=http://localhost:3000/authorized");
    expect(res.status).toBe(200);
    const url = new URL(res.body.auth_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${osm.url}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ response_type: "code", client_id: "tm-client", redirect_uri: "http://localhost:3000/authorized", state: res.body.state });
    expect(res.body.state.length).toBeGreaterThan(20);
    const again = await app.request("GET", "/api/v2/system/authentication/login/");
    expect(again.body.state).not.toBe(res.body.state);
    expect(new URL(again.body.auth_url).searchParams.get("redirect_uri")).toBe("http://tm.example/authorized");
  });

  it("registers a new OSM user, answers a working session token and emails a verification link that verifies", async () => {
    const email = `mapper${osmId}@example.org`;
    const res = await app.request("GET", `/api/v2/system/authentication/callback/?code=good-code&email_address=${encodeURIComponent(email)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ username: osmName, session_token: expect.any(String), picture: "https://osm.example/pic.png", osm_oauth_token: "osm-access-token" });
    const tokenRequest = osm.requests.find((r) => r.url.pathname === "/oauth2/token")!;
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toMatchObject({ grant_type: "authorization_code", code: "good-code", client_id: "tm-client", redirect_uri: "http://tm.example/authorized" });

    const user = await app.services.db.selectFrom("users").selectAll().where("id", "=", osmId).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ username: osmName, mapping_level: "INTERMEDIATE", email_address: email, is_email_verified: false, role: "MAPPER" });
    // The session token works on the API.
    expect((await app.request("GET", "/api/v2/system/authentication/applications/", { token: res.body.session_token })).status).toBe(200);

    await expect.poll(() => smtp.delivered.filter((d) => d.to.includes(email)).length, { timeout: 5000 }).toBe(1);
    const mail = smtp.delivered.find((d) => d.to.includes(email))!.data.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const link = new URL(/http:\/\/tm\.example\/verify-email\/\?\S+/.exec(mail)![0]);
    const verify = await app.request("GET", `/api/v2/system/authentication/email/?${link.searchParams.toString()}`);
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    expect(verify.body).toEqual({ Status: "OK" });
    expect((await app.services.db.selectFrom("users").select("is_email_verified").where("id", "=", osmId).executeTakeFirstOrThrow()).is_email_verified).toBe(true);
  });

  it("follows an OSM rename on the next login, keeping the account", async () => {
    displayName = `${osmName}_renamed`;
    try {
      const res = await app.request("GET", "/api/v2/system/authentication/callback/?code=good-code");
      expect(res.status).toBe(200);
      expect(res.body.username).toBe(displayName);
      const user = await app.services.db.selectFrom("users").selectAll().where("id", "=", osmId).executeTakeFirstOrThrow();
      expect(user.username).toBe(displayName);
      expect(user.is_email_verified).toBe(true);
    } finally {
      displayName = osmName;
    }
  });

  it("refuses a missing or bad code and reports OSM failures", async () => {
    const missing = await app.request("GET", "/api/v2/system/authentication/callback/");
    expect(missing.status).toBe(400);
    expect(missing.body.SubCode).toBe("InvalidData");
    const bad = await app.request("GET", "/api/v2/system/authentication/callback/?code=expired-code");
    expect(bad.status).toBe(400);
    expect(bad.body.SubCode).toBe("InvalidGrantError");
    expect((await app.request("GET", "/api/v2/system/authentication/callback/?code=good-code&email_address=not-an-email")).status).toBe(400);

    const down = await startTestApp({ OSM_SERVER_URL: "http://127.0.0.1:9", TM_CLIENT_SECRET: "s3cret" });
    try {
      const res = await down.request("GET", "/api/v2/system/authentication/callback/?code=good-code");
      expect(res.status).toBe(502);
      expect(res.body.SubCode).toBe("TokenFetchError");
    } finally {
      await down.close();
    }
  });

  it("refuses email verification with a bad, expired or mismatched token", async () => {
    const local = await app.user("MAPPER");
    await app.services.db.updateTable("users").set({ email_address: "local@example.org" }).where("id", "=", local.id).execute();
    const path = (username: string, token: string) => `/api/v2/system/authentication/email/?username=${encodeURIComponent(username)}&token=${encodeURIComponent(token)}`;
    const secret = app.config.secret;

    const unknown = await app.request("GET", path(`nobody_${osmId}`, issueEmailToken(secret, "local@example.org")));
    expect(unknown.status).toBe(404);
    expect(unknown.body.SubCode).toBe("UserNotFound");
    const forged = await app.request("GET", path(local.username, issueEmailToken("another-secret", "local@example.org")));
    expect(forged.status).toBe(403);
    expect(forged.body.SubCode).toBe("BadSignature");
    const expired = await app.request("GET", path(local.username, issueEmailToken(secret, "local@example.org", Date.now() - 2 * 86_400_000)));
    expect(expired.status).toBe(403);
    expect(expired.body.SubCode).toBe("ExpiredToken");
    const otherAddress = await app.request("GET", path(local.username, issueEmailToken(secret, "old@example.org")));
    expect(otherAddress.status).toBe(403);
    expect(otherAddress.body.SubCode).toBe("InvalidEmail");
    expect((await app.request("GET", "/api/v2/system/authentication/email/?username=x")).status).toBe(400);
    const row = await app.services.db.selectFrom("users").select("is_email_verified").where("id", "=", local.id).executeTakeFirstOrThrow();
    expect(row.is_email_verified).toBe(false);
  });
});
