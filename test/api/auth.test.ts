import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "../../src/domain/tokens";
import { startTestApp, type TestApp } from "../helpers/app";

describe("tokens and roles", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const me = (token?: string, id = 1) => app.request("GET", `/api/v2/users/${id}/`, { token });

  it("accepts a valid token", async () => {
    const user = await app.user("MAPPER");
    const res = await me(user.token, user.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, username: user.username, role: "MAPPER", mappingLevel: "BEGINNER" });
  });

  it.each([
    ["missing", undefined],
    ["not base64 of a session", "bm90LWEtdG9rZW4="],
    ["garbage", "%%%"],
  ])("refuses a %s token with 401 InvalidToken and WWW-Authenticate", async (_name, token) => {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body.SubCode).toBe("InvalidToken");
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("refuses a tampered token", async () => {
    const user = await app.user("MAPPER");
    const session = Buffer.from(user.token, "base64").toString("utf8");
    // Claim to be someone else, keeping the original signature.
    const forged = Buffer.from(session.replace(/^\d+/, String(user.id + 1)), "utf8").toString("base64");
    const res = await me(forged, user.id);
    expect(res.status).toBe(401);
    expect(res.body.SubCode).toBe("InvalidToken");
  });

  it("refuses a token signed with another secret", async () => {
    const user = await app.user("MAPPER");
    const res = await me(issueToken("some-other-secret", user.id, 60_000), user.id);
    expect(res.status).toBe(401);
  });

  it("refuses an expired token", async () => {
    const user = await app.user("MAPPER");
    const expired = issueToken(app.config.secret, user.id, 1000, Date.now() - 60_000);
    const res = await me(expired, user.id);
    expect(res.status).toBe(401);
    expect(res.body.SubCode).toBe("InvalidToken");
    expect(res.body.Error).toMatch(/expired/i);
  });

  it("refuses a well-signed token for an unknown user", async () => {
    const res = await me(issueToken(app.config.secret, 424242, 60_000), 424242);
    expect(res.status).toBe(401);
  });

  it("lets a READ_ONLY user read but answers 403 ReadOnly on writes", async () => {
    const reader = await app.user("READ_ONLY");
    expect((await me(reader.token, reader.id)).status).toBe(200);
    const res = await app.request("PATCH", "/api/v2/system/banner/", { token: reader.token, body: { message: "hi" } });
    expect(res.status).toBe(403);
    expect(res.body.SubCode).toBe("ReadOnly");
  });

  it("hides private fields of other users", async () => {
    const a = await app.user("MAPPER");
    const b = await app.user("MAPPER");
    await app.services.db.updateTable("users").set({ email_address: "a@example.org" }).where("id", "=", a.id).execute();
    expect((await me(a.token, a.id)).body.emailAddress).toBe("a@example.org");
    expect((await me(b.token, a.id)).body.emailAddress).toBeNull();
  });

  it("finds users by username and answers 404 UserNotFound otherwise", async () => {
    const user = await app.user("MAPPER");
    const found = await app.request("GET", `/api/v2/users/queries/${user.username}/`, { token: user.token });
    expect(found.body.id).toBe(user.id);
    const missing = await app.request("GET", "/api/v2/users/queries/nobody-here/", { token: user.token });
    expect(missing.status).toBe(404);
    expect(missing.body.SubCode).toBe("UserNotFound");
  });
});
