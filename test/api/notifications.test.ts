import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageType } from "../../src/domain/messages";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertProject } from "../helpers/fixtures";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("notifications", () => {
  let app: TestApp;
  let projectId: number;

  beforeAll(async () => {
    app = await startTestApp();
    const author = await app.user("MAPPER");
    ({ projectId } = await insertProject(app.services.db, { authorId: author.id, size: 2, name: "Nairobi buildings" }));
  });
  afterAll(() => app.close());

  /** Inserts messages straight into the table; dates go back one minute per message, oldest last. */
  async function send(to: User, messages: { type?: MessageType; from?: User; project?: number; task?: number; subject?: string; read?: boolean }[]) {
    const rows = await app.services.db
      .insertInto("messages")
      .values(
        messages.map((m, i) => ({
          to_user_id: to.id,
          from_user_id: m.from?.id ?? null,
          project_id: m.project ?? null,
          task_id: m.task ?? null,
          message_type: m.type ?? "SYSTEM",
          subject: m.subject ?? `Subject ${i}`,
          message: `Body ${i}`,
          read: m.read ?? false,
          date: sql<Date>`now() - make_interval(mins => ${i})`,
        })),
      )
      .returning("id")
      .execute();
    return rows.map((r) => r.id);
  }

  const list = (user: User, query = "") => app.request("GET", `/api/v2/notifications/${query}`, { token: user.token });

  it("lists only the caller's messages as MessagesDTO, newest first, with pagination", async () => {
    const [me, other, sender] = await Promise.all([app.user(), app.user(), app.user()]);
    const ids = await send(me, [
      { type: "VALIDATION_NOTIFICATION", from: sender, project: projectId, task: 1, subject: "validated" },
      { type: "BROADCAST", from: sender, project: projectId },
      { type: "SYSTEM" },
    ]);
    await send(other, [{ type: "SYSTEM" }]);

    const res = await list(me);
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ hasNext: false, hasPrev: false, nextNum: null, page: 1, pages: 1, prevNum: null, perPage: 10, total: 3 });
    expect(res.body.userMessages.map((m: { messageId: number }) => m.messageId)).toEqual(ids);
    expect(res.body.userMessages[0]).toEqual({
      messageId: ids[0],
      subject: "validated",
      message: "Body 0",
      fromUserId: sender.id,
      fromUsername: sender.username,
      displayPictureUrl: null,
      projectId,
      projectTitle: "Nairobi buildings",
      taskId: 1,
      messageType: "VALIDATION_NOTIFICATION",
      sentDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      read: false,
    });

    const page2 = await list(me, "?pageSize=2&page=2&sortDirection=ASC");
    expect(page2.body.pagination).toMatchObject({ page: 2, pages: 2, perPage: 2, total: 3, hasPrev: true, prevNum: 1, hasNext: false });
    expect(page2.body.userMessages.map((m: { messageId: number }) => m.messageId)).toEqual([ids[0]]);
  });

  it("filters by message type (names or official numbers), sender prefix, project, task and read status", async () => {
    const [me, alice, bob] = await Promise.all([app.user(), app.user("MAPPER", `alice_${Date.now()}`), app.user("MAPPER", `bob_${Date.now()}`)]);
    const [validation, invalidation, broadcast, readOne] = await send(me, [
      { type: "VALIDATION_NOTIFICATION", from: alice, project: projectId, task: 1 },
      { type: "INVALIDATION_NOTIFICATION", from: bob, project: projectId, task: 2 },
      { type: "BROADCAST", from: alice },
      { type: "SYSTEM", read: true },
    ]);
    const ids = async (query: string) => (await list(me, query)).body.userMessages.map((m: { messageId: number }) => m.messageId);
    expect(await ids("?messageType=VALIDATION_NOTIFICATION,INVALIDATION_NOTIFICATION")).toEqual([validation, invalidation]);
    expect(await ids("?messageType=2")).toEqual([broadcast]);
    expect(await ids(`?from=${alice.username.slice(0, 5).toUpperCase()}`)).toEqual([validation, broadcast]);
    expect(await ids(`?project=${projectId}&taskId=2`)).toEqual([invalidation]);
    expect(await ids("?status=read")).toEqual([readOne]);
    expect(await ids("?status=unread&sortBy=message_type&sortDirection=asc")).toEqual([broadcast, invalidation, validation]);
  });

  it("refuses bad filters with a 400 naming the field, and anonymous callers with 401", async () => {
    const me = await app.user();
    expect((await list(me, "?messageType=NOPE")).body).toMatchObject({ SubCode: "InvalidData", Error: expect.stringContaining("messageType") });
    expect((await list(me, "?messageType=99")).status).toBe(400);
    expect((await list(me, "?pageSize=500")).body.Error).toContain("pageSize");
    expect((await list(me, "?sortBy=subject")).body.Error).toContain("sortBy");
    expect((await list(me, "?status=maybe")).status).toBe(400);
    expect((await app.request("GET", "/api/v2/notifications/")).status).toBe(401);
  });

  it("reads one message (marking it read), refusing others' messages and unknown ids", async () => {
    const [me, other] = await Promise.all([app.user(), app.user()]);
    const [mine] = await send(me, [{ subject: "hello" }]);
    const res = await app.request("GET", `/api/v2/notifications/${mine}/`, { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ messageId: mine, subject: "hello", read: false });
    expect((await app.request("GET", `/api/v2/notifications/${mine}/`, { token: me.token })).body.read).toBe(true);

    const foreign = await app.request("GET", `/api/v2/notifications/${mine}/`, { token: other.token });
    expect(foreign.status).toBe(403);
    expect(foreign.body.SubCode).toBe("AccessOtherUserMessage");
    expect((await app.request("DELETE", `/api/v2/notifications/${mine}/`, { token: other.token })).body.SubCode).toBe("AccessOtherUserMessage");
    expect((await app.request("GET", "/api/v2/notifications/999999999/", { token: me.token })).status).toBe(404);
    expect((await app.request("DELETE", "/api/v2/notifications/999999999/", { token: me.token })).status).toBe(404);

    const deleted = await app.request("DELETE", `/api/v2/notifications/${mine}/`, { token: me.token });
    expect(deleted.body).toEqual({ Success: "Message deleted" });
    expect((await list(me)).body.pagination.total).toBe(0);
  });

  it("deletes and marks read in bulk: by ids (others' ids untouched) or all, optionally by type", async () => {
    const [me, other] = await Promise.all([app.user(), app.user()]);
    const [a, b, c, d] = await send(me, [{ type: "SYSTEM" }, { type: "BROADCAST" }, { type: "BROADCAST" }, { type: "MENTION_NOTIFICATION" }]);
    const [theirs] = await send(other, [{}]);
    const readIds = async (u: User) => (await list(u, "?status=read")).body.userMessages.map((m: { messageId: number }) => m.messageId).sort();

    let res = await app.request("POST", "/api/v2/notifications/mark-as-read-multiple/", { token: me.token, body: { messageIds: [a, theirs] } });
    expect(res.body).toEqual({ Success: "Messages marked as read" });
    expect(await readIds(me)).toEqual([a]);
    expect(await readIds(other)).toEqual([]);

    res = await app.request("POST", "/api/v2/notifications/mark-as-read-all/?messageType=BROADCAST", { token: me.token });
    expect(res.body).toEqual({ Success: "Messages marked as read" });
    expect(await readIds(me)).toEqual([a, b, c].sort());

    res = await app.request("DELETE", "/api/v2/notifications/delete-multiple/", { token: me.token, body: { messageIds: [b, theirs] } });
    expect(res.body).toEqual({ Success: "Messages deleted" });
    expect((await list(other)).body.pagination.total).toBe(1);

    res = await app.request("DELETE", "/api/v2/notifications/delete-all/?messageType=3", { token: me.token });
    expect(res.body).toEqual({ Success: "Messages deleted" });
    expect((await list(me)).body.userMessages.map((m: { messageId: number }) => m.messageId)).toEqual([a, c]);

    expect((await app.request("POST", "/api/v2/notifications/mark-as-read-all/", { token: me.token })).status).toBe(200);
    expect((await list(me, "?status=unread")).body.pagination.total).toBe(0);
    await app.request("DELETE", "/api/v2/notifications/delete-all/", { token: me.token });
    expect((await list(me)).body.pagination.total).toBe(0);
    expect((await app.request("DELETE", "/api/v2/notifications/delete-multiple/", { token: me.token, body: { messageIds: "all" } })).status).toBe(400);
  });

  it("counts unread messages and whether any arrived since the last check (post-unread)", async () => {
    const me = await app.user();
    const count = async () => (await app.request("GET", "/api/v2/notifications/queries/own/count-unread/", { token: me.token })).body;
    expect(await count()).toEqual({ newMessages: false, unread: 0 });
    await send(me, [{}, {}, { read: true }]);
    expect(await count()).toEqual({ newMessages: true, unread: 2 });

    const checked = await app.request("POST", "/api/v2/notifications/queries/own/post-unread/", { token: me.token });
    expect(checked.status).toBe(200);
    expect(checked.body).toEqual({ newMessages: false, unread: 2 });
    expect(await count()).toEqual({ newMessages: false, unread: 2 });

    await app.services.db.insertInto("messages").values({ to_user_id: me.id, message_type: "SYSTEM", subject: "later", message: "x", date: sql<Date>`now() + interval '1 second'` }).execute();
    expect(await count()).toEqual({ newMessages: true, unread: 3 });
  });
});
