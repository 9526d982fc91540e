import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/stand-in";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("users", () => {
  let app: TestApp;
  let admin: User;
  let mapper: User;
  const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const userRow = (id: number) => app.services.db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.user("ADMIN");
    mapper = await app.user("MAPPER");
  });
  afterAll(() => app.close());

  describe("GET /users/", () => {
    it("filters by username, role and level, paginates, and lists everything with pagination=false", async () => {
      const tag = `lst${unique()}`;
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await app.user("MAPPER", `${tag}_m${i}`));
      const advanced = await app.user("ADMIN", `${tag}_adm`);
      await app.services.db.updateTable("users").set({ mapping_level: "ADVANCED" }).where("id", "=", advanced.id).execute();

      const page1 = await app.request("GET", `/api/v2/users/?username=${tag}&perPage=2&page=1`, { token: mapper.token });
      expect(page1.status).toBe(200);
      expect(page1.body.users).toHaveLength(2);
      expect(page1.body.pagination).toMatchObject({ page: 1, pages: 2, perPage: 2, total: 4, hasNext: true, hasPrev: false });
      expect(page1.body.users[0]).toEqual({ id: advanced.id, username: `${tag}_adm`, role: "ADMIN", mappingLevel: "ADVANCED", pictureUrl: null });

      const admins = await app.request("GET", `/api/v2/users/?username=${tag}&role=ADMIN`, { token: mapper.token });
      expect(admins.body.users.map((u: { username: string }) => u.username)).toEqual([`${tag}_adm`]);
      const levels = await app.request("GET", `/api/v2/users/?username=${tag}&level=BEGINNER,INTERMEDIATE`, { token: mapper.token });
      expect(levels.body.pagination.total).toBe(3);
      const all = await app.request("GET", `/api/v2/users/?username=${tag}&pagination=false`, { token: mapper.token });
      expect(all.body.users).toHaveLength(4);
      expect(all.body.pagination).toBeNull();

      expect((await app.request("GET", "/api/v2/users/")).status).toBe(401);
      const bad = await app.request("GET", "/api/v2/users/?role=KING", { token: mapper.token });
      expect(bad.status).toBe(400);
      expect(bad.body.SubCode).toBe("InvalidData");
    });
  });

  describe("profile", () => {
    it("edits the logged-in user's own profile with the official UserDTO fields", async () => {
      const me = await app.user("MAPPER");
      const res = await app.request("PATCH", "/api/v2/users/me/actions/set-user/", {
        token: me.token,
        body: { id: me.id, name: "Ada", city: "Nairobi", emailAddress: "Ada@Example.org", twitterId: "ada", gender: "SELF_DESCRIBE", selfDescriptionGender: "x", defaultEditor: "JOSM", tasksNotifications: false },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ verificationEmailSent: false });
      const dto = await app.request("GET", `/api/v2/users/${me.id}/`, { token: me.token });
      expect(dto.body).toMatchObject({ name: "Ada", city: "Nairobi", emailAddress: "ada@example.org", isEmailVerified: false, twitterId: "ada", gender: "SELF_DESCRIBE", selfDescriptionGender: "x", defaultEditor: "JOSM", tasksNotifications: false });
      // Another user does not see the private fields.
      const seen = await app.request("GET", `/api/v2/users/${me.id}/`, { token: mapper.token });
      expect(seen.body.emailAddress).toBeNull();
    });

    it("refuses another user's id (401 UnableToAuth) and invalid fields (400), changing nothing", async () => {
      const me = await app.user("MAPPER");
      const other = await app.request("PATCH", "/api/v2/users/me/actions/set-user/", { token: me.token, body: { id: mapper.id, name: "Hacked" } });
      expect(other.status).toBe(401);
      expect(other.body.SubCode).toBe("UnableToAuth");
      for (const body of [{ name: "no id" }, { id: me.id, emailAddress: "not-an-email" }, { id: me.id, gender: "ROBOT" }, { id: me.id, gender: "SELF_DESCRIBE" }, { id: me.id, defaultEditor: "NOTEPAD" }]) {
        const res = await app.request("PATCH", "/api/v2/users/me/actions/set-user/", { token: me.token, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.SubCode).toBe("InvalidData");
      }
      expect((await userRow(mapper.id)).name).toBeNull();
      expect((await userRow(me.id)).email_address).toBeNull();
      expect((await app.request("PATCH", "/api/v2/users/me/actions/set-user/", { body: { id: 1 } })).status).toBe(401);
    });

    it("verify-email needs an address", async () => {
      const me = await app.user("MAPPER");
      const none = await app.request("PATCH", "/api/v2/users/me/actions/verify-email/", { token: me.token });
      expect(none.status).toBe(400);
      await app.services.db.updateTable("users").set({ email_address: "me@example.org" }).where("id", "=", me.id).execute();
      const ok = await app.request("PATCH", "/api/v2/users/me/actions/verify-email/", { token: me.token });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ Success: "Verification email resent" });
    });

    it("sets the user's own expert mode only", async () => {
      const me = await app.user("MAPPER");
      const on = await app.request("PATCH", `/api/v2/users/${me.username}/actions/set-expert-mode/true/`, { token: me.token });
      expect(on.status).toBe(200);
      expect((await userRow(me.id)).is_expert).toBe(true);
      const other = await app.request("PATCH", `/api/v2/users/${mapper.username}/actions/set-expert-mode/true/`, { token: me.token });
      expect(other.status).toBe(403);
      expect((await userRow(mapper.id)).is_expert).toBe(false);
      expect((await app.request("PATCH", `/api/v2/users/${me.username}/actions/set-expert-mode/maybe/`, { token: me.token })).status).toBe(400);
      expect((await app.request("PATCH", `/api/v2/users/${me.username}/actions/set-expert-mode/false/`, { token: me.token })).status).toBe(200);
      expect((await userRow(me.id)).is_expert).toBe(false);
    });
  });

  describe("interests and favorites", () => {
    it("replaces the user's interests, refusing unknown ids without changing anything", async () => {
      const me = await app.user("MAPPER");
      const [a, b] = await app.services.db
        .insertInto("interests")
        .values([{ name: `Health ${unique()}` }, { name: `Water ${unique()}` }])
        .returning(["id", "name"])
        .execute();
      const set = await app.request("POST", "/api/v2/users/me/actions/set-interests/", { token: me.token, body: { interests: [b!.id, a!.id] } });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ interests: [a, b].sort((x, y) => x!.id - y!.id) });
      const unknown = await app.request("POST", "/api/v2/users/me/actions/set-interests/", { token: me.token, body: { interests: [a!.id, 999999999] } });
      expect(unknown.status).toBe(404);
      const bad = await app.request("POST", "/api/v2/users/me/actions/set-interests/", { token: me.token, body: { interests: "1" } });
      expect(bad.status).toBe(400);
      const read = await app.request("GET", `/api/v2/users/${me.username}/queries/interests/`, { token: mapper.token });
      expect(read.status).toBe(200);
      expect(read.body.interests).toHaveLength(2);
      expect((await app.request("GET", `/api/v2/users/nobody_${unique()}/queries/interests/`, { token: me.token })).status).toBe(404);
    });

    it("lists the projects the user favorited", async () => {
      const me = await app.user("MAPPER");
      const { projectId } = await insertProject(app.services.db, { authorId: admin.id });
      const empty = await app.request("GET", "/api/v2/users/queries/favorites/", { token: me.token });
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ favoritedProjects: [] });
      await app.services.db.insertInto("project_favorites").values({ project_id: projectId, user_id: me.id }).execute();
      const res = await app.request("GET", "/api/v2/users/queries/favorites/", { token: me.token });
      expect(res.body.favoritedProjects.map((p: { projectId: number }) => p.projectId)).toEqual([projectId]);
      expect((await app.request("GET", "/api/v2/users/queries/favorites/")).status).toBe(401);
    });
  });

  describe("username filter", () => {
    it("finds usernames by prefix, participants of a project first, 404 on no match", async () => {
      const tag = `flt${unique()}`;
      const first = await app.user("MAPPER", `${tag}_a`);
      const second = await app.user("MAPPER", `${tag}_b`);
      const { projectId } = await insertProject(app.services.db, { authorId: admin.id });
      await app.services.db.insertInto("task_history").values({ project_id: projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: second.id }).execute();

      const plain = await app.request("GET", `/api/v2/users/queries/filter/${tag.toUpperCase()}/`, { token: mapper.token });
      expect(plain.status).toBe(200);
      expect(plain.body.usernames).toEqual([first.username, second.username]);
      expect(plain.body.pagination).toMatchObject({ page: 1, total: 2, perPage: 20 });
      expect(plain.body.users).toBeUndefined();

      const withProject = await app.request("GET", `/api/v2/users/queries/filter/${tag}/?projectId=${projectId}`, { token: mapper.token });
      expect(withProject.body.usernames).toEqual([second.username, first.username]);
      expect(withProject.body.users).toEqual([
        { username: second.username, projectId, isParticipant: true },
        { username: first.username, projectId, isParticipant: false },
      ]);
      const none = await app.request("GET", `/api/v2/users/queries/filter/zz${unique()}/`, { token: mapper.token });
      expect(none.status).toBe(404);
      expect(none.body.SubCode).toBe("UserNotFound");
      // LIKE wildcards in the text match themselves only.
      expect((await app.request("GET", `/api/v2/users/queries/filter/%25${tag}/`, { token: mapper.token })).status).toBe(404);
    });
  });

  describe("admin actions", () => {
    it("set-role: admins only, official SubCodes", async () => {
      const target = await app.user("MAPPER");
      const notAdmin = await app.request("PATCH", `/api/v2/users/${target.username}/actions/set-role/ADMIN/`, { token: mapper.token });
      expect(notAdmin.status).toBe(403);
      expect(notAdmin.body.SubCode).toBe("OnlyAdminAccess");
      const unknown = await app.request("PATCH", `/api/v2/users/${target.username}/actions/set-role/KING/`, { token: admin.token });
      expect(unknown.status).toBe(403);
      expect(unknown.body.SubCode).toBe("UnknownAddRole");
      expect((await userRow(target.id)).role).toBe("MAPPER");
      const ok = await app.request("PATCH", `/api/v2/users/${target.username}/actions/set-role/read_only/`, { token: admin.token });
      expect(ok.status).toBe(200);
      expect((await userRow(target.id)).role).toBe("READ_ONLY");
      const missing = await app.request("PATCH", `/api/v2/users/nobody_${unique()}/actions/set-role/MAPPER/`, { token: admin.token });
      expect(missing.status).toBe(404);
      expect(missing.body.SubCode).toBe("UserNotFound");
    });

    it("set-level: admins only, a known level", async () => {
      const target = await app.user("MAPPER");
      expect((await app.request("PATCH", `/api/v2/users/${target.username}/actions/set-level/ADVANCED/`, { token: mapper.token })).status).toBe(403);
      const unknown = await app.request("PATCH", `/api/v2/users/${target.username}/actions/set-level/GURU/`, { token: admin.token });
      expect(unknown.status).toBe(400);
      expect((await userRow(target.id)).mapping_level).toBe("BEGINNER");
      const ok = await app.request("PATCH", `/api/v2/users/${target.username}/actions/set-level/intermediate/`, { token: admin.token });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ Success: "Level set" });
      const dto = await app.request("GET", `/api/v2/users/queries/${target.username}/`, { token: mapper.token });
      expect(dto.body.mappingLevel).toBe("INTERMEDIATE");
    });

    it("approve-level: votes from eligible users promote a nominated user", async () => {
      const name = `PRO_${unique()}`;
      const created = await app.request("POST", "/api/v2/levels/", { token: admin.token, body: { name, approvalsRequired: 2 } });
      const levelId = created.body.id;
      const nominee = await app.user("MAPPER");
      const voterAtLevel = await app.user("MAPPER");
      await app.services.db.updateTable("users").set({ mapping_level: name }).where("id", "=", voterAtLevel.id).execute();
      const path = `/api/v2/users/${nominee.username}/actions/approve-level`;

      const notNominated = await app.request("PATCH", path, { token: admin.token });
      expect(notNominated.status).toBe(400);
      await app.services.db.insertInto("user_next_level").values({ user_id: nominee.id, level_id: levelId }).execute();
      expect((await app.request("PATCH", path, { token: nominee.token })).status).toBe(403);
      expect((await app.request("PATCH", path, { token: mapper.token })).status).toBe(403);
      const first = await app.request("PATCH", path, { token: admin.token });
      expect(first.status).toBe(200);
      expect((await userRow(nominee.id)).mapping_level).toBe("BEGINNER");
      const second = await app.request("PATCH", path, { token: voterAtLevel.token });
      expect(second.status).toBe(200);
      expect((await userRow(nominee.id)).mapping_level).toBe(name);
      const messages = await app.services.db.selectFrom("messages").select("subject").where("to_user_id", "=", nominee.id).execute();
      expect(messages.some((m) => m.subject?.includes(name))).toBe(true);
      // Clean up so the level can go and the shared level ladder stays as other suites expect.
      await app.services.db.updateTable("users").set({ mapping_level: "BEGINNER" }).where("id", "in", [nominee.id, voterAtLevel.id]).execute();
      expect((await app.request("DELETE", `/api/v2/levels/${levelId}/`, { token: admin.token })).status).toBe(200);
    });
  });

  describe("registration and deletion", () => {
    it("registers an email once, refusing an address an account uses", async () => {
      const email = `new_${unique()}@example.org`;
      const res = await app.request("POST", "/api/v2/users/actions/register/", { body: { email } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: expect.any(Number), email, success: true, details: "User created successfully" });
      const again = await app.request("POST", "/api/v2/users/actions/register/", { body: { email: email.toUpperCase() } });
      expect(again.body.id).toBe(res.body.id);
      const taken = `taken_${unique()}@example.org`;
      await app.services.db.updateTable("users").set({ email_address: taken }).where("id", "=", mapper.id).execute();
      const refused = await app.request("POST", "/api/v2/users/actions/register/", { body: { email: taken } });
      expect(refused.status).toBe(400);
      expect(await app.services.db.selectFrom("users_with_email").select("id").where("email", "=", taken).execute()).toHaveLength(0);
      for (const body of [{}, { email: "nope" }, { email: 3 }]) {
        expect((await app.request("POST", "/api/v2/users/actions/register/", { body })).status).toBe(400);
      }
    });

    it("DELETE /users/ anonymises the logged-in account and keeps its contributions", async () => {
      const me = await app.user("ADMIN");
      const { projectId } = await insertProject(app.services.db, { authorId: admin.id });
      const { db } = app.services;
      await db.updateTable("users").set({ email_address: "gone@example.org", name: "Gone", city: "X" }).where("id", "=", me.id).execute();
      await db.insertInto("task_history").values({ project_id: projectId, task_id: 1, action: "STATE_CHANGE", action_text: "MAPPED", user_id: me.id }).execute();
      await db.insertInto("messages").values({ to_user_id: me.id, message_type: "SYSTEM", subject: "hi" }).execute();
      const res = await app.request("DELETE", "/api/v2/users/", { token: me.token });
      expect(res.status).toBe(200);
      const row = await userRow(me.id);
      expect(row).toMatchObject({ username: `user_${me.id}`, email_address: null, name: null, city: null, role: "MAPPER" });
      expect(await db.selectFrom("messages").select("id").where("to_user_id", "=", me.id).execute()).toHaveLength(0);
      expect(await db.selectFrom("task_history").select("id").where("user_id", "=", me.id).execute()).toHaveLength(1);
      expect((await app.request("DELETE", "/api/v2/users/")).status).toBe(401);
    });

    it("DELETE /users/{id}/: only the user or an admin", async () => {
      const target = await app.user("MAPPER");
      const refused = await app.request("DELETE", `/api/v2/users/${target.id}/`, { token: mapper.token });
      expect(refused.status).toBe(403);
      expect((await userRow(target.id)).username).toBe(target.username);
      expect((await app.request("DELETE", `/api/v2/users/${target.id}/`, { token: admin.token })).status).toBe(200);
      expect((await userRow(target.id)).username).toBe(`user_${target.id}`);
      expect((await app.request("DELETE", "/api/v2/users/1/", { token: admin.token })).status).toBe(404);
    });
  });
});

