import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";

describe("error envelope", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ TM_MAX_BODY_SIZE: "2kb" });
  });
  afterAll(() => app.close());

  it("answers an unknown route with 404 NotFoundError", async () => {
    const res = await app.request("GET", "/api/v2/no-such-thing/");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ Error: expect.any(String), SubCode: "NotFoundError" });
  });

  it("answers a wrong method with 405 in the envelope and an Allow header", async () => {
    const res = await app.request("DELETE", "/api/v2/system/heartbeat/");
    expect(res.status).toBe(405);
    expect(res.body.SubCode).toBe("MethodNotAllowed");
    expect(res.headers.get("allow")).toContain("GET");
  });

  it("answers an HTTP method the router does not know with 405 in the envelope", async () => {
    const res = await app.request("PROPFIND", "/api/v2/system/heartbeat/");
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ Error: expect.any(String), SubCode: "MethodNotAllowed" });
  });

  it("answers malformed JSON with 400 InvalidData", async () => {
    const admin = await app.user("ADMIN");
    const res = await app.request("PATCH", "/api/v2/system/banner/", { token: admin.token, body: '{"message": ' });
    expect(res.status).toBe(400);
    expect(res.body.SubCode).toBe("InvalidData");
  });

  it("answers a body that fails its schema with 400 naming the field", async () => {
    const admin = await app.user("ADMIN");
    const res = await app.request("PATCH", "/api/v2/system/banner/", { token: admin.token, body: { message: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.SubCode).toBe("InvalidData");
    expect(res.body.Error).toContain("message");
  });

  it("answers a body over the configured limit with 413", async () => {
    const admin = await app.user("ADMIN");
    const res = await app.request("PATCH", "/api/v2/system/banner/", { token: admin.token, body: { message: "x".repeat(5000) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ Error: expect.any(String), SubCode: "PayloadTooLarge" });
  });

  it("answers an invalid path parameter with 400", async () => {
    const admin = await app.user("ADMIN");
    const res = await app.request("GET", "/api/v2/users/not-a-number/", { token: admin.token });
    expect(res.status).toBe(400);
    expect(res.body.Error).toContain("user_id");
  });

  it("echoes the request id, and takes the client's one", async () => {
    const mine = await app.request("GET", "/api/v2/system/languages/", { headers: { "X-Request-Id": "trace-123" } });
    expect(mine.headers.get("x-request-id")).toBe("trace-123");
    const generated = await app.request("GET", "/api/v2/system/languages/");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("unhandled failures", () => {
  it("answers 500 InternalServerError without stack traces or SQL", async () => {
    // A database that cannot be reached makes every query throw deep inside pg.
    const app = await startTestApp({ DATABASE_URL: "postgres://tm:tm@127.0.0.1:1/nowhere" });
    try {
      const res = await app.request("GET", "/api/v2/system/banner/");
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ Error: expect.any(String), SubCode: "InternalServerError" });
      expect(res.text).not.toMatch(/ECONNREFUSED|at .*\.ts|SELECT|banner/i);
    } finally {
      await app.close();
    }
  });
});
