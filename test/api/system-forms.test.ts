import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { type SmtpStandIn, startSmtpStandIn, startStandIn, type StandIn } from "../helpers/stand-in";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("contact-admin", () => {
  let app: TestApp;
  let smtp: SmtpStandIn;

  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    app = await startTestApp({
      TM_SMTP_HOST: "127.0.0.1",
      TM_SMTP_PORT: String(smtp.port),
      TM_EMAIL_CONTACT_ADDRESS: "admins@tm.example",
    });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  const inbox = (adminId: number, marker: string) =>
    app.services.db.selectFrom("messages").selectAll().where("to_user_id", "=", adminId).where("message", "like", `%${marker}%`).execute();

  it("leaves the message in every admin's notifications and emails the contact address", async () => {
    const admins = [await app.user("ADMIN"), await app.user("ADMIN")];
    const mapper = await app.user("MAPPER");
    const marker = `marker-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const res = await app.request("POST", "/api/v2/system/contact-admin/", {
      body: { name: "Amina", email: "amina@example.org", content: `Please add imagery for Lamu ${marker}` },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ Success: "Email sent" });
    for (const admin of admins) {
      const messages = await inbox(admin.id, marker);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ message_type: "SYSTEM", subject: "Contact form: message from Amina", from_user_id: null });
      expect(messages[0]!.message).toContain("amina@example.org");
    }
    expect(await inbox(mapper.id, marker)).toHaveLength(0);
    await expect.poll(() => smtp.delivered.filter((d) => d.data.includes(marker)).length, { timeout: 5000 }).toBe(1);
    expect(smtp.delivered.find((d) => d.data.includes(marker))!.to).toEqual(["admins@tm.example"]);
  });

  it("refuses a missing message or a bad address, sending nothing", async () => {
    const admin = await app.user("ADMIN");
    const marker = `refused-${Date.now()}`;
    for (const body of [{ email: "a@example.org" }, { email: "a@example.org", content: "   " }, { content: marker }, { email: "nope", content: marker }]) {
      const res = await app.request("POST", "/api/v2/system/contact-admin/", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe("InvalidData");
    }
    expect(await inbox(admin.id, marker)).toHaveLength(0);
    expect(smtp.delivered.filter((d) => d.data.includes(marker))).toHaveLength(0);
  });
});

describe("image-upload", () => {
  let app: TestApp;
  let images: StandIn;
  let user: User;
  const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex").toString("base64");
  const path = "/api/v2/system/image-upload/";

  beforeAll(async () => {
    images = await startStandIn((req) => {
      if (req.headers["x-api-key"] !== "image-key") return { status: 403, body: { message: "bad key" } };
      const { image } = JSON.parse(req.body) as { image: { filename: string } };
      if (image.filename === "too-big.png") return { status: 413, body: { message: "too large" } };
      if (image.filename === "crash.png") return { status: 500, body: { message: "disk full" } };
      return { status: 200, body: { url: `https://cdn.example/${req.url.searchParams.get("filename")}` } };
    });
    app = await startTestApp({ TM_IMAGE_UPLOAD_API_URL: `${images.url}/upload`, TM_IMAGE_UPLOAD_API_KEY: "image-key" });
    user = await app.user("MAPPER");
  });
  afterAll(async () => {
    await app.close();
    await images.close();
  });

  it("forwards the image to the image service and answers its URL", async () => {
    const res = await app.request("POST", path, { token: user.token, body: { mime: "image/png", data: png, filename: "lamu.png" } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ url: "https://cdn.example/lamu.png" });
    const sent = images.requests.at(-1)!;
    expect(sent.method).toBe("POST");
    expect(sent.url.pathname).toBe("/upload");
    expect(sent.url.searchParams.get("filename")).toBe("lamu.png");
    expect(JSON.parse(sent.body)).toEqual({ image: { mime: "image/png", data: png, filename: "lamu.png" } });
  });

  it("refuses anonymous users and bad images with the official SubCodes, forwarding nothing", async () => {
    const before = images.requests.length;
    expect((await app.request("POST", path, { body: { mime: "image/png", data: png, filename: "a.png" } })).status).toBe(401);
    const cases: [Record<string, unknown>, string][] = [
      [{ mime: "image/png", data: png }, "MissingFilename"],
      [{ data: png, filename: "a.png" }, "MissingMime"],
      [{ mime: "application/pdf", data: png, filename: "a.pdf" }, "UnsupportedFile"],
      [{ mime: "image/png", filename: "a.png" }, "InvalidData"],
      [{ mime: "image/png", data: "not base64!", filename: "a.png" }, "InvalidData"],
    ];
    for (const [body, subCode] of cases) {
      const res = await app.request("POST", path, { token: user.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.SubCode).toBe(subCode);
    }
    expect(images.requests.length).toBe(before);
  });

  it("reports the image service's refusals and failures", async () => {
    const refused = await app.request("POST", path, { token: user.token, body: { mime: "image/png", data: png, filename: "too-big.png" } });
    expect(refused.status).toBe(400);
    expect(refused.body.Error).toContain("too large");
    const failed = await app.request("POST", path, { token: user.token, body: { mime: "image/png", data: png, filename: "crash.png" } });
    expect(failed.status).toBe(502);
    expect(failed.body.SubCode).toBe("ImageServiceError");

    const unconfigured = await startTestApp();
    try {
      const mapper = await unconfigured.user("MAPPER");
      const res = await unconfigured.request("POST", path, { token: mapper.token, body: { mime: "image/png", data: png, filename: "a.png" } });
      expect(res.status).toBe(503);
      expect(res.body.SubCode).toBe("UndefinedImageService");
    } finally {
      await unconfigured.close();
    }
  });
});