describe("users: verification emails (TM_SMTP_HOST set)", () => {
  let smtp: SmtpStandIn;
  let app: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    const port = smtp.port;
    app = await startTestApp({ TM_SMTP_HOST: "127.0.0.1", TM_SMTP_PORT: String(port) });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  it("emails a verification link when the address changes, and again on verify-email", async () => {
    const me = await app.user("MAPPER");
    const address = `verify_${Date.now().toString(36)}@example.org`;
    const res = await app.request("PATCH", "/api/v2/users/me/actions/set-user/", { token: me.token, body: { id: me.id, emailAddress: address } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ verificationEmailSent: true });
    const sent = smtp.delivered.filter((d) => d.to.includes(address));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toContain("Subject: Confirm your email address");
    // The link opens the frontend's page, which calls GET /system/authentication/email/ with the same query.
    const link = new URL(/http\S+\/verify-email\/\?\S+/.exec(sent[0]!.data.replace(/=\r?\n/g, "").replace(/=3D/g, "="))![0]);
    const verified = await app.request("GET", `/api/v2/system/authentication/email/?${link.searchParams.toString()}`);
    expect(verified.status).toBe(200);

    const same = await app.request("PATCH", "/api/v2/users/me/actions/set-user/", { token: me.token, body: { id: me.id, emailAddress: address, city: "Lima" } });
    expect(same.body).toEqual({ verificationEmailSent: false });
    expect((await app.request("PATCH", "/api/v2/users/me/actions/verify-email/", { token: me.token })).status).toBe(200);
    expect(smtp.delivered.filter((d) => d.to.includes(address))).toHaveLength(2);
  });
});
