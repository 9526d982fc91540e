import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { insertOrganisation, insertProject } from "../helpers/fixtures";
import { lockScenario } from "../helpers/locks";

type User = Awaited<ReturnType<TestApp["user"]>>;

describe("project chat, task comments and annotations", () => {
  let app: TestApp;
  let manager: User;
  let projectId: number;
  beforeAll(async () => {
    app = await startTestApp();
    manager = await app.user("MAPPER");
    const org = await insertOrganisation(app.services.db, [manager.id]);
    ({ projectId } = await insertProject(app.services.db, { authorId: manager.id, organisationId: org.id, size: 2, name: "Chatty project" }));
  });
  afterAll(() => app.close());

  const chatPath = (id: number) => `/api/v2/projects/${id}/comments/`;
  const messagesOf = (user: User) =>
    app.services.db.selectFrom("messages").select(["message_type", "subject", "message", "from_user_id", "project_id", "task_id"]).where("to_user_id", "=", user.id).orderBy("id").execute();
  const chatRows = (id: number) => app.services.db.selectFrom("project_chat").select(["message", "user_id"]).where("project_id", "=", id).orderBy("id").execute();

  describe("project chat", () => {
    it("posts, answers the first page with 201, notifies mentions and managers, and pages newest first", async () => {
      const { projectId: id } = await insertProject(app.services.db, { authorId: manager.id, organisationId: (await managerOrg()).id, size: 1, name: "Chat A" });
      const poster = await app.user("MAPPER");
      const mentioned = await app.user("MAPPER");
      const quiet = await app.user("MAPPER");
      await app.services.db.updateTable("users").set({ mentions_notifications: false }).where("id", "=", quiet.id).execute();

      const empty = await app.request("GET", chatPath(id));
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual({ chat: [], pagination: expect.objectContaining({ total: 0, page: 1, perPage: 20 }) });

      const posted = await app.request("POST", chatPath(id), { token: poster.token, body: { message: `Hello @${mentioned.username} and @[${quiet.username}] <script>alert(1)</script>` } });
      expect(posted.status).toBe(201);
      expect(posted.body.chat).toHaveLength(1);
      expect(posted.body.chat[0]).toEqual({ id: expect.any(Number), message: `Hello @${mentioned.username} and @[${quiet.username}] `, pictureUrl: null, timestamp: expect.any(String), username: poster.username });
      expect(posted.body.pagination).toMatchObject({ total: 1, page: 1, hasNext: false });

      const [mention] = await messagesOf(mentioned);
      expect(mention).toMatchObject({ message_type: "MENTION_NOTIFICATION", from_user_id: poster.id, project_id: id, task_id: null });
      expect(mention!.subject).toContain(`${poster.username} mentioned you in the chat of Project Chat A #${id}`);
      expect(await messagesOf(quiet)).toEqual([]); // mentions turned off
      const managerNotes = (await messagesOf(manager)).filter((m) => m.project_id === id);
      expect(managerNotes.map((m) => m.message_type)).toEqual(["PROJECT_CHAT_NOTIFICATION"]);
      expect(await messagesOf(poster)).toEqual([]);

      await app.request("POST", chatPath(id), { token: poster.token, body: { message: "second" } });
      await app.request("POST", chatPath(id), { token: manager.token, body: { message: "third" } });
      const page1 = await app.request("GET", `${chatPath(id)}?perPage=2`);
      expect(page1.body.chat.map((c: { message: string }) => c.message)).toEqual(["third", "second"]);
      expect(page1.body.pagination).toMatchObject({ hasNext: true, hasPrev: false, nextNum: 2, page: 1, pages: 2, perPage: 2, total: 3 });
      const page2 = await app.request("GET", `${chatPath(id)}?perPage=2&page=2`);
      expect(page2.body.chat).toHaveLength(1);
      expect(page2.body.pagination).toMatchObject({ hasPrev: true, prevNum: 1, page: 2 });

      const stats = await app.request("GET", `/api/v2/projects/${id}/statistics/`);
      expect(stats.body.totalComments).toBe(3);
    });

    it("refuses anonymous, empty, read-only and unpermitted posts, writing nothing", async () => {
      const readOnly = await app.user("READ_ONLY");
      const anonymous = await app.request("POST", chatPath(projectId), { body: { message: "hi" } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.SubCode).toBe("InvalidToken");
      const blank = await app.request("POST", chatPath(projectId), { token: manager.token, body: { message: "   " } });
      expect(blank.status).toBe(400);
      expect(blank.body.SubCode).toBe("InvalidData");
      const missing = await app.request("POST", chatPath(projectId), { token: manager.token, body: {} });
      expect(missing.status).toBe(400);
      expect((await app.request("POST", chatPath(projectId), { token: readOnly.token, body: { message: "hi" } })).body.SubCode).toBe("ReadOnly");
      expect(await chatRows(projectId)).toEqual([]);

      const outsider = await app.user("MAPPER");
      const { projectId: privateId } = await insertProject(app.services.db, { authorId: manager.id, size: 1, private: true });
      const hidden = await app.request("POST", chatPath(privateId), { token: outsider.token, body: { message: "let me in" } });
      expect(hidden.status).toBe(403);
      expect(hidden.body.SubCode).toBe("PrivateProject");
      expect((await app.request("GET", chatPath(privateId))).body.SubCode).toBe("PrivateProject");
      expect(await chatRows(privateId)).toEqual([]);

      expect((await app.request("GET", chatPath(99_999_999))).status).toBe(404);
      expect((await app.request("POST", chatPath(99_999_999), { token: manager.token, body: { message: "x" } })).status).toBe(404);
      expect((await app.request("GET", `${chatPath(projectId)}?perPage=0`)).status).toBe(400);
    });

    it("lets the author or a project manager delete a message, and nobody else", async () => {
      const author = await app.user("MAPPER");
      const other = await app.user("MAPPER");
      const posted = await app.request("POST", chatPath(projectId), { token: author.token, body: { message: "delete me" } });
      const first = posted.body.chat[0].id as number;
      await app.request("POST", chatPath(projectId), { token: author.token, body: { message: "and me" } });
      const second = (await app.request("GET", chatPath(projectId))).body.chat[0].id as number;

      expect((await app.request("DELETE", `${chatPath(projectId)}${first}/`)).status).toBe(401);
      const refused = await app.request("DELETE", `${chatPath(projectId)}${first}/`, { token: other.token });
      expect(refused.status).toBe(403);
      expect(refused.body.SubCode).toBe("DeletePermissionError");
      const byAuthor = await app.request("DELETE", `${chatPath(projectId)}${first}/`, { token: author.token });
      expect(byAuthor).toMatchObject({ status: 200, body: { Success: "Comment deleted" } });
      const byManager = await app.request("DELETE", `${chatPath(projectId)}${second}/`, { token: manager.token });
      expect(byManager.status).toBe(200);
      expect((await app.request("DELETE", `${chatPath(projectId)}${second}/`, { token: manager.token })).status).toBe(404);
      expect(await chatRows(projectId)).toEqual([]);
    });
  });

  async function managerOrg() {
    return app.services.db.selectFrom("organisation_managers").select("organisation_id as id").where("user_id", "=", manager.id).executeTakeFirstOrThrow();
  }

  describe("task comments", () => {
    it("records a COMMENT through the task history, answers the TaskDTO and notifies mentions and the task's contributors", async () => {
      const s = await lockScenario(app, { size: 2 });
      await s.lock(1, s.mapper.token);
      expect((await s.unlock(1, s.mapper.token, "MAPPED")).status).toBe(200);
      const path = `/api/v2/projects/${s.projectId}/comments/tasks/1/`;

      const posted = await app.request("POST", path, { token: s.validator.token, body: { comment: `Looks off, @${s.manager.username}?` } });
      expect(posted.status).toBe(201);
      expect(posted.body).toMatchObject({ taskId: 1, projectId: s.projectId, taskStatus: "MAPPED", numberOfComments: 1 });
      expect(posted.body.taskHistory[0]).toMatchObject({ action: "COMMENT", actionText: `Looks off, @${s.manager.username}?`, actionBy: s.validator.username });
      expect((await s.history(1)).map((h) => h.action)).toEqual(["LOCKED_FOR_MAPPING", "STATE_CHANGE", "COMMENT"]);

      const mapperNotes = (await messagesOf(s.mapper)).filter((m) => m.project_id === s.projectId);
      expect(mapperNotes).toEqual([expect.objectContaining({ message_type: "TASK_COMMENT_NOTIFICATION", task_id: 1, from_user_id: s.validator.id })]);
      expect(mapperNotes[0]!.subject).toContain(`Task 1 of Project`);
      expect((await messagesOf(s.manager)).filter((m) => m.project_id === s.projectId).map((m) => m.message_type)).toEqual(["MENTION_NOTIFICATION"]);

      await app.request("POST", path, { token: s.mapper.token, body: { comment: "Fixed" } });
      const listed = await app.request("GET", path);
      expect(listed.status).toBe(200);
      expect(listed.body.comments).toEqual([
        { comment: "Fixed", commentDate: expect.any(String), userName: s.mapper.username, taskId: 1 },
        { comment: `Looks off, @${s.manager.username}?`, commentDate: expect.any(String), userName: s.validator.username, taskId: 1 },
      ]);
      // The activity feed leaves comments out.
      const activity = await app.request("GET", `/api/v2/projects/${s.projectId}/activities/`);
      expect(activity.body.activity.map((a: { action: string }) => a.action)).not.toContain("COMMENT");
    });

    it("notifies users mentioned in a comment handed in with a task", async () => {
      const s = await lockScenario(app, { size: 1 });
      await s.lock(1, s.mapper.token);
      expect((await s.unlock(1, s.mapper.token, "MAPPED", `Please check the river, @${s.validator.username}`)).status).toBe(200);
      const notes = (await messagesOf(s.validator)).filter((m) => m.project_id === s.projectId);
      expect(notes).toEqual([expect.objectContaining({ message_type: "MENTION_NOTIFICATION", task_id: 1, from_user_id: s.mapper.id, message: `Please check the river, @${s.validator.username}` })]);
    });

    it("answers 404 for unknown tasks, 400 for empty comments and 401 anonymously, writing nothing", async () => {
      const s = await lockScenario(app, { size: 1 });
      const base = `/api/v2/projects/${s.projectId}/comments/tasks`;
      expect((await app.request("GET", `${base}/1/`)).body).toEqual({ comments: [] });
      expect((await app.request("GET", `${base}/7/`)).status).toBe(404);
      const unknown = await app.request("POST", `${base}/7/`, { token: s.mapper.token, body: { comment: "where?" } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.SubCode).toBe("NotFoundError");
      const empty = await app.request("POST", `${base}/1/`, { token: s.mapper.token, body: { comment: "" } });
      expect(empty.status).toBe(400);
      expect(empty.body.SubCode).toBe("InvalidData");
      expect((await app.request("POST", `${base}/1/`, { body: { comment: "anon" } })).status).toBe(401);
      expect(await s.history(1)).toEqual([]);
    });
  });

  describe("task annotations", () => {
    const annotationsPath = (id: number, type?: string) => `/api/v2/projects/${id}/annotations/${type ? `${type}/` : ""}`;
    const annotationRows = (id: number) => app.services.db.selectFrom("task_annotations").select(["task_id", "annotation_type", "properties"]).where("project_id", "=", id).orderBy("task_id").execute();

    it("stores annotations per task and type, replaces them on repost, and shows them on the task", async () => {
      const { projectId: id } = await insertProject(app.services.db, { authorId: manager.id, organisationId: (await managerOrg()).id, size: 2 });
      expect((await app.request("GET", annotationsPath(id))).body).toEqual({ projectId: id, tasks: [] });

      const body = {
        annotationSource: "ml-enabler",
        tasks: [
          { taskId: 1, annotationMarkdown: "**3 buildings**", properties: { buildings: 3 } },
          { taskId: 2, annotationSource: "other-model", properties: { buildings: 0 } },
        ],
      };
      const saved = await app.request("POST", annotationsPath(id, "ml_buildings"), { token: manager.token, body });
      expect(saved.status).toBe(200);
      expect(saved.body).toEqual({
        projectId: id,
        tasks: [
          { taskId: 1, annotationType: "ml_buildings", annotationSource: "ml-enabler", annotationMarkdown: "**3 buildings**", properties: { buildings: 3 } },
          { taskId: 2, annotationType: "ml_buildings", annotationSource: "other-model", annotationMarkdown: null, properties: { buildings: 0 } },
        ],
      });
      await app.request("POST", annotationsPath(id, "roads"), { token: manager.token, body: { tasks: [{ taskId: 1, properties: { km: 2 } }] } });
      const replaced = await app.request("POST", annotationsPath(id, "ml_buildings"), { token: manager.token, body: { tasks: [{ taskId: 1, properties: { buildings: 5 } }] } });
      expect(replaced.body.tasks[0]).toMatchObject({ taskId: 1, annotationSource: null, properties: { buildings: 5 } });

      const all = await app.request("GET", annotationsPath(id));
      expect(all.body.tasks.map((t: { taskId: number; annotationType: string }) => `${t.taskId}:${t.annotationType}`)).toEqual(["1:ml_buildings", "1:roads", "2:ml_buildings"]);
      const roads = await app.request("GET", annotationsPath(id, "roads"));
      expect(roads.body.tasks).toEqual([expect.objectContaining({ taskId: 1, properties: { km: 2 } })]);
      const task = await app.request("GET", `/api/v2/projects/${id}/tasks/1/`);
      expect(task.body.taskAnnotation.map((a: { annotationType: string }) => a.annotationType)).toEqual(["ml_buildings", "roads"]);
    });

    it("takes posts from outside tools by Application-Token, as officially, and refuses unknown keys", async () => {
      const { projectId: id } = await insertProject(app.services.db, { authorId: manager.id, organisationId: (await managerOrg()).id, size: 1 });
      const toolOwner = await app.user("MAPPER");
      const key = (await app.request("POST", "/api/v2/system/authentication/applications/", { token: toolOwner.token })).body.applicationkey as string;
      const body = { annotationSource: "ml-tool", tasks: [{ taskId: 1, properties: { buildings: 3 } }] };
      const refused = await app.request("POST", annotationsPath(id, "ml"), { body, headers: { "Application-Token": "tmapp_unknown" } });
      expect(refused.status).toBe(401);
      expect(refused.body.SubCode).toBe("InvalidToken");
      expect(await annotationRows(id)).toEqual([]);
      const saved = await app.request("POST", annotationsPath(id, "ml"), { body, headers: { "Application-Token": key } });
      expect(saved.status).toBe(200);
      expect(saved.body.tasks).toEqual([expect.objectContaining({ taskId: 1, annotationSource: "ml-tool", properties: { buildings: 3 } })]);
    });

    it("refuses non-managers, anonymous callers, unknown tasks and bad bodies, writing nothing", async () => {
      const { projectId: id } = await insertProject(app.services.db, { authorId: manager.id, organisationId: (await managerOrg()).id, size: 1 });
      const mapper = await app.user("MAPPER");
      const body = { tasks: [{ taskId: 1, properties: {} }] };
      expect((await app.request("POST", annotationsPath(id, "t"), { body })).status).toBe(401);
      const notManager = await app.request("POST", annotationsPath(id, "t"), { token: mapper.token, body });
      expect(notManager.status).toBe(403);
      expect(notManager.body.SubCode).toBe("UserPermissionError");
      const unknownTask = await app.request("POST", annotationsPath(id, "t"), { token: manager.token, body: { tasks: [{ taskId: 1 }, { taskId: 5 }] } });
      expect(unknownTask.status).toBe(400);
      expect(unknownTask.body).toMatchObject({ SubCode: "InvalidData", Error: expect.stringContaining("5") });
      const twice = await app.request("POST", annotationsPath(id, "t"), { token: manager.token, body: { tasks: [{ taskId: 1 }, { taskId: 1 }] } });
      expect(twice.status).toBe(400);
      expect((await app.request("POST", annotationsPath(id, "t"), { token: manager.token, body: { tasks: [] } })).status).toBe(400);
      expect((await app.request("POST", annotationsPath(id, "t"), { token: manager.token, body: { tasks: [{ taskId: "one" }] } })).status).toBe(400);
      expect((await app.request("POST", annotationsPath(id, "bad%20type"), { token: manager.token, body })).status).toBe(400);
      expect(await annotationRows(id)).toEqual([]);
      expect((await app.request("GET", annotationsPath(99_999_999))).status).toBe(404);
    });
  });
});
